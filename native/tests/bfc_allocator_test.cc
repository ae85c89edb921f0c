// The BFC allocator over host memory: rounding and alignment, best fit, split and coalesce,
// growth, OOM, stats, threads, bad frees.
#include "runtime/bfc_allocator.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <thread>

#include "runtime/status.h"

namespace tg {
namespace {

constexpr size_t kKiB = 1024;
constexpr size_t kMiB = 1024 * 1024;

// What the fake device did; owned by the test so it outlives the allocator.
struct SubLog {
  std::vector<size_t> asked;    // every Alloc call's size, refused or not
  std::vector<size_t> granted;  // the sizes of the regions handed out, in order
  size_t outstanding = 0;       // bytes handed out and not freed
  size_t live_regions = 0;
  size_t cap = SIZE_MAX;  // refuse when outstanding would pass this
  size_t misalign = 0;    // hand out pointers this many bytes past a 256-aligned address
};

class FakeSub : public SubAllocator {
 public:
  explicit FakeSub(SubLog* log) : log_(log) {}
  void* Alloc(size_t bytes) override {
    log_->asked.push_back(bytes);
    if (bytes > log_->cap - std::min(log_->cap, log_->outstanding)) return nullptr;
    size_t total = (bytes + log_->misalign + 255) / 256 * 256;
    char* raw = static_cast<char*>(std::aligned_alloc(256, total));
    if (raw == nullptr) return nullptr;
    char* p = raw + log_->misalign;
    raw_[p] = raw;
    log_->granted.push_back(bytes);
    log_->outstanding += bytes;
    log_->live_regions += 1;
    return p;
  }
  void Free(void* ptr, size_t bytes) override {
    auto it = raw_.find(static_cast<char*>(ptr));
    ASSERT_NE(it, raw_.end());
    std::free(it->second);
    raw_.erase(it);
    log_->outstanding -= bytes;
    log_->live_regions -= 1;
  }

 private:
  SubLog* log_;
  std::map<char*, char*> raw_;
};

std::unique_ptr<BFCAllocator> Make(SubLog* log, size_t total, bool growth) {
  return std::make_unique<BFCAllocator>(std::make_unique<FakeSub>(log), total, growth, "test_bfc");
}

uintptr_t Addr(const void* p) { return reinterpret_cast<uintptr_t>(p); }

TEST(BFCAllocator, RoundsTo256AndAligns) {
  for (size_t misalign : {size_t{0}, size_t{64}}) {
    SubLog log;
    log.misalign = misalign;
    auto a = Make(&log, 1 * kMiB, false);
    std::vector<std::pair<size_t, size_t>> cases = {{1, 256}, {255, 256}, {256, 256}, {257, 512}, {1000, 1024}, {4096, 4096}};
    std::vector<void*> ptrs;
    for (auto [ask, want] : cases) {
      void* p = a->Allocate(ask);
      ASSERT_NE(p, nullptr);
      EXPECT_EQ(Addr(p) % 256, 0u) << ask;
      EXPECT_EQ(a->AllocatedSize(p), want) << ask;
      std::memset(p, 0xab, ask);  // the whole request is usable
      ptrs.push_back(p);
    }
    for (void* p : ptrs) a->Deallocate(p);
    EXPECT_EQ(a->GetStats().bytes_in_use, 0);
  }
}

TEST(BFCAllocator, SplitsFromTheRegionInAddressOrderAndReusesAFreedChunk) {
  SubLog log;
  auto a = Make(&log, 1 * kMiB, false);
  char* p1 = static_cast<char*>(a->Allocate(256));
  char* p2 = static_cast<char*>(a->Allocate(256));
  char* p3 = static_cast<char*>(a->Allocate(1000));
  EXPECT_EQ(p2, p1 + 256);
  EXPECT_EQ(p3, p2 + 256);
  a->Deallocate(p2);
  EXPECT_EQ(a->AllocatedSize(p2), 0u);
  EXPECT_EQ(a->Allocate(200), p2);  // the freed chunk, not the region's tail
  a->Deallocate(p3);
  EXPECT_EQ(a->Allocate(1000), p3);
  EXPECT_EQ(log.granted.size(), 1u);
}

TEST(BFCAllocator, BestFitPicksTheSmallestHoleThatFits) {
  SubLog log;
  auto a = Make(&log, 1 * kMiB, false);
  // Holes of 1 KiB, 4 KiB and 2 KiB, each fenced by an in-use chunk so they cannot merge.
  void* h1 = a->Allocate(1 * kKiB);
  a->Allocate(256);
  void* h4 = a->Allocate(4 * kKiB);
  a->Allocate(256);
  void* h2 = a->Allocate(2 * kKiB);
  a->Allocate(256);
  a->Deallocate(h1);
  a->Deallocate(h4);
  a->Deallocate(h2);
  EXPECT_EQ(a->Allocate(1536), h2);
  EXPECT_EQ(a->Allocate(3 * kKiB), h4);
  // 1 KiB: h1 and the rest of h4 fit exactly; the lower address wins.
  EXPECT_EQ(a->Allocate(1 * kKiB), h1);
  EXPECT_EQ(a->Allocate(512), static_cast<char*>(h2) + 1536);  // the rest of h2
}

TEST(BFCAllocator, FreedNeighboursCoalesce) {
  SubLog log;
  auto a = Make(&log, 1 * kMiB, false);
  // A, B, C fill the one region exactly: only merged chunks can serve larger requests.
  char* pa = static_cast<char*>(a->Allocate(256 * kKiB));
  char* pb = static_cast<char*>(a->Allocate(256 * kKiB));
  char* pc = static_cast<char*>(a->Allocate(512 * kKiB));
  EXPECT_EQ(pb, pa + 256 * kKiB);
  EXPECT_EQ(pc, pb + 256 * kKiB);
  a->Deallocate(pb);
  a->Deallocate(pa);  // merges with B (its next)
  EXPECT_EQ(a->Allocate(512 * kKiB), pa);
  EXPECT_EQ(log.granted.size(), 1u);
  a->Deallocate(pa);
  a->Deallocate(pc);  // merges with the A+B chunk (its prev): the whole region again
  EXPECT_EQ(a->Allocate(1 * kMiB), pa);
  EXPECT_EQ(log.granted.size(), 1u);
  EXPECT_EQ(log.asked.size(), 1u);
}

TEST(BFCAllocator, MergesAChunkWithBothNeighbours) {
  SubLog log;
  auto a = Make(&log, 768 * kKiB, false);
  char* p1 = static_cast<char*>(a->Allocate(256 * kKiB));
  char* p2 = static_cast<char*>(a->Allocate(256 * kKiB));
  char* p3 = static_cast<char*>(a->Allocate(256 * kKiB));
  a->Deallocate(p1);
  a->Deallocate(p3);
  a->Deallocate(p2);  // prev and next free: one chunk
  EXPECT_EQ(a->Allocate(768 * kKiB), p1);
}

TEST(BFCAllocator, WithoutGrowthTakesOneRegionOfTheLimit) {
  SubLog log;
  auto a = Make(&log, 16 * kMiB, false);
  EXPECT_EQ(a->GetStats().bytes_reserved, 0);  // nothing taken before the first allocation
  void* p = a->Allocate(1 * kKiB);
  ASSERT_EQ(log.granted.size(), 1u);
  EXPECT_EQ(log.granted[0], 16 * kMiB);
  EXPECT_EQ(a->GetStats().bytes_reserved, static_cast<int64_t>(16 * kMiB));
  EXPECT_EQ(a->GetStats().bytes_limit, static_cast<int64_t>(16 * kMiB));
  void* q = a->Allocate(15 * kMiB);
  EXPECT_EQ(log.granted.size(), 1u);
  a->Deallocate(p);
  a->Deallocate(q);
}

TEST(BFCAllocator, WithoutGrowthHalvesWhenTheDeviceHasLess) {
  SubLog log;
  log.cap = 5 * kMiB;
  auto a = Make(&log, 16 * kMiB, false);
  void* p = a->Allocate(1 * kKiB);
  EXPECT_EQ(log.asked, (std::vector<size_t>{16 * kMiB, 8 * kMiB, 4 * kMiB}));
  EXPECT_EQ(log.granted, (std::vector<size_t>{4 * kMiB}));
  void* q = a->Allocate(3 * kMiB);  // fits the 4 MiB region
  EXPECT_EQ(log.granted.size(), 1u);
  // 2 MiB more: the limit allows 12 MiB, the device only 1 MiB, so after halving down to
  // the 2 MiB needed it gives up.
  try {
    a->Allocate(2 * kMiB);
    FAIL() << "expected OOM";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Code::kResourceExhausted);
  }
  EXPECT_EQ(log.asked.back(), 2 * kMiB);
  EXPECT_EQ(log.granted.size(), 1u);
  // 1 MiB fits what the device has left: a second region.
  void* r = a->Allocate(1 * kMiB);
  EXPECT_EQ(log.granted.size(), 2u);
  EXPECT_EQ(a->GetStats().bytes_reserved, static_cast<int64_t>(5 * kMiB));
  a->Deallocate(p);
  a->Deallocate(q);
  a->Deallocate(r);
}

TEST(BFCAllocator, GrowthTakesDoublingRegionsAsNeeded) {
  SubLog log;
  auto a = Make(&log, 64 * kMiB, true);
  void* p1 = a->Allocate(1 * kMiB);
  EXPECT_EQ(log.granted, (std::vector<size_t>{2 * kMiB}));
  void* p2 = a->Allocate(1 * kMiB);  // the first region's rest
  EXPECT_EQ(log.granted.size(), 1u);
  void* p3 = a->Allocate(1 * kMiB);
  EXPECT_EQ(log.granted, (std::vector<size_t>{2 * kMiB, 4 * kMiB}));
  void* p4 = a->Allocate(5 * kMiB);  // 3 MiB left in the second: a third
  EXPECT_EQ(log.granted, (std::vector<size_t>{2 * kMiB, 4 * kMiB, 8 * kMiB}));
  EXPECT_EQ(a->GetStats().bytes_reserved, static_cast<int64_t>(14 * kMiB));
  // Chunks of different regions never merge, even when the regions happen to be adjacent.
  for (void* p : {p1, p2, p3, p4}) a->Deallocate(p);
  void* big = a->Allocate(8 * kMiB);
  EXPECT_EQ(log.granted.size(), 3u);
  EXPECT_EQ(a->AllocatedSize(big), 8 * kMiB);
  a->Deallocate(big);
}

TEST(BFCAllocator, GrowthCoversALargeFirstRequestAndStopsAtTheLimit) {
  SubLog log;
  auto a = Make(&log, 10 * kMiB, true);
  void* p = a->Allocate(3 * kMiB);  // 2 MiB doubles to 4 MiB to cover it
  EXPECT_EQ(log.granted, (std::vector<size_t>{4 * kMiB}));
  void* q = a->Allocate(2 * kMiB);  // 1 MiB left: next region 4 MiB (no doubling after a raise)
  EXPECT_EQ(log.granted, (std::vector<size_t>{4 * kMiB, 4 * kMiB}));
  void* r = a->Allocate(2 * kMiB);  // fits the second region's rest
  void* s = a->Allocate(1 * kMiB);  // fits the first region's rest
  EXPECT_EQ(log.granted.size(), 2u);
  void* t = a->Allocate(2 * kMiB);  // 8 MiB would pass the limit: capped at the 2 MiB left
  EXPECT_EQ(log.granted, (std::vector<size_t>{4 * kMiB, 4 * kMiB, 2 * kMiB}));
  EXPECT_EQ(a->GetStats().bytes_reserved, static_cast<int64_t>(10 * kMiB));
  EXPECT_THROW(a->Allocate(256), Error);
  EXPECT_EQ(log.granted.size(), 3u);
  for (void* x : {p, q, r, s, t}) a->Deallocate(x);
}

TEST(BFCAllocator, OomThrowsResourceExhaustedWithTheStats) {
  SubLog log;
  auto a = Make(&log, 1 * kMiB, false);
  void* p = a->Allocate(512 * kKiB);
  for (size_t ask : {size_t{2} * kMiB, size_t{600} * kKiB, SIZE_MAX, SIZE_MAX - 10}) {
    try {
      a->Allocate(ask);
      FAIL() << "expected OOM for " << ask;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Code::kResourceExhausted);
      std::string msg = e.what();
      EXPECT_NE(msg.find("OOM when allocating tensor of " + std::to_string(ask) + " bytes on test_bfc"), std::string::npos) << msg;
      EXPECT_NE(msg.find("(in use 524288 of limit 1048576)"), std::string::npos) << msg;
      EXPECT_NE(msg.find("Limit:"), std::string::npos) << msg;
      EXPECT_NE(msg.find("InUse:"), std::string::npos) << msg;
      EXPECT_NE(msg.find("free chunks"), std::string::npos) << msg;
    }
  }
  // Still usable afterwards.
  void* q = a->Allocate(512 * kKiB);
  EXPECT_EQ(a->GetStats().bytes_in_use, static_cast<int64_t>(1 * kMiB));
  a->Deallocate(p);
  a->Deallocate(q);
}

TEST(BFCAllocator, StatsAreExact) {
  SubLog log;
  auto a = Make(&log, 1 * kMiB, false);
  void* p = a->Allocate(1000);
  void* q = a->Allocate(3000);
  AllocatorStats s = a->GetStats();
  EXPECT_EQ(s.num_allocs, 2);
  EXPECT_EQ(s.bytes_in_use, 4096);
  EXPECT_EQ(s.peak_bytes_in_use, 4096);
  EXPECT_EQ(s.largest_alloc_size, 3072);
  a->Deallocate(p);
  void* r = a->Allocate(1);
  s = a->GetStats();
  EXPECT_EQ(s.num_allocs, 3);
  EXPECT_EQ(s.bytes_in_use, 3072 + 256);
  EXPECT_EQ(s.peak_bytes_in_use, 4096);
  EXPECT_EQ(s.largest_alloc_size, 3072);
  EXPECT_EQ(s.bytes_limit, static_cast<int64_t>(1 * kMiB));
  EXPECT_EQ(s.bytes_reserved, static_cast<int64_t>(1 * kMiB));
  a->Deallocate(q);
  a->Deallocate(r);
  EXPECT_EQ(a->GetStats().bytes_in_use, 0);
  EXPECT_EQ(a->GetStats().peak_bytes_in_use, 4096);
}

TEST(BFCAllocator, ZeroBytesGivesUniquePointers) {
  SubLog log;
  auto a = Make(&log, 1 * kMiB, false);
  void* p = a->Allocate(0);
  void* q = a->Allocate(0);
  ASSERT_NE(p, nullptr);
  ASSERT_NE(q, nullptr);
  EXPECT_NE(p, q);
  EXPECT_EQ(a->AllocatedSize(p), 256u);
  EXPECT_EQ(a->GetStats().bytes_in_use, 512);
  a->Deallocate(p);
  a->Deallocate(q);
  EXPECT_EQ(a->GetStats().bytes_in_use, 0);
}

TEST(BFCAllocator, BadFreesAreInternalErrors) {
  SubLog log;
  auto a = Make(&log, 1 * kMiB, false);
  a->Deallocate(nullptr);  // a no-op
  char* p = static_cast<char*>(a->Allocate(1024));
  int on_stack = 0;
  for (void* bad : {static_cast<void*>(&on_stack), static_cast<void*>(p + 256), static_cast<void*>(p + 1024)}) {
    try {
      a->Deallocate(bad);
      FAIL() << "expected an error";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Code::kInternal);
    }
  }
  EXPECT_EQ(a->AllocatedSize(&on_stack), 0u);
  a->Deallocate(p);
  try {
    a->Deallocate(p);  // twice
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Code::kInternal);
  }
  // Nothing was corrupted: the region is whole again.
  EXPECT_EQ(a->Allocate(1 * kMiB), p);
}

TEST(BFCAllocator, ConcurrentAllocateAndFreeStayConsistent) {
  SubLog log;
  auto a = Make(&log, 256 * kMiB, true);
  constexpr int kThreads = 4, kIters = 2000;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      std::vector<std::pair<unsigned char*, size_t>> held;
      for (int i = 0; i < kIters; ++i) {
        if (held.size() < 16 && (held.empty() || rng() % 3 != 0)) {
          size_t n = rng() % (64 * kKiB);
          auto* p = static_cast<unsigned char*>(a->Allocate(n));
          std::memset(p, t + 1, n);  // overlapping chunks would clobber another thread's mark
          held.emplace_back(p, n);
        } else {
          size_t k = rng() % held.size();
          auto [p, n] = held[k];
          for (size_t j = 0; j < n; ++j) {
            if (p[j] != t + 1) {
              failures++;
              break;
            }
          }
          a->Deallocate(p);
          held.erase(held.begin() + static_cast<long>(k));
        }
      }
      for (auto [p, n] : held) a->Deallocate(p);
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  AllocatorStats s = a->GetStats();
  EXPECT_EQ(s.bytes_in_use, 0);
  EXPECT_GT(s.num_allocs, 0);
  EXPECT_LE(s.peak_bytes_in_use, s.bytes_reserved);
  // Everything coalesced back: each region serves one allocation of its full size.
  std::vector<size_t> regions = log.granted;
  std::vector<void*> whole;
  for (size_t r : regions) whole.push_back(a->Allocate(r));
  EXPECT_EQ(log.granted.size(), regions.size());
  for (void* p : whole) a->Deallocate(p);
}

TEST(BFCAllocator, DestructorReturnsEveryRegion) {
  SubLog log;
  {
    auto a = Make(&log, 64 * kMiB, true);
    a->Allocate(3 * kMiB);
    a->Allocate(5 * kMiB);
    a->Allocate(100);
    EXPECT_GE(log.live_regions, 2u);
  }
  EXPECT_EQ(log.live_regions, 0u);
  EXPECT_EQ(log.outstanding, 0u);
}

}  // namespace
}  // namespace tg
