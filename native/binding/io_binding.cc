#include "binding/io_binding.h"

#include "binding/js_convert.h"
#include "io/crc32c.h"
#include "runtime/status.h"

namespace {

using tgjs::Guard;

// crc32c(data: Uint8Array) -> number
Napi::Value Crc32c(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    if (info.Length() < 1 || !info[0].IsTypedArray() ||
        info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
      throw tg::InvalidArgument("crc32c expects a Uint8Array");
    }
    auto bytes = info[0].As<Napi::Uint8Array>();
    return Napi::Number::New(info.Env(), tg::crc32c::Value(bytes.Data(), bytes.ByteLength()));
  });
}

}  // namespace

void RegisterIoFunctions(Napi::Env env, Napi::Object exports) {
  exports.Set("crc32c", Napi::Function::New(env, Crc32c, "crc32c"));
}
