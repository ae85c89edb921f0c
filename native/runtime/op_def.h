// Op records (TF's OpDef): each op type's inputs, outputs and attrs. The TypeScript op
// registry is their source: the build writes them to an OpList buffer (schema/op_def.fbs) and
// embeds it in this library, so the runtime knows a node's inputs and outputs without asking
// its kernel, and rejects an unknown op when a graph is imported. C++-only ops (test ops)
// register records with TG_REGISTER_OP; TypeScript hands over ops registered at run time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/graph.h"
#include "runtime/types.h"

namespace tg {

// An input or output argument: one tensor of dtype `type` or of the `type_attr` attr's
// dtype; with `number_attr`, that many of them; with `type_list_attr`, one per dtype listed.
struct ArgDef {
  std::string name;
  DataType type = DataType::DT_INVALID;
  std::string type_attr;
  std::string number_attr;
  std::string type_list_attr;
  bool is_ref = false;
};

struct AttrDef {
  std::string name;
  std::string type;  // TF's spelling: "int", "type", "list(type)", ...
  bool has_default = false;
  AttrValue default_value;
  std::vector<DataType> allowed_types;  // for "type" attrs; empty: any
};

struct OpDef {
  std::string name;
  std::vector<ArgDef> input_arg;
  std::vector<ArgDef> output_arg;
  std::vector<AttrDef> attr;
  bool is_stateful = false;

  const AttrDef* FindAttr(const std::string& name) const;
};

// The records of every op type this process knows. Records are never removed, so pointers
// to them stay valid.
class OpRegistry {
 public:
  // The process's registry, holding the records embedded at build time.
  static OpRegistry& Global();

  // Adds one record; AlreadyExists when its op type has one.
  void Register(OpDef def);
  // Adds the records of a serialised OpList (schema/op_def.fbs), checked by the FlatBuffers
  // verifier first: InvalidArgument for a corrupt buffer, AlreadyExists for a known op type
  // (then nothing is added).
  void RegisterList(const uint8_t* data, size_t size);

  // The record of `op`, or null.
  const OpDef* Find(const std::string& op) const;
  // The record of `node`'s op; NotFound in TF's words, naming the node, when there is none.
  const OpDef& LookUp(const Node& node) const;
  // Every op type with a record, sorted.
  std::vector<std::string> OpTypes() const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::unique_ptr<OpDef>> ops_;
};

// How many tensors `arg` stands for in `node` (1, or its number_attr's value, or the length
// of its type_list_attr), from the node's attrs or the record's defaults. InvalidArgument
// naming the node when the attr is missing or of the wrong kind.
int ArgCount(const OpDef& op, const ArgDef& arg, const Node& node);
int NumInputs(const OpDef& op, const Node& node);
int NumOutputs(const OpDef& op, const Node& node);
// The dtype of each output tensor of `node` (DT_INVALID where an attr does not say).
std::vector<DataType> OutputTypes(const OpDef& op, const Node& node);
// Whether input `index` of `node` is a reference or a DT_RESOURCE (TF's placer colocates such
// an input's consumer with its producer).
bool IsRefOrResourceInput(const OpDef& op, const Node& node, int index);

// Builds a record from TF-style specs, for ops defined in C++ only (tests):
//   OpDefBuilder("Concat").Input("values: N * T").Output("output: T").Attr("N: int").Attr("T: type")
// Args: "name: float" (a fixed dtype, TF's names), "name: T" (a type attr), "name: N * T",
// "name: Tlist" (a list(type) attr), "name: Ref(T)". Attrs: "name: kind" or "name: kind = value"
// with a default for int, float, bool, string and type attrs.
class OpDefBuilder {
 public:
  explicit OpDefBuilder(std::string name);
  OpDefBuilder& Input(const std::string& spec);
  OpDefBuilder& Output(const std::string& spec);
  OpDefBuilder& Attr(const std::string& spec);
  OpDefBuilder& SetIsStateful();
  // The record; InvalidArgument when a spec does not parse or an arg names no declared attr.
  OpDef Build() const;

 private:
  OpDef def_;
  std::vector<std::string> inputs_, outputs_, attrs_;
};

// Registers at static-initialisation time: TG_REGISTER_OP("Name").Input(...).Output(...);
struct OpDefRegistrar {
  OpDefRegistrar(const OpDefBuilder& b) { OpRegistry::Global().Register(b.Build()); }  // NOLINT: implicit on purpose
};

#define TG_REGISTER_OP(name) \
  static ::tg::OpDefRegistrar TG_OP_CONCAT(tg_op_registrar_, __COUNTER__) = ::tg::OpDefBuilder(name)
#define TG_OP_CONCAT_INNER(a, b) a##b
#define TG_OP_CONCAT(a, b) TG_OP_CONCAT_INNER(a, b)

}  // namespace tg
