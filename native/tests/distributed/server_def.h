// The ServerDef of a one-task cluster on 127.0.0.1 (port 0: the OS picks one), with one
// inter-op and one intra-op thread, for the distributed tests' in-process servers.
#pragma once

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

}  // namespace tg
