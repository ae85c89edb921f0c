// A tensorflow server for one task of a cluster (TF's GrpcServer): the master service
// (sessions whose graphs run on this task's devices) and the worker service (GetStatus so
// far). Variables, queues and other resources live here, shared by every session on the
// server (TF: they belong to the device; the default container is the job name), until
// Reset clears them.
#pragma once

#include <condition_variable>
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

class GrpcServer {
 public:
  // Binds the address the cluster gives this task (port 0: any free port) and starts
  // serving. InvalidArgument for a task the cluster lacks; Unknown ("Could not start gRPC
  // server") when the address cannot be bound (a port in use).
  explicit GrpcServer(const tensorflow::ServerDef& def);
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
