#include "runtime/threadpool.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <memory>

namespace tg {

ThreadPool::ThreadPool(int num_threads, std::function<void()> on_start) {
  for (int i = 0; i < std::max(1, num_threads); i++) {
    workers_.emplace_back([this, on_start] {
      if (on_start) on_start();
      WorkerLoop();
    });
  }
}

namespace {
thread_local int team_bound = 0;  // this thread's OpenMP team bound (0: never set)
thread_local int claims_here = 0;  // TeamClaims this thread holds (a nested one never waits)
struct FullTeam {
  std::mutex mu;
  std::condition_variable cv;
  bool taken = false;
};
FullTeam& full_team() {
  static FullTeam* t = new FullTeam();  // never destroyed: kernels may run during exit
  return *t;
}
}  // namespace

void ThreadPool::LimitOpenMpTeam(int n) {
  if (n != team_bound) {  // omp_set_num_threads is cheap, but steps call this often
    omp_set_num_threads(std::max(1, n));
    team_bound = n;
  }
}

// The process's one full team: taken by a TeamClaim (waiting for it when `wait`) or by a
// ParallelFor that fans out (never waiting). False when another thread has it.
static bool TakeFullTeam(bool wait) {
  FullTeam& t = full_team();
  std::unique_lock<std::mutex> lock(t.mu);
  if (t.taken && wait) t.cv.wait(lock, [&] { return !t.taken; });
  if (t.taken) return false;
  t.taken = true;
  return true;
}

static void ReleaseFullTeam() {
  FullTeam& t = full_team();
  {
    std::lock_guard<std::mutex> lock(t.mu);
    t.taken = false;
  }
  t.cv.notify_one();
}

ThreadPool::TeamClaim::TeamClaim(int64_t flops) {
  if (claims_here++ == 0 && flops >= kFanOutFlops && TakeFullTeam(flops >= kWaitFlops)) {
    full_ = true;
    return;
  }
  restore_ = team_bound > 0 ? team_bound : omp_get_max_threads();
  LimitOpenMpTeam(1);
}

ThreadPool::TeamClaim::~TeamClaim() {
  claims_here--;
  if (restore_) LimitOpenMpTeam(restore_);
  if (full_) ReleaseFullTeam();
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_) t.join();
}

int ThreadPool::DefaultThreads() { return std::max(1u, std::thread::hardware_concurrency()); }

void ThreadPool::Schedule(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(fn));
  }
  cv_.notify_one();
}

void ThreadPool::WorkerLoop() {
  for (;;) {
    std::function<void()> fn;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping
      fn = std::move(queue_.front());
      queue_.pop_front();
    }
    fn();
  }
}

void ThreadPool::ParallelFor(int64_t n, int64_t cost_per_unit, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  // About 10k cycles per block amortises the hand-off; never more blocks than 4 per thread.
  const int64_t min_block = std::max<int64_t>(1, 10000 / std::max<int64_t>(1, cost_per_unit));
  const int64_t max_blocks = static_cast<int64_t>(num_threads() + 1) * 4;
  const int64_t blocks = std::min(max_blocks, (n + min_block - 1) / min_block);
  // The caller works too: num_threads() - 1 helpers. While another thread's kernel has the
  // process's full team (see TeamClaim), its cores are busy: the loop runs here alone.
  if (blocks <= 1 || num_threads() <= 1 || claims_here > 0 || !TakeFullTeam(false)) {
    fn(0, n);
    return;
  }
  struct Release {
    ~Release() { ReleaseFullTeam(); }
  } release;
  const int64_t block = (n + blocks - 1) / blocks;
  struct Shared {
    std::atomic<int64_t> next{0};
    std::atomic<int64_t> done{0};
    std::mutex mu;
    std::condition_variable cv;
  };
  auto shared = std::make_shared<Shared>();
  auto work = [shared, block, blocks, n, &fn] {
    // The loop's threads count as holding a claim: a oneDNN call inside never waits for the
    // full team this loop holds.
    claims_here++;
    struct Unclaim {
      ~Unclaim() { claims_here--; }
    } unclaim;
    for (;;) {
      int64_t b = shared->next.fetch_add(1);
      if (b >= blocks) return;
      fn(b * block, std::min(n, (b + 1) * block));
      if (shared->done.fetch_add(1) + 1 == blocks) {
        std::lock_guard<std::mutex> lock(shared->mu);
        shared->cv.notify_all();
      }
    }
  };
  const int helpers = static_cast<int>(std::min<int64_t>(blocks - 1, num_threads() - 1));
  for (int i = 0; i < helpers; i++) Schedule(work);
  work();
  std::unique_lock<std::mutex> lock(shared->mu);
  shared->cv.wait(lock, [&] { return shared->done.load() == blocks; });
}

}  // namespace tg
