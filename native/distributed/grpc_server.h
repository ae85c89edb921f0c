// A tensorflow server for one task of a cluster (TF's GrpcServer): the master service
// (sessions whose graphs run on this task's devices and other tasks') and the worker service
// (worker sessions, partitions, RecvTensor). Variables, queues and other resources live here, shared by every session on the
// server (TF: they belong to the device; the default container is the job name), until
// Reset clears them; a session whose config sets isolate_session_state has its own instead,
// on every task, dropped when it closes.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "config.pb.h"

namespace grpc {
class Server;
}

namespace tg {

class MasterServiceImpl;
class WorkerServiceImpl;

// What a server takes beyond TF's ServerDef.
struct GrpcServerOptions {
  // A step's rendezvous on this task that nothing runs (no RunGraph, not this task's master's
  // step) and no call names for this long is dropped, Aborted: its master died before
  // CleanupGraph, and a RecvTensor waiting in it is answered.
  int64_t step_ttl_ms = 60000;
};

class GrpcServer {
 public:
  // Binds the address the cluster gives this task (port 0: any free port) and starts
  // serving. InvalidArgument for a task the cluster lacks or a step TTL that is not positive;
  // Unknown ("Could not start gRPC server") when the address cannot be bound (a port in use).
  explicit GrpcServer(const tensorflow::ServerDef& def, const GrpcServerOptions& options = {});
  ~GrpcServer();

  int port() const { return port_; }
  const std::string& target() const { return target_; }  // "grpc://host:port"
  // Blocks until Stop().
  void Join();
  // Stops serving (steps in flight are cancelled) and wakes Join(). Idempotent.
  void Stop();

 private:
  std::unique_ptr<MasterServiceImpl> master_;
  std::unique_ptr<WorkerServiceImpl> worker_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::string target_;
  std::mutex mu_;
  std::condition_variable stopped_cv_;
  bool stopped_ = false;
};

}  // namespace tg
