// Per-session state that outlives a run: variables, queues, readers, kept in named
// containers. Session.reset clears a container. Ops that create a resource (FIFOQueueV2,
// TFRecordReaderV2, ...) output a DT_RESOURCE handle naming it; ops that use it look it up.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/status.h"
#include "runtime/tensor.h"

namespace tg {

class Resource {
 public:
  virtual ~Resource() = default;
};

// A variable's state. Readers take a copy of `tensor` (sharing its buffer); writers replace
// it or, when no reader holds the buffer, update it in place.
class Var : public Resource {
 public:
  explicit Var(std::string name, Shape declared = {}, bool has_declared = false)
      : name(std::move(name)), declared_shape(std::move(declared)), has_declared_shape(has_declared) {}
  const std::string name;  // the VariableV2 node, for messages
  // The shape the graph declared (fully defined ones only): assignments must match it.
  const Shape declared_shape;
  const bool has_declared_shape;
  std::mutex mu;
  Tensor tensor;  // uninitialized until the first Assign

  // The current value; FailedPrecondition when the variable was never assigned.
  Tensor Read() {
    std::lock_guard<std::mutex> lock(mu);
    if (!tensor.initialized()) {
      throw Error(Code::kFailedPrecondition, "Attempting to use uninitialized value " + name, name);
    }
    return tensor;
  }
};

class ResourceMgr {
 public:
  static constexpr const char* kDefaultContainer = "localhost";
  // TF: a server's devices use the job name as their default container.
  explicit ResourceMgr(std::string default_container = kDefaultContainer)
      : default_container_(std::move(default_container)) {}
  const std::string& default_container() const { return default_container_; }

  // The resource `name` in `container` ("" means the default), created by `create` if absent.
  template <typename T>
  std::shared_ptr<T> LookupOrCreate(const std::string& container, const std::string& name,
                                    const std::function<std::shared_ptr<T>()>& create) {
    std::lock_guard<std::mutex> lock(mu_);
    auto& slot = containers_[container.empty() ? default_container_ : container][name];
    if (!slot) slot = create();
    auto typed = std::dynamic_pointer_cast<T>(slot);
    if (!typed) throw Error(Code::kInvalidArgument, "resource '" + name + "' has another type");
    return typed;
  }

  // The existing resource `name` in `container`; NotFound when absent (e.g. after
  // Session.reset), InvalidArgument when it has another type.
  template <typename T>
  std::shared_ptr<T> Lookup(const std::string& container, const std::string& name) {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string& c = container.empty() ? default_container_ : container;
    auto ci = containers_.find(c);
    if (ci == containers_.end() || !ci->second.count(name)) {
      throw Error(Code::kNotFound, "Resource " + c + "/" + name + " does not exist.");
    }
    auto typed = std::dynamic_pointer_cast<T>(ci->second[name]);
    if (!typed) throw Error(Code::kInvalidArgument, "resource '" + name + "' has another type");
    return typed;
  }

  // Drops containers (all of them when `names` is empty).
  void Clear(const std::vector<std::string>& names) {
    std::lock_guard<std::mutex> lock(mu_);
    if (names.empty()) {
      containers_.clear();
      return;
    }
    for (const auto& n : names) containers_.erase(n.empty() ? default_container_ : n);
  }

 private:
  const std::string default_container_;
  std::mutex mu_;
  std::map<std::string, std::map<std::string, std::shared_ptr<Resource>>> containers_;
};

// What a DT_RESOURCE tensor names: a resource of the session's ResourceMgr.
struct ResourceHandle {
  std::string container;  // "" is the default container
  std::string name;
};

// A scalar DT_RESOURCE tensor holding the handle (stored as "container\0name").
Tensor MakeResourceHandle(const std::string& container, const std::string& name);
// The handle in a DT_RESOURCE scalar; InvalidArgument (naming `node`) for anything else.
ResourceHandle GetResourceHandle(const Tensor& t, const std::string& node);

}  // namespace tg
