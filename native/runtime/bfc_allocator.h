// TF's best-fit-with-coalescing allocator over memory taken from a device in large regions.
// Chunks are carved from regions, kept in size-binned free lists, split on allocation and
// merged with free neighbours on release, so a training loop's steady allocation pattern
// never calls the device's (slow, synchronising) malloc after the first steps.
// With allow_growth it starts small and takes more regions as needed (doubling) up to its
// limit; without, it takes the whole limit in its first region. An allocation it cannot
// satisfy throws ResourceExhausted with its state (TF's "OOM when allocating ..." message).
// Pure host code: the device memory comes from a SubAllocator (cudaMalloc for a GPU), so
// it is tested with host memory here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "runtime/allocator.h"

namespace tg {

// Where regions come from (cudaMalloc / cudaFree for a GPU).
class SubAllocator {
 public:
  virtual ~SubAllocator() = default;
  // nullptr when the device has no more memory.
  virtual void* Alloc(size_t bytes) = 0;
  virtual void Free(void* ptr, size_t bytes) = 0;
};

class BFCAllocator : public Allocator {
 public:
  // total_memory: the most it may take from the device (TF's memory_limit).
  BFCAllocator(std::unique_ptr<SubAllocator> sub, size_t total_memory, bool allow_growth, std::string name);
  ~BFCAllocator() override;

  std::string Name() const override { return name_; }
  void* Allocate(size_t bytes) override;
  void Deallocate(void* ptr) override;
  AllocatorStats GetStats() const override;
  // Bytes of the chunk holding ptr (rounded size); 0 for pointers it does not own.
  size_t AllocatedSize(const void* ptr) const;

  static constexpr size_t kMinAllocationSize = 256;  // every chunk is a multiple of this

 private:
  struct Chunk;
  struct Region;
  // Implementation-defined members live in bfc_allocator.cc's Impl.
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string name_;
};

}  // namespace tg
