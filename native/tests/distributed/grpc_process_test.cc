// KeepFreedHeapForGrpc (distributed/grpc_process.h): a message's worth of freed read buffers is
// reused by the next message without faulting its pages in again.
#include "distributed/grpc_process.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cstdlib>
#include <cstring>
#include <vector>

namespace tg {
namespace {

long MinorFaults() {
  rusage u;
  getrusage(RUSAGE_THREAD, &u);
  return u.ru_minflt;
}

// 16 MiB in 64 KiB pieces (gRPC's read slices for one large message), written, then freed.
void ReadOneMessage() {
  constexpr size_t kPiece = 64 << 10, kPieces = 256;
  std::vector<char*> pieces;
  for (size_t i = 0; i < kPieces; i++) {
    char* p = static_cast<char*>(std::malloc(kPiece));
    ASSERT_NE(p, nullptr);
    std::memset(p, static_cast<int>(i), kPiece);
    asm volatile("" : : "r"(p) : "memory");  // the writes happen
    pieces.push_back(p);
  }
  for (char* p : pieces) std::free(p);
}

TEST(GrpcProcess, ASecondMessageReusesTheFirstOnesPages) {
  if (std::getenv("MALLOC_TRIM_THRESHOLD_") || std::getenv("MALLOC_MMAP_THRESHOLD_") || std::getenv("GLIBC_TUNABLES")) {
    GTEST_SKIP() << "glibc's malloc is tuned by the environment";
  }
  KeepFreedHeapForGrpc();
  ReadOneMessage();
  const long before = MinorFaults();
  ReadOneMessage();
  // 16 MiB is 4,096 pages; handed back to the kernel between messages, each would fault again.
  EXPECT_LT(MinorFaults() - before, 256);
}

}  // namespace
}  // namespace tg
