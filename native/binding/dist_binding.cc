#include "binding/dist_binding.h"

#include <mutex>
#include <set>
#include <thread>

#include "binding/js_convert.h"
#include "runtime/status.h"

#ifdef TG_HAVE_GRPC
#include "distributed/grpc_server.h"
#include "distributed/grpc_session.h"
#endif

namespace {

using tgjs::Guard;

#ifdef TG_HAVE_GRPC

using ServerPtr = std::shared_ptr<tg::GrpcServer>;

// Servers still running: stopped when the environment goes (no gRPC thread outlives it).
std::mutex servers_mu;
std::set<tg::GrpcServer*>& LiveServers() {
  static auto* s = new std::set<tg::GrpcServer*>();
  return *s;
}

ServerPtr& ServerArg(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsExternal()) throw tg::InvalidArgument("expected a server handle");
  return *info[0].As<Napi::External<ServerPtr>>().Data();
}

int IntOf(const Napi::Object& o, const char* key, int dflt) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().Int32Value() : dflt;
}

// serverStart({cluster: {job: [{name, tasks: {index: "host:port"}}]}, jobName, taskIndex, config, stepTtlMs?})
// (the cluster as ClusterSpec.asClusterDef() gives it)
//   -> {server, target, port}
Napi::Value ServerStart(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject()) throw tg::InvalidArgument("serverStart: expected a server definition");
    Napi::Object o = info[0].As<Napi::Object>();
    tensorflow::ServerDef def;
    def.set_protocol("grpc");
    def.set_job_name(o.Get("jobName").ToString().Utf8Value());
    def.set_task_index(IntOf(o, "taskIndex", 0));
    Napi::Value cluster = o.Get("cluster");
    Napi::Value jobs_v = cluster.IsObject() ? cluster.As<Napi::Object>().Get("job") : cluster;
    if (!jobs_v.IsArray()) throw tg::InvalidArgument("serverStart: expected cluster.job to be an array");
    Napi::Array jobs = jobs_v.As<Napi::Array>();
    for (uint32_t i = 0; i < jobs.Length(); i++) {
      Napi::Object j = jobs.Get(i).As<Napi::Object>();
      auto* job = def.mutable_cluster()->add_job();
      job->set_name(j.Get("name").ToString().Utf8Value());
      Napi::Object tasks = j.Get("tasks").As<Napi::Object>();
      Napi::Array keys = tasks.GetPropertyNames();
      for (uint32_t k = 0; k < keys.Length(); k++) {
        std::string key = keys.Get(k).ToString().Utf8Value();
        (*job->mutable_tasks())[std::stoi(key)] = tasks.Get(key).ToString().Utf8Value();
      }
    }
    if (Napi::Value c = o.Get("config"); c.IsObject()) {
      Napi::Object co = c.As<Napi::Object>();
      auto* cfg = def.mutable_default_session_config();
      cfg->set_inter_op_parallelism_threads(IntOf(co, "interOpThreads", 0));
      cfg->set_intra_op_parallelism_threads(IntOf(co, "intraOpThreads", 0));
      cfg->set_operation_timeout_in_ms(IntOf(co, "operationTimeoutInMs", 0));
      cfg->set_allow_soft_placement(co.Get("allowSoftPlacement").ToBoolean());
      cfg->set_log_device_placement(co.Get("logDevicePlacement").ToBoolean());
      cfg->set_isolate_session_state(co.Get("isolateSessionState").ToBoolean());
    }
    tg::GrpcServerOptions options;
    if (Napi::Value ttl = o.Get("stepTtlMs"); ttl.IsNumber()) options.step_ttl_ms = ttl.As<Napi::Number>().Int64Value();
    auto server = std::make_shared<tg::GrpcServer>(def, options);
    {
      std::lock_guard<std::mutex> lock(servers_mu);
      LiveServers().insert(server.get());
    }
    Napi::Object out = Napi::Object::New(env);
    out.Set("target", server->target());
    out.Set("port", server->port());
    out.Set("server", Napi::External<ServerPtr>::New(env, new ServerPtr(server), [](Napi::Env, ServerPtr* p) {
      {
        std::lock_guard<std::mutex> lock(servers_mu);
        LiveServers().erase(p->get());
      }
      delete p;  // stops it
    }));
    return out;
  });
}

// serverJoin(server): blocks the JS thread until the server stops (TF's server.join()).
Napi::Value ServerJoin(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    ServerArg(info)->Join();
    return info.Env().Undefined();
  });
}

// serverJoinAsync(server) -> Promise resolved when the server stops; keeps the process alive.
Napi::Value ServerJoinAsync(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    ServerPtr server = ServerArg(info);
    auto deferred = std::make_shared<Napi::Promise::Deferred>(Napi::Promise::Deferred::New(env));
    Napi::ThreadSafeFunction tsfn = Napi::ThreadSafeFunction::New(env, Napi::Function(), "tensorgraph.serverJoin", 0, 1);
    std::thread([server, tsfn, deferred]() mutable {
      server->Join();
      tsfn.BlockingCall([deferred](Napi::Env env, Napi::Function) { deferred->Resolve(env.Undefined()); });
      tsfn.Release();
    }).detach();
    return deferred->Promise();
  });
}

Napi::Value ServerStop(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    ServerArg(info)->Stop();
    return info.Env().Undefined();
  });
}

// resetRemote(target, containers, timeoutMs)
Napi::Value ResetRemote(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), [&]() -> Napi::Value {
    std::vector<std::string> containers;
    if (info.Length() > 1 && info[1].IsArray()) {
      Napi::Array a = info[1].As<Napi::Array>();
      for (uint32_t i = 0; i < a.Length(); i++) containers.push_back(a.Get(i).ToString().Utf8Value());
    }
    const int64_t timeout = info.Length() > 2 && info[2].IsNumber() ? info[2].As<Napi::Number>().Int64Value() : 0;
    tg::GrpcSession::Reset(info[0].ToString().Utf8Value(), containers, timeout);
    return info.Env().Undefined();
  });
}

#else  // no gRPC in this build

Napi::Value NoGrpc(const Napi::CallbackInfo& info) {
  return Guard(info.Env(), []() -> Napi::Value {
    throw tg::Error(tg::Code::kUnimplemented,
                    "tensorgraph was built without gRPC (TG_WITH_GRPC): install libgrpc++-dev and "
                    "protobuf-compiler-grpc (tools/install-deps.sh) and rebuild");
  });
}

#endif

}  // namespace

namespace tgjs {
std::shared_ptr<tg::SessionInterface> NewRemoteSession(const std::string& target, const tg::SessionOptions& options) {
#ifdef TG_HAVE_GRPC
  return std::make_shared<tg::GrpcSession>(target, options);
#else
  throw tg::Error(tg::Code::kUnimplemented, "Session target '" + target +
                                                "': tensorgraph was built without gRPC (TG_WITH_GRPC), so only in-process sessions work");
#endif
}
}  // namespace tgjs

void RegisterDistFunctions(Napi::Env env, Napi::Object exports) {
#ifdef TG_HAVE_GRPC
  exports.Set("serverStart", Napi::Function::New(env, ServerStart, "serverStart"));
  exports.Set("serverJoin", Napi::Function::New(env, ServerJoin, "serverJoin"));
  exports.Set("serverJoinAsync", Napi::Function::New(env, ServerJoinAsync, "serverJoinAsync"));
  exports.Set("serverStop", Napi::Function::New(env, ServerStop, "serverStop"));
  exports.Set("resetRemote", Napi::Function::New(env, ResetRemote, "resetRemote"));
  exports.Set("grpcAvailable", Napi::Boolean::New(env, true));
  napi_add_env_cleanup_hook(env, [](void*) {
    std::set<tg::GrpcServer*> servers;
    {
      std::lock_guard<std::mutex> lock(servers_mu);
      servers = LiveServers();
    }
    for (tg::GrpcServer* s : servers) s->Stop();
  }, nullptr);
#else
  for (const char* name : {"serverStart", "serverJoin", "serverJoinAsync", "serverStop", "resetRemote"}) {
    exports.Set(name, Napi::Function::New(env, NoGrpc, name));
  }
  exports.Set("grpcAvailable", Napi::Boolean::New(env, false));
#endif
}
