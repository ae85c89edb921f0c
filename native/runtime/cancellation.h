// Cancellation of a step (TF's CancellationManager). Work that waits (a parked dequeue, a
// reader waiting for a filename) registers a callback under a token; StartCancel (session
// close, a deadline, a failed node) runs every registered callback once with the reason.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

#include "runtime/status.h"

namespace tg {

class CancellationManager {
 public:
  using Token = int64_t;
  using Callback = std::function<void(const Error& reason)>;

  CancellationManager() = default;
  ~CancellationManager();  // waits for a StartCancel in progress
  CancellationManager(const CancellationManager&) = delete;
  CancellationManager& operator=(const CancellationManager&) = delete;

  Token NewToken();
  // Registers `cb` under `token`. Returns false (and registers nothing) when cancellation
  // has already started: the caller must then fail its work itself with reason().
  bool Register(Token token, Callback cb);
  // Removes the callback. Returns false when cancellation has started: the callback runs
  // (or ran) and may still be running on another thread, so it must find nothing to do
  // when the work has already been completed by someone else.
  bool Deregister(Token token);
  // Runs every registered callback once (outside the lock), in registration order. Later
  // calls do nothing. `reason` is kept: Cancelled for a closed session, DeadlineExceeded
  // for a timeout.
  void StartCancel(const Error& reason);
  bool IsCancelled() const;
  // Why the step was cancelled (valid once IsCancelled()).
  Error reason() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable done_cv_;
  std::atomic<bool> cancelled_{false};  // read without the lock by IsCancelled
  bool cancelling_ = false;  // callbacks are running
  Error reason_{Code::kCancelled, "Cancelled"};
  Token next_token_ = 0;
  std::map<Token, Callback> callbacks_;
};

}  // namespace tg
