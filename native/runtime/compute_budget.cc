#include "runtime/compute_budget.h"

#include <algorithm>

#include "runtime/threadpool.h"

namespace tg {

namespace {
thread_local int held_on_this_thread = 0;
}  // namespace

ComputeBudget::ComputeBudget(int units) : units_(std::max(1, units)), free_(units_) {}

ComputeBudget& ComputeBudget::Process() {
  static auto* budget = new ComputeBudget(ThreadPool::DefaultThreads());  // never destroyed: used at exit
  return *budget;
}

void ComputeBudget::Acquire(int n) {
  n = std::min(std::max(1, n), units_);
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return free_ >= n; });
  free_ -= n;
}

void ComputeBudget::Release(int n) {
  n = std::min(std::max(1, n), units_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    free_ += n;
  }
  cv_.notify_all();
}

ComputeBudget::Hold::Hold(ComputeBudget* budget, int n) {
  if (budget == nullptr || held_on_this_thread > 0) return;
  budget->Acquire(n);
  budget_ = budget;
  n_ = n;
  held_on_this_thread++;
}

ComputeBudget::Hold::~Hold() {
  if (budget_ == nullptr) return;
  held_on_this_thread--;
  budget_->Release(n_);
}

}  // namespace tg
