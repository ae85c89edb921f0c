#include "runtime/graph_def_proto.h"

#include <algorithm>
#include <cstring>

#include "graph_generated.h"
#include "runtime/graph_def.h"
#include "runtime/op_def.h"
#include "runtime/status.h"
#include "runtime/types.h"

namespace tg {

namespace {

using K = fb::AttrKind;
namespace pb = tensorflow;

std::string Str(const flatbuffers::String* s) { return s ? s->str() : std::string(); }
std::string BytesOf(const flatbuffers::Vector<uint8_t>* v) {
  return v ? std::string(reinterpret_cast<const char*>(v->data()), v->size()) : std::string();
}

// ---------- FlatBuffers -> protobuf ----------

void ShapeToProto(const fb::TensorShape* s, pb::TensorShapeProto* out) {
  if (!s || s->unknown_rank()) {
    out->set_unknown_rank(true);
    return;
  }
  if (s->dims()) for (int64_t d : *s->dims()) out->add_dim()->set_size(d);
}

void FbTensorToProto(const fb::TensorProto* t, pb::TensorProto* out) {
  out->set_dtype(static_cast<pb::DataType>(t->dtype()));
  ShapeToProto(t->shape(), out->mutable_tensor_shape());
  if (t->string_val()) {
    for (auto b : *t->string_val()) out->add_string_val(BytesOf(b->data()));
  } else if (t->content()) {
    out->set_tensor_content(BytesOf(t->content()));
  }
}

void FuncToProto(const fb::NameAttrList* f, pb::NameAttrList* out);

void AttrToProto(const fb::AttrValue* v, pb::AttrValue* out) {
  auto list = [&] { return out->mutable_list(); };
  switch (v->kind()) {
    case K::S: out->set_s(BytesOf(v->s())); break;
    case K::I: out->set_i(v->i()); break;
    case K::F: out->set_f(v->f()); break;
    case K::B: out->set_b(v->b()); break;
    case K::TYPE: out->set_type(static_cast<pb::DataType>(v->type())); break;
    case K::SHAPE: ShapeToProto(v->shape(), out->mutable_shape()); break;
    case K::TENSOR: FbTensorToProto(v->tensor(), out->mutable_tensor()); break;
    case K::FUNC: FuncToProto(v->func(), out->mutable_func()); break;
    case K::PLACEHOLDER: out->set_placeholder(Str(v->placeholder())); break;
    case K::LIST_S: list(); if (v->list_s()) for (auto b : *v->list_s()) list()->add_s(BytesOf(b->data())); break;
    case K::LIST_I: list(); if (v->list_i()) for (auto x : *v->list_i()) list()->add_i(x); break;
    case K::LIST_F: list(); if (v->list_f()) for (auto x : *v->list_f()) list()->add_f(x); break;
    case K::LIST_B: list(); if (v->list_b()) for (auto x : *v->list_b()) list()->add_b(x != 0); break;
    case K::LIST_TYPE:
      list();
      if (v->list_type()) for (auto x : *v->list_type()) list()->add_type(static_cast<pb::DataType>(x));
      break;
    case K::LIST_SHAPE: list(); if (v->list_shape()) for (auto s : *v->list_shape()) ShapeToProto(s, list()->add_shape()); break;
    case K::LIST_TENSOR: list(); if (v->list_tensor()) for (auto t : *v->list_tensor()) FbTensorToProto(t, list()->add_tensor()); break;
    case K::LIST_FUNC: list(); if (v->list_func()) for (auto f : *v->list_func()) FuncToProto(f, list()->add_func()); break;
    default: break;
  }
}

void FuncToProto(const fb::NameAttrList* f, pb::NameAttrList* out) {
  if (!f) return;
  out->set_name(Str(f->name()));
  if (f->attr()) for (auto a : *f->attr()) AttrToProto(a->value(), &(*out->mutable_attr())[a->key()->str()]);
}

// ---------- protobuf -> FlatBuffers ----------

using B = flatbuffers::FlatBufferBuilder;
template <typename T> using Off = flatbuffers::Offset<T>;

Off<fb::TensorShape> ShapeFromProto(B& b, const pb::TensorShapeProto& s) {
  if (s.unknown_rank()) return fb::CreateTensorShape(b, 0, true);
  std::vector<int64_t> dims;
  for (const auto& d : s.dim()) dims.push_back(d.size());
  return fb::CreateTensorShape(b, b.CreateVector(dims), false);
}

Off<fb::Bytes> BytesFb(B& b, const std::string& s) {
  return fb::CreateBytes(b, b.CreateVector(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

Off<fb::TensorProto> TensorFb(B& b, const pb::TensorProto& p, const std::string& what) {
  Tensor t = TensorFromTfProto(p, what);
  std::vector<int64_t> dims(t.shape().begin(), t.shape().end());
  auto shape = fb::CreateTensorShape(b, b.CreateVector(dims), false);
  if (t.dtype() == DataType::DT_STRING) {
    std::vector<Off<fb::Bytes>> vals;
    for (int64_t i = 0; i < t.num_elements(); i++) vals.push_back(BytesFb(b, t.strings()[i]));
    return fb::CreateTensorProto(b, t.dtype(), shape, 0, b.CreateVector(vals));
  }
  auto content = b.CreateVector(static_cast<const uint8_t*>(t.raw()), t.total_bytes());
  return fb::CreateTensorProto(b, t.dtype(), shape, content, 0);
}

Off<fb::NameAttrList> FuncFb(B& b, const pb::NameAttrList& f, const std::string& node);

// `list_kind`: the op record's kind for a list attr (an empty ListValue does not say which).
Off<fb::AttrValue> AttrFb(B& b, const pb::AttrValue& v, K list_kind, const std::string& node) {
  switch (v.value_case()) {
    case pb::AttrValue::kS: {
      auto s = b.CreateVector(reinterpret_cast<const uint8_t*>(v.s().data()), v.s().size());
      fb::AttrValueBuilder a(b); a.add_kind(K::S); a.add_s(s); return a.Finish();
    }
    case pb::AttrValue::kI: { fb::AttrValueBuilder a(b); a.add_kind(K::I); a.add_i(v.i()); return a.Finish(); }
    case pb::AttrValue::kF: { fb::AttrValueBuilder a(b); a.add_kind(K::F); a.add_f(v.f()); return a.Finish(); }
    case pb::AttrValue::kB: { fb::AttrValueBuilder a(b); a.add_kind(K::B); a.add_b(v.b()); return a.Finish(); }
    case pb::AttrValue::kType: {
      fb::AttrValueBuilder a(b); a.add_kind(K::TYPE); a.add_type(static_cast<fb::DataType>(v.type())); return a.Finish();
    }
    case pb::AttrValue::kShape: {
      auto s = ShapeFromProto(b, v.shape());
      fb::AttrValueBuilder a(b); a.add_kind(K::SHAPE); a.add_shape(s); return a.Finish();
    }
    case pb::AttrValue::kTensor: {
      auto t = TensorFb(b, v.tensor(), node);
      fb::AttrValueBuilder a(b); a.add_kind(K::TENSOR); a.add_tensor(t); return a.Finish();
    }
    case pb::AttrValue::kFunc: {
      auto f = FuncFb(b, v.func(), node);
      fb::AttrValueBuilder a(b); a.add_kind(K::FUNC); a.add_func(f); return a.Finish();
    }
    case pb::AttrValue::kPlaceholder: {
      auto p = b.CreateString(v.placeholder());
      fb::AttrValueBuilder a(b); a.add_kind(K::PLACEHOLDER); a.add_placeholder(p); return a.Finish();
    }
    case pb::AttrValue::kList: {
      const auto& l = v.list();
      K kind = l.s_size() ? K::LIST_S : l.i_size() ? K::LIST_I : l.f_size() ? K::LIST_F : l.b_size() ? K::LIST_B
             : l.type_size() ? K::LIST_TYPE : l.shape_size() ? K::LIST_SHAPE : l.tensor_size() ? K::LIST_TENSOR
             : l.func_size() ? K::LIST_FUNC : list_kind;
      switch (kind) {
        case K::LIST_S: {
          std::vector<Off<fb::Bytes>> xs;
          for (const auto& s : l.s()) xs.push_back(BytesFb(b, s));
          auto vec = b.CreateVector(xs);
          fb::AttrValueBuilder a(b); a.add_kind(kind); a.add_list_s(vec); return a.Finish();
        }
        case K::LIST_I: {
          auto vec = b.CreateVector(std::vector<int64_t>(l.i().begin(), l.i().end()));
          fb::AttrValueBuilder a(b); a.add_kind(kind); a.add_list_i(vec); return a.Finish();
        }
        case K::LIST_F: {
          auto vec = b.CreateVector(std::vector<float>(l.f().begin(), l.f().end()));
          fb::AttrValueBuilder a(b); a.add_kind(kind); a.add_list_f(vec); return a.Finish();
        }
        case K::LIST_B: {
          std::vector<uint8_t> xs(l.b().begin(), l.b().end());
          auto vec = b.CreateVector(xs);
          fb::AttrValueBuilder a(b); a.add_kind(kind); a.add_list_b(vec); return a.Finish();
        }
        case K::LIST_TYPE: {
          std::vector<fb::DataType> xs;
          for (int t : l.type()) xs.push_back(static_cast<fb::DataType>(t));
          auto vec = b.CreateVector(xs);
          fb::AttrValueBuilder a(b); a.add_kind(kind); a.add_list_type(vec); return a.Finish();
        }
        case K::LIST_SHAPE: {
          std::vector<Off<fb::TensorShape>> xs;
          for (const auto& s : l.shape()) xs.push_back(ShapeFromProto(b, s));
          auto vec = b.CreateVector(xs);
          fb::AttrValueBuilder a(b); a.add_kind(kind); a.add_list_shape(vec); return a.Finish();
        }
        case K::LIST_TENSOR: {
          std::vector<Off<fb::TensorProto>> xs;
          for (const auto& t : l.tensor()) xs.push_back(TensorFb(b, t, node));
          auto vec = b.CreateVector(xs);
          fb::AttrValueBuilder a(b); a.add_kind(kind); a.add_list_tensor(vec); return a.Finish();
        }
        case K::LIST_FUNC: {
          std::vector<Off<fb::NameAttrList>> xs;
          for (const auto& f : l.func()) xs.push_back(FuncFb(b, f, node));
          auto vec = b.CreateVector(xs);
          fb::AttrValueBuilder a(b); a.add_kind(kind); a.add_list_func(vec); return a.Finish();
        }
        default: {  // an empty list the op's record does not type: any list kind holds it
          fb::AttrValueBuilder a(b); a.add_kind(K::LIST_S); return a.Finish();
        }
      }
    }
    default: throw InvalidArgument("Node '" + node + "' has an attr without a value", node);
  }
}

K ListKindOf(const std::string& type) {
  if (type == "list(string)") return K::LIST_S;
  if (type == "list(int)") return K::LIST_I;
  if (type == "list(float)") return K::LIST_F;
  if (type == "list(bool)") return K::LIST_B;
  if (type == "list(type)") return K::LIST_TYPE;
  if (type == "list(shape)") return K::LIST_SHAPE;
  if (type == "list(tensor)") return K::LIST_TENSOR;
  if (type == "list(func)") return K::LIST_FUNC;
  return K::LIST_S;
}

std::vector<Off<fb::Attr>> AttrsFb(B& b, const google::protobuf::Map<std::string, pb::AttrValue>& attrs,
                                   const OpDef* op, const std::string& node) {
  // Sorted by key: the same GraphDef gives the same bytes (protobuf maps have no order).
  std::vector<const std::string*> keys;
  for (const auto& kv : attrs) {
    if (kv.first.size() > 0 && kv.first[0] == '_' && kv.first != "_class") continue;
    keys.push_back(&kv.first);
  }
  std::sort(keys.begin(), keys.end(), [](const std::string* a, const std::string* b) { return *a < *b; });
  std::vector<Off<fb::Attr>> out;
  for (const std::string* k : keys) {
    const AttrDef* def = op ? op->FindAttr(*k) : nullptr;
    K list_kind = *k == "_class" ? K::LIST_S : def ? ListKindOf(def->type) : K::LIST_S;
    auto value = AttrFb(b, attrs.at(*k), list_kind, node);
    auto key = b.CreateString(*k);
    out.push_back(fb::CreateAttr(b, key, value));
  }
  return out;
}

Off<fb::NameAttrList> FuncFb(B& b, const pb::NameAttrList& f, const std::string& node) {
  auto attrs = AttrsFb(b, f.attr(), nullptr, node);
  auto name = b.CreateString(f.name());
  return fb::CreateNameAttrList(b, name, b.CreateVector(attrs));
}

// Values of a typed *_val field: all of them, or the last one repeated up to n.
template <typename Field, typename T>
bool FillRepeated(const Field& vals, int64_t n, T* out, const std::string& what) {
  if (vals.size() == 0) return false;
  if (vals.size() > n) throw InvalidArgument("TensorProto " + what + " holds " + std::to_string(vals.size()) +
                                             " values for " + std::to_string(n) + " elements");
  for (int64_t i = 0; i < n; i++) out[i] = static_cast<T>(vals.Get(i < vals.size() ? i : vals.size() - 1));
  return true;
}

}  // namespace

void GraphDefToProto(const uint8_t* data, size_t size, pb::GraphDef* out) {
  const fb::GraphDef* def = VerifyGraphDef(data, size);
  if (def->node()) {
    for (auto n : *def->node()) {
      pb::NodeDef* nd = out->add_node();
      nd->set_name(n->name()->str());
      nd->set_op(n->op()->str());
      if (n->input()) for (auto in : *n->input()) nd->add_input(in->str());
      nd->set_device(Str(n->device()));
      if (n->attr()) for (auto a : *n->attr()) AttrToProto(a->value(), &(*nd->mutable_attr())[a->key()->str()]);
    }
  }
  if (def->versions()) {
    out->mutable_versions()->set_producer(def->versions()->producer());
    out->mutable_versions()->set_min_consumer(def->versions()->min_consumer());
  }
}

std::vector<uint8_t> GraphDefFromProto(const pb::GraphDef& def) {
  B b;
  std::vector<Off<fb::NodeDef>> nodes;
  for (const auto& n : def.node()) {
    if (n.name().empty()) throw InvalidArgument("NodeDef without a name in GraphDef");
    const OpDef* op = OpRegistry::Global().Find(n.op());
    auto attrs = AttrsFb(b, n.attr(), op, n.name());
    std::vector<Off<flatbuffers::String>> inputs;
    for (const auto& in : n.input()) inputs.push_back(b.CreateString(in));
    auto name = b.CreateString(n.name());
    auto opname = b.CreateString(n.op());
    auto in_vec = b.CreateVector(inputs);
    auto device = b.CreateString(n.device());
    auto attr_vec = b.CreateVector(attrs);
    nodes.push_back(fb::CreateNodeDef(b, name, opname, in_vec, device, attr_vec));
  }
  auto node_vec = b.CreateVector(nodes);
  auto versions = fb::CreateVersionDef(b, def.versions().producer(), def.versions().min_consumer());
  fb::FinishGraphDefBuffer(b, fb::CreateGraphDef(b, node_vec, versions));
  return std::vector<uint8_t>(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize());
}

void TensorToTfProto(const Tensor& t, pb::TensorProto* out) {
  out->set_dtype(static_cast<pb::DataType>(t.dtype()));
  for (int64_t d : t.shape()) out->mutable_tensor_shape()->add_dim()->set_size(d);
  if (t.dtype() == DataType::DT_STRING) {
    for (int64_t i = 0; i < t.num_elements(); i++) out->add_string_val(t.strings()[i]);
  } else if (t.dtype() == DataType::DT_RESOURCE) {
    throw InvalidArgument("a DT_RESOURCE tensor cannot cross between processes");
  } else if (t.total_bytes() > 0) {
    out->set_tensor_content(t.raw(), t.total_bytes());
  }
}

Tensor AllocateForTfProto(const pb::TensorProto& p, const std::string& what) {
  const auto dtype = static_cast<DataType>(p.dtype());
  switch (dtype) {
    case DataType::DT_FLOAT: case DataType::DT_DOUBLE: case DataType::DT_INT32: case DataType::DT_UINT8:
    case DataType::DT_INT16: case DataType::DT_INT8: case DataType::DT_STRING: case DataType::DT_COMPLEX64:
    case DataType::DT_INT64: case DataType::DT_BOOL: case DataType::DT_BFLOAT16: case DataType::DT_HALF: break;
    default:
      throw InvalidArgument("TensorProto " + what + " has dtype " + std::to_string(p.dtype()) + ", which this runtime does not hold");
  }
  if (p.tensor_shape().unknown_rank()) throw InvalidArgument("TensorProto " + what + " has an unknown rank");
  Shape shape;
  int64_t n = 1;
  for (const auto& d : p.tensor_shape().dim()) {
    if (d.size() < 0) throw InvalidArgument("TensorProto " + what + " has an unknown dimension");
    if (d.size() > 0 && n > (int64_t{1} << 48) / d.size()) throw InvalidArgument("TensorProto " + what + " is too large");
    n *= d.size();
    shape.push_back(d.size());
  }
  return Tensor(dtype, shape);
}

Tensor TensorFromTfProto(const pb::TensorProto& p, const std::string& what) {
  Tensor t = AllocateForTfProto(p, what);
  const DataType dtype = t.dtype();
  const int64_t n = t.num_elements();
  if (dtype == DataType::DT_STRING) {
    const auto& vals = p.string_val();
    if (vals.size() > n || (vals.size() == 0 && n > 0)) {
      throw InvalidArgument("TensorProto " + what + " holds " + std::to_string(vals.size()) + " strings for " +
                            std::to_string(n) + " elements");
    }
    for (int64_t i = 0; i < n; i++) t.strings()[i] = vals.Get(i < vals.size() ? i : vals.size() - 1);
    return t;
  }
  if (!p.tensor_content().empty()) {
    if (p.tensor_content().size() != t.total_bytes()) {
      throw InvalidArgument("TensorProto " + what + " has " + std::to_string(p.tensor_content().size()) +
                            " content bytes for " + std::to_string(t.total_bytes()));
    }
    std::memcpy(t.raw(), p.tensor_content().data(), t.total_bytes());
    return t;
  }
  if (n == 0) return t;
  bool filled = false;
  switch (dtype) {
    case DataType::DT_FLOAT: filled = FillRepeated(p.float_val(), n, t.data<float>(), what); break;
    case DataType::DT_DOUBLE: filled = FillRepeated(p.double_val(), n, t.data<double>(), what); break;
    case DataType::DT_INT32: filled = FillRepeated(p.int_val(), n, t.data<int32_t>(), what); break;
    case DataType::DT_UINT8: filled = FillRepeated(p.int_val(), n, t.data<uint8_t>(), what); break;
    case DataType::DT_INT16: filled = FillRepeated(p.int_val(), n, t.data<int16_t>(), what); break;
    case DataType::DT_INT8: filled = FillRepeated(p.int_val(), n, t.data<int8_t>(), what); break;
    case DataType::DT_INT64: filled = FillRepeated(p.int64_val(), n, t.data<int64_t>(), what); break;
    case DataType::DT_BOOL: filled = FillRepeated(p.bool_val(), n, t.data<bool>(), what); break;
    // TF keeps the 16-bit pattern of halves in half_val.
    case DataType::DT_HALF: case DataType::DT_BFLOAT16: filled = FillRepeated(p.half_val(), n, t.data<uint16_t>(), what); break;
    case DataType::DT_COMPLEX64: {
      // scomplex_val is not in our subset: only tensor_content carries complex values.
      break;
    }
    default: break;
  }
  if (!filled) {
    // TF: a TensorProto with no values is all zeros.
    std::memset(t.raw(), 0, t.total_bytes());
  }
  return t;
}

}  // namespace tg
