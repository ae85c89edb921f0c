#include "distributed/grpc_process.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/security/credentials.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace tg {

std::shared_ptr<grpc::Channel> NewChannel(const std::string& address) {
  PrepareProcessForGrpc();
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  args.SetMaxSendMessageSize(-1);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

void PrepareProcessForGrpc() {
  static std::once_flag once;
  std::call_once(once, [] {
    KeepFreedHeapForGrpc();
    KeepCallbackQueueAlive();
  });
}

void KeepFreedHeapForGrpc() {
#if defined(__GLIBC__)
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (std::getenv("MALLOC_TRIM_THRESHOLD_") || std::getenv("MALLOC_MMAP_THRESHOLD_") ||
      (tunables && (std::strstr(tunables, "malloc.trim_threshold") || std::strstr(tunables, "malloc.mmap_threshold")))) {
    return;
  }
  // Setting either threshold turns off glibc's adaptive mmap threshold, which would have
  // risen to the largest block freed (up to 32 MiB), so that is set too: without it every
  // 16 MiB ArrayBuffer of a fetch became a fresh mapping (transfer-16MiB 40 -> 76 ms).
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 128 << 20);
#endif
}

void KeepCallbackQueueAlive() {
  // Never destroyed (nor is anything the call uses): the reference must outlive every other.
  struct Keeper {
    std::shared_ptr<grpc::Channel> channel =
        grpc::CreateChannel("unix:/nonexistent/tensorgraph-callback-queue-keeper", grpc::InsecureChannelCredentials());
    grpc::GenericStub stub{channel};
    grpc::ClientContext ctx;
    grpc::Slice empty{std::string()};
    grpc::ByteBuffer request{&empty, 1};  // an empty message (an unset ByteBuffer is refused)
    grpc::ByteBuffer response;
  };
  static Keeper* keeper = new Keeper();
  keeper->ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
  // The call fails at once (no such socket); making it is what takes the reference.
  keeper->stub.UnaryCall(&keeper->ctx, "/tensorgraph.Keeper/None", grpc::StubOptions(), &keeper->request,
                         &keeper->response, [](grpc::Status) {});
}

}  // namespace tg
