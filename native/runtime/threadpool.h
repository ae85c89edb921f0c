// A fixed pool of worker threads. Schedule() runs closures (the inter-op pool runs graph
// nodes); ParallelFor() splits a loop into blocks run by the workers and the caller (the
// intra-op pool inside kernels). The caller always works too, so nested use cannot deadlock.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace tg {

class ThreadPool {
 public:
  // `on_start` runs first on every worker (e.g. to set its OpenMP team size).
  explicit ThreadPool(int num_threads, std::function<void()> on_start = nullptr);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int num_threads() const { return static_cast<int>(workers_.size()); }
  void Schedule(std::function<void()> fn);

  // Calls fn(begin, end) over [0, n) in blocks; cost_per_unit (roughly cycles per element)
  // decides how many blocks are worth the scheduling overhead. Runs inline when small.
  void ParallelFor(int64_t n, int64_t cost_per_unit, const std::function<void(int64_t, int64_t)>& fn);

  // Number of hardware threads, at least 1.
  static int DefaultThreads();
  // Caps the OpenMP team that oneDNN starts from the calling thread at n threads (OpenMP's
  // team size is per thread): intraOpParallelismThreads bounds oneDNN as it bounds our kernels.
  static void LimitOpenMpTeam(int n);

  // Cores this process can use now: every core less the threads of other processes that
  // want one. A busy process beside us takes a core, and a team that counts on that core
  // waits at every barrier for its member sharing it (bench/train.ts --load 1 on 2 cores:
  // the CNN step at 44 ms with a team of two, 39 with one). Like OpenMP's OMP_DYNAMIC (which
  // uses the 1-minute load average, ours included) but from the kernel's counts now, averaged
  // over recent samples so a short-lived process does not narrow the teams (how: SampleLoad
  // in threadpool.cc). Sampled by TeamClaims that take the full team, at most every
  // kSampleMicros.
  static int CoresFree();
  static constexpr int64_t kSampleMicros = 4000;
  // Counts the calling thread among this process's runnable ones while alive (an executor
  // chain); Count() is how many are.
  class Running {
   public:
    Running();
    ~Running();
    Running(const Running&) = delete;
    Running& operator=(const Running&) = delete;
    static int Count();
  };

  // Held around each oneDNN call that may start an OpenMP team. The inter-op pool runs
  // independent GEMMs and convolutions at once, and two full teams on the same cores
  // oversubscribe them: a team's barrier waits for a descheduled member (worst when another
  // process takes a core; measured on 2 cores, two concurrent conv backprops took 2.3x their
  // time alone). So one call in the process at a time gets the team LimitOpenMpTeam allows,
  // or CoresFree() when that is fewer.
  // A call that finds that team taken waits for it when it is big (`flops` >= kWaitFlops:
  // one at a time with every core is as fast and keeps caches), and otherwise runs at once
  // with a team of one (small GEMMs side by side beat waking a team for each). A call below
  // kFanOutFlops always runs on its own thread: waking the sleeping OpenMP workers costs
  // ~50 µs here, more than such a call takes alone (MLP b50's 3 MFLOP GEMMs: 100 -> 30 µs,
  // its 23.5 MFLOP one 200 µs with two threads, 300 alone; break-even near 9 MFLOP).
  // A claim inside one that has the full team keeps that team (a kernel claims before it
  // looks up its cached primitive, and Execute claims again).
  class TeamClaim {
   public:
    static constexpr int64_t kWaitFlops = 100'000'000;
    static constexpr int64_t kFanOutFlops = 8'000'000;
    explicit TeamClaim(int64_t flops = kWaitFlops);
    ~TeamClaim();
    TeamClaim(const TeamClaim&) = delete;
    TeamClaim& operator=(const TeamClaim&) = delete;

   private:
    bool full_ = false;  // holds the process's one full team
    int restore_ = 0;    // the team bound to put back, when this claim narrowed it
  };

 private:
  void WorkerLoop();
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace tg
