// One process-wide timer thread for step deadlines (RunOptions.timeoutInMs,
// operationTimeoutInMs): a blocked step holds no thread, so nothing else would notice.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace tg {

class Timer {
 public:
  using Clock = std::chrono::steady_clock;
  static Timer& Global();

  // Runs fn on the timer thread at `when` unless cancelled first. Returns an id for Cancel.
  int64_t Schedule(Clock::time_point when, std::function<void()> fn);
  // Forgets a scheduled callback (no effect once it ran or while it runs).
  void Cancel(int64_t id);

 private:
  Timer();  // never destroyed (see Global)
  [[noreturn]] void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<Clock::time_point, std::pair<int64_t, std::function<void()>>> queue_;
  std::map<int64_t, decltype(queue_)::iterator> by_id_;
  int64_t next_id_ = 1;
};

}  // namespace tg
