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

Napi::Value TensorToJs(Napi::Env env, const tg::Tensor& t) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("dtype", Napi::Number::New(env, static_cast<int>(t.dtype())));
  Napi::Array shape = Napi::Array::New(env, t.shape().size());
  for (size_t i = 0; i < t.shape().size(); i++) shape.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(t.shape()[i])));
  o.Set("shape", shape);
  if (tg::HoldsStrings(t.dtype())) {
    Napi::Array a = Napi::Array::New(env, t.num_elements());
    for (int64_t i = 0; i < t.num_elements(); i++) {
      const std::string& s = t.strings()[i];
      a.Set(static_cast<uint32_t>(i), Napi::Buffer<char>::Copy(env, s.data(), s.size()));
    }
    o.Set("data", a);
    return o;
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
  o.Set("data", Napi::Uint8Array::New(env, bytes, ab, 0));
  return o;
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
  auto dtype = static_cast<tg::DataType>(o.Get("dtype").As<Napi::Number>().Int32Value());
  Napi::Array shape_js = o.Get("shape").As<Napi::Array>();
  tg::Shape shape;
  for (uint32_t i = 0; i < shape_js.Length(); i++) shape.push_back(shape_js.Get(i).As<Napi::Number>().Int64Value());
  tg::Tensor t(dtype, shape);
  Napi::Value data = o.Get("data");
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
  Napi::TypedArray arr = data.As<Napi::TypedArray>();
  if (arr.ByteLength() != t.total_bytes()) {
    throw tg::InvalidArgument("feed of shape " + tg::ShapeString(shape) + " and dtype " + tg::DataTypeName(dtype) + " needs " +
                              std::to_string(t.total_bytes()) + " bytes, got " + std::to_string(arr.ByteLength()));
  }
  if (t.total_bytes()) {
    std::memcpy(t.raw(), static_cast<const uint8_t*>(arr.ArrayBuffer().Data()) + arr.ByteOffset(), t.total_bytes());
  }
  return t;
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
