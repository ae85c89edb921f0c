// N-API binding: a thin layer that converts between JavaScript values and the runtime.
// Every runtime failure surfaces as a JS Error carrying TensorFlow's numeric `code` and,
// where known, the `node` name; src/native.ts turns those into tf.errors.* classes.
#include <dnnl.h>
#include <napi.h>

#include <chrono>
#include <cstring>
#include <memory>

#include "binding/checkpoint_binding.h"
#include "binding/io_binding.h"
#include "binding/runner_binding.h"
#include "binding/js_convert.h"
#include "runtime/graph_def.h"
#include "runtime/op_def.h"
#include "runtime/session.h"
#include "runtime/status.h"

namespace {

using tgjs::Guard;
using tgjs::TensorToJs;
using tgjs::ToJsError;
using SessionPtr = std::shared_ptr<tg::Session>;

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

SessionPtr& SessionArg(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsExternal()) throw tg::InvalidArgument("expected a session handle");
  return *info[0].As<Napi::External<SessionPtr>>().Data();
}

// JS {dtype, shape, data} -> Tensor (copied: JS may reuse its arrays after the call).
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

int IntOption(const Napi::Object& o, const char* key, int dflt) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().Int32Value() : dflt;
}

// newSession(options) -> handle
Napi::Value NewSession(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    Napi::Object o = info.Length() > 0 && info[0].IsObject() ? info[0].As<Napi::Object>() : Napi::Object::New(info.Env());
    tg::SessionOptions opts;
    opts.num_cpus = IntOption(o, "numCpus", 1);
    opts.num_gpus = IntOption(o, "numGpus", -1);
    if (Napi::Value g = o.Get("gpuOptions"); g.IsObject()) {
      Napi::Object go = g.As<Napi::Object>();
      if (Napi::Value f = go.Get("perProcessGpuMemoryFraction"); f.IsNumber()) {
        opts.gpu_options.per_process_gpu_memory_fraction = f.As<Napi::Number>().DoubleValue();
      }
      opts.gpu_options.allow_growth = go.Get("allowGrowth").ToBoolean();
      if (Napi::Value v = go.Get("visibleDeviceList"); v.IsString()) opts.gpu_options.visible_device_list = v.As<Napi::String>();
    }
    opts.inter_op_threads = IntOption(o, "interOpThreads", 0);
    opts.intra_op_threads = IntOption(o, "intraOpThreads", 0);
    opts.allow_soft_placement = o.Get("allowSoftPlacement").ToBoolean();
    opts.log_device_placement = o.Get("logDevicePlacement").ToBoolean();
    opts.operation_timeout_ms = IntOption(o, "operationTimeoutInMs", 0);
    auto* holder = new SessionPtr(std::make_shared<tg::Session>(opts));
    return Napi::External<SessionPtr>::New(info.Env(), holder, [](Napi::Env, SessionPtr* p) { delete p; });
  });
}

Napi::Value SessionExtend(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    Napi::Uint8Array buf = BufferArg(info, 1);
    SessionArg(info)->Extend(buf.Data(), buf.ByteLength());
    return info.Env().Undefined();
  });
}

// sessionMakeCallable(s, feeds, fetches, targets) -> {handle, placements}
Napi::Value SessionMakeCallable(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    SessionPtr& s = SessionArg(info);
    int64_t h = s->MakeCallable(StringsArg(info[1]), StringsArg(info[2]), StringsArg(info[3]));
    Napi::Object out = Napi::Object::New(info.Env());
    out.Set("handle", Napi::Number::New(info.Env(), static_cast<double>(h)));
    std::vector<std::string> log = s->TakePlacementLog();
    Napi::Array lines = Napi::Array::New(info.Env(), log.size());
    for (size_t i = 0; i < log.size(); i++) lines.Set(static_cast<uint32_t>(i), Napi::String::New(info.Env(), log[i]));
    out.Set("placements", lines);
    return out;
  });
}

// Run options arrive as (timeoutMs, trace) arguments.
tg::RunOptions RunOptionsArg(const Napi::CallbackInfo& info, size_t i) {
  tg::RunOptions o;
  if (info.Length() > i && info[i].IsNumber()) o.timeout_ms = info[i].As<Napi::Number>().Int64Value();
  if (info.Length() > i + 1) o.trace = info[i + 1].ToBoolean();
  return o;
}

// Fetched tensors as an array; a traced run adds `stepStats` (one entry per node) to it.
Napi::Value RunResultToJs(Napi::Env env, const std::vector<tg::Tensor>& out, const tg::RunOptions& o,
                          const std::vector<tg::NodeStats>& stats) {
  Napi::Value arr = TensorsToJs(env, out);
  if (o.trace) {
    Napi::Array a = Napi::Array::New(env, stats.size());
    for (size_t i = 0; i < stats.size(); i++) {
      Napi::Object s = Napi::Object::New(env);
      s.Set("nodeName", stats[i].node);
      s.Set("device", stats[i].device);
      s.Set("allStartMicros", Napi::Number::New(env, static_cast<double>(stats[i].start_us)));
      s.Set("allEndRelMicros", Napi::Number::New(env, static_cast<double>(stats[i].end_us - stats[i].start_us)));
      s.Set("threadId", Napi::Number::New(env, static_cast<double>(stats[i].thread % 1000003)));
      a.Set(static_cast<uint32_t>(i), s);
    }
    arr.As<Napi::Object>().Set("stepStats", a);
  }
  return arr;
}

// sessionRun(s, handle, feeds, timeoutMs) -> tensors (synchronous)
Napi::Value SessionRun(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    SessionPtr& s = SessionArg(info);
    int64_t h = info[1].As<Napi::Number>().Int64Value();
    tg::RunOptions o = RunOptionsArg(info, 3);
    std::vector<tg::NodeStats> stats;
    std::vector<tg::Tensor> out = s->RunCallable(h, TensorsFromJs(info[2]), o, &stats);
    return RunResultToJs(info.Env(), out, o, stats);
  });
}

// Asynchronous runs: the step runs on the runtime's own threads (never on libuv's pool,
// where a blocked dequeue would hold one of its 4 threads) and its result comes back to the
// JS thread through one thread-safe function per environment. The function keeps the event
// loop alive only while runs are pending.
struct PendingRun {
  SessionPtr session;  // kept alive (and released on the JS thread) while the run is pending
  Napi::Promise::Deferred deferred;
  tg::RunOptions options;
  tg::StepResult result;
};

class AsyncRuns {
 public:
  explicit AsyncRuns(Napi::Env env) {
    tsfn_ = Napi::ThreadSafeFunction::New(env, Napi::Function(), "tensorgraph.runAsync", 0, 1);
    tsfn_.Unref(env);
  }
  static AsyncRuns& For(Napi::Env env) {
    auto* runs = env.GetInstanceData<AsyncRuns>();
    if (!runs) {
      runs = new AsyncRuns(env);
      env.SetInstanceData(runs);
    }
    return *runs;
  }

  Napi::Value Start(Napi::Env env, const SessionPtr& session, int64_t handle, std::vector<tg::Tensor> feeds,
                    const tg::RunOptions& options) {
    auto* run = new PendingRun{session, Napi::Promise::Deferred::New(env), options, {}};
    Napi::Promise promise = run->deferred.Promise();
    if (pending_++ == 0) tsfn_.Ref(env);
    try {
      session->RunCallableAsync(handle, std::move(feeds), options, [this, run](tg::StepResult r) {
        run->result = std::move(r);
        // Fails only while the environment is torn down: nobody waits for the promise, and
        // the run is left (freeing it here could destroy the session on its own thread).
        tsfn_.NonBlockingCall(run, &AsyncRuns::Deliver);
      });
    } catch (...) {
      Settled(env);
      delete run;
      throw;
    }
    return promise;
  }

 private:
  static void Deliver(Napi::Env env, Napi::Function, PendingRun* run) {
    std::unique_ptr<PendingRun> owned(run);
    if (env == nullptr) return;
    AsyncRuns::For(env).Settled(env);
    const tg::StepResult& r = run->result;
    if (!r.status.ok()) {
      run->deferred.Reject(ToJsError(env, r.status.error()).Value());
      return;
    }
    try {
      run->deferred.Resolve(RunResultToJs(env, r.fetched, run->options, r.stats));
    } catch (const Napi::Error& e) {
      run->deferred.Reject(e.Value());
    }
  }
  void Settled(Napi::Env env) {
    if (--pending_ == 0) tsfn_.Unref(env);
  }

  Napi::ThreadSafeFunction tsfn_;
  int pending_ = 0;  // runs whose promise is not settled (JS thread only)
};

Napi::Value SessionRunAsync(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    SessionPtr& s = SessionArg(info);
    return AsyncRuns::For(info.Env()).Start(info.Env(), s, info[1].As<Napi::Number>().Int64Value(), TensorsFromJs(info[2]),
                                            RunOptionsArg(info, 3));
  });
}

Napi::Value SessionClose(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    SessionArg(info)->Close();
    return info.Env().Undefined();
  });
}

Napi::Value SessionListDevices(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    const auto& devs = SessionArg(info)->devices().devices();
    Napi::Array a = Napi::Array::New(info.Env(), devs.size());
    for (size_t i = 0; i < devs.size(); i++) {
      Napi::Object d = Napi::Object::New(info.Env());
      d.Set("name", devs[i]->name);
      d.Set("deviceType", tg::DeviceTypeName(devs[i]->type));
      d.Set("memoryLimitBytes", Napi::Number::New(info.Env(), static_cast<double>(devs[i]->memory_limit())));
      d.Set("physicalDeviceDesc", devs[i]->description());
      a.Set(static_cast<uint32_t>(i), d);
    }
    return a;
  });
}

Napi::Value ResetContainers(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    tg::ResetAllSessions(info.Length() > 0 && info[0].IsArray() ? StringsArg(info[0]) : std::vector<std::string>{});
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
  exports.Set("newSession", Napi::Function::New(env, NewSession, "newSession"));
  exports.Set("sessionExtend", Napi::Function::New(env, SessionExtend, "sessionExtend"));
  exports.Set("sessionMakeCallable", Napi::Function::New(env, SessionMakeCallable, "sessionMakeCallable"));
  exports.Set("sessionRun", Napi::Function::New(env, SessionRun, "sessionRun"));
  exports.Set("sessionRunAsync", Napi::Function::New(env, SessionRunAsync, "sessionRunAsync"));
  exports.Set("sessionClose", Napi::Function::New(env, SessionClose, "sessionClose"));
  exports.Set("sessionListDevices", Napi::Function::New(env, SessionListDevices, "sessionListDevices"));
  exports.Set("resetContainers", Napi::Function::New(env, ResetContainers, "resetContainers"));
  RegisterCheckpointFunctions(env, exports);
  RegisterIoFunctions(env, exports);
  RegisterRunnerFunctions(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(tensorgraph_native, Init)
