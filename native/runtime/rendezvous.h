// A step's rendezvous (TF's IntraProcessRendezvous): where a partition's _Send leaves a value
// and another partition's _Recv takes it, keyed by TF's key string. Send and RecvAsync may
// come in either order; a receive never holds a thread while it waits. StartAbort (the step's
// cancellation: a failed node, session close, a deadline) fails every pending and later
// receive, so no _Recv of a failed step waits forever.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/status.h"
#include "runtime/tensor.h"

namespace tg {

class Device;

struct RendezvousValue {
  Tensor tensor;
  bool is_dead = false;      // the sender's value was dead (an untaken tf.cond branch)
  Device* memory = nullptr;  // whose memory the tensor is in (null: host memory)
};

class Rendezvous {
 public:
  using DoneCallback = std::function<void(const Status& status, RendezvousValue value)>;

  // TF's Rendezvous::CreateKey: "src_device;hex16(src_incarnation);dst_device;tensor_name;frame_id:iter_id".
  static std::string CreateKey(const std::string& src_device, uint64_t src_incarnation, const std::string& dst_device,
                               const std::string& tensor_name, uint64_t frame_id, int64_t iter_id);
  // The first three fields and the name, for kernels that add the frame and iteration per step.
  static std::string KeyPrefix(const std::string& src_device, uint64_t src_incarnation, const std::string& dst_device,
                               const std::string& tensor_name);
  static std::string KeyWithFrame(const std::string& prefix, uint64_t frame_id, int64_t iter_id);
  // TF's Rendezvous::ParseKey, the parts a worker checks (that it is the sender, and the same
  // incarnation of it). False when `key` does not have the five fields.
  struct ParsedKey {
    std::string src_device;
    uint64_t src_incarnation = 0;
    std::string dst_device;
  };
  static bool ParseKey(const std::string& key, ParsedKey* out);

  Rendezvous() = default;
  virtual ~Rendezvous();  // pending receives are failed (Aborted): their callbacks run here
  Rendezvous(const Rendezvous&) = delete;
  Rendezvous& operator=(const Rendezvous&) = delete;

  // Leaves a value under `key`, or hands it to a waiting receive (whose callback runs on
  // this thread, outside the lock). Throws the abort status after StartAbort, and Aborted
  // when the key was already sent in this step (TF's "Duplicated send").
  void Send(const std::string& key, RendezvousValue value);
  // Calls done once, with the value as soon as it is sent (maybe at once, on this thread),
  // or with the abort status.
  // A server's step rendezvous overrides it: a key sent from another task is asked of that
  // task (RecvTensor).
  virtual void RecvAsync(const std::string& key, DoneCallback done);
  // The local receive (what a remote task's RecvTensor is answered from).
  void RecvLocalAsync(const std::string& key, DoneCallback done);
  // Fails all pending receives with `status` and makes later Sends and receives fail with it.
  // The first status is kept.
  virtual void StartAbort(const Error& status);
  bool aborted() const;

 private:
  struct Slot {
    bool sent = false;  // `value` holds a value no receive took yet
    RendezvousValue value;
    std::vector<DoneCallback> waiters;  // receives that came first (in order)
  };
  mutable std::mutex mu_;
  Status status_;
  std::unordered_map<std::string, Slot> table_;
};

}  // namespace tg
