#include "binding/js_convert.h"

#include <cstring>
#include <memory>

namespace tgjs {

Napi::Error ToJsError(Napi::Env env, const tg::Error& e) {
  Napi::Error err = Napi::Error::New(env, e.what());
  err.Value().Set("code", Napi::Number::New(env, static_cast<int>(e.code())));
  if (!e.node().empty()) err.Value().Set("node", Napi::String::New(env, e.node()));
  return err;
}

namespace {

Napi::Array ShapeToJs(Napi::Env env, const tg::Tensor& t) {
  Napi::Array shape = Napi::Array::New(env, t.shape().size());
  for (size_t i = 0; i < t.shape().size(); i++) shape.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(t.shape()[i])));
  return shape;
}

Napi::Value DataToJs(Napi::Env env, const tg::Tensor& t) {
  if (tg::HoldsStrings(t.dtype())) {
    Napi::Array a = Napi::Array::New(env, t.num_elements());
    for (int64_t i = 0; i < t.num_elements(); i++) {
      const std::string& s = t.strings()[i];
      a.Set(static_cast<uint32_t>(i), Napi::Buffer<char>::Copy(env, s.data(), s.size()));
    }
    return a;
  }
  const size_t bytes = t.total_bytes();
  Napi::ArrayBuffer ab;
  if (bytes >= 4096 && t.buffer().use_count() == 1) {
    auto* keep = new std::shared_ptr<tg::Buffer>(t.buffer());
    ab = Napi::ArrayBuffer::New(env, t.raw(), bytes, [](Napi::Env, void*, std::shared_ptr<tg::Buffer>* k) { delete k; }, keep);
  } else {
    ab = Napi::ArrayBuffer::New(env, bytes);
    if (bytes) std::memcpy(ab.Data(), t.raw(), bytes);
  }
  return Napi::Uint8Array::New(env, bytes, ab, 0);
}

tg::Tensor TensorFromParts(const Napi::Value& dtype_js, const Napi::Value& shape_value, const Napi::Value& data) {
  auto dtype = static_cast<tg::DataType>(dtype_js.As<Napi::Number>().Int32Value());
  Napi::Array shape_js = shape_value.As<Napi::Array>();
  tg::Shape shape;
  const uint32_t rank = shape_js.Length();
  for (uint32_t i = 0; i < rank; i++) shape.push_back(shape_js.Get(i).As<Napi::Number>().Int64Value());
  tg::Tensor t(dtype, shape);
  if (dtype == tg::DataType::DT_STRING) {
    Napi::Array a = data.As<Napi::Array>();
    if (a.Length() != t.num_elements()) throw tg::InvalidArgument("string feed has the wrong number of elements");
    for (uint32_t i = 0; i < a.Length(); i++) {
      Napi::Value s = a.Get(i);
      if (s.IsTypedArray()) {
        Napi::Uint8Array b = s.As<Napi::Uint8Array>();
        t.strings()[i].assign(reinterpret_cast<const char*>(b.Data()), b.ByteLength());
      } else {
        t.strings()[i] = s.As<Napi::String>().Utf8Value();
      }
    }
    return t;
  }
  // napi_get_typedarray_info gives the data pointer and size in one call.
  napi_typedarray_type type;
  size_t length = 0;
  void* ptr = nullptr;
  napi_value ab;
  size_t offset = 0;
  if (napi_get_typedarray_info(data.Env(), data, &type, &length, &ptr, &ab, &offset) != napi_ok) {
    throw tg::InvalidArgument("feed data must be a typed array");
  }
  const size_t elem = type == napi_int8_array || type == napi_uint8_array || type == napi_uint8_clamped_array ? 1
                      : type == napi_int16_array || type == napi_uint16_array                               ? 2
                      : type == napi_int32_array || type == napi_uint32_array || type == napi_float32_array ? 4
                                                                                                             : 8;
  const size_t byte_length = length * elem;
  if (byte_length != t.total_bytes()) {
    throw tg::InvalidArgument("feed of shape " + tg::ShapeString(shape) + " and dtype " + tg::DataTypeName(dtype) + " needs " +
                              std::to_string(t.total_bytes()) + " bytes, got " + std::to_string(byte_length));
  }
  if (t.total_bytes()) std::memcpy(t.raw(), ptr, t.total_bytes());
  return t;
}

}  // namespace

Napi::Value TensorToJs(Napi::Env env, const tg::Tensor& t) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("dtype", Napi::Number::New(env, static_cast<int>(t.dtype())));
  o.Set("shape", ShapeToJs(env, t));
  o.Set("data", DataToJs(env, t));
  return o;
}

Napi::Value FlatTensorsToJs(Napi::Env env, const std::vector<tg::Tensor>& ts) {
  Napi::Array a = Napi::Array::New(env, 3 * ts.size());
  for (size_t i = 0; i < ts.size(); i++) {
    const auto k = static_cast<uint32_t>(3 * i);
    a.Set(k, Napi::Number::New(env, static_cast<int>(ts[i].dtype())));
    a.Set(k + 1, ShapeToJs(env, ts[i]));
    a.Set(k + 2, DataToJs(env, ts[i]));
  }
  return a;
}

std::vector<tg::Tensor> FlatTensorsFromJs(const Napi::Value& v) {
  Napi::Array a = v.As<Napi::Array>();
  const uint32_t n = a.Length() / 3;
  std::vector<tg::Tensor> out;
  out.reserve(n);
  for (uint32_t i = 0; i < n; i++) out.push_back(TensorFromParts(a.Get(3 * i), a.Get(3 * i + 1), a.Get(3 * i + 2)));
  return out;
}

Napi::Uint8Array BufferArg(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() <= i || !info[i].IsTypedArray() ||
      info[i].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throw tg::InvalidArgument("expected a Uint8Array argument");
  }
  return info[i].As<Napi::Uint8Array>();
}

std::vector<std::string> StringsArg(const Napi::Value& v) {
  std::vector<std::string> out;
  if (!v.IsArray()) throw tg::InvalidArgument("expected an array of strings");
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) out.push_back(a.Get(i).As<Napi::String>().Utf8Value());
  return out;
}

tg::Tensor TensorFromJs(const Napi::Value& v) {
  Napi::Object o = v.As<Napi::Object>();
  return TensorFromParts(o.Get("dtype"), o.Get("shape"), o.Get("data"));
}

Napi::Value TensorsToJs(Napi::Env env, const std::vector<tg::Tensor>& ts) {
  Napi::Array a = Napi::Array::New(env, ts.size());
  for (size_t i = 0; i < ts.size(); i++) a.Set(static_cast<uint32_t>(i), TensorToJs(env, ts[i]));
  return a;
}

std::vector<tg::Tensor> TensorsFromJs(const Napi::Value& v) {
  std::vector<tg::Tensor> out;
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) out.push_back(TensorFromJs(a.Get(i)));
  return out;
}

}  // namespace tgjs
