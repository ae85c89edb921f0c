#include "runtime/cancellation.h"

#include <vector>

namespace tg {

CancellationManager::~CancellationManager() {
  std::unique_lock<std::mutex> lock(mu_);
  done_cv_.wait(lock, [this] { return !cancelling_; });
}

CancellationManager::Token CancellationManager::NewToken() {
  std::lock_guard<std::mutex> lock(mu_);
  return next_token_++;
}

bool CancellationManager::Register(Token token, Callback cb) {
  std::lock_guard<std::mutex> lock(mu_);
  if (cancelled_) return false;
  callbacks_.emplace(token, std::move(cb));
  return true;
}

bool CancellationManager::Deregister(Token token) {
  std::lock_guard<std::mutex> lock(mu_);
  if (cancelled_) return false;
  callbacks_.erase(token);
  return true;
}

void CancellationManager::StartCancel(const Error& reason) {
  std::map<Token, Callback> callbacks;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (cancelled_) return;
    cancelled_ = true;
    cancelling_ = true;
    reason_ = reason;
    callbacks.swap(callbacks_);
  }
  for (auto& [token, cb] : callbacks) cb(reason);
  std::lock_guard<std::mutex> lock(mu_);
  cancelling_ = false;
  done_cv_.notify_all();
}

bool CancellationManager::IsCancelled() const { return cancelled_.load(std::memory_order_acquire); }

Error CancellationManager::reason() const {
  std::lock_guard<std::mutex> lock(mu_);
  return reason_;
}

}  // namespace tg
