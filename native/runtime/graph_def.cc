#include "runtime/graph_def.h"

#include <string>

#include "runtime/graph.h"
#include "runtime/status.h"

namespace tg {

namespace {

bool KnownDataType(fb::DataType t) {
  return t == fb::DataType::DT_STRING || t == fb::DataType::DT_RESOURCE || DataTypeSize(t) != 0;
}

void CheckShape(const fb::TensorShape* shape, const std::string& where) {
  if (!shape || !shape->dims()) return;
  for (int64_t d : *shape->dims()) {
    if (d < -1) throw InvalidArgument(where + ": shape has a negative dimension " + std::to_string(d));
  }
}

void CheckTensor(const fb::TensorProto* t, const std::string& where) {
  if (!t) throw InvalidArgument(where + ": tensor value is missing");
  if (!KnownDataType(t->dtype())) {
    throw InvalidArgument(where + ": tensor has unknown dtype " + std::to_string(static_cast<int>(t->dtype())));
  }
  const fb::TensorShape* shape = t->shape();
  if (shape && shape->unknown_rank()) throw InvalidArgument(where + ": tensor shape must be fully defined");
  uint64_t count = 1;
  if (shape && shape->dims()) {
    for (int64_t d : *shape->dims()) {
      if (d < 0) throw InvalidArgument(where + ": tensor shape must be fully defined");
      if (d > 0 && count > (uint64_t{1} << 48) / static_cast<uint64_t>(d)) {
        throw InvalidArgument(where + ": tensor shape is too large");
      }
      count *= static_cast<uint64_t>(d);
    }
  }
  if (t->dtype() == fb::DataType::DT_STRING) {
    size_t n = t->string_val() ? t->string_val()->size() : 0;
    if (n != count) {
      throw InvalidArgument(where + ": string tensor holds " + std::to_string(n) + " values, shape needs " +
                            std::to_string(count));
    }
    return;
  }
  size_t have = t->content() ? t->content()->size() : 0;
  uint64_t need = count * DataTypeSize(t->dtype());
  if (have != need) {
    throw InvalidArgument(where + ": tensor content is " + std::to_string(have) + " bytes, shape and dtype need " +
                          std::to_string(need));
  }
}

void CheckAttr(const fb::AttrValue* v, const std::string& where) {
  using K = fb::AttrKind;
  switch (v->kind()) {
    case K::NONE: throw InvalidArgument(where + ": attribute has no value");
    case K::S: if (!v->s()) throw InvalidArgument(where + ": string attribute without bytes"); break;
    case K::I: case K::F: case K::B: break;
    case K::TYPE:
      if (!KnownDataType(v->type())) throw InvalidArgument(where + ": unknown dtype");
      break;
    case K::SHAPE: CheckShape(v->shape(), where); break;
    case K::TENSOR: CheckTensor(v->tensor(), where); break;
    case K::FUNC: if (!v->func() || !v->func()->name()) throw InvalidArgument(where + ": function attribute without name"); break;
    case K::LIST_TYPE:
      if (v->list_type()) for (auto t : *v->list_type()) if (!KnownDataType(t)) throw InvalidArgument(where + ": unknown dtype in list");
      break;
    case K::LIST_SHAPE:
      if (v->list_shape()) for (auto s : *v->list_shape()) CheckShape(s, where);
      break;
    case K::LIST_TENSOR:
      if (v->list_tensor()) for (auto t : *v->list_tensor()) CheckTensor(t, where);
      break;
    case K::LIST_S: case K::LIST_I: case K::LIST_F: case K::LIST_B: case K::LIST_FUNC: case K::PLACEHOLDER: break;
    default: throw InvalidArgument(where + ": unknown attribute kind " + std::to_string(static_cast<int>(v->kind())));
  }
}

}  // namespace

const fb::GraphDef* VerifyGraphDef(const uint8_t* data, size_t size) {
  if (data == nullptr || size < 8) throw InvalidArgument("GraphDef buffer is empty or truncated");
  if (!fb::GraphDefBufferHasIdentifier(data)) throw InvalidArgument("buffer is not a GraphDef (bad file identifier)");
  flatbuffers::Verifier verifier(data, size);
  if (!fb::VerifyGraphDefBuffer(verifier)) throw InvalidArgument("GraphDef buffer is corrupt or truncated (verifier failed)");
  const fb::GraphDef* graph = fb::GetGraphDef(data);
  if (!graph->node()) return graph;
  for (const fb::NodeDef* node : *graph->node()) {
    const std::string name = node->name()->str();
    if (name.empty()) throw InvalidArgument("GraphDef has a node with an empty name");
    if (node->op()->size() == 0) throw InvalidArgument("node '" + name + "' has no op type", name);
    if (node->attr()) {
      for (const fb::Attr* attr : *node->attr()) {
        CheckAttr(attr->value(), "attr '" + attr->key()->str() + "' of node '" + name + "'");
      }
    }
  }
  return graph;
}

}  // namespace tg

namespace tg {

namespace {

using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;

Offset<fb::TensorShape> ShapeToFb(FlatBufferBuilder& b, const PartialShape& s) {
  return fb::CreateTensorShape(b, s.unknown_rank ? 0 : b.CreateVector(s.dims), s.unknown_rank);
}

Offset<fb::Bytes> BytesToFb(FlatBufferBuilder& b, const std::string& s) {
  return fb::CreateBytes(b, b.CreateVector(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

Offset<fb::TensorProto> TensorToFb(FlatBufferBuilder& b, const Tensor& t) {
  auto shape = b.CreateVector(t.shape());
  auto s = fb::CreateTensorShape(b, shape, false);
  if (t.dtype() == DataType::DT_STRING) {
    std::vector<Offset<fb::Bytes>> strings;
    for (int64_t i = 0; i < t.num_elements(); i++) strings.push_back(BytesToFb(b, t.strings()[i]));
    return fb::CreateTensorProto(b, t.dtype(), s, 0, b.CreateVector(strings));
  }
  auto content = b.CreateVector(static_cast<const uint8_t*>(t.raw()), t.initialized() ? t.total_bytes() : 0);
  return fb::CreateTensorProto(b, t.dtype(), s, content);
}

Offset<fb::AttrValue> AttrToFb(FlatBufferBuilder& b, const AttrValue& a) {
  using K = fb::AttrKind;
  Offset<flatbuffers::Vector<uint8_t>> s;
  Offset<fb::TensorShape> shape;
  Offset<fb::TensorProto> tensor;
  Offset<fb::NameAttrList> func;
  Offset<flatbuffers::Vector<Offset<fb::Bytes>>> list_s;
  Offset<flatbuffers::Vector<int64_t>> list_i;
  Offset<flatbuffers::Vector<float>> list_f;
  Offset<flatbuffers::Vector<uint8_t>> list_b;
  Offset<flatbuffers::Vector<fb::DataType>> list_type;
  Offset<flatbuffers::Vector<Offset<fb::TensorShape>>> list_shape;
  Offset<flatbuffers::Vector<Offset<fb::TensorProto>>> list_tensor;
  switch (a.kind) {
    case K::S: s = b.CreateVector(reinterpret_cast<const uint8_t*>(a.s.data()), a.s.size()); break;
    case K::SHAPE: shape = ShapeToFb(b, a.shape); break;
    case K::TENSOR: tensor = TensorToFb(b, a.tensor); break;
    case K::FUNC: func = fb::CreateNameAttrList(b, b.CreateString(a.func)); break;
    case K::LIST_S: {
      std::vector<Offset<fb::Bytes>> v;
      for (const auto& x : a.list_s) v.push_back(BytesToFb(b, x));
      list_s = b.CreateVector(v);
      break;
    }
    case K::LIST_I: list_i = b.CreateVector(a.list_i); break;
    case K::LIST_F: list_f = b.CreateVector(a.list_f); break;
    case K::LIST_B: {
      std::vector<uint8_t> v(a.list_b.begin(), a.list_b.end());
      list_b = b.CreateVector(v);
      break;
    }
    case K::LIST_TYPE: list_type = b.CreateVector(a.list_type); break;
    case K::LIST_SHAPE: {
      std::vector<Offset<fb::TensorShape>> v;
      for (const auto& x : a.list_shape) v.push_back(ShapeToFb(b, x));
      list_shape = b.CreateVector(v);
      break;
    }
    case K::LIST_TENSOR: {
      std::vector<Offset<fb::TensorProto>> v;
      for (const auto& x : a.list_tensor) v.push_back(TensorToFb(b, x));
      list_tensor = b.CreateVector(v);
      break;
    }
    default: break;
  }
  fb::AttrValueBuilder v(b);
  v.add_kind(a.kind);
  switch (a.kind) {
    case K::S: v.add_s(s); break;
    case K::I: v.add_i(a.i); break;
    case K::F: v.add_f(a.f); break;
    case K::B: v.add_b(a.b); break;
    case K::TYPE: v.add_type(a.type); break;
    case K::SHAPE: v.add_shape(shape); break;
    case K::TENSOR: v.add_tensor(tensor); break;
    case K::FUNC: v.add_func(func); break;
    case K::LIST_S: v.add_list_s(list_s); break;
    case K::LIST_I: v.add_list_i(list_i); break;
    case K::LIST_F: v.add_list_f(list_f); break;
    case K::LIST_B: v.add_list_b(list_b); break;
    case K::LIST_TYPE: v.add_list_type(list_type); break;
    case K::LIST_SHAPE: v.add_list_shape(list_shape); break;
    case K::LIST_TENSOR: v.add_list_tensor(list_tensor); break;
    default: break;
  }
  return v.Finish();
}

}  // namespace

std::vector<uint8_t> SerializeGraph(const Graph& graph) {
  FlatBufferBuilder b;
  std::vector<Offset<fb::NodeDef>> nodes;
  for (size_t i = 0; i < graph.num_nodes(); i++) {
    const Node& n = *graph.node(i);
    std::vector<Offset<flatbuffers::String>> inputs;
    for (const Edge& e : n.inputs) {
      inputs.push_back(b.CreateString(e.index == 0 ? e.node->name : e.node->name + ":" + std::to_string(e.index)));
    }
    for (const Node* c : n.control_inputs) inputs.push_back(b.CreateString("^" + c->name));
    std::vector<Offset<fb::Attr>> attrs;
    for (const auto& [key, value] : n.attrs) attrs.push_back(fb::CreateAttr(b, b.CreateString(key), AttrToFb(b, value)));
    nodes.push_back(fb::CreateNodeDef(b, b.CreateString(n.name), b.CreateString(n.op), b.CreateVector(inputs),
                                      b.CreateString(n.device), b.CreateVector(attrs)));
  }
  fb::FinishGraphDefBuffer(b, fb::CreateGraphDef(b, b.CreateVector(nodes)));
  return std::vector<uint8_t>(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize());
}

}  // namespace tg
