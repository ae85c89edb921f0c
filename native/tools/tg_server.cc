// tg_server: one task of a cluster without Node (TF's grpc_tensorflow_server), for machines
// that have the runtime but no JavaScript:
//   tg_server --cluster ps=127.0.0.1:2221 --cluster worker=h:2222,h:2223 --job ps --task 0
//             [--inter-op N] [--intra-op N] [--step-ttl-ms N] [--isolate-session-state]
// Prints "listening grpc://host:port" once bound and serves until SIGINT/SIGTERM.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "distributed/grpc_server.h"
#include "runtime/status.h"

namespace {

const char* kUsage =
    "usage: tg_server --cluster JOB=HOST:PORT[,HOST:PORT...] [--cluster ...] --job JOB --task INDEX "
    "[--inter-op N] [--intra-op N] [--step-ttl-ms N] [--isolate-session-state]\n";

[[noreturn]] void Fail(const std::string& msg) {
  std::fprintf(stderr, "tg_server: %s\n%s", msg.c_str(), kUsage);
  std::exit(2);
}

int IntArg(const std::string& flag, const std::string& v) {
  if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos) Fail(flag + " needs a non-negative integer");
  return std::stoi(v);
}

}  // namespace

int main(int argc, char** argv) {
  tensorflow::ServerDef def;
  def.set_protocol("grpc");
  tg::GrpcServerOptions options;
  bool has_job = false;
  for (int i = 1; i < argc; i++) {
    std::string flag = argv[i], value;
    const size_t eq = flag.find('=');
    if (flag.rfind("--", 0) == 0 && eq != std::string::npos && flag.rfind("--cluster", 0) != 0) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    } else if (flag != "-h" && flag != "--help" && flag != "--isolate-session-state") {
      if (i + 1 >= argc) Fail(flag + " needs a value");
      value = argv[++i];
    }
    if (flag == "--cluster") {
      const size_t e = value.find('=');
      if (e == std::string::npos || e == 0) Fail("--cluster takes JOB=HOST:PORT[,...], got '" + value + "'");
      auto* job = def.mutable_cluster()->add_job();
      job->set_name(value.substr(0, e));
      std::string rest = value.substr(e + 1);
      int index = 0;
      for (size_t s = 0; s <= rest.size();) {
        size_t c = rest.find(',', s);
        if (c == std::string::npos) c = rest.size();
        if (c > s) (*job->mutable_tasks())[index++] = rest.substr(s, c - s);
        s = c + 1;
      }
    } else if (flag == "--job") {
      def.set_job_name(value);
      has_job = true;
    } else if (flag == "--task") {
      def.set_task_index(IntArg(flag, value));
    } else if (flag == "--inter-op") {
      def.mutable_default_session_config()->set_inter_op_parallelism_threads(IntArg(flag, value));
    } else if (flag == "--intra-op") {
      def.mutable_default_session_config()->set_intra_op_parallelism_threads(IntArg(flag, value));
    } else if (flag == "--step-ttl-ms") {
      options.step_ttl_ms = IntArg(flag, value);
    } else if (flag == "--isolate-session-state" && value.empty()) {
      def.mutable_default_session_config()->set_isolate_session_state(true);
    } else if (flag == "-h" || flag == "--help") {
      std::printf("%s", kUsage);
      return 0;
    } else {
      Fail("unknown argument " + flag);
    }
  }
  if (def.cluster().job_size() == 0) Fail("--cluster is required");
  if (!has_job) {
    if (def.cluster().job_size() != 1) Fail("--job is required for a cluster of several jobs");
    def.set_job_name(def.cluster().job(0).name());
  }
  // Signals are taken by sigwait below, not delivered to gRPC's threads.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  try {
    tg::GrpcServer server(def, options);
    std::printf("listening %s\n", server.target().c_str());
    std::fflush(stdout);
    int sig = 0;
    sigwait(&signals, &sig);
    server.Stop();
  } catch (const tg::Error& e) {
    std::fprintf(stderr, "tg_server: %s\n", e.what());
    return 1;
  }
  return 0;
}
