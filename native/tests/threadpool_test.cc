// ThreadPool: ParallelFor covers its range once, with the caller as one of its threads; the
// process's one full OpenMP team (TeamClaim): a second small call runs with a team of one, a
// second big call waits for the team, and a loop started while a kernel has it runs inline.
#include <gtest/gtest.h>
#include <omp.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "runtime/threadpool.h"

namespace tg {
namespace {

using namespace std::chrono_literals;

TEST(ThreadPool, ParallelForCoversTheRangeOnceOnTheCallerAndOneHelper) {
  ThreadPool pool(2);
  std::vector<std::atomic<int>> hits(10000);
  std::mutex mu;
  std::set<std::thread::id> threads;
  pool.ParallelFor(10000, 1000, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) hits[i]++;
    std::this_thread::sleep_for(2ms);  // let the helper take blocks too
    std::lock_guard<std::mutex> lock(mu);
    threads.insert(std::this_thread::get_id());
  });
  for (auto& h : hits) ASSERT_EQ(h.load(), 1);
  EXPECT_EQ(threads.size(), 2u) << "2 threads: the caller and one helper";
  EXPECT_TRUE(threads.count(std::this_thread::get_id()));
}

TEST(ThreadPool, OneFullTeamAtATime) {
  ThreadPool::LimitOpenMpTeam(2);
  std::promise<void> holding, release;
  std::shared_future<void> released = release.get_future().share();
  // A big call holds the team on another thread.
  std::thread holder([&] {
    ThreadPool::LimitOpenMpTeam(2);
    ThreadPool::TeamClaim big;
    EXPECT_EQ(omp_get_max_threads(), 2) << "alone: the full team";
    holding.set_value();
    released.wait();
  });
  holding.get_future().wait();
  {
    ThreadPool::TeamClaim small(1000);
    EXPECT_EQ(omp_get_max_threads(), 1) << "a small call beside it: a team of one";
  }
  EXPECT_EQ(omp_get_max_threads(), 2) << "the bound comes back after the claim";
  // A loop started now runs inline, in one piece on this thread.
  ThreadPool pool(2);
  int calls = 0;
  pool.ParallelFor(1000, 100000, [&](int64_t b, int64_t e) {
    calls++;
    EXPECT_EQ(b, 0);
    EXPECT_EQ(e, 1000);
  });
  EXPECT_EQ(calls, 1);
  // A big call waits until the holder lets go, then has the full team.
  std::atomic<bool> let_go{false};
  auto waiter = std::async(std::launch::async, [&] {
    ThreadPool::LimitOpenMpTeam(2);
    ThreadPool::TeamClaim big;
    EXPECT_TRUE(let_go.load()) << "got the team while another call held it";
    return omp_get_max_threads();
  });
  EXPECT_EQ(waiter.wait_for(50ms), std::future_status::timeout);
  let_go = true;
  release.set_value();
  holder.join();
  EXPECT_EQ(waiter.get(), 2);
  // Free again: a call worth fanning out gets the full team; a small one stays on its thread.
  {
    ThreadPool::TeamClaim medium(ThreadPool::TeamClaim::kFanOutFlops);
    EXPECT_EQ(omp_get_max_threads(), 2);
  }
  ThreadPool::TeamClaim small(1000);
  EXPECT_EQ(omp_get_max_threads(), 1);
}

// Cores' worth of CPU time the machine spent on other processes over `d`: /proc/stat's busy
// time less this process's own (-1 where /proc/stat cannot be read).
double OtherProcessesCores(std::chrono::milliseconds d) {
  auto busy_seconds = [] {
    std::ifstream stat("/proc/stat");
    std::string cpu;
    double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
    if (!(stat >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal)) return -1.0;
    return (user + nice + system + irq + softirq) / static_cast<double>(sysconf(_SC_CLK_TCK));
  };
  auto own_seconds = [] {
    rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  };
  const double busy0 = busy_seconds(), own0 = own_seconds();
  std::this_thread::sleep_for(d);
  const double busy1 = busy_seconds(), own1 = own_seconds();
  if (busy0 < 0 || busy1 < 0) return -1;
  return ((busy1 - busy0) - (own1 - own0)) / std::chrono::duration<double>(d).count();
}

// Threads of "another process" (these spinners are not executor chains, so they count as
// others) take cores: the full team shrinks to what is left, and grows back once they stop.
// Each claim runs a parallel region of busy work, as a GEMM would.
TEST(ThreadPool, FullTeamShrinksWhileOtherThreadsTakeCores) {
  const int cores = ThreadPool::DefaultThreads();
  if (cores < 2) GTEST_SKIP() << "needs 2 cores";
  std::atomic<bool> stop{false};
  std::vector<std::thread> spinners;
  for (int i = 0; i < cores - 1; i++) {
    spinners.emplace_back([&] {
      while (!stop.load(std::memory_order_relaxed)) {
      }
    });
  }
  ThreadPool::Running running;  // this thread counts as one of ours, as an executor chain
  auto team_after = [&](std::chrono::seconds within, int want) {
    ThreadPool::LimitOpenMpTeam(cores);
    const auto deadline = std::chrono::steady_clock::now() + within;
    int team = 0;
    do {
      ThreadPool::TeamClaim big;
      team = omp_get_max_threads();
#pragma omp parallel
      {
        const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(ThreadPool::kSampleMicros);
        while (std::chrono::steady_clock::now() < until) {
        }
      }
    } while (team != want && std::chrono::steady_clock::now() < deadline);
    return team;
  };
  EXPECT_EQ(team_after(5s, 1), 1) << cores - 1 << " spinners leave one core";
  EXPECT_EQ(ThreadPool::CoresFree(), 1);
  EXPECT_EQ(omp_get_max_threads(), cores) << "the bound comes back after the claim";
  EXPECT_EQ(team_after(1s, cores), 1) << "stays narrow while they spin";
  stop = true;
  for (auto& t : spinners) t.join();
  const int team = team_after(5s, cores);
  if (team != cores && OtherProcessesCores(1s) > 0.5) {
    GTEST_SKIP() << "other processes keep a core busy (a loaded machine): the team rightly stays narrow";
  }
  EXPECT_EQ(team, cores) << "every core again once they stop";
}

}  // namespace
}  // namespace tg
