// The runtime's copy of the graph: nodes with resolved input edges and owned attrs.
// It grows by Extend() with GraphDef deltas (TF1's ExtendSession); nodes are never removed,
// so Node pointers stay valid for executors built earlier.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/tensor.h"
#include "runtime/types.h"

namespace tg {

// A static shape: dims of -1 are unknown; unknown_rank means nothing is known.
struct PartialShape {
  bool unknown_rank = true;
  std::vector<int64_t> dims;
  bool IsCompatibleWith(const Shape& shape) const;
  std::string ToString() const;  // "[?,3]" or "<unknown>"

  // From a schema shape table (graph.fbs TensorShape, op_def.fbs ShapeDefault: same fields).
  template <class ShapeTable>
  static PartialShape From(const ShapeTable* s) {
    PartialShape out;
    if (!s || s->unknown_rank()) return out;
    out.unknown_rank = false;
    if (s->dims()) out.dims.assign(s->dims()->begin(), s->dims()->end());
    return out;
  }
};

struct AttrValue {
  fb::AttrKind kind = fb::AttrKind::NONE;
  std::string s;
  int64_t i = 0;
  float f = 0;
  bool b = false;
  DataType type = DataType::DT_INVALID;
  PartialShape shape;
  Tensor tensor;
  std::string func;
  std::vector<std::string> list_s;
  std::vector<int64_t> list_i;
  std::vector<float> list_f;
  std::vector<bool> list_b;
  std::vector<DataType> list_type;
  std::vector<PartialShape> list_shape;
  std::vector<Tensor> list_tensor;

  // Values of one kind, for graphs the runtime writes itself (partitioning, rewrites, tests).
  static AttrValue Str(std::string v) { AttrValue a; a.kind = fb::AttrKind::S; a.s = std::move(v); return a; }
  static AttrValue Int(int64_t v) { AttrValue a; a.kind = fb::AttrKind::I; a.i = v; return a; }
  static AttrValue Float(float v) { AttrValue a; a.kind = fb::AttrKind::F; a.f = v; return a; }
  static AttrValue Bool(bool v) { AttrValue a; a.kind = fb::AttrKind::B; a.b = v; return a; }
  static AttrValue Type(DataType v) { AttrValue a; a.kind = fb::AttrKind::TYPE; a.type = v; return a; }
  static AttrValue OfTensor(Tensor v) { AttrValue a; a.kind = fb::AttrKind::TENSOR; a.tensor = std::move(v); return a; }
  static AttrValue StrList(std::vector<std::string> v) {
    AttrValue a;
    a.kind = fb::AttrKind::LIST_S;
    a.list_s = std::move(v);
    return a;
  }
};

struct Node;
struct OpDef;

// A data edge: output `index` of node `node`.
struct Edge {
  Node* node;
  int index;
};

struct Node {
  int id;
  std::string name;
  std::string op;
  std::string device;  // as requested in the GraphDef ("" = anywhere)
  std::vector<Edge> inputs;
  std::vector<Node*> control_inputs;
  std::map<std::string, AttrValue> attrs;
  // Its op's record (runtime/op_def.h), set when the graph imports the node.
  const OpDef* def = nullptr;

  const AttrValue* FindAttr(const std::string& name) const;
  // Typed getters: throw InvalidArgument naming the node when missing or of another kind.
  const AttrValue& Attr(const std::string& name, fb::AttrKind kind) const;
  int64_t AttrInt(const std::string& name) const;
  int64_t AttrInt(const std::string& name, int64_t dflt) const;
  float AttrFloat(const std::string& name) const;
  bool AttrBool(const std::string& name, bool dflt) const;
  DataType AttrType(const std::string& name) const;
  const std::string& AttrString(const std::string& name) const;
  std::string AttrString(const std::string& name, const std::string& dflt) const;
  const std::vector<int64_t>& AttrInts(const std::string& name) const;
  const std::vector<std::string>& AttrStrings(const std::string& name) const;
  const std::vector<DataType>& AttrTypes(const std::string& name) const;
  const PartialShape& AttrShape(const std::string& name) const;
  const Tensor& AttrTensor(const std::string& name) const;
};

// A node written in code (TF's NodeDef): inputs by name ("x", "x:1", "^ctrl"). A partition
// graph is built from these, so it could be serialised and sent elsewhere as it stands.
struct NodeSpec {
  std::string name;
  std::string op;
  std::string device;
  std::vector<std::string> inputs;
  std::map<std::string, AttrValue> attrs;
};

class Graph {
 public:
  // Adds nodes written in code, with the checks of Extend (records, input counts, names);
  // inputs may name nodes later in `nodes` (a loop's back edge). All or nothing.
  void AddNodes(std::vector<NodeSpec> nodes);
  // Adds the nodes of a serialised GraphDef (verified first). Inputs must name nodes
  // already in the graph or in this delta; every op must have a record (NotFound otherwise)
  // and every node the number of inputs its record gives. On error the graph is left unchanged.
  void Extend(const uint8_t* data, size_t size);

  Node* Find(const std::string& name) const;
  size_t num_nodes() const { return nodes_.size(); }
  Node* node(size_t i) const { return nodes_[i].get(); }

 private:
  std::vector<std::unique_ptr<Node>> nodes_;
  std::unordered_map<std::string, Node*> by_name_;
};

// Parses "name:3" / "name" / "^name" (TF input and fetch strings).
struct TensorId {
  std::string node;
  int index = 0;  // -1 for a control input
};
TensorId ParseTensorName(const std::string& s);

// A tensor held by a Const attr as a runtime Tensor.
Tensor TensorFromProto(const fb::TensorProto* proto);

}  // namespace tg
