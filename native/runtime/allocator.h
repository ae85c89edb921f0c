// Allocators: where a device's tensors get their memory. The CPU devices use host memory
// (Buffer::Allocate); a GPU device has a BFC allocator (bfc_allocator.h) over the GPU's memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace tg {

class Buffer;

// TF's AllocatorStats: what an allocator holds, for OOM messages and tests.
struct AllocatorStats {
  int64_t num_allocs = 0;           // allocations made so far
  int64_t bytes_in_use = 0;         // bytes handed out and not yet freed (rounded sizes)
  int64_t peak_bytes_in_use = 0;
  int64_t largest_alloc_size = 0;
  int64_t bytes_limit = 0;          // the most this allocator may hold (0: no limit)
  int64_t bytes_reserved = 0;       // memory taken from the device (regions), used or not
  std::string DebugString() const;  // "Limit: ... InUse: ... MaxInUse: ... NumAllocs: ..."
};

class Allocator {
 public:
  virtual ~Allocator() = default;
  virtual std::string Name() const = 0;
  // `bytes` of memory aligned to at least 256 bytes; throws Error(kResourceExhausted) with
  // the allocator's state when it cannot. Zero bytes gives a valid, unique pointer.
  virtual void* Allocate(size_t bytes) = 0;
  virtual void Deallocate(void* ptr) = 0;
  virtual AllocatorStats GetStats() const = 0;
  // A tensor buffer of this allocator's memory, freed back to it when the last Tensor drops it.
  std::shared_ptr<Buffer> AllocateBuffer(size_t bytes);
};

}  // namespace tg
