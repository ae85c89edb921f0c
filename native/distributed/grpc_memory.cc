#include "distributed/grpc_memory.h"

#include <cstdlib>
#include <cstring>
#include <mutex>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace tg {

void KeepFreedHeapForGrpc() {
#if defined(__GLIBC__)
  static std::once_flag once;
  std::call_once(once, [] {
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
  });
#endif
}

}  // namespace tg
