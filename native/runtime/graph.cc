#include "runtime/graph.h"

#include <cstring>

#include "runtime/graph_def.h"
#include "runtime/op_def.h"
#include "runtime/status.h"

namespace tg {

bool PartialShape::IsCompatibleWith(const Shape& shape) const {
  if (unknown_rank) return true;
  if (dims.size() != shape.size()) return false;
  for (size_t i = 0; i < dims.size(); i++) {
    if (dims[i] >= 0 && dims[i] != shape[i]) return false;
  }
  return true;
}

std::string PartialShape::ToString() const {
  if (unknown_rank) return "<unknown>";
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); i++) s += (i ? "," : "") + (dims[i] < 0 ? std::string("?") : std::to_string(dims[i]));
  return s + "]";
}

const AttrValue* Node::FindAttr(const std::string& key) const {
  auto it = attrs.find(key);
  return it == attrs.end() ? nullptr : &it->second;
}

const AttrValue& Node::Attr(const std::string& key, fb::AttrKind kind) const {
  const AttrValue* v = FindAttr(key);
  if (!v) throw InvalidArgument("node '" + name + "' (" + op + ") has no attr '" + key + "'", name);
  if (v->kind != kind) throw InvalidArgument("attr '" + key + "' of node '" + name + "' has the wrong kind", name);
  return *v;
}

int64_t Node::AttrInt(const std::string& key) const { return Attr(key, fb::AttrKind::I).i; }
int64_t Node::AttrInt(const std::string& key, int64_t dflt) const { return FindAttr(key) ? AttrInt(key) : dflt; }
float Node::AttrFloat(const std::string& key) const { return Attr(key, fb::AttrKind::F).f; }
bool Node::AttrBool(const std::string& key, bool dflt) const { return FindAttr(key) ? Attr(key, fb::AttrKind::B).b : dflt; }
DataType Node::AttrType(const std::string& key) const { return Attr(key, fb::AttrKind::TYPE).type; }
const std::string& Node::AttrString(const std::string& key) const { return Attr(key, fb::AttrKind::S).s; }
std::string Node::AttrString(const std::string& key, const std::string& dflt) const {
  return FindAttr(key) ? AttrString(key) : dflt;
}
const std::vector<int64_t>& Node::AttrInts(const std::string& key) const { return Attr(key, fb::AttrKind::LIST_I).list_i; }
const std::vector<std::string>& Node::AttrStrings(const std::string& key) const {
  return Attr(key, fb::AttrKind::LIST_S).list_s;
}
const std::vector<DataType>& Node::AttrTypes(const std::string& key) const {
  return Attr(key, fb::AttrKind::LIST_TYPE).list_type;
}
const PartialShape& Node::AttrShape(const std::string& key) const { return Attr(key, fb::AttrKind::SHAPE).shape; }
const Tensor& Node::AttrTensor(const std::string& key) const { return Attr(key, fb::AttrKind::TENSOR).tensor; }

TensorId ParseTensorName(const std::string& s) {
  TensorId id;
  if (!s.empty() && s[0] == '^') {
    id.node = s.substr(1);
    id.index = -1;
    return id;
  }
  size_t colon = s.rfind(':');
  if (colon != std::string::npos && colon + 1 < s.size() &&
      s.find_first_not_of("0123456789", colon + 1) == std::string::npos) {
    id.node = s.substr(0, colon);
    id.index = std::stoi(s.substr(colon + 1));
  } else {
    id.node = s;
  }
  return id;
}

namespace {

std::string Str(const flatbuffers::String* s) { return s ? s->str() : std::string(); }

std::string BytesStr(const flatbuffers::Vector<uint8_t>* v) {
  return v ? std::string(reinterpret_cast<const char*>(v->data()), v->size()) : std::string();
}

AttrValue AttrFromProto(const fb::AttrValue* v) {
  using K = fb::AttrKind;
  AttrValue a;
  a.kind = v->kind();
  switch (a.kind) {
    case K::S: a.s = BytesStr(v->s()); break;
    case K::I: a.i = v->i(); break;
    case K::F: a.f = v->f(); break;
    case K::B: a.b = v->b(); break;
    case K::TYPE: a.type = v->type(); break;
    case K::SHAPE: a.shape = PartialShape::From(v->shape()); break;
    case K::TENSOR: a.tensor = TensorFromProto(v->tensor()); break;
    case K::FUNC: a.func = Str(v->func()->name()); break;
    case K::LIST_S:
      if (v->list_s()) for (auto b : *v->list_s()) a.list_s.push_back(BytesStr(b->data()));
      break;
    case K::LIST_I: if (v->list_i()) a.list_i.assign(v->list_i()->begin(), v->list_i()->end()); break;
    case K::LIST_F: if (v->list_f()) a.list_f.assign(v->list_f()->begin(), v->list_f()->end()); break;
    case K::LIST_B: if (v->list_b()) for (auto b : *v->list_b()) a.list_b.push_back(b != 0); break;
    case K::LIST_TYPE:
      if (v->list_type()) for (auto t : *v->list_type()) a.list_type.push_back(static_cast<DataType>(t));
      break;
    case K::LIST_SHAPE: if (v->list_shape()) for (auto s : *v->list_shape()) a.list_shape.push_back(PartialShape::From(s)); break;
    case K::LIST_TENSOR: if (v->list_tensor()) for (auto t : *v->list_tensor()) a.list_tensor.push_back(TensorFromProto(t)); break;
    default: break;
  }
  return a;
}

}  // namespace

Tensor TensorFromProto(const fb::TensorProto* proto) {
  PartialShape ps = PartialShape::From(proto->shape());
  Tensor t(proto->dtype(), ps.unknown_rank ? Shape{} : Shape(ps.dims));
  if (t.dtype() == DataType::DT_STRING) {
    for (int64_t i = 0; i < t.num_elements(); i++) t.strings()[i] = BytesStr(proto->string_val()->Get(i)->data());
  } else if (t.total_bytes() > 0) {
    std::memcpy(t.raw(), proto->content()->data(), t.total_bytes());  // sizes checked by VerifyGraphDef
  }
  return t;
}

void Graph::Extend(const uint8_t* data, size_t size) {
  const fb::GraphDef* def = VerifyGraphDef(data, size);
  if (!def->node()) return;
  // Build the delta aside and commit only when every node resolved.
  std::vector<std::unique_ptr<Node>> added;
  std::unordered_map<std::string, Node*> added_by_name;
  auto lookup = [&](const std::string& n) -> Node* {
    auto it = added_by_name.find(n);
    if (it != added_by_name.end()) return it->second;
    return Find(n);
  };
  // Two passes: a loop's Merge names its NextIteration input, which comes later in the buffer.
  for (const fb::NodeDef* nd : *def->node()) {
    auto node = std::make_unique<Node>();
    node->id = static_cast<int>(nodes_.size() + added.size());
    node->name = nd->name()->str();
    node->op = nd->op()->str();
    node->device = Str(nd->device());
    if (lookup(node->name)) throw InvalidArgument("Duplicate node name in graph: '" + node->name + "'", node->name);
    node->def = &OpRegistry::Global().LookUp(*node);
    if (nd->attr()) {
      for (const fb::Attr* a : *nd->attr()) node->attrs[a->key()->str()] = AttrFromProto(a->value());
    }
    added_by_name[node->name] = node.get();
    added.push_back(std::move(node));
  }
  for (size_t i = 0; i < added.size(); i++) {
    const fb::NodeDef* nd = def->node()->Get(static_cast<flatbuffers::uoffset_t>(i));
    Node* node = added[i].get();
    if (nd->input()) {
      for (const flatbuffers::String* in : *nd->input()) {
        TensorId id = ParseTensorName(in->str());
        Node* src = lookup(id.node);
        if (!src) {
          throw InvalidArgument("Node '" + node->name + "': unknown input node '" + in->str() + "'", node->name);
        }
        if (id.index < 0) node->control_inputs.push_back(src);
        else node->inputs.push_back({src, id.index});
      }
    }
    const int want = NumInputs(*node->def, *node);
    if (static_cast<int>(node->inputs.size()) != want) {
      throw InvalidArgument("Node '" + node->name + "' (op '" + node->op + "'): expected " + std::to_string(want) +
                            " inputs, got " + std::to_string(node->inputs.size()), node->name);
    }
  }
  for (auto& n : added) {
    by_name_[n->name] = n.get();
    nodes_.push_back(std::move(n));
  }
}

Node* Graph::Find(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

}  // namespace tg
