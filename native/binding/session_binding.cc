#include "binding/session_binding.h"

#include <memory>

#include "binding/dist_binding.h"
#include "binding/js_convert.h"
#include "runtime/session.h"
#include "runtime/status.h"

namespace {

using tgjs::BufferArg;
using tgjs::Guard;
using tgjs::StringsArg;
using tgjs::FlatTensorsFromJs;
using tgjs::FlatTensorsToJs;
using tgjs::ToJsError;
using SessionPtr = std::shared_ptr<tg::SessionInterface>;

SessionPtr& SessionArg(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsExternal()) throw tg::InvalidArgument("expected a session handle");
  return *info[0].As<Napi::External<SessionPtr>>().Data();
}

int IntOption(const Napi::Object& o, const char* key, int dflt) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().Int32Value() : dflt;
}

// newSession(options) -> handle; options.target "grpc://host:port" makes a remote session
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
    opts.isolate_session_state = o.Get("isolateSessionState").ToBoolean();
    Napi::Value target = o.Get("target");
    std::string t = target.IsString() ? target.As<Napi::String>().Utf8Value() : "";
    auto* holder = new SessionPtr(t.empty() ? SessionPtr(std::make_shared<tg::Session>(opts)) : tgjs::NewRemoteSession(t, opts));
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

// sessionPartitionGraphs(s, handle) -> serialised GraphDefs, one per device the callable runs on
Napi::Value SessionPartitionGraphs(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    SessionPtr& s = SessionArg(info);
    std::vector<std::vector<uint8_t>> graphs = s->PartitionGraphs(info[1].As<Napi::Number>().Int64Value());
    Napi::Array out = Napi::Array::New(info.Env(), graphs.size());
    for (size_t i = 0; i < graphs.size(); i++) {
      Napi::Uint8Array bytes = Napi::Uint8Array::New(info.Env(), graphs[i].size());
      std::copy(graphs[i].begin(), graphs[i].end(), bytes.Data());
      out.Set(static_cast<uint32_t>(i), bytes);
    }
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
  Napi::Value arr = FlatTensorsToJs(env, out);
  if (o.trace) {
    Napi::Array a = Napi::Array::New(env, stats.size());
    for (size_t i = 0; i < stats.size(); i++) {
      Napi::Object s = Napi::Object::New(env);
      s.Set("nodeName", stats[i].node);
      s.Set("device", stats[i].device);
      s.Set("allStartMicros", Napi::Number::New(env, static_cast<double>(stats[i].start_us)));
      s.Set("allEndRelMicros", Napi::Number::New(env, static_cast<double>(stats[i].end_us - stats[i].start_us)));
      s.Set("threadId", Napi::Number::New(env, static_cast<double>(stats[i].thread % 1000003)));
      s.Set("timelineLabel", stats[i].label);
      const tg::AllocationCount& m = stats[i].memory;
      Napi::Object mem = Napi::Object::New(env);
      mem.Set("allocatorName", "cpu");
      mem.Set("totalBytes", Napi::Number::New(env, static_cast<double>(m.bytes)));
      if (m.allocations >= 0) {  // counted here (a remote node's are not)
        mem.Set("numAllocations", Napi::Number::New(env, static_cast<double>(m.allocations)));
        mem.Set("numSystemAllocations", Napi::Number::New(env, static_cast<double>(m.system_allocations)));
      }
      Napi::Array memory = Napi::Array::New(env, 1);
      memory.Set(0u, mem);
      s.Set("memory", memory);
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
    std::vector<tg::Tensor> out = s->RunCallable(h, FlatTensorsFromJs(info[2]), o, &stats);
    return RunResultToJs(info.Env(), out, o, stats);
  });
}

// Settles a run's promise with its step result (on the JS thread).
void SettleRun(Napi::Env env, Napi::Promise::Deferred& deferred, const tg::StepResult& r, const tg::RunOptions& options) {
  if (!r.status.ok()) {
    deferred.Reject(ToJsError(env, r.status.error()).Value());
    return;
  }
  try {
    deferred.Resolve(RunResultToJs(env, r.fetched, options, r.stats));
  } catch (const Napi::Error& e) {
    deferred.Reject(e.Value());
  }
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
    SettleRun(env, run->deferred, run->result, run->options);
  }
  void Settled(Napi::Env env) {
    if (--pending_ == 0) tsfn_.Unref(env);
  }

  Napi::ThreadSafeFunction tsfn_;
  int pending_ = 0;  // runs whose promise is not settled (JS thread only)
};

Napi::Value SessionRunAsync(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    SessionPtr& s = SessionArg(info);
    const int64_t handle = info[1].As<Napi::Number>().Int64Value();
    std::vector<tg::Tensor> feeds = FlatTensorsFromJs(info[2]);
    const tg::RunOptions options = RunOptionsArg(info, 3);
    // A step shorter than the two thread hops runs here and settles its promise at once.
    tg::StepResult r;
    if (!s->TryRunCallableInline(handle, feeds, options, &r)) {
      return AsyncRuns::For(env).Start(env, s, handle, std::move(feeds), options);
    }
    auto deferred = Napi::Promise::Deferred::New(env);
    SettleRun(env, deferred, r, options);
    return deferred.Promise();
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
    const std::vector<tg::DeviceInfo> devs = SessionArg(info)->ListDevices();
    Napi::Array a = Napi::Array::New(info.Env(), devs.size());
    for (size_t i = 0; i < devs.size(); i++) {
      Napi::Object d = Napi::Object::New(info.Env());
      d.Set("name", devs[i].name);
      d.Set("deviceType", devs[i].type);
      d.Set("memoryLimitBytes", Napi::Number::New(info.Env(), static_cast<double>(devs[i].memory_limit)));
      d.Set("physicalDeviceDesc", devs[i].description);
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

}  // namespace

void RegisterSessionFunctions(Napi::Env env, Napi::Object exports) {
  exports.Set("newSession", Napi::Function::New(env, NewSession, "newSession"));
  exports.Set("sessionExtend", Napi::Function::New(env, SessionExtend, "sessionExtend"));
  exports.Set("sessionMakeCallable", Napi::Function::New(env, SessionMakeCallable, "sessionMakeCallable"));
  exports.Set("sessionRun", Napi::Function::New(env, SessionRun, "sessionRun"));
  exports.Set("sessionPartitionGraphs", Napi::Function::New(env, SessionPartitionGraphs, "sessionPartitionGraphs"));
  exports.Set("sessionRunAsync", Napi::Function::New(env, SessionRunAsync, "sessionRunAsync"));
  exports.Set("sessionClose", Napi::Function::New(env, SessionClose, "sessionClose"));
  exports.Set("sessionListDevices", Napi::Function::New(env, SessionListDevices, "sessionListDevices"));
  exports.Set("resetContainers", Napi::Function::New(env, ResetContainers, "resetContainers"));
}
