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

}  // namespace tgjs
