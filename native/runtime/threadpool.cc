#include "runtime/threadpool.h"

#include <fcntl.h>
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
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
thread_local bool full_here = false;  // one of them has the full team
struct FullTeam {
  std::mutex mu;
  std::condition_variable cv;
  bool taken = false;
};
FullTeam& full_team() {
  static FullTeam* t = new FullTeam();  // never destroyed: kernels may run during exit
  return *t;
}

std::atomic<int> running{0};       // threads inside a ThreadPool::Running
std::atomic<int> team_waiters{0};  // of those, the ones asleep waiting for the full team
// Other processes' runnable threads, a moving average in 1/256ths (updated by one sampler
// at a time), and when it was last sampled.
std::atomic<int> others_avg{0};
std::atomic<int64_t> last_sample{0};
std::atomic_flag sampling = ATOMIC_FLAG_INIT;

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The number starting the `field`-th (from 0) space-separated field of a /proc file kept
// open as `fd` (pread re-reads it from the start); -1 where there is no such file or field.
int64_t ProcField(int fd, int field) {
  if (fd < 0) return -1;
  char buf[128];
  const ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
  if (n <= 0) return -1;
  buf[n] = 0;
  const char* p = buf;
  for (int i = 0; i < field && p; i++) {
    p = std::strchr(p, ' ');
    if (p) p++;
  }
  return p ? std::atoll(p) : -1;
}

// The kernel's count of runnable threads now (the 4th field of /proc/loadavg, "R/total"),
// this one included; -1 where there is no such file.
int RunnableThreads() {
  static const int fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
  return static_cast<int>(ProcField(fd, 3));
}

// This thread's time runnable but waiting for a core since it started (ns, the second field
// of /proc/thread-self/schedstat); -1 where the kernel does not say.
int64_t RunDelayNanos() {
  struct File {
    int fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
    ~File() {
      if (fd >= 0) close(fd);
    }
  };
  thread_local File f;
  return ProcField(f.fd, 1);
}

// Called by the thread that just took the full team, before it narrows it; `team` is the
// team it would have. Two estimates of other processes' runnable threads, each where the
// other fails:
// - running a team of one: the kernel's runnable count less this process's executor chains
//   (less those asleep waiting for the team). No team member of ours is about.
// - running a wider team: that count also holds team members still on their way to sleep
//   after the last parallel region (about half the samples on a quiet machine), so instead
//   the share of the last interval this thread spent waiting for a core, times the cores:
//   with a team of two and one busy process on 2 cores, each of the three waits about a
//   third of the time. (A team of one beside that process never waits, so this estimate
//   alone would widen the team again.)
void SampleLoad(int team) {
  static const int cores = ThreadPool::DefaultThreads();
  thread_local int64_t last_wall = 0, last_delay = -1;  // this thread's previous sample
  const int64_t now = NowMicros();
  if (now - last_sample.load(std::memory_order_relaxed) < ThreadPool::kSampleMicros) return;
  if (sampling.test_and_set(std::memory_order_acquire)) return;
  last_sample.store(now, std::memory_order_relaxed);
  double others = -1;
  if (team <= 1) {
    const int all = RunnableThreads();
    if (all >= 0) others = std::max(0, all - std::max(1, running.load() - team_waiters.load()));
  } else {
    const int64_t delay = RunDelayNanos();
    if (delay >= 0 && last_delay >= 0 && now > last_wall) {
      others = std::min<double>(cores, cores * (delay - last_delay) / 1e3 / static_cast<double>(now - last_wall));
    }
    last_wall = now;
    last_delay = delay;
  }
  if (others >= 0) {
    const int avg = others_avg.load(std::memory_order_relaxed);
    others_avg.store(avg + (static_cast<int>(others * 256) - avg) / 8, std::memory_order_relaxed);  // weight 1/8
  }
  sampling.clear(std::memory_order_release);
}
}  // namespace

int ThreadPool::CoresFree() {
  static const int cores = DefaultThreads();
  const int others = (others_avg.load(std::memory_order_relaxed) + 128) / 256;  // rounded
  return std::max(1, cores - others);
}

ThreadPool::Running::Running() { running.fetch_add(1, std::memory_order_relaxed); }
ThreadPool::Running::~Running() { running.fetch_sub(1, std::memory_order_relaxed); }
int ThreadPool::Running::Count() { return running.load(std::memory_order_relaxed); }

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
  if (t.taken && wait) {
    team_waiters.fetch_add(1, std::memory_order_relaxed);
    t.cv.wait(lock, [&] { return !t.taken; });
    team_waiters.fetch_sub(1, std::memory_order_relaxed);
  }
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
  if (full_here) {  // inside a claim that has the full team: keep its team
    claims_here++;
    return;
  }
  const int bound = team_bound > 0 ? team_bound : omp_get_max_threads();
  if (claims_here++ == 0 && flops >= kFanOutFlops && TakeFullTeam(flops >= kWaitFlops)) {
    full_ = full_here = true;
    SampleLoad(std::min(bound, CoresFree()));
    const int team = std::min(bound, CoresFree());
    if (team == bound) return;
    restore_ = bound;
    LimitOpenMpTeam(team);
    return;
  }
  restore_ = bound;
  LimitOpenMpTeam(1);
}

ThreadPool::TeamClaim::~TeamClaim() {
  claims_here--;
  if (restore_) LimitOpenMpTeam(restore_);
  if (full_) {
    full_here = false;
    ReleaseFullTeam();
  }
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
  // The caller works too: num_threads() - 1 helpers, fewer when other processes take cores
  // (CoresFree). While another thread's kernel has the process's full team (see TeamClaim),
  // its cores are busy: the loop runs here alone.
  if (blocks <= 1 || num_threads() <= 1 || claims_here > 0 || CoresFree() <= 1 || !TakeFullTeam(false)) {
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
  const int helpers = static_cast<int>(std::min<int64_t>(blocks, std::min(num_threads(), CoresFree())) - 1);
  for (int i = 0; i < helpers; i++) Schedule(work);
  work();
  std::unique_lock<std::mutex> lock(shared->mu);
  shared->cv.wait(lock, [&] { return shared->done.load() == blocks; });
}

}  // namespace tg
