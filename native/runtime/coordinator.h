// A stop flag shared by input-pipeline threads (TF's tf.train.Coordinator, native so that
// runner threads see a stop without the JavaScript thread). The first error requested with
// a stop is kept for the coordinator's owner to re-raise; "clean" codes (OutOfRange by
// default) stop without an error.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "runtime/status.h"

namespace tg {

class Coordinator {
 public:
  explicit Coordinator(std::vector<Code> clean_stop_codes = {Code::kOutOfRange});

  // Requests a stop. `error` is recorded only when it is the first request (TF: once a
  // stop was requested, later errors are dropped) and its code is not a clean one; `tag`
  // travels with it (the binding marks errors that came from JavaScript). Returns whether
  // the error was recorded.
  bool RequestStop(const Error* error = nullptr, int64_t tag = 0);
  bool ShouldStop() const { return stop_.load(std::memory_order_acquire); }
  // Waits until a stop is requested or `timeout_ms` passed (< 0: forever); returns ShouldStop().
  bool WaitForStop(int64_t timeout_ms);
  // Forgets the stop and the recorded error.
  void ClearStop();
  // The recorded error (null when none), and its tag.
  std::shared_ptr<const Error> error() const;
  int64_t error_tag() const;

 private:
  const std::vector<Code> clean_codes_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::shared_ptr<const Error> error_;
  int64_t error_tag_ = 0;
};

// Every live coordinator (weakly held) with its owner (the binding's JS environment), so
// the owner's teardown can stop them all.
void RegisterCoordinator(const std::shared_ptr<Coordinator>& coord, const void* owner = nullptr);
// Requests a stop on every live coordinator of `owner` (null: of every owner).
void StopAllCoordinators(const void* owner = nullptr);

// Called whenever some coordinator stops or a runner thread ends: waiters that watch
// several things at once (Coordinator.join over threads) wait on this.
class StopOrExitSignal {
 public:
  static StopOrExitSignal& Global();
  void Notify();
  // Waits until `pred()` holds or the deadline passes; returns pred().
  template <typename Pred>
  bool WaitUntil(Pred pred, int64_t timeout_ms);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t generation_ = 0;
};

template <typename Pred>
bool StopOrExitSignal::WaitUntil(Pred pred, int64_t timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    // pred() may take other locks: evaluate it outside ours, then wait for the next change.
    uint64_t gen = generation_;
    lock.unlock();
    if (pred()) return true;
    lock.lock();
    if (gen != generation_) continue;
    if (timeout_ms < 0) {
      cv_.wait(lock, [&] { return gen != generation_; });
    } else if (!cv_.wait_until(lock, deadline, [&] { return gen != generation_; })) {
      lock.unlock();
      return pred();
    }
  }
}

}  // namespace tg
