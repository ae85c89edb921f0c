// TF's BFC allocator (tensorflow/core/common_runtime/bfc_allocator.cc), simplified: chunks
// are kept in one address-ordered map (neighbours are map neighbours of the same region)
// and free chunks in 21 size bins ordered by (size, address), so the first fit found
// scanning bins upwards is the best fit, lowest address first.
#include "runtime/bfc_allocator.h"

#include <algorithm>
#include <array>
#include <limits>
#include <sstream>
#include <utility>

#include "runtime/status.h"

namespace tg {

namespace {

constexpr size_t kMin = BFCAllocator::kMinAllocationSize;
constexpr int kNumBins = 21;  // bin i: chunks of size >= 256 << i (the last one unbounded)
constexpr size_t kInitialGrowthBytes = size_t{2} << 20;

size_t RoundUp(size_t n) { return (n + kMin - 1) / kMin * kMin; }
size_t RoundDown(size_t n) { return n / kMin * kMin; }

int BinFor(size_t size) {
  size_t units = size / kMin;  // >= 1 for every chunk
  int bin = 0;
  while (units > 1 && bin < kNumBins - 1) {
    units >>= 1;
    ++bin;
  }
  return bin;
}

}  // namespace

struct BFCAllocator::Region {
  void* raw;         // what the SubAllocator returned (given back as is)
  size_t raw_bytes;  // what was asked of it
};

struct BFCAllocator::Chunk {
  size_t size;       // a multiple of kMinAllocationSize
  size_t requested;  // what the caller asked for (0 when free)
  bool in_use;
  size_t region;  // index into regions: chunks merge only with neighbours of the same region
};

struct BFCAllocator::Impl {
  std::unique_ptr<SubAllocator> sub;
  size_t limit;  // total_memory
  size_t curr_region_bytes;  // the next region's size before capping (doubles, as TF's)

  mutable std::mutex mu;
  std::vector<Region> regions;
  std::map<char*, Chunk> chunks;  // every chunk of every region, by address
  std::array<std::set<std::pair<size_t, char*>>, kNumBins> bins;  // free chunks: (size, ptr)
  AllocatorStats stats;

  void InsertFree(char* ptr, const Chunk& c) { bins[BinFor(c.size)].emplace(c.size, ptr); }
  void RemoveFree(char* ptr, const Chunk& c) { bins[BinFor(c.size)].erase({c.size, ptr}); }

  // The smallest free chunk of at least `rounded` bytes (lowest address among equals).
  std::map<char*, Chunk>::iterator FindFree(size_t rounded) {
    for (int b = BinFor(rounded); b < kNumBins; ++b) {
      auto it = bins[b].lower_bound({rounded, nullptr});
      if (it != bins[b].end()) return chunks.find(it->second);
    }
    return chunks.end();
  }

  bool TryAddRegion(size_t bytes) {
    void* raw = sub->Alloc(bytes);
    if (raw == nullptr) return false;
    // Regions should come 256-aligned (cudaMalloc's are); if not, use the aligned part.
    uintptr_t addr = reinterpret_cast<uintptr_t>(raw);
    size_t skip = (kMin - addr % kMin) % kMin;
    size_t usable = bytes > skip ? RoundDown(bytes - skip) : 0;
    regions.push_back({raw, bytes});
    stats.bytes_reserved += static_cast<int64_t>(bytes);
    if (usable > 0) {
      char* base = static_cast<char*>(raw) + skip;
      Chunk c{usable, 0, false, regions.size() - 1};
      chunks.emplace(base, c);
      InsertFree(base, c);
    }
    return true;
  }

  // Takes a region able to hold `rounded` bytes (TF's Extend); false when the limit or the
  // device refuses.
  bool Extend(size_t rounded) {
    size_t available = RoundDown(limit - std::min(limit, static_cast<size_t>(stats.bytes_reserved)));
    if (rounded > available) return false;
    bool increased = false;
    while (rounded > curr_region_bytes) {
      curr_region_bytes *= 2;
      increased = true;
    }
    size_t bytes = std::min(curr_region_bytes, available);
    bool ok = TryAddRegion(bytes);
    // The device has less than asked: retry with halves, down to what this request needs.
    while (!ok && bytes > rounded) {
      bytes = std::max(RoundUp(bytes / 2), rounded);
      ok = TryAddRegion(bytes);
    }
    if (!ok) return false;
    if (!increased) curr_region_bytes *= 2;
    return true;
  }

  // Marks `it` in use for `rounded` bytes, splitting off the rest as a free chunk.
  char* Use(std::map<char*, Chunk>::iterator it, size_t rounded, size_t requested) {
    char* ptr = it->first;
    Chunk& c = it->second;
    RemoveFree(ptr, c);
    if (c.size > rounded) {  // sizes are multiples of 256, so the rest is at least 256
      Chunk rest{c.size - rounded, 0, false, c.region};
      chunks.emplace(ptr + rounded, rest);
      InsertFree(ptr + rounded, rest);
      c.size = rounded;
    }
    c.in_use = true;
    c.requested = requested;
    stats.num_allocs += 1;
    stats.bytes_in_use += static_cast<int64_t>(c.size);
    stats.peak_bytes_in_use = std::max(stats.peak_bytes_in_use, stats.bytes_in_use);
    stats.largest_alloc_size = std::max(stats.largest_alloc_size, static_cast<int64_t>(c.size));
    return ptr;
  }

  // Frees the chunk at `it` and merges it with free neighbours of its region.
  void Release(std::map<char*, Chunk>::iterator it) {
    Chunk& c = it->second;
    c.in_use = false;
    c.requested = 0;
    stats.bytes_in_use -= static_cast<int64_t>(c.size);
    auto next = std::next(it);
    if (next != chunks.end() && !next->second.in_use && next->second.region == c.region) {
      RemoveFree(next->first, next->second);
      c.size += next->second.size;
      chunks.erase(next);
    }
    if (it != chunks.begin()) {
      auto prev = std::prev(it);
      if (!prev->second.in_use && prev->second.region == c.region) {
        RemoveFree(prev->first, prev->second);
        prev->second.size += c.size;
        chunks.erase(it);
        it = prev;
      }
    }
    InsertFree(it->first, it->second);
  }

  std::string BinSummary() const {
    std::ostringstream s;
    size_t free_total = 0, largest_free = 0;
    for (int b = 0; b < kNumBins; ++b) {
      if (bins[b].empty()) continue;
      size_t bytes = 0;
      for (const auto& [size, ptr] : bins[b]) bytes += size;
      free_total += bytes;
      largest_free = std::max(largest_free, bins[b].rbegin()->first);
      s << "\nBin (" << (kMin << b) << "): " << bins[b].size() << " free chunks, " << bytes << " bytes";
    }
    s << "\nRegions: " << regions.size() << ", chunks: " << chunks.size() << ", free: " << free_total
      << " bytes, largest free chunk: " << largest_free << " bytes";
    return s.str();
  }
};

BFCAllocator::BFCAllocator(std::unique_ptr<SubAllocator> sub, size_t total_memory, bool allow_growth, std::string name)
    : impl_(std::make_unique<Impl>()), name_(std::move(name)) {
  impl_->sub = std::move(sub);
  impl_->limit = total_memory;
  impl_->curr_region_bytes = allow_growth ? kInitialGrowthBytes : std::max(RoundDown(total_memory), kMin);
  impl_->stats.bytes_limit = static_cast<int64_t>(total_memory);
}

BFCAllocator::~BFCAllocator() {
  for (const Region& r : impl_->regions) impl_->sub->Free(r.raw, r.raw_bytes);
}

void* BFCAllocator::Allocate(size_t bytes) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  // bytes > limit also keeps RoundUp from overflowing.
  if (bytes <= impl_->limit && bytes <= std::numeric_limits<size_t>::max() - kMin) {
    size_t rounded = bytes == 0 ? kMin : RoundUp(bytes);  // 0 bytes: a unique 256-byte chunk
    auto it = impl_->FindFree(rounded);
    if (it == impl_->chunks.end() && impl_->Extend(rounded)) it = impl_->FindFree(rounded);
    if (it != impl_->chunks.end()) return impl_->Use(it, rounded, bytes);
  }
  const AllocatorStats& st = impl_->stats;
  throw Error(Code::kResourceExhausted,
              "OOM when allocating tensor of " + std::to_string(bytes) + " bytes on " + name_ +
                  ": the allocator could not find a free chunk (in use " + std::to_string(st.bytes_in_use) +
                  " of limit " + std::to_string(st.bytes_limit) + ")\n" + st.DebugString() + impl_->BinSummary());
}

void BFCAllocator::Deallocate(void* ptr) {
  if (ptr == nullptr) return;
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->chunks.find(static_cast<char*>(ptr));
  if (it == impl_->chunks.end() || !it->second.in_use) {
    std::ostringstream s;
    s << "BFCAllocator " << name_ << ": Deallocate of " << ptr
      << ", which it did not allocate or which was already freed";
    throw Error(Code::kInternal, s.str());
  }
  impl_->Release(it);
}

AllocatorStats BFCAllocator::GetStats() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->stats;
}

size_t BFCAllocator::AllocatedSize(const void* ptr) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->chunks.find(static_cast<char*>(const_cast<void*>(ptr)));
  return it != impl_->chunks.end() && it->second.in_use ? it->second.size : 0;
}

}  // namespace tg
