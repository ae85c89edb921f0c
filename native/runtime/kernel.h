// Kernels: the code that runs one node on one device. Each kernel class is registered for
// an (op type, device type, dtype) key; the executor creates one instance per node when it
// builds, and calls Compute() once per step (possibly from several runs at once: Compute
// must not mutate the kernel). Kernels that wait (queues, readers) are AsyncOpKernels: they
// hold no thread while waiting and call `done` when finished.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <string>
#include <vector>

#include "runtime/cancellation.h"
#include "runtime/device.h"
#include "runtime/graph.h"
#include "runtime/rendezvous.h"
#include "runtime/resource_mgr.h"
#include "runtime/status.h"
#include "runtime/tensor.h"

namespace tg {

class ThreadPool;

// What a kernel sees at construction: its node (attrs) and device.
struct KernelConstruction {
  const Node& node;
  Device* device;
};

// Per-step state shared by all kernels of a run.
struct StepState {
  explicit StepState(std::shared_ptr<CancellationManager> cm = std::make_shared<CancellationManager>())
      : cancellation(std::move(cm)) {}
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  // Cancels the step's waiting kernels (session close, deadline, a failed node). Shared:
  // the session holds it while the step is in flight.
  std::shared_ptr<CancellationManager> cancellation;
  // Where this step's _Send/_Recv kernels meet (runtime/rendezvous.h); null for a step that
  // runs on one device only.
  std::shared_ptr<Rendezvous> rendezvous;
  // Values a while loop saves per iteration for its gradient loop (LoopAccumulatorPush/Pop),
  // by accumulator name, then iteration index. They live for this step only.
  struct Accumulator {
    std::vector<Tensor> values;
    std::vector<char> state;  // per iteration: 0 not saved, 1 saved, 2 saved as dead
  };
  std::mutex accumulators_mu;
  std::unordered_map<std::string, Accumulator> accumulators;

  // Where string records came from: a reader registers the keys ("<file>:<line>") of the
  // values it produced in this step, by the values' buffer, so a parse error further down the
  // step (DecodeCSV) can name the file and line.
  void RecordKeys(const Tensor& values, std::vector<std::string> keys) {
    std::lock_guard<std::mutex> lock(record_keys_mu);
    record_keys.emplace_back(values.buffer(), std::move(keys));
  }
  // The key of element i of `values`, "" when they do not come from a reader of this step.
  std::string KeyOf(const Tensor& values, int64_t i) {
    std::lock_guard<std::mutex> lock(record_keys_mu);
    for (const auto& [buffer, keys] : record_keys) {
      if (buffer.lock() == values.buffer() && i >= 0 && i < static_cast<int64_t>(keys.size())) return keys[i];
    }
    return "";
  }
  std::mutex record_keys_mu;
  std::vector<std::pair<std::weak_ptr<Buffer>, std::vector<std::string>>> record_keys;
};

class OpKernelContext {
 public:
  OpKernelContext(const Node& node, Device* device, ResourceMgr* resources, StepState* step,
                  std::vector<Tensor>* inputs, std::vector<std::shared_ptr<Var>>* ref_inputs, std::vector<Tensor>* outputs,
                  std::vector<std::shared_ptr<Var>>* ref_outputs)
      : node_(node), device_(device), resources_(resources), step_(step), inputs_(inputs), refs_(ref_inputs),
        outputs_(outputs), ref_outputs_(ref_outputs) {}

  const Node& node() const { return node_; }
  Device* device() const { return device_; }
  ResourceMgr* resources() const { return resources_; }
  ThreadPool* intra_op() const { return device_->intra_op; }
  StepState* step() const { return step_; }
  CancellationManager* cancellation_manager() const { return step_->cancellation.get(); }

  int num_inputs() const { return static_cast<int>(inputs_->size()); }
  const Tensor& input(int i) const { return (*inputs_)[i]; }
  // The variable behind a reference input (kernels that declare RefInputs()).
  Var* ref_input(int i) const { return (*refs_)[i].get(); }
  const std::shared_ptr<Var>& ref_input_ptr(int i) const { return (*refs_)[i]; }

  int num_outputs() const { return static_cast<int>(outputs_->size()); }
  void set_output(int i, Tensor t) { (*outputs_)[i] = std::move(t); }
  // An output in the memory the executor expects it in: the device's for a GPU kernel's
  // device-memory outputs, host memory otherwise.
  Tensor& allocate_output(int i, DataType dtype, Shape shape) {
    (*outputs_)[i] = output_on_device(i) ? AllocateOnDevice(dtype, std::move(shape)) : Tensor(dtype, std::move(shape));
    return (*outputs_)[i];
  }
  // TF's forward_input_or_allocate_output: output `out` takes over the buffer of the first
  // input in `candidates` that could be it (same dtype and shape, host memory nobody else
  // holds: this node is the value's last reader, and it is no feed, fetch, constant or
  // variable), else gets a new one. For element-wise kernels, which may write each result
  // over the input element it came from.
  Tensor& forward_input_or_allocate_output(std::initializer_list<int> candidates, int out, DataType dtype,
                                           const Shape& shape) {
    if (!output_on_device(out)) {
      for (int in : candidates) {
        if ((*inputs_)[in].CanForwardAs(dtype, shape)) return (*outputs_)[out] = (*inputs_)[in];
      }
    }
    return allocate_output(out, dtype, shape);
  }
  // Scratch memory (a GPU kernel's workspace) of this kernel's device, freed when dropped.
  Tensor allocate_temp(DataType dtype, Shape shape) const {
    return device_->has_device_memory() ? AllocateOnDevice(dtype, std::move(shape)) : Tensor(dtype, std::move(shape));
  }
  // Which outputs live in device memory (set by the executor for kernels on GPU devices).
  void set_output_memory(const std::vector<char>* on_device) { out_on_device_ = on_device; }
  bool output_on_device(int i) const { return out_on_device_ && (*out_on_device_)[i]; }
  // Dead tensors (tf.cond): a Switch marks its untaken output dead; nodes fed a dead input
  // do not run and their outputs are dead too, except Merge, which takes its live input.
  void set_dead_state(const std::vector<char>* dead_inputs, std::vector<char>* dead_outputs) {
    dead_inputs_ = dead_inputs;
    dead_outputs_ = dead_outputs;
  }
  bool input_is_dead(int i) const { return dead_inputs_ && (*dead_inputs_)[i]; }
  // Transfer kernels (_Send) run even when their node is dead, to pass the deadness on.
  void set_node_dead(bool dead) { node_dead_ = dead; }
  bool is_node_dead() const { return node_dead_; }
  // The frame instance and iteration the node runs in (TF's FrameAndIter, part of a
  // rendezvous key): 0:0 in the root frame.
  void set_frame_iter(uint64_t frame_id, int64_t iter_id) {
    frame_id_ = frame_id;
    iter_id_ = iter_id;
  }
  uint64_t frame_id() const { return frame_id_; }
  int64_t iter_id() const { return iter_id_; }
  Rendezvous* rendezvous() const { return step_->rendezvous.get(); }
  void set_output_dead(int i) { (*dead_outputs_)[i] = 1; }

  // A reference output: consumers get the variable itself, or its value when they read.
  void set_ref_output(int i, std::shared_ptr<Var> var) { (*ref_outputs_)[i] = std::move(var); }
  // Outputs may alias inputs (identity, reshape): the buffer is shared, not copied.
  void forward_input(int in, int out) { (*outputs_)[out] = (*inputs_)[in]; }

  // An InvalidArgument error naming this node.
  Error InvalidArg(const std::string& msg) const { return Error(Code::kInvalidArgument, msg, node_.name); }

  // How an asynchronous kernel reports failure: set the error, then call done. The first
  // error is kept. (Synchronous kernels throw Error instead.)
  void SetStatus(const Status& s) {
    if (!s.ok() && status_.ok()) status_ = s;
  }
  const Status& status() const { return status_; }

 private:
  const Node& node_;
  Device* device_;
  ResourceMgr* resources_;
  StepState* step_;
  std::vector<Tensor>* inputs_;
  std::vector<std::shared_ptr<Var>>* refs_;
  std::vector<Tensor>* outputs_;
  std::vector<std::shared_ptr<Var>>* ref_outputs_;
  const std::vector<char>* dead_inputs_ = nullptr;
  std::vector<char>* dead_outputs_ = nullptr;
  const std::vector<char>* out_on_device_ = nullptr;
  Status status_;
  bool node_dead_ = false;
  uint64_t frame_id_ = 0;
  int64_t iter_id_ = 0;

  Tensor AllocateOnDevice(DataType dtype, Shape shape) const;
};

class AsyncOpKernel;

class OpKernel {
 public:
  explicit OpKernel(const KernelConstruction& c, int num_outputs = 1) : node_(c.node), num_outputs_(num_outputs) {}
  virtual ~OpKernel() = default;

  virtual void Compute(OpKernelContext* ctx) const = 0;
  // Cheap kernels run inline on the thread that made them ready instead of being scheduled.
  virtual bool IsExpensive() const { return true; }
  // Runs even when some inputs are dead (Merge); other kernels are skipped then.
  virtual bool AcceptsDeadInputs() const { return false; }
  // _Send/_Recv: run even when dead (the executor sets ctx->is_node_dead()), as deadness
  // must cross to the other partition.
  virtual bool IsTransfer() const { return false; }
  // Indices of inputs taken by reference (the variable itself, not its value).
  virtual std::vector<int> RefInputs() const { return {}; }
  // Non-null for kernels that complete asynchronously.
  virtual const AsyncOpKernel* AsAsync() const { return nullptr; }

  int num_outputs() const { return num_outputs_; }
  const Node& node() const { return node_; }
  const std::string& name() const { return node_.name; }

 protected:
  void set_num_outputs(int n) { num_outputs_ = n; }

 private:
  const Node& node_;
  int num_outputs_;
};

// A kernel that may wait (TF's AsyncOpKernel). ComputeAsync starts the work and returns;
// `done` is called exactly once, from any thread, after the outputs were set or
// ctx->SetStatus(error) was called. The executor keeps ctx and its inputs alive until then.
// ComputeAsync may throw Error only before it has handed `done` to anyone (the executor then
// takes the throw as the kernel's error and expects no call of done). A waiting kernel
// registers with ctx->cancellation_manager() so that session close and deadlines end the
// wait (with the manager's reason as the error).
class AsyncOpKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  using DoneCallback = std::function<void()>;
  virtual void ComputeAsync(OpKernelContext* ctx, DoneCallback done) const = 0;
  // Runs ComputeAsync and blocks until done (C++ tests call kernels this way); throws its error.
  void Compute(OpKernelContext* ctx) const final;
  bool IsExpensive() const override { return false; }
  const AsyncOpKernel* AsAsync() const final { return this; }
};

using KernelFactory = std::function<std::unique_ptr<OpKernel>(const KernelConstruction&)>;

// The one kernel registry, keyed by (op type, device type, dtype). `type_attr` names the
// node attr holding the dtype the kernel was written for ("" when the kernel takes any).
// A GPU kernel's arguments are in device memory except those listed as host memory (TF's
// HostMemory: shapes, axes, int32 values); `all_host` kernels run on the host entirely
// (TF's int32 GPU kernels) and the executor copies their inputs and outputs across.
struct KernelDef {
  std::string op;
  DeviceType device;
  std::string type_attr;
  DataType dtype;
  KernelFactory factory;
  std::vector<int> host_inputs = {};
  std::vector<int> host_outputs = {};
  bool all_host = false;

  bool InputOnHost(int i) const;
  bool OutputOnHost(int i) const;
};

namespace register_kernel { class Name; }

class KernelRegistry {
 public:
  static KernelRegistry& Global();
  // The factory for `node` on `device`, or null when none fits. The first registered def
  // that fits wins.
  const KernelDef* Find(const Node& node, DeviceType device) const;
  // Every CPU kernel written for int32 (and not yet on GPU) also runs on GPU devices with
  // all its arguments in host memory, as TF keeps int32 tensors of GPU ops on the host
  // (called by the GPU platform's loader once the CUDA backend registered its kernels).
  void RegisterInt32CpuKernelsOnGpu();
  // TF's message for a missing kernel, listing the devices that have one.
  std::string NoKernelMessage(const Node& node, DeviceType device) const;
  // "Registered kernels:\n  device='CPU'; T in [DT_FLOAT]..." (TF's list, for placement errors).
  std::string RegisteredKernels(const std::string& op) const;
  // Every registration so far (the kernel dump tool, tests).
  std::vector<KernelDef> Defs() const;
  // Every op type with a kernel on some device, sorted, once each (each must have an op record).
  std::vector<std::string> OpTypes() const;

 private:
  friend void RegisterKernel(const register_kernel::Name& def, KernelFactory factory);
  void Register(KernelDef def);
  // The CUDA backend registers its kernels when it loads (after other sessions may have
  // started): a deque keeps found defs where they are, the mutex guards the list.
  mutable std::mutex mu_;
  std::deque<KernelDef> defs_;
};

// DEVICE_CPU, DEVICE_GPU: the device types of kernel registrations, as TF spells them.
constexpr DeviceType DEVICE_CPU = DeviceType::kCPU;
constexpr DeviceType DEVICE_GPU = DeviceType::kGPU;

namespace register_kernel {
// What a registration says about its kernel, TF's KernelDefBuilder:
//   Name("Reshape").Device(DEVICE_GPU).TypeConstraint<float>("T").HostMemoryInput(1)
// Host-memory arguments are named by index (the runtime has no op records with argument
// names yet); AllHostMemory() runs the kernel on the host entirely (TF's int32 GPU kernels).
class Name {
 public:
  explicit Name(std::string op) { def_.op = std::move(op); def_.device = DeviceType::kCPU; def_.dtype = DataType::DT_INVALID; }
  Name& Device(DeviceType device) { def_.device = device; return *this; }
  // The kernel is for nodes whose attr `attr` is `dtype` (no constraint: any node of the op).
  Name& TypeConstraint(std::string attr, DataType dtype) { def_.type_attr = std::move(attr); def_.dtype = dtype; return *this; }
  template <typename T>
  Name& TypeConstraint(std::string attr) { return TypeConstraint(std::move(attr), DataTypeOf<T>()); }
  Name& HostMemoryInput(int i) { def_.host_inputs.push_back(i); return *this; }
  Name& HostMemoryOutput(int i) { def_.host_outputs.push_back(i); return *this; }
  Name& AllHostMemory() { def_.all_host = true; return *this; }
  const KernelDef& def() const { return def_; }

 private:
  KernelDef def_;
};
}  // namespace register_kernel

// The one way kernels are registered; the macros below call it at static-initialisation time.
// Called directly only for factories that are values (a CPU kernel the CUDA backend reuses
// on the host, found with the registry's Find).
void RegisterKernel(const register_kernel::Name& def, KernelFactory factory);

template <typename Kernel>
KernelFactory FactoryOf() {
  return [](const KernelConstruction& c) -> std::unique_ptr<OpKernel> { return std::make_unique<Kernel>(c); };
}

// Kernel<T> for each T, with the type constraint `attr` = T on each.
template <template <typename> class Kernel, typename... Ts>
bool RegisterKernelForTypes(const register_kernel::Name& def, const char* attr) {
  (RegisterKernel(register_kernel::Name(def).TypeConstraint<Ts>(attr), FactoryOf<Kernel<Ts>>()), ...);
  return true;
}

#define TG_CONCAT_INNER(a, b) a##b
#define TG_CONCAT(a, b) TG_CONCAT_INNER(a, b)
// TG_REGISTER_KERNEL(Name("MatMul").Device(DEVICE_CPU).TypeConstraint<float>("T"), MatMulOp<float>);
// At namespace scope (or in a function run once at static-initialisation time: the macro
// defines a static, so in a loop or a helper called per op it registers only the first time;
// call RegisterKernel(register_kernel::Name(...), FactoryOf<K>()) there).
#define TG_REGISTER_KERNEL(builder, ...)                                                       \
  [[maybe_unused]] static const bool TG_CONCAT(tg_kernel_registered_, __COUNTER__) =          \
      (::tg::RegisterKernel(::tg::register_kernel::builder, ::tg::FactoryOf<__VA_ARGS__>()), true)
// A templated kernel for several types: TG_REGISTER_KERNEL_FOR_TYPES(Name("Relu").Device(DEVICE_CPU),
// "T", ReluOp, float, double) registers ReluOp<float> for T=float and ReluOp<double> for T=double.
#define TG_REGISTER_KERNEL_FOR_TYPES(builder, attr, ...)                                       \
  [[maybe_unused]] static const bool TG_CONCAT(tg_kernel_registered_, __COUNTER__) =          \
      ::tg::RegisterKernelForTypes<__VA_ARGS__>(::tg::register_kernel::builder, attr)

}  // namespace tg
