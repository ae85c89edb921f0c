// N-API binding: a thin layer that converts between JavaScript values and the runtime.
// Every runtime failure surfaces as a JS Error carrying TensorFlow's numeric `code` and,
// where known, the `node` name; src/native.ts turns those into tf.errors.* classes.
// This file is the module's init; sessions, checkpoints, io and input-pipeline threads
// have their own files, conversions are in js_convert.
#include <dnnl.h>
#include <napi.h>

#include <chrono>
#include <vector>

#include "binding/checkpoint_binding.h"
#include "binding/dist_binding.h"
#include "binding/io_binding.h"
#include "binding/js_convert.h"
#include "binding/runner_binding.h"
#include "binding/session_binding.h"
#include "runtime/graph_def.h"
#include "runtime/op_def.h"
#include "runtime/session.h"
#include "runtime/status.h"

namespace {

using tgjs::BufferArg;
using tgjs::Guard;

// verifyGraphDef(buffer: Uint8Array): {nodeCount, producer}
Napi::Value VerifyGraphDef(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    Napi::Uint8Array buf = BufferArg(info, 0);
    const tg::fb::GraphDef* graph = tg::VerifyGraphDef(buf.Data(), buf.ByteLength());
    Napi::Object out = Napi::Object::New(info.Env());
    out.Set("nodeCount", Napi::Number::New(info.Env(), graph->node() ? graph->node()->size() : 0));
    out.Set("producer", Napi::Number::New(info.Env(), graph->versions() ? graph->versions()->producer() : 0));
    return out;
  });
}

// opTypes(): string[] — the op types the runtime has a record of.
Napi::Value OpTypes(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    std::vector<std::string> types = tg::OpRegistry::Global().OpTypes();
    Napi::Array out = Napi::Array::New(info.Env(), types.size());
    for (size_t i = 0; i < types.size(); i++) out.Set(static_cast<uint32_t>(i), Napi::String::New(info.Env(), types[i]));
    return out;
  });
}

// registerOps(opList: Uint8Array): adds the records of ops registered after the build.
Napi::Value RegisterOps(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    Napi::Uint8Array buf = BufferArg(info, 0);
    tg::OpRegistry::Global().RegisterList(buf.Data(), buf.ByteLength());
    return info.Env().Undefined();
  });
}

// benchSgemm(m, k, n, iters) -> seconds for `iters` calls of oneDNN's sgemm on [m,k]x[k,n]
// (the reference rate bench/session-overhead compares MatMul against, in the same process).
Napi::Value BenchSgemm(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    const int64_t m = info[0].As<Napi::Number>().Int64Value(), k = info[1].As<Napi::Number>().Int64Value();
    const int64_t n = info[2].As<Napi::Number>().Int64Value(), iters = info[3].As<Napi::Number>().Int64Value();
    std::vector<float> a(m * k, 0.5f), b(k * n, 0.25f), c(m * n);
    auto start = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < iters; i++) dnnl_sgemm('N', 'N', m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f, c.data(), n);
    return Napi::Number::New(info.Env(), std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  });
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // At exit no step may outlive the runtime: close every session (cancelling blocked steps).
  napi_add_env_cleanup_hook(env, [](void*) { tg::CloseAllSessions(); }, nullptr);
  exports.Set("benchSgemm", Napi::Function::New(env, BenchSgemm, "benchSgemm"));
  exports.Set("verifyGraphDef", Napi::Function::New(env, VerifyGraphDef, "verifyGraphDef"));
  exports.Set("opTypes", Napi::Function::New(env, OpTypes, "opTypes"));
  exports.Set("registerOps", Napi::Function::New(env, RegisterOps, "registerOps"));
  RegisterSessionFunctions(env, exports);
  RegisterCheckpointFunctions(env, exports);
  RegisterIoFunctions(env, exports);
  RegisterRunnerFunctions(env, exports);
  RegisterDistFunctions(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(tensorgraph_native, Init)
