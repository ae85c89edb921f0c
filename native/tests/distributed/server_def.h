// The ServerDef of a one-task cluster on 127.0.0.1 (port 0: the OS picks one), with one
// inter-op and one intra-op thread, for the distributed tests' in-process servers.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "config.pb.h"

namespace tg {

inline tensorflow::ServerDef OneTaskServerDef(const std::string& job = "worker",
                                              const std::string& address = "127.0.0.1:0") {
  tensorflow::ServerDef def;
  auto* j = def.mutable_cluster()->add_job();
  j->set_name(job);
  (*j->mutable_tasks())[0] = address;
  def.set_job_name(job);
  def.set_task_index(0);
  def.set_protocol("grpc");
  def.mutable_default_session_config()->set_inter_op_parallelism_threads(1);
  def.mutable_default_session_config()->set_intra_op_parallelism_threads(1);
  return def;
}

// A port free on 127.0.0.1 now (for clusters whose tasks must know each other's addresses).
inline int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// The ServerDef of `job`'s task 0 in a cluster of a ps and a worker task on 127.0.0.1.
inline tensorflow::ServerDef PsWorkerServerDef(const std::string& job, int ps_port, int worker_port) {
  tensorflow::ServerDef def = OneTaskServerDef(job, "");
  def.mutable_cluster()->clear_job();
  for (const auto& [name, port] : {std::make_pair(std::string("ps"), ps_port), std::make_pair(std::string("worker"), worker_port)}) {
    auto* j = def.mutable_cluster()->add_job();
    j->set_name(name);
    (*j->mutable_tasks())[0] = "127.0.0.1:" + std::to_string(port);
  }
  return def;
}

}  // namespace tg
