// Conversions shared by the binding's files: runtime errors to JS errors (TF's numeric
// `code` and the `node` name), runtime tensors to and from JS {dtype, shape, data}, and the
// arguments the binding's functions take.
#pragma once

#include <napi.h>

#include <string>
#include <vector>

#include "runtime/status.h"
#include "runtime/tensor.h"

namespace tgjs {

Napi::Error ToJsError(Napi::Env env, const tg::Error& e);

// Runs `fn`, turning runtime errors into JS exceptions (never a crash).
template <typename Fn>
Napi::Value Guard(Napi::Env env, Fn fn) {
  try {
    return fn();
  } catch (const tg::Error& e) {
    ToJsError(env, e).ThrowAsJavaScriptException();
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
  } catch (const std::bad_alloc&) {
    ToJsError(env, tg::Error(tg::Code::kResourceExhausted, "out of memory")).ThrowAsJavaScriptException();
  } catch (const std::exception& e) {
    ToJsError(env, tg::Error(tg::Code::kInternal, e.what())).ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

// Numeric data as a Uint8Array over the bytes (a large buffer held by this tensor alone is
// handed over without a copy); strings as an array of Buffers.
Napi::Value TensorToJs(Napi::Env env, const tg::Tensor& t);

// JS {dtype, shape, data} -> Tensor (copied: JS may reuse its arrays after the call).
tg::Tensor TensorFromJs(const Napi::Value& v);
std::vector<tg::Tensor> TensorsFromJs(const Napi::Value& v);
Napi::Value TensorsToJs(Napi::Env env, const std::vector<tg::Tensor>& ts);
// Runs' feeds and results, flat: [dtype, shape, data] per tensor (no named property per tensor).
std::vector<tg::Tensor> FlatTensorsFromJs(const Napi::Value& v);
Napi::Value FlatTensorsToJs(Napi::Env env, const std::vector<tg::Tensor>& ts);

// Argument i as a Uint8Array; an array of strings (InvalidArgument otherwise).
Napi::Uint8Array BufferArg(const Napi::CallbackInfo& info, size_t i);
std::vector<std::string> StringsArg(const Napi::Value& v);

}  // namespace tgjs
