#include "runtime/timer.h"

#include <thread>

namespace tg {

Timer& Timer::Global() {
  static Timer* timer = new Timer();  // never destroyed: steps may end during static destruction
  return *timer;
}

Timer::Timer() { std::thread([this] { Loop(); }).detach(); }

int64_t Timer::Schedule(Clock::time_point when, std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t id = next_id_++;
  by_id_[id] = queue_.emplace(when, std::make_pair(id, std::move(fn)));
  cv_.notify_one();
  return id;
}

void Timer::Cancel(int64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return;
  queue_.erase(it->second);
  by_id_.erase(it);
}

void Timer::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (queue_.empty()) {
      cv_.wait(lock);
      continue;
    }
    auto first = queue_.begin();
    if (Clock::now() < first->first) {
      cv_.wait_until(lock, first->first);
      continue;
    }
    std::function<void()> fn = std::move(first->second.second);
    by_id_.erase(first->second.first);
    queue_.erase(first);
    lock.unlock();
    fn();
    lock.lock();
  }
}

}  // namespace tg
