// Builds GraphDef buffers the way the TypeScript side does (shared by the C++ tests).
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "graph_generated.h"
#include "runtime/session.h"
#include "runtime/types.h"

namespace tg {

class GraphBuilder {
 public:
  using AttrFn = std::function<flatbuffers::Offset<fb::AttrValue>(flatbuffers::FlatBufferBuilder&)>;

  static AttrFn Type(DataType t) {
    return [t](flatbuffers::FlatBufferBuilder& b) {
      fb::AttrValueBuilder a(b);
      a.add_kind(fb::AttrKind::TYPE);
      a.add_type(t);
      return a.Finish();
    };
  }
  static AttrFn Bool(bool v) {
    return [v](flatbuffers::FlatBufferBuilder& b) {
      fb::AttrValueBuilder a(b);
      a.add_kind(fb::AttrKind::B);
      a.add_b(v);
      return a.Finish();
    };
  }
  static AttrFn Str(const std::string& v) {
    return [v](flatbuffers::FlatBufferBuilder& b) {
      auto bytes = b.CreateVector(reinterpret_cast<const uint8_t*>(v.data()), v.size());
      fb::AttrValueBuilder a(b);
      a.add_kind(fb::AttrKind::S);
      a.add_s(bytes);
      return a.Finish();
    };
  }
  static AttrFn FloatTensor(std::vector<float> values, std::vector<int64_t> shape) {
    return [values, shape](flatbuffers::FlatBufferBuilder& b) {
      auto dims = b.CreateVector(shape);
      auto s = fb::CreateTensorShape(b, dims, false);
      auto content = b.CreateVector(reinterpret_cast<const uint8_t*>(values.data()), values.size() * 4);
      auto t = fb::CreateTensorProto(b, DataType::DT_FLOAT, s, content);
      fb::AttrValueBuilder a(b);
      a.add_kind(fb::AttrKind::TENSOR);
      a.add_tensor(t);
      return a.Finish();
    };
  }

  static AttrFn Int(int64_t v) {
    return [v](flatbuffers::FlatBufferBuilder& b) {
      fb::AttrValueBuilder a(b);
      a.add_kind(fb::AttrKind::I);
      a.add_i(v);
      return a.Finish();
    };
  }
  static AttrFn Float(float v) {
    return [v](flatbuffers::FlatBufferBuilder& b) {
      fb::AttrValueBuilder a(b);
      a.add_kind(fb::AttrKind::F);
      a.add_f(v);
      return a.Finish();
    };
  }
  static AttrFn Ints(std::vector<int64_t> v) {
    return [v](flatbuffers::FlatBufferBuilder& b) {
      auto list = b.CreateVector(v);
      fb::AttrValueBuilder a(b);
      a.add_kind(fb::AttrKind::LIST_I);
      a.add_list_i(list);
      return a.Finish();
    };
  }
  // An int32 vector tensor (shapes, axes).
  static AttrFn Int32s(std::vector<int64_t> v) {
    std::vector<uint8_t> bytes(v.size() * 4);
    for (size_t i = 0; i < v.size(); i++) {
      const int32_t x = static_cast<int32_t>(v[i]);
      std::memcpy(bytes.data() + 4 * i, &x, 4);
    }
    return RawTensor(DataType::DT_INT32, {static_cast<int64_t>(v.size())}, bytes);
  }
  static AttrFn Types(std::vector<DataType> types) {
    return [types](flatbuffers::FlatBufferBuilder& b) {
      auto list = b.CreateVector(types);
      fb::AttrValueBuilder a(b);
      a.add_kind(fb::AttrKind::LIST_TYPE);
      a.add_list_type(list);
      return a.Finish();
    };
  }
  // Shapes as dims lists (-1: unknown dim).
  static AttrFn Shapes(std::vector<std::vector<int64_t>> shapes) {
    return [shapes](flatbuffers::FlatBufferBuilder& b) {
      std::vector<flatbuffers::Offset<fb::TensorShape>> list;
      for (const auto& s : shapes) list.push_back(fb::CreateTensorShape(b, b.CreateVector(s), false));
      auto v = b.CreateVector(list);
      fb::AttrValueBuilder a(b);
      a.add_kind(fb::AttrKind::LIST_SHAPE);
      a.add_list_shape(v);
      return a.Finish();
    };
  }
  // A numeric tensor from its packed little-endian bytes.
  static AttrFn RawTensor(DataType dtype, std::vector<int64_t> shape, std::vector<uint8_t> bytes) {
    return [dtype, shape, bytes](flatbuffers::FlatBufferBuilder& b) {
      auto dims = b.CreateVector(shape);
      auto s = fb::CreateTensorShape(b, dims, false);
      auto content = b.CreateVector(bytes);
      auto t = fb::CreateTensorProto(b, dtype, s, content);
      fb::AttrValueBuilder a(b);
      a.add_kind(fb::AttrKind::TENSOR);
      a.add_tensor(t);
      return a.Finish();
    };
  }

  GraphBuilder& Node(const std::string& name, const std::string& op, std::vector<std::string> inputs,
                     std::vector<std::pair<std::string, AttrFn>> attrs = {}, const std::string& device = "") {
    nodes_.push_back({name, op, std::move(inputs), std::move(attrs), device});
    return *this;
  }
  GraphBuilder& Const(const std::string& name, std::vector<float> values, std::vector<int64_t> shape) {
    return Node(name, "Const", {}, {{"value", FloatTensor(values, shape)}, {"dtype", Type(DataType::DT_FLOAT)}});
  }
  GraphBuilder& Placeholder(const std::string& name) {
    return Node(name, "Placeholder", {}, {{"dtype", Type(DataType::DT_FLOAT)}});
  }
  GraphBuilder& Binary(const std::string& name, const std::string& op, const std::string& x, const std::string& y) {
    return Node(name, op, {x, y}, {{"T", Type(DataType::DT_FLOAT)}});
  }

  std::vector<uint8_t> Finish() {
    flatbuffers::FlatBufferBuilder b;
    std::vector<flatbuffers::Offset<fb::NodeDef>> nodes;
    for (auto& n : nodes_) {
      std::vector<flatbuffers::Offset<fb::Attr>> attrs;
      for (auto& [k, f] : n.attrs) attrs.push_back(fb::CreateAttr(b, b.CreateString(k), f(b)));
      std::vector<flatbuffers::Offset<flatbuffers::String>> ins;
      for (auto& i : n.inputs) ins.push_back(b.CreateString(i));
      nodes.push_back(fb::CreateNodeDef(b, b.CreateString(n.name), b.CreateString(n.op), b.CreateVector(ins),
                                        b.CreateString(n.device), b.CreateVector(attrs)));
    }
    auto g = fb::CreateGraphDef(b, b.CreateVector(nodes));
    fb::FinishGraphDefBuffer(b, g);
    nodes_.clear();
    return std::vector<uint8_t>(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize());
  }

 private:
  struct Spec {
    std::string name, op;
    std::vector<std::string> inputs;
    std::vector<std::pair<std::string, AttrFn>> attrs;
    std::string device;
  };
  std::vector<Spec> nodes_;
};

// Adds the builder's graph to the session (a GraphDef delta, as the TypeScript session sends).
inline void Extend(Session& s, GraphBuilder& g) {
  auto bytes = g.Finish();
  s.Extend(bytes.data(), bytes.size());
}

}  // namespace tg
