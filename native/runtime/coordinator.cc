#include "runtime/coordinator.h"

#include <algorithm>
#include <chrono>

namespace tg {

namespace {
std::mutex registry_mu;
struct Registered {
  std::weak_ptr<Coordinator> coord;
  const void* owner;
};
std::vector<Registered>& Coordinators() {
  static auto* v = new std::vector<Registered>();
  return *v;
}
}  // namespace

Coordinator::Coordinator(std::vector<Code> clean_stop_codes) : clean_codes_(std::move(clean_stop_codes)) {}

bool Coordinator::RequestStop(const Error* error, int64_t tag) {
  bool recorded = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_.load()) return false;
    if (error && std::find(clean_codes_.begin(), clean_codes_.end(), error->code()) == clean_codes_.end() && !error_) {
      error_ = std::make_shared<const Error>(*error);
      error_tag_ = tag;
      recorded = true;
    }
    stop_.store(true, std::memory_order_release);
  }
  cv_.notify_all();
  StopOrExitSignal::Global().Notify();
  return recorded;
}

bool Coordinator::WaitForStop(int64_t timeout_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  if (timeout_ms < 0) {
    cv_.wait(lock, [&] { return stop_.load(); });
  } else {
    cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return stop_.load(); });
  }
  return stop_.load();
}

void Coordinator::ClearStop() {
  std::lock_guard<std::mutex> lock(mu_);
  stop_.store(false, std::memory_order_release);
  error_.reset();
  error_tag_ = 0;
}

std::shared_ptr<const Error> Coordinator::error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

int64_t Coordinator::error_tag() const {
  std::lock_guard<std::mutex> lock(mu_);
  return error_tag_;
}

void RegisterCoordinator(const std::shared_ptr<Coordinator>& coord, const void* owner) {
  std::lock_guard<std::mutex> lock(registry_mu);
  auto& v = Coordinators();
  v.erase(std::remove_if(v.begin(), v.end(), [](const Registered& r) { return r.coord.expired(); }), v.end());
  v.push_back({coord, owner});
}

void StopAllCoordinators(const void* owner) {
  std::vector<std::shared_ptr<Coordinator>> live;
  {
    std::lock_guard<std::mutex> lock(registry_mu);
    for (auto& r : Coordinators()) {
      if (owner && r.owner != owner) continue;
      if (auto c = r.coord.lock()) live.push_back(std::move(c));
    }
  }
  for (auto& c : live) c->RequestStop();
}

StopOrExitSignal& StopOrExitSignal::Global() {
  static auto* s = new StopOrExitSignal();
  return *s;
}

void StopOrExitSignal::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    generation_++;
  }
  cv_.notify_all();
}

}  // namespace tg
