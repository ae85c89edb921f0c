// A session whose master is a tensorflow server ("grpc://host:port", TF's GrpcSession):
// the graph goes over as TF's GraphDef (CreateSession, then ExtendSession deltas), each run
// is a RunStep. Failures arrive as the server's Error, or gRPC's own (UNAVAILABLE when no
// server answers, DEADLINE_EXCEEDED past operation_timeout_ms).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/session.h"
#include "runtime/session_interface.h"

namespace grpc {
class Channel;
}

namespace tg {

class GrpcSession : public SessionInterface {
 public:
  // InvalidArgument unless target is "grpc://host:port". Connects lazily (on first use).
  GrpcSession(const std::string& target, const SessionOptions& options);
  ~GrpcSession() override;

  void Extend(const uint8_t* data, size_t size) override;
  int64_t MakeCallable(const std::vector<std::string>& feeds, const std::vector<std::string>& fetches,
                       const std::vector<std::string>& targets) override;
  std::vector<Tensor> RunCallable(int64_t handle, const std::vector<Tensor>& feeds, const RunOptions& options,
                                  std::vector<NodeStats>* stats = nullptr) override;
  void RunCallableAsync(int64_t handle, std::vector<Tensor> feeds, const RunOptions& options, StepDone done) override;
  void Close() override;
  bool closed() const override;
  std::vector<DeviceInfo> ListDevices() override;

  // TF's Session.reset(target, containers): the server closes its sessions and clears the
  // containers (none given: its default container).
  static void Reset(const std::string& target, const std::vector<std::string>& containers, int64_t timeout_ms);

 private:
  struct Signature {
    std::vector<std::string> feeds, fetches, targets;
  };
  struct Call;
  std::unique_ptr<Call> StartCall(int64_t handle, const std::vector<Tensor>& feeds, const RunOptions& options);
  static void Attempt(std::shared_ptr<Call> call, std::string target, StepDone done, int attempt);
  std::string Handle();  // the server's session handle; CreateSession (empty graph) if none yet

  const std::string target_;
  const SessionOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  mutable std::mutex mu_;  // guards what follows
  std::string handle_;
  int64_t graph_version_ = 0;
  bool closed_ = false;
  std::map<std::string, int64_t> signature_to_handle_;
  std::vector<Signature> signatures_;
};

}  // namespace tg
