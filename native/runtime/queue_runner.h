// QueueRunner threads (TF's queue_runner_impl.py) as native threads: each runs one enqueue
// callable of a session (in-process or grpc://) in a loop, without the JavaScript thread, so
// a synchronous training loop on the JS thread cannot starve its producers. A process-wide
// registry lets process teardown stop coordinators, close the sessions and join every thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "runtime/coordinator.h"
#include "runtime/session_interface.h"
#include "runtime/status.h"

namespace tg {

// The state one QueueRunner.createThreads call shares between its threads.
class RunnerGroup {
 public:
  RunnerGroup(std::shared_ptr<SessionInterface> session, int num_enqueue_threads, int64_t close_handle,
              std::vector<Code> closed_codes)
      : session_(std::move(session)), live_(num_enqueue_threads), close_handle_(close_handle),
        closed_codes_(std::move(closed_codes)) {}

  // The enqueue loop of one thread.
  void RunEnqueueLoop(int64_t enqueue_handle, const std::shared_ptr<Coordinator>& coord);
  // Waits for the coordinator's stop (or the session's close), then runs `cancel_handle`.
  void RunCloseOnStop(int64_t cancel_handle, const std::shared_ptr<Coordinator>& coord);

  // Enqueue threads not yet ended (TF's _runs_per_session): > 0 while the runner is active,
  // counting threads created but not started.
  int live() const { return live_.load(); }
  // Errors of threads that had no coordinator.
  std::vector<Error> exceptions() const;
  const std::shared_ptr<SessionInterface>& session() const { return session_; }

 private:
  void ThreadEnded(bool run_close);

  std::shared_ptr<SessionInterface> session_;
  std::atomic<int> live_;
  const int64_t close_handle_;  // < 0: none
  const std::vector<Code> closed_codes_;
  mutable std::mutex mu_;
  std::vector<Error> exceptions_;
};

// A native thread with TF's Thread surface: created idle, start(), isAlive(), join(timeout).
class RunnerThread {
 public:
  RunnerThread(std::string name, std::shared_ptr<SessionInterface> session, std::function<void()> body)
      : name_(std::move(name)), session_(std::move(session)), body_(std::move(body)) {}
  ~RunnerThread();

  const std::string& name() const { return name_; }
  const std::shared_ptr<SessionInterface>& session() const { return session_; }
  // Starts the thread; a second start is an error (as Python's Thread.start).
  void Start();
  bool started() const { return state_.load() != kNew; }
  bool IsAlive() const { return state_.load() == kRunning; }
  // Waits for the thread to end, at most `timeout_ms` (< 0: forever). Returns whether it
  // ended (a thread never started counts as ended, as Python's join would fail instead).
  bool Join(int64_t timeout_ms);

 private:
  enum State { kNew, kRunning, kDone };
  const std::string name_;
  std::shared_ptr<SessionInterface> session_;
  std::function<void()> body_;
  std::atomic<int> state_{kNew};
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
};

// Registers a started thread for teardown (weakly: a thread nobody references any more is
// still joined, since the registry holds it until it ended).
// `owner` is the binding's JS environment (null in C++ tests).
void RegisterRunnerThread(const std::shared_ptr<RunnerThread>& t, const void* owner = nullptr);
// Teardown of `owner` (null: everything): requests a stop on its coordinators, closes the
// session of each of its live runner threads, and joins the threads (all within
// `timeout_ms`; one that does not end in time is left running, never destroyed).
void ShutdownRunnerThreads(const void* owner, int64_t timeout_ms);

}  // namespace tg
