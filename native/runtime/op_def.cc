#include "runtime/op_def.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <unordered_set>

#include "op_def_generated.h"
#include "runtime/status.h"

namespace tg {

// The build's records (build/generated/op_list_data.cc, from tools/embed-op-list.cmake).
extern const unsigned char kEmbeddedOpList[];
extern const size_t kEmbeddedOpListSize;

const AttrDef* OpDef::FindAttr(const std::string& key) const {
  for (const AttrDef& a : attr) {
    if (a.name == key) return &a;
  }
  return nullptr;
}

namespace {

std::string Str(const flatbuffers::String* s) { return s ? s->str() : std::string(); }

DataType DType(int32_t v) { return static_cast<DataType>(v); }

// A record's default as the attr value a node would carry.
AttrValue DefaultOf(const std::string& where, const std::string& type, const fb::AttrDefault* d) {
  using K = fb::AttrKind;
  AttrValue v;
  if (type == "string") { v.kind = K::S; v.s = Str(d->s()); }
  else if (type == "int") { v.kind = K::I; v.i = d->i(); }
  else if (type == "float") { v.kind = K::F; v.f = d->f(); }
  else if (type == "bool") { v.kind = K::B; v.b = d->b(); }
  else if (type == "type") { v.kind = K::TYPE; v.type = DType(d->type()); }
  else if (type == "shape") { v.kind = K::SHAPE; v.shape = PartialShape::From(d->shape()); }
  else if (type == "tensor") {
    const fb::TensorDefault* t = d->tensor();
    if (!t) throw InvalidArgument(where + ": tensor default without a tensor");
    Shape shape = t->shape() ? Shape(t->shape()->begin(), t->shape()->end()) : Shape{};
    for (int64_t dim : shape) if (dim < 0 || dim > (int64_t{1} << 32)) throw InvalidArgument(where + ": bad tensor default shape");
    v.kind = K::TENSOR;
    v.tensor = Tensor(DType(t->dtype()), shape);
    const size_t have = t->content() ? t->content()->size() : 0;
    if (DataTypeSize(v.tensor.dtype()) == 0 || have != v.tensor.total_bytes()) {
      throw InvalidArgument(where + ": tensor default's content does not match its dtype and shape");
    }
    if (have) std::memcpy(v.tensor.raw(), t->content()->data(), have);
  }
  else if (type == "list(string)") { v.kind = K::LIST_S; if (d->list_s()) for (auto s : *d->list_s()) v.list_s.push_back(s->str()); }
  else if (type == "list(int)") { v.kind = K::LIST_I; if (d->list_i()) v.list_i.assign(d->list_i()->begin(), d->list_i()->end()); }
  else if (type == "list(float)") { v.kind = K::LIST_F; if (d->list_f()) v.list_f.assign(d->list_f()->begin(), d->list_f()->end()); }
  else if (type == "list(bool)") { v.kind = K::LIST_B; if (d->list_b()) for (auto b : *d->list_b()) v.list_b.push_back(b != 0); }
  else if (type == "list(type)") { v.kind = K::LIST_TYPE; if (d->list_type()) for (auto t : *d->list_type()) v.list_type.push_back(DType(t)); }
  else if (type == "list(shape)") { v.kind = K::LIST_SHAPE; if (d->list_shape()) for (auto s : *d->list_shape()) v.list_shape.push_back(PartialShape::From(s)); }
  else throw InvalidArgument(where + ": attrs of type '" + type + "' cannot have a default");
  return v;
}

ArgDef ArgOf(const fb::ArgDef* a) {
  ArgDef arg;
  arg.name = a->name()->str();
  arg.type = DType(a->type());
  arg.type_attr = Str(a->type_attr());
  arg.number_attr = Str(a->number_attr());
  arg.type_list_attr = Str(a->type_list_attr());
  arg.is_ref = a->is_ref();
  return arg;
}

OpDef OpOf(const fb::OpDef* o) {
  OpDef op;
  op.name = o->name()->str();
  op.is_stateful = o->is_stateful();
  if (o->input_arg()) for (auto a : *o->input_arg()) op.input_arg.push_back(ArgOf(a));
  if (o->output_arg()) for (auto a : *o->output_arg()) op.output_arg.push_back(ArgOf(a));
  if (o->attr()) {
    for (auto a : *o->attr()) {
      AttrDef attr;
      attr.name = a->name()->str();
      attr.type = a->type()->str();
      if (a->default_value()) {
        attr.has_default = true;
        attr.default_value = DefaultOf("op " + op.name + ", attr " + attr.name, attr.type, a->default_value());
      }
      if (a->allowed_types()) for (auto t : *a->allowed_types()) attr.allowed_types.push_back(DType(t));
      op.attr.push_back(std::move(attr));
    }
  }
  return op;
}

// What the verifier cannot check: names, and every arg naming attrs of the right type.
void Validate(const OpDef& op) {
  if (op.name.empty()) throw InvalidArgument("op record without a name");
  auto need = [&](const ArgDef& arg, const std::string& attr, const char* type) {
    const AttrDef* a = op.FindAttr(attr);
    if (!a || a->type != type) {
      throw InvalidArgument("op " + op.name + ": argument '" + arg.name + "' names attr '" + attr + "', which is not a " + type + " attr of the op");
    }
  };
  for (const auto* args : {&op.input_arg, &op.output_arg}) {
    for (const ArgDef& arg : *args) {
      const int ways = (arg.type != DataType::DT_INVALID) + !arg.type_attr.empty() + !arg.type_list_attr.empty();
      if (ways != 1) throw InvalidArgument("op " + op.name + ": argument '" + arg.name + "' needs exactly one of type, type_attr, type_list_attr");
      if (!arg.type_attr.empty()) need(arg, arg.type_attr, "type");
      if (!arg.number_attr.empty()) need(arg, arg.number_attr, "int");
      if (!arg.type_list_attr.empty()) need(arg, arg.type_list_attr, "list(type)");
      if (!arg.number_attr.empty() && !arg.type_list_attr.empty()) {
        throw InvalidArgument("op " + op.name + ": argument '" + arg.name + "' has both number_attr and type_list_attr");
      }
    }
  }
}

std::string HostName() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "localhost";
  return buf;
}

const AttrValue* AttrOrDefault(const OpDef& op, const Node& node, const std::string& name) {
  if (const AttrValue* v = node.FindAttr(name)) return v;
  const AttrDef* a = op.FindAttr(name);
  return a && a->has_default ? &a->default_value : nullptr;
}

const AttrValue& NeedAttr(const OpDef& op, const Node& node, const std::string& name, fb::AttrKind kind, const char* type) {
  const AttrValue* v = AttrOrDefault(op, node, name);
  if (!v) throw InvalidArgument("NodeDef '" + node.name + "' (op '" + op.name + "') is missing attr '" + name + "'", node.name);
  if (v->kind != kind) {
    throw InvalidArgument("attr '" + name + "' of NodeDef '" + node.name + "' (op '" + op.name + "') must be a " + type, node.name);
  }
  return *v;
}

int Total(const OpDef& op, const std::vector<ArgDef>& args, const Node& node) {
  int n = 0;
  for (const ArgDef& a : args) n += ArgCount(op, a, node);
  return n;
}

}  // namespace

OpRegistry& OpRegistry::Global() {
  // Never destroyed (static registrars use it); a corrupt embedded list is a build defect
  // and ends the process at load with the verifier's message.
  static OpRegistry* registry = [] {
    auto* r = new OpRegistry();
    r->RegisterList(kEmbeddedOpList, kEmbeddedOpListSize);
    return r;
  }();
  return *registry;
}

void OpRegistry::Register(OpDef def) {
  Validate(def);
  std::lock_guard<std::mutex> lock(mu_);
  if (ops_.count(def.name)) throw Error(Code::kAlreadyExists, "Op type '" + def.name + "' already has a record");
  std::string name = def.name;
  ops_.emplace(std::move(name), std::make_unique<OpDef>(std::move(def)));
}

void OpRegistry::RegisterList(const uint8_t* data, size_t size) {
  if (data == nullptr || size < 8) throw InvalidArgument("OpList buffer is empty or truncated");
  if (!fb::OpListBufferHasIdentifier(data)) throw InvalidArgument("buffer is not an OpList (bad file identifier)");
  flatbuffers::Verifier verifier(data, size);
  if (!fb::VerifyOpListBuffer(verifier)) throw InvalidArgument("OpList buffer is corrupt or truncated (verifier failed)");
  const fb::OpList* list = fb::GetOpList(data);
  std::vector<OpDef> defs;
  if (list->op()) for (const fb::OpDef* o : *list->op()) defs.push_back(OpOf(o));
  for (const OpDef& d : defs) Validate(d);
  std::lock_guard<std::mutex> lock(mu_);
  std::unordered_set<std::string> names;
  for (const OpDef& d : defs) {
    if (ops_.count(d.name) || !names.insert(d.name).second) {
      throw Error(Code::kAlreadyExists, "Op type '" + d.name + "' already has a record");
    }
  }
  for (OpDef& d : defs) {
    std::string name = d.name;
    ops_.emplace(std::move(name), std::make_unique<OpDef>(std::move(d)));
  }
}

const OpDef* OpRegistry::Find(const std::string& op) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = ops_.find(op);
  return it == ops_.end() ? nullptr : it->second.get();
}

const OpDef& OpRegistry::LookUp(const Node& node) const {
  if (const OpDef* def = Find(node.op)) return *def;
  static const std::string host = HostName();
  throw Error(Code::kNotFound,
              "Op type not registered '" + node.op + "' in binary running on " + host +
                  ". Make sure the Op and Kernel are registered in the binary running in this process. (while importing node '" +
                  node.name + "')",
              node.name);
}

std::vector<std::string> OpRegistry::OpTypes() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  out.reserve(ops_.size());
  for (const auto& [name, def] : ops_) out.push_back(name);
  std::sort(out.begin(), out.end());
  return out;
}

int ArgCount(const OpDef& op, const ArgDef& arg, const Node& node) {
  if (!arg.number_attr.empty()) {
    const int64_t n = NeedAttr(op, node, arg.number_attr, fb::AttrKind::I, "int").i;
    if (n < 0 || n > (1 << 24)) {
      throw InvalidArgument("attr '" + arg.number_attr + "' of NodeDef '" + node.name + "' is " + std::to_string(n) +
                            ", not a number of tensors", node.name);
    }
    return static_cast<int>(n);
  }
  if (!arg.type_list_attr.empty()) {
    return static_cast<int>(NeedAttr(op, node, arg.type_list_attr, fb::AttrKind::LIST_TYPE, "list(type)").list_type.size());
  }
  return 1;
}

int NumInputs(const OpDef& op, const Node& node) { return Total(op, op.input_arg, node); }
int NumOutputs(const OpDef& op, const Node& node) { return Total(op, op.output_arg, node); }

std::vector<DataType> OutputTypes(const OpDef& op, const Node& node) {
  std::vector<DataType> out;
  for (const ArgDef& arg : op.output_arg) {
    if (!arg.type_list_attr.empty()) {
      const auto& types = NeedAttr(op, node, arg.type_list_attr, fb::AttrKind::LIST_TYPE, "list(type)").list_type;
      out.insert(out.end(), types.begin(), types.end());
      continue;
    }
    DataType t = arg.type;
    if (!arg.type_attr.empty()) {
      const AttrValue* v = AttrOrDefault(op, node, arg.type_attr);
      t = v && v->kind == fb::AttrKind::TYPE ? v->type : DataType::DT_INVALID;
    }
    out.insert(out.end(), ArgCount(op, arg, node), t);
  }
  return out;
}

bool IsRefOrResourceInput(const OpDef& op, const Node& node, int index) {
  for (const ArgDef& arg : op.input_arg) {
    const int n = ArgCount(op, arg, node);
    if (index >= n) {
      index -= n;
      continue;
    }
    if (arg.is_ref) return true;
    if (!arg.type_list_attr.empty()) {
      const AttrValue* v = AttrOrDefault(op, node, arg.type_list_attr);
      return v && v->kind == fb::AttrKind::LIST_TYPE && index < static_cast<int>(v->list_type.size()) &&
             v->list_type[index] == DataType::DT_RESOURCE;
    }
    if (!arg.type_attr.empty()) {
      const AttrValue* v = AttrOrDefault(op, node, arg.type_attr);
      return v && v->kind == fb::AttrKind::TYPE && v->type == DataType::DT_RESOURCE;
    }
    return arg.type == DataType::DT_RESOURCE;
  }
  return false;
}

// ---------- OpDefBuilder ----------

namespace {

std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// "name: rest" -> {name, rest}.
std::pair<std::string, std::string> SplitSpec(const std::string& op, const std::string& spec) {
  const size_t colon = spec.find(':');
  if (colon == std::string::npos) throw InvalidArgument("op " + op + ": spec '" + spec + "' is not 'name: type'");
  return {Trim(spec.substr(0, colon)), Trim(spec.substr(colon + 1))};
}

bool ParseDType(const std::string& s, DataType* out) {
  for (int v = 1; v <= static_cast<int>(DataType::MAX); v++) {
    const DataType t = static_cast<DataType>(v);
    if (DataTypeSize(t) == 0 && t != DataType::DT_STRING && t != DataType::DT_RESOURCE) continue;
    if (DataTypeName(t) == s) {
      *out = t;
      return true;
    }
  }
  return false;
}

}  // namespace

OpDefBuilder::OpDefBuilder(std::string name) { def_.name = std::move(name); }

OpDefBuilder& OpDefBuilder::Input(const std::string& spec) {
  inputs_.push_back(spec);
  return *this;
}

OpDefBuilder& OpDefBuilder::Output(const std::string& spec) {
  outputs_.push_back(spec);
  return *this;
}

OpDefBuilder& OpDefBuilder::Attr(const std::string& spec) {
  attrs_.push_back(spec);
  return *this;
}

OpDefBuilder& OpDefBuilder::SetIsStateful() {
  def_.is_stateful = true;
  return *this;
}

OpDef OpDefBuilder::Build() const {
  OpDef def = def_;
  const std::string& op = def.name;
  for (const std::string& spec : attrs_) {
    auto [name, rest] = SplitSpec(op, spec);
    AttrDef a;
    a.name = name;
    const size_t eq = rest.find('=');
    a.type = Trim(rest.substr(0, eq));
    if (eq != std::string::npos) {
      const std::string value = Trim(rest.substr(eq + 1));
      using K = fb::AttrKind;
      AttrValue& v = a.default_value;
      a.has_default = true;
      try {
        if (a.type == "int") { v.kind = K::I; v.i = std::stoll(value); }
        else if (a.type == "float") { v.kind = K::F; v.f = std::stof(value); }
        else if (a.type == "bool" && (value == "true" || value == "false")) { v.kind = K::B; v.b = value == "true"; }
        else if (a.type == "string" && value.size() >= 2 && (value[0] == '"' || value[0] == '\'') && value.back() == value[0]) {
          v.kind = K::S;
          v.s = value.substr(1, value.size() - 2);
        } else if (a.type == "type" && ParseDType(value, &v.type)) { v.kind = K::TYPE; }
        else throw std::invalid_argument(value);
      } catch (const std::logic_error&) {
        throw InvalidArgument("op " + op + ": bad default in attr spec '" + spec + "'");
      }
    }
    def.attr.push_back(std::move(a));
  }
  auto parse_arg = [&](const std::string& spec) {
    auto [name, rest] = SplitSpec(op, spec);
    ArgDef arg;
    arg.name = name;
    if (rest.rfind("Ref(", 0) == 0 && rest.back() == ')') {
      arg.is_ref = true;
      rest = Trim(rest.substr(4, rest.size() - 5));
    }
    const size_t star = rest.find('*');
    if (star != std::string::npos) {
      arg.number_attr = Trim(rest.substr(0, star));
      rest = Trim(rest.substr(star + 1));
    }
    if (ParseDType(rest, &arg.type)) return arg;
    const AttrDef* a = def.FindAttr(rest);
    if (a && a->type == "list(type)") arg.type_list_attr = rest;
    else arg.type_attr = rest;  // Validate reports a name that is no type attr
    return arg;
  };
  for (const std::string& spec : inputs_) def.input_arg.push_back(parse_arg(spec));
  for (const std::string& spec : outputs_) def.output_arg.push_back(parse_arg(spec));
  Validate(def);
  return def;
}

}  // namespace tg
