// Binding of the input-pipeline threads: native Coordinators and QueueRunner threads
// (runtime/coordinator.h, runtime/queue_runner.h). src/train/coordinator.ts and
// queue_runner.ts wrap these; the threads never need the JavaScript thread, and an env
// cleanup hook stops and joins them so a program that never joins its runners still exits.
#include <napi.h>

#include <memory>
#include <string>
#include <vector>

#include "binding/js_convert.h"
#include "runtime/coordinator.h"
#include "runtime/queue_runner.h"
#include "runtime/session_interface.h"

namespace {

using tgjs::Guard;
using CoordPtr = std::shared_ptr<tg::Coordinator>;
using ThreadPtr = std::shared_ptr<tg::RunnerThread>;
using GroupPtr = std::shared_ptr<tg::RunnerGroup>;
using SessionPtr = std::shared_ptr<tg::SessionInterface>;

template <typename T>
T& ExternalArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsExternal()) throw tg::InvalidArgument(std::string("expected a ") + what + " handle");
  return *info[i].As<Napi::External<T>>().Data();
}

template <typename T>
Napi::External<T> Wrap(Napi::Env env, T value) {
  return Napi::External<T>::New(env, new T(std::move(value)), [](Napi::Env, T* p) { delete p; });
}

int64_t IntArg(const Napi::CallbackInfo& info, size_t i, int64_t dflt) {
  return info.Length() > i && info[i].IsNumber() ? info[i].As<Napi::Number>().Int64Value() : dflt;
}

std::vector<tg::Code> CodesArg(const Napi::Value& v, std::vector<tg::Code> dflt) {
  if (!v.IsArray()) return dflt;
  std::vector<tg::Code> out;
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) out.push_back(static_cast<tg::Code>(a.Get(i).As<Napi::Number>().Int32Value()));
  return out;
}

const void* Owner(Napi::Env env) { return static_cast<napi_env>(env); }

// coordinatorNew(cleanStopCodes: number[]) -> coordinator
Napi::Value CoordinatorNew(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    auto coord = std::make_shared<tg::Coordinator>(CodesArg(info[0], {tg::Code::kOutOfRange}));
    tg::RegisterCoordinator(coord, Owner(info.Env()));
    return Wrap<CoordPtr>(info.Env(), coord);
  });
}

// coordinatorRequestStop(c, error?: {code, message, node?}, tag?) -> whether the error was recorded
Napi::Value CoordinatorRequestStop(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    CoordPtr& c = ExternalArg<CoordPtr>(info, 0, "coordinator");
    bool recorded;
    if (info.Length() > 1 && info[1].IsObject()) {
      Napi::Object e = info[1].As<Napi::Object>();
      Napi::Value node = e.Get("node");
      tg::Error err(static_cast<tg::Code>(e.Get("code").As<Napi::Number>().Int32Value()),
                    e.Get("message").ToString().Utf8Value(), node.IsString() ? node.As<Napi::String>().Utf8Value() : "");
      recorded = c->RequestStop(&err, IntArg(info, 2, 0));
    } else {
      recorded = c->RequestStop();
    }
    return Napi::Boolean::New(info.Env(), recorded);
  });
}

Napi::Value CoordinatorShouldStop(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    return Napi::Boolean::New(info.Env(), ExternalArg<CoordPtr>(info, 0, "coordinator")->ShouldStop());
  });
}

Napi::Value CoordinatorClearStop(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    ExternalArg<CoordPtr>(info, 0, "coordinator")->ClearStop();
    return info.Env().Undefined();
  });
}

// coordinatorWaitForStop(c, timeoutMs (< 0: forever)) -> shouldStop; blocks the JS thread.
Napi::Value CoordinatorWaitForStop(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    CoordPtr c = ExternalArg<CoordPtr>(info, 0, "coordinator");
    return Napi::Boolean::New(info.Env(), c->WaitForStop(IntArg(info, 1, -1)));
  });
}

// coordinatorError(c) -> {error, tag} | undefined
Napi::Value CoordinatorError(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    CoordPtr& c = ExternalArg<CoordPtr>(info, 0, "coordinator");
    auto err = c->error();
    if (!err) return info.Env().Undefined();
    Napi::Object out = Napi::Object::New(info.Env());
    out.Set("error", tgjs::ToJsError(info.Env(), *err).Value());
    out.Set("tag", Napi::Number::New(info.Env(), static_cast<double>(c->error_tag())));
    return out;
  });
}

// queueRunnerCreate(session, enqueueHandles, threadNames, closeHandle, cancelHandle,
//                   closeOnStopName, coordinator | null, closedCodes) -> {group, threads}
// One thread per enqueue handle, plus the close-on-stop thread when there is a coordinator.
Napi::Value QueueRunnerCreate(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    // Queue runners drive a session's callables (in-process or grpc://) on their own threads.
    SessionPtr session = ExternalArg<SessionPtr>(info, 0, "session");
    Napi::Array handles = info[1].As<Napi::Array>();
    Napi::Array names = info[2].As<Napi::Array>();
    const int64_t close_handle = IntArg(info, 3, -1), cancel_handle = IntArg(info, 4, -1);
    CoordPtr coord = info.Length() > 6 && info[6].IsExternal() ? ExternalArg<CoordPtr>(info, 6, "coordinator") : nullptr;
    auto group = std::make_shared<tg::RunnerGroup>(session, static_cast<int>(handles.Length()), close_handle,
                                                   CodesArg(info[7], {tg::Code::kOutOfRange}));
    Napi::Array threads = Napi::Array::New(env);
    for (uint32_t i = 0; i < handles.Length(); i++) {
      const int64_t h = handles.Get(i).As<Napi::Number>().Int64Value();
      auto t = std::make_shared<tg::RunnerThread>(names.Get(i).ToString().Utf8Value(), session,
                                                  [group, h, coord] { group->RunEnqueueLoop(h, coord); });
      threads.Set(i, Wrap<ThreadPtr>(env, t));
    }
    if (coord) {
      auto t = std::make_shared<tg::RunnerThread>(info[5].ToString().Utf8Value(), session,
                                                  [group, cancel_handle, coord] { group->RunCloseOnStop(cancel_handle, coord); });
      threads.Set(handles.Length(), Wrap<ThreadPtr>(env, t));
    }
    Napi::Object out = Napi::Object::New(env);
    out.Set("group", Wrap<GroupPtr>(env, group));
    out.Set("threads", threads);
    return out;
  });
}

// queueRunnerLive(group) -> enqueue threads of that createThreads call not yet ended
Napi::Value QueueRunnerLive(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    return Napi::Number::New(info.Env(), ExternalArg<GroupPtr>(info, 0, "queue runner")->live());
  });
}

// queueRunnerExceptions(group) -> errors of threads that had no coordinator
Napi::Value QueueRunnerExceptions(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    auto errors = ExternalArg<GroupPtr>(info, 0, "queue runner")->exceptions();
    Napi::Array a = Napi::Array::New(info.Env(), errors.size());
    for (size_t i = 0; i < errors.size(); i++) a.Set(static_cast<uint32_t>(i), tgjs::ToJsError(info.Env(), errors[i]).Value());
    return a;
  });
}

Napi::Value RunnerThreadStart(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    ThreadPtr& t = ExternalArg<ThreadPtr>(info, 0, "thread");
    t->Start();
    tg::RegisterRunnerThread(t, Owner(info.Env()));
    return info.Env().Undefined();
  });
}

Napi::Value RunnerThreadIsAlive(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    return Napi::Boolean::New(info.Env(), ExternalArg<ThreadPtr>(info, 0, "thread")->IsAlive());
  });
}

// runnerThreadJoin(t, timeoutMs (< 0: forever)) -> whether it ended; blocks the JS thread.
Napi::Value RunnerThreadJoin(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    ThreadPtr t = ExternalArg<ThreadPtr>(info, 0, "thread");
    return Napi::Boolean::New(info.Env(), t->Join(IntArg(info, 1, -1)));
  });
}

// runnerThreadsWait(threads, coordinator | null, timeoutMs (< 0: forever)) -> whether every
// thread ended or the coordinator stopped within the time; blocks the JS thread.
Napi::Value RunnerThreadsWait(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    std::vector<ThreadPtr> threads;
    Napi::Array a = info[0].As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); i++) threads.push_back(*a.Get(i).As<Napi::External<ThreadPtr>>().Data());
    CoordPtr coord = info.Length() > 1 && info[1].IsExternal() ? ExternalArg<CoordPtr>(info, 1, "coordinator") : nullptr;
    bool ok = tg::StopOrExitSignal::Global().WaitUntil(
        [&] {
          if (coord && coord->ShouldStop()) return true;
          for (auto& t : threads) {
            if (t->IsAlive()) return false;
          }
          return true;
        },
        IntArg(info, 2, -1));
    return Napi::Boolean::New(info.Env(), ok);
  });
}

void Teardown(void* env) { tg::ShutdownRunnerThreads(env, 10000); }

}  // namespace

void RegisterRunnerFunctions(Napi::Env env, Napi::Object exports) {
  exports.Set("coordinatorNew", Napi::Function::New(env, CoordinatorNew, "coordinatorNew"));
  exports.Set("coordinatorRequestStop", Napi::Function::New(env, CoordinatorRequestStop, "coordinatorRequestStop"));
  exports.Set("coordinatorShouldStop", Napi::Function::New(env, CoordinatorShouldStop, "coordinatorShouldStop"));
  exports.Set("coordinatorClearStop", Napi::Function::New(env, CoordinatorClearStop, "coordinatorClearStop"));
  exports.Set("coordinatorWaitForStop", Napi::Function::New(env, CoordinatorWaitForStop, "coordinatorWaitForStop"));
  exports.Set("coordinatorError", Napi::Function::New(env, CoordinatorError, "coordinatorError"));
  exports.Set("queueRunnerCreate", Napi::Function::New(env, QueueRunnerCreate, "queueRunnerCreate"));
  exports.Set("queueRunnerLive", Napi::Function::New(env, QueueRunnerLive, "queueRunnerLive"));
  exports.Set("queueRunnerExceptions", Napi::Function::New(env, QueueRunnerExceptions, "queueRunnerExceptions"));
  exports.Set("runnerThreadStart", Napi::Function::New(env, RunnerThreadStart, "runnerThreadStart"));
  exports.Set("runnerThreadIsAlive", Napi::Function::New(env, RunnerThreadIsAlive, "runnerThreadIsAlive"));
  exports.Set("runnerThreadJoin", Napi::Function::New(env, RunnerThreadJoin, "runnerThreadJoin"));
  exports.Set("runnerThreadsWait", Napi::Function::New(env, RunnerThreadsWait, "runnerThreadsWait"));
  // Runs when this JS environment is torn down (process exit, worker end): runner threads
  // must not outlive it, nor keep it from ending.
  napi_add_env_cleanup_hook(env, Teardown, static_cast<napi_env>(env));
}
