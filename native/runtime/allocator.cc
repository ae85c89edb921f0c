#include "runtime/allocator.h"

#include "runtime/tensor.h"

namespace tg {

std::string AllocatorStats::DebugString() const {
  return "Limit:        " + std::to_string(bytes_limit) + "\nInUse:        " + std::to_string(bytes_in_use) +
         "\nMaxInUse:     " + std::to_string(peak_bytes_in_use) + "\nNumAllocs:    " + std::to_string(num_allocs) +
         "\nMaxAllocSize: " + std::to_string(largest_alloc_size) + "\nReserved:     " + std::to_string(bytes_reserved);
}

std::shared_ptr<Buffer> Allocator::AllocateBuffer(size_t bytes) {
  void* p = Allocate(bytes);
  return Buffer::Wrap(p, bytes, [this, p] { Deallocate(p); }, /*on_device=*/true);
}

}  // namespace tg
