#include "runtime/rendezvous.h"

#include <cinttypes>
#include <cstdio>

namespace tg {

std::string Rendezvous::KeyPrefix(const std::string& src_device, uint64_t src_incarnation, const std::string& dst_device,
                                  const std::string& tensor_name) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016" PRIx64, src_incarnation);  // TF's FpToString
  return src_device + ";" + hex + ";" + dst_device + ";" + tensor_name + ";";
}

std::string Rendezvous::KeyWithFrame(const std::string& prefix, uint64_t frame_id, int64_t iter_id) {
  return prefix + std::to_string(frame_id) + ":" + std::to_string(iter_id);
}

std::string Rendezvous::CreateKey(const std::string& src_device, uint64_t src_incarnation, const std::string& dst_device,
                                  const std::string& tensor_name, uint64_t frame_id, int64_t iter_id) {
  return KeyWithFrame(KeyPrefix(src_device, src_incarnation, dst_device, tensor_name), frame_id, iter_id);
}

bool Rendezvous::ParseKey(const std::string& key, ParsedKey* out) {
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    const size_t semi = key.find(';', start);
    parts.push_back(key.substr(start, semi == std::string::npos ? std::string::npos : semi - start));
    if (semi == std::string::npos) break;
    start = semi + 1;
  }
  if (parts.size() != 5 || parts[0].empty() || parts[2].empty() || parts[1].empty() || parts[1].size() > 16 ||
      parts[1].find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
    return false;
  }
  out->src_device = parts[0];
  out->src_incarnation = std::stoull(parts[1], nullptr, 16);
  out->dst_device = parts[2];
  return true;
}

Rendezvous::~Rendezvous() { Rendezvous::StartAbort(Error(Code::kAborted, "The step's rendezvous was destroyed")); }

void Rendezvous::Send(const std::string& key, RendezvousValue value) {
  DoneCallback waiter;
  {
    std::lock_guard<std::mutex> lock(mu_);
    status_.Check();
    Slot& slot = table_[key];
    if (slot.sent) throw Error(Code::kAborted, "Duplicated send: " + key);
    if (slot.waiters.empty()) {
      slot.sent = true;
      slot.value = std::move(value);
      return;
    }
    // Each key carries one value per step: the first receive takes it.
    waiter = std::move(slot.waiters.front());
    slot.waiters.erase(slot.waiters.begin());
    if (slot.waiters.empty()) table_.erase(key);
  }
  waiter(Status(), std::move(value));
}

void Rendezvous::RecvAsync(const std::string& key, DoneCallback done) { RecvLocalAsync(key, std::move(done)); }

void Rendezvous::RecvLocalAsync(const std::string& key, DoneCallback done) {
  Status status;
  RendezvousValue value;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (status_.ok()) {
      auto it = table_.find(key);
      if (it == table_.end() || !it->second.sent) {
        table_[key].waiters.push_back(std::move(done));
        return;
      }
      value = std::move(it->second.value);
      table_.erase(it);
    } else {
      status = status_;
    }
  }
  done(status, std::move(value));
}

void Rendezvous::StartAbort(const Error& error) {
  std::vector<DoneCallback> waiters;
  Status status;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (status_.ok()) status_ = error;
    status = status_;
    for (auto& [key, slot] : table_) {
      for (auto& w : slot.waiters) waiters.push_back(std::move(w));
    }
    table_.clear();
  }
  for (auto& w : waiters) w(status, RendezvousValue());
}

bool Rendezvous::aborted() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !status_.ok();
}

}  // namespace tg
