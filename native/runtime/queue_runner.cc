#include "runtime/queue_runner.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <set>

namespace tg {

namespace {

bool HasCode(const std::vector<Code>& codes, Code c) { return std::find(codes.begin(), codes.end(), c) != codes.end(); }

// Runs a callable whose outcome does not matter (close and cancel ops: the queue may be
// closed already, the session may be gone).
void RunIgnoringErrors(SessionInterface& session, int64_t handle) {
  if (handle < 0) return;
  try {
    session.RunCallable(handle, {}, RunOptions{});
  } catch (...) {
  }
}

std::mutex registry_mu;
struct Registered {
  std::shared_ptr<RunnerThread> thread;
  const void* owner;
};
std::vector<Registered>& Threads() {
  static auto* v = new std::vector<Registered>();
  return *v;
}

}  // namespace

void RunnerGroup::RunEnqueueLoop(int64_t enqueue_handle, const std::shared_ptr<Coordinator>& coord) {
  while (!(coord && coord->ShouldStop())) {
    Error error(Code::kOk, "");
    try {
      session_->RunCallable(enqueue_handle, {}, RunOptions{});
      continue;
    } catch (const Error& e) {
      error = e;
    } catch (const std::exception& e) {
      error = Error(Code::kInternal, e.what());
    }
    // A closed session ends its runners silently (their steps were cancelled).
    if (session_->closed()) break;
    if (HasCode(closed_codes_, error.code())) {
      ThreadEnded(/*run_close=*/true);
      return;
    }
    if (coord) {
      coord->RequestStop(&error);
    } else {
      std::lock_guard<std::mutex> lock(mu_);
      exceptions_.push_back(error);
    }
    break;
  }
  ThreadEnded(/*run_close=*/false);
}

void RunnerGroup::ThreadEnded(bool run_close) {
  // The last enqueue thread to see its queue closed closes it for the consumers (TF runs
  // close_op under the runner's lock, so the count and the close are one step).
  std::lock_guard<std::mutex> lock(mu_);
  if (live_.fetch_sub(1) == 1 && run_close) RunIgnoringErrors(*session_, close_handle_);
}

void RunnerGroup::RunCloseOnStop(int64_t cancel_handle, const std::shared_ptr<Coordinator>& coord) {
  // Also watch the session: once it is closed there is nothing left to cancel.
  while (!coord->WaitForStop(100)) {
    if (session_->closed()) return;
  }
  if (!session_->closed()) RunIgnoringErrors(*session_, cancel_handle);
}

std::vector<Error> RunnerGroup::exceptions() const {
  std::lock_guard<std::mutex> lock(mu_);
  return exceptions_;
}

RunnerThread::~RunnerThread() {
  if (!thread_.joinable()) return;
  if (thread_.get_id() == std::this_thread::get_id()) {
    thread_.detach();
  } else {
    thread_.join();
  }
}

void RunnerThread::Start() {
  int expected = kNew;
  if (!state_.compare_exchange_strong(expected, kRunning)) {
    throw Error(Code::kFailedPrecondition, "threads can only be started once (thread " + name_ + ")");
  }
  thread_ = std::thread([this] {
    // Linux limits thread names to 15 characters: keep the end, which names the op.
    std::string os_name = name_.size() > 15 ? name_.substr(name_.size() - 15) : name_;
    pthread_setname_np(pthread_self(), os_name.c_str());
    body_();
    body_ = nullptr;  // drops the group, coordinator and session references now
    {
      std::lock_guard<std::mutex> lock(mu_);
      state_.store(kDone);
    }
    cv_.notify_all();
    StopOrExitSignal::Global().Notify();
  });
}

bool RunnerThread::Join(int64_t timeout_ms) {
  if (state_.load() == kNew) return true;
  std::unique_lock<std::mutex> lock(mu_);
  if (timeout_ms < 0) {
    cv_.wait(lock, [&] { return state_.load() == kDone; });
  } else if (!cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return state_.load() == kDone; })) {
    return false;
  }
  return true;
}

void RegisterRunnerThread(const std::shared_ptr<RunnerThread>& t, const void* owner) {
  std::vector<Registered> ended;  // destroyed after the lock, on this thread (never their own)
  std::lock_guard<std::mutex> lock(registry_mu);
  auto& v = Threads();
  for (auto it = v.begin(); it != v.end();) {
    if (it->thread->started() && !it->thread->IsAlive()) {
      ended.push_back(std::move(*it));
      it = v.erase(it);
    } else {
      ++it;
    }
  }
  v.push_back({t, owner});
}

void ShutdownRunnerThreads(const void* owner, int64_t timeout_ms) {
  StopAllCoordinators(owner);
  std::vector<std::shared_ptr<RunnerThread>> threads;
  {
    std::lock_guard<std::mutex> lock(registry_mu);
    auto& v = Threads();
    for (auto it = v.begin(); it != v.end();) {
      if (!owner || it->owner == owner) {
        threads.push_back(std::move(it->thread));
        it = v.erase(it);
      } else {
        ++it;
      }
    }
  }
  std::set<SessionInterface*> closed;
  for (auto& t : threads) {
    if (t->IsAlive() && t->session() && closed.insert(t->session().get()).second) t->session()->Close();
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (auto& t : threads) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (!t->Join(std::max<int64_t>(left, 0))) {
      // Still blocked after its session was closed: leave it rather than hang the exit.
      (void)new std::shared_ptr<RunnerThread>(t);  // never destroyed: ~RunnerThread would join
    }
  }
}

}  // namespace tg
