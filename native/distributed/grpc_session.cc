#include "distributed/grpc_session.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <climits>
#include <cmath>
#include <future>
#include <optional>
#include <thread>

#include "distributed/grpc_process.h"
#include "distributed/grpc_status.h"
#include "distributed/step_stats_coding.h"
#include "distributed/tensor_coding.h"
#include "master_service.grpc.pb.h"
#include "runtime/graph_def_proto.h"
#include "runtime/timer.h"

namespace tg {

namespace {

std::string AddressOf(const std::string& target) {
  const std::string scheme = "grpc://";
  if (target.rfind(scheme, 0) != 0 || target.size() == scheme.size()) {
    throw InvalidArgument("Session target '" + target + "' is not supported: use '' (in-process) or 'grpc://host:port'");
  }
  return target.substr(scheme.size());
}

std::shared_ptr<grpc::Channel> ChannelTo(const std::string& target) { return NewChannel(AddressOf(target)); }

// A call bounded by timeout_ms (0: unbounded; without a server gRPC fails it at once
// with UNAVAILABLE, as it does not wait for the channel to become ready).
void SetDeadline(grpc::ClientContext* ctx, int64_t timeout_ms) {
  if (timeout_ms > 0) ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms));
}

// TF's GrpcRemoteMaster retries a call that failed with UNAVAILABLE (a call written to a
// connection the server dropped when it restarted fails so although the server is there): at
// most 10 times, backoff from 1 ms growing 1.3x, never past the deadline. The wait before the
// retry of attempt `attempt` (0-based), or none when it is not retried.
std::optional<std::chrono::microseconds> RetryDelay(const grpc::Status& s, int attempt,
                                                    std::chrono::system_clock::time_point deadline) {
  if (s.error_code() != grpc::StatusCode::UNAVAILABLE || attempt >= 10) return std::nullopt;
  const auto backoff = std::chrono::microseconds(static_cast<int64_t>(1000 * std::pow(1.3, attempt)));
  if (std::chrono::system_clock::now() + backoff >= deadline) return std::nullopt;
  return backoff;
}

// A synchronous unary call, retried as RetryDelay says. `call` makes one attempt with the
// context it is given.
template <typename Call>
grpc::Status WithRetry(int64_t timeout_ms, const Call& call) {
  using Clock = std::chrono::system_clock;
  const Clock::time_point deadline =
      timeout_ms > 0 ? Clock::now() + std::chrono::milliseconds(timeout_ms) : Clock::time_point::max();
  for (int attempt = 0;; attempt++) {
    grpc::ClientContext ctx;
    if (timeout_ms > 0) ctx.set_deadline(deadline);
    grpc::Status s = call(&ctx);
    const auto delay = RetryDelay(s, attempt, deadline);
    if (!delay) return s;
    std::this_thread::sleep_for(*delay);
  }
}

void Check(const grpc::Status& s, const std::string& target) {
  if (!s.ok()) throw FromGrpcStatus(s, target);
}

void FillConfig(const SessionOptions& o, tensorflow::ConfigProto* c) {
  (*c->mutable_device_count())["CPU"] = o.num_cpus;
  c->set_inter_op_parallelism_threads(o.inter_op_threads);
  c->set_intra_op_parallelism_threads(o.intra_op_threads);
  c->set_allow_soft_placement(o.allow_soft_placement);
  c->set_log_device_placement(o.log_device_placement);
  c->set_operation_timeout_in_ms(o.operation_timeout_ms);
  c->set_isolate_session_state(o.isolate_session_state);
}

}  // namespace

// One RunStep in flight, as raw bytes both ways (distributed/tensor_coding.h): large feeds go
// out from their own memory, large fetched tensors are parsed straight into new tensors.
struct GrpcSession::Call {
  grpc::ByteBuffer req;
  grpc::ByteBuffer resp;
  std::vector<std::string> fetches;
  bool trace = false;
  std::chrono::system_clock::time_point deadline = std::chrono::system_clock::time_point::max();
  std::unique_ptr<grpc::GenericStub> stub;  // lives as long as the call
  // The current attempt (a retry gets new ones).
  std::unique_ptr<grpc::ClientContext> ctx;
  grpc::ByteBuffer attempt_req;

  static constexpr const char* kMethod = "/tensorflow.MasterService/RunStep";

  StepResult Result(const grpc::Status& s, const std::string& target) {
    StepResult r;
    if (!s.ok()) {
      r.status = FromGrpcStatus(s, target);
      return r;
    }
    try {
      tensorflow::RunStepResponse rest;
      std::vector<NamedTensor> tensors;
      DecodeRunStepResponse(&resp, "from " + target, &rest, &tensors);
      // By name: TF does not promise the fetch order in RunStepResponse.
      std::map<std::string, Tensor*> by_name;
      for (auto& [name, t] : tensors) by_name[name] = &t;
      for (const auto& name : fetches) {
        auto it = by_name.find(name);
        if (it == by_name.end()) throw Error(Code::kInternal, "RunStep answered no tensor for the fetch " + name);
        r.fetched.push_back(*it->second);
      }
      if (trace) r.stats = StatsFromProto(rest.metadata().step_stats());
    } catch (const Error& e) {
      r.status = e;
    }
    return r;
  }
};

GrpcSession::GrpcSession(const std::string& target, const SessionOptions& options)
    : target_(target), options_(options), channel_(ChannelTo(target)) {}

GrpcSession::~GrpcSession() { Close(); }

std::string GrpcSession::Handle() {
  // mu_ held by the caller
  if (closed_) throw Error(Code::kCancelled, "Session has been closed.");
  if (!handle_.empty()) return handle_;
  tensorflow::CreateSessionRequest req;
  FillConfig(options_, req.mutable_config());
  tensorflow::CreateSessionResponse resp;
  auto stub = tensorflow::MasterService::NewStub(channel_);
  Check(WithRetry(options_.operation_timeout_ms, [&](grpc::ClientContext* ctx) { return stub->CreateSession(ctx, req, &resp); }),
        target_);
  handle_ = resp.session_handle();
  graph_version_ = resp.graph_version();
  return handle_;
}

void GrpcSession::Extend(const uint8_t* data, size_t size) {
  tensorflow::ExtendSessionRequest req;
  GraphDefToProto(data, size, req.mutable_graph_def());
  std::lock_guard<std::mutex> lock(mu_);
  req.set_session_handle(Handle());
  req.set_current_graph_version(graph_version_);
  tensorflow::ExtendSessionResponse resp;
  auto stub = tensorflow::MasterService::NewStub(channel_);
  Check(WithRetry(options_.operation_timeout_ms, [&](grpc::ClientContext* ctx) { return stub->ExtendSession(ctx, req, &resp); }),
        target_);
  graph_version_ = resp.new_graph_version();
}

int64_t GrpcSession::MakeCallable(const std::vector<std::string>& feeds, const std::vector<std::string>& fetches,
                                  const std::vector<std::string>& targets) {
  const std::string key = SignatureKey(feeds, fetches, targets);
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) throw Error(Code::kCancelled, "Session has been closed.");
  auto it = signature_to_handle_.find(key);
  if (it != signature_to_handle_.end()) return it->second;
  // Each run is a RunStep naming the signature (TF's GrpcSession): the server caches it.
  signatures_.push_back({feeds, fetches, targets});
  const int64_t h = static_cast<int64_t>(signatures_.size()) - 1;
  signature_to_handle_[key] = h;
  return h;
}

std::unique_ptr<GrpcSession::Call> GrpcSession::StartCall(int64_t handle, const std::vector<Tensor>& feeds,
                                                          const RunOptions& options) {
  auto call = std::make_unique<Call>();
  tensorflow::RunStepRequest req;
  Signature sig;
  {
    std::lock_guard<std::mutex> lock(mu_);
    req.set_session_handle(Handle());
    if (handle < 0 || handle >= static_cast<int64_t>(signatures_.size())) {
      throw InvalidArgument("No such callable handle: " + std::to_string(handle));
    }
    sig = signatures_[handle];
  }
  if (feeds.size() != sig.feeds.size()) {
    throw InvalidArgument("Expected " + std::to_string(sig.feeds.size()) + " feeds, got " + std::to_string(feeds.size()));
  }
  std::vector<NamedTensor> named;
  for (size_t i = 0; i < feeds.size(); i++) named.emplace_back(sig.feeds[i], feeds[i]);
  for (const auto& f : sig.fetches) req.add_fetch(f);
  for (const auto& t : sig.targets) req.add_target(t);
  const int64_t timeout = options.timeout_ms > 0 ? options.timeout_ms : options_.operation_timeout_ms;
  req.mutable_options()->set_timeout_in_ms(timeout);
  if (options.trace) req.mutable_options()->set_trace_level(tensorflow::RunOptions::FULL_TRACE);
  call->req = EncodeRunStepRequest(req, named);
  call->fetches = std::move(sig.fetches);
  call->trace = options.trace;
  // The wire gets a little longer than the step, so the server's DeadlineExceeded (naming
  // the node) usually arrives before gRPC's own.
  if (timeout > 0) call->deadline = std::chrono::system_clock::now() + std::chrono::milliseconds(timeout + 1000);
  call->stub = std::make_unique<grpc::GenericStub>(channel_);
  return call;
}

std::vector<Tensor> GrpcSession::RunCallable(int64_t handle, const std::vector<Tensor>& feeds, const RunOptions& options,
                                             std::vector<NodeStats>* stats) {
  RunOptions opts = options;
  opts.trace = options.trace && stats != nullptr;
  // The asynchronous call, waited for: one way to run and retry a step.
  std::promise<StepResult> result;
  Attempt(StartCall(handle, feeds, opts), target_, [&result](StepResult r) { result.set_value(std::move(r)); }, 0);
  StepResult r = result.get_future().get();
  r.status.Check();
  if (stats) *stats = std::move(r.stats);
  return std::move(r.fetched);
}

void GrpcSession::RunCallableAsync(int64_t handle, std::vector<Tensor> feeds, const RunOptions& options, StepDone done) {
  Attempt(StartCall(handle, feeds, options), target_, std::move(done), 0);
}

// One attempt of a RunStep, retried as RetryDelay says (the global timer waits out the
// backoff, so no thread sleeps).
void GrpcSession::Attempt(std::shared_ptr<Call> call, std::string target, StepDone done, int attempt) {
  call->ctx = std::make_unique<grpc::ClientContext>();
  if (call->deadline != std::chrono::system_clock::time_point::max()) call->ctx->set_deadline(call->deadline);
  call->resp.Clear();
  call->attempt_req = call->req;  // shares the slices: a retry sends them again
  Call* raw = call.get();
  raw->stub->UnaryCall(raw->ctx.get(), Call::kMethod, grpc::StubOptions(), &raw->attempt_req, &raw->resp,
                       [call, target, done, attempt](grpc::Status s) {
                         if (const auto delay = RetryDelay(s, attempt, call->deadline)) {
                           Timer::Global().Schedule(Timer::Clock::now() + *delay, [call, target, done, attempt] {
                             Attempt(call, target, done, attempt + 1);
                           });
                           return;
                         }
                         done(call->Result(s, target));
                       });
}

void GrpcSession::Close() {
  std::string handle;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    closed_ = true;
    handle.swap(handle_);
  }
  if (handle.empty()) return;
  tensorflow::CloseSessionRequest req;
  req.set_session_handle(handle);
  tensorflow::CloseSessionResponse resp;
  grpc::ClientContext ctx;
  // Closing never hangs on a dead server: a short bound, and its failure is not the caller's.
  SetDeadline(&ctx, 5000);
  (void)tensorflow::MasterService::NewStub(channel_)->CloseSession(&ctx, req, &resp);
}

bool GrpcSession::closed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

std::vector<DeviceInfo> GrpcSession::ListDevices() {
  tensorflow::ListDevicesRequest req;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) throw Error(Code::kCancelled, "Session has been closed.");
    req.set_session_handle(handle_);
  }
  tensorflow::ListDevicesResponse resp;
  auto stub = tensorflow::MasterService::NewStub(channel_);
  Check(WithRetry(options_.operation_timeout_ms, [&](grpc::ClientContext* ctx) { return stub->ListDevices(ctx, req, &resp); }),
        target_);
  std::vector<DeviceInfo> out;
  for (const auto* list : {&resp.local_device(), &resp.remote_device()}) {
    for (const auto& d : *list) out.push_back({d.name(), d.device_type(), d.memory_limit(), d.physical_device_desc()});
  }
  return out;
}

void GrpcSession::Reset(const std::string& target, const std::vector<std::string>& containers, int64_t timeout_ms) {
  tensorflow::ResetRequest req;
  for (const auto& c : containers) req.add_container(c);
  tensorflow::ResetResponse resp;
  auto stub = tensorflow::MasterService::NewStub(ChannelTo(target));
  Check(WithRetry(timeout_ms, [&](grpc::ClientContext* ctx) { return stub->Reset(ctx, req, &resp); }), target);
}

}  // namespace tg
