// Helpers for reader_test.cc and parsing_test.cc: run one kernel on hand-made inputs
// (a Node with attrs, no graph or session), string tensors, and a fake filename queue.
#pragma once

#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/queue.h"

namespace tg {
namespace testutil {

// The message of the Error `fn` throws, after checking its code (a test failure when none).
template <typename Fn>
std::string ErrorText(Fn fn, Code code = Code::kInvalidArgument) {
  try {
    fn();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "expected an Error";
  return "";
}

inline AttrValue AStr(const std::string& s) { AttrValue a; a.kind = fb::AttrKind::S; a.s = s; return a; }
inline AttrValue AInt(int64_t i) { AttrValue a; a.kind = fb::AttrKind::I; a.i = i; return a; }
inline AttrValue ABool(bool b) { AttrValue a; a.kind = fb::AttrKind::B; a.b = b; return a; }
inline AttrValue AType(DataType t) { AttrValue a; a.kind = fb::AttrKind::TYPE; a.type = t; return a; }
inline AttrValue ATypes(std::vector<DataType> t) { AttrValue a; a.kind = fb::AttrKind::LIST_TYPE; a.list_type = std::move(t); return a; }
inline AttrValue AInts(std::vector<int64_t> v) { AttrValue a; a.kind = fb::AttrKind::LIST_I; a.list_i = std::move(v); return a; }
inline AttrValue AStrs(std::vector<std::string> v) { AttrValue a; a.kind = fb::AttrKind::LIST_S; a.list_s = std::move(v); return a; }
inline AttrValue AShapes(std::vector<std::vector<int64_t>> v) {
  AttrValue a;
  a.kind = fb::AttrKind::LIST_SHAPE;
  for (auto& d : v) {
    PartialShape p;
    p.unknown_rank = false;
    p.dims = d;
    a.list_shape.push_back(p);
  }
  return a;
}

inline Tensor Str(const std::string& s) {
  Tensor t(DataType::DT_STRING, {});
  t.strings()[0] = s;
  return t;
}
inline Tensor Strs(const std::vector<std::string>& v, Shape shape = {}) {
  if (shape.empty()) shape = {static_cast<int64_t>(v.size())};
  Tensor t(DataType::DT_STRING, shape);
  for (size_t i = 0; i < v.size(); i++) t.strings()[i] = v[i];
  return t;
}
template <typename T>
Tensor Vec(std::vector<T> v) {
  Tensor t(DataTypeOf<T>(), {static_cast<int64_t>(v.size())});
  for (size_t i = 0; i < v.size(); i++) t.data<T>()[i] = v[i];
  return t;
}
template <typename T>
std::vector<T> Values(const Tensor& t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.num_elements());
}
inline std::vector<std::string> StrValues(const Tensor& t) {
  return std::vector<std::string>(t.strings(), t.strings() + t.num_elements());
}

// One kernel instance on a hand-built node.
class KernelRunner {
 public:
  KernelRunner(const std::string& op, std::map<std::string, AttrValue> attrs, const std::string& name = "node") {
    node_.id = 0;
    node_.name = name;
    node_.op = op;
    node_.attrs = std::move(attrs);
    const KernelDef* def = KernelRegistry::Global().Find(node_, DeviceType::kCPU);
    if (!def) throw Error(Code::kNotFound, "no kernel for " + op);
    kernel_ = def->factory({node_, &device_});
  }
  KernelRunner(const KernelRunner&) = delete;

  // Runs synchronously; throws the kernel's Error.
  std::vector<Tensor> Run(std::vector<Tensor> inputs, ResourceMgr* rm = nullptr) {
    ResourceMgr local;
    StepState step;
    std::vector<std::shared_ptr<Var>> refs, ref_outs(kernel_->num_outputs());
    std::vector<Tensor> outs(kernel_->num_outputs());
    OpKernelContext ctx(node_, &device_, rm ? rm : &local, &step, &inputs, &refs, &outs, &ref_outs);
    kernel_->Compute(&ctx);
    return outs;
  }

  // An asynchronous run: Start() returns at once; Wait() blocks for done and returns outputs.
  struct AsyncRun {
    std::vector<Tensor> inputs, outs;
    std::vector<std::shared_ptr<Var>> refs, ref_outs;
    StepState step;
    std::unique_ptr<OpKernelContext> ctx;
    std::mutex mu;
    std::condition_variable cv;
    bool finished = false;
    bool Done() {
      std::lock_guard<std::mutex> l(mu);
      return finished;
    }
    std::vector<Tensor> Wait() {
      std::unique_lock<std::mutex> l(mu);
      cv.wait(l, [&] { return finished; });
      ctx->status().Check();
      return outs;
    }
    Status WaitStatus() {
      std::unique_lock<std::mutex> l(mu);
      cv.wait(l, [&] { return finished; });
      return ctx->status();
    }
  };
  std::unique_ptr<AsyncRun> Start(std::vector<Tensor> inputs, ResourceMgr* rm) {
    auto r = std::make_unique<AsyncRun>();
    r->inputs = std::move(inputs);
    r->outs.resize(kernel_->num_outputs());
    r->ref_outs.resize(kernel_->num_outputs());
    r->ctx = std::make_unique<OpKernelContext>(node_, &device_, rm, &r->step, &r->inputs, &r->refs, &r->outs, &r->ref_outs);
    AsyncRun* p = r.get();
    kernel_->AsAsync()->ComputeAsync(p->ctx.get(), [p] {
      std::lock_guard<std::mutex> l(p->mu);
      p->finished = true;
      p->cv.notify_all();
    });
    return r;
  }

 private:
  Node node_;
  Device device_{"/job:localhost/replica:0/task:0/device:CPU:0", DeviceType::kCPU, 0, nullptr};
  std::unique_ptr<OpKernel> kernel_;
};

// A filename queue: a list of strings; a dequeue on an empty open queue waits for Add/Close.
class FakeQueue : public QueueInterface {
 public:
  void Add(const std::string& s) {
    std::unique_lock<std::mutex> l(mu_);
    if (!waiters_.empty()) {
      auto w = std::move(waiters_.front());
      waiters_.pop_front();
      l.unlock();
      w.second({Str(s)});
      return;
    }
    items_.push_back(s);
  }
  void Close() {
    std::unique_lock<std::mutex> l(mu_);
    closed_ = true;
    auto ws = std::move(waiters_);
    waiters_.clear();
    l.unlock();
    for (auto& w : ws) {
      w.first->SetStatus(ClosedError());
      w.second({});
    }
  }
  void TryEnqueue(const Tuple&, OpKernelContext*, DoneCallback cb) override { cb(); }
  void TryEnqueueMany(const Tuple&, OpKernelContext*, DoneCallback cb) override { cb(); }
  void TryDequeue(OpKernelContext* ctx, CallbackWithTuple cb) override {
    std::unique_lock<std::mutex> l(mu_);
    dequeues_++;
    if (!items_.empty()) {
      std::string s = items_.front();
      items_.pop_front();
      l.unlock();
      cb({Str(s)});
      return;
    }
    if (closed_) {
      l.unlock();
      ctx->SetStatus(ClosedError());
      cb({});
      return;
    }
    waiters_.emplace_back(ctx, std::move(cb));
  }
  void TryDequeueMany(int, OpKernelContext*, bool, CallbackWithTuple cb) override { cb({}); }
  void Close(OpKernelContext*, bool, DoneCallback cb) override {
    Close();
    cb();
  }
  bool is_closed() const override { return closed_; }
  int32_t size() const override { return static_cast<int32_t>(items_.size()); }
  const std::vector<DataType>& component_dtypes() const override { return dtypes_; }
  std::string name() const override { return "q"; }
  int dequeues() {
    std::lock_guard<std::mutex> l(mu_);
    return dequeues_;
  }
  static Error ClosedError() {
    return Error(Code::kOutOfRange, "FIFOQueue 'q' is closed and has insufficient elements (requested 1, current size 0)");
  }

 private:
  std::mutex mu_;
  std::deque<std::string> items_;
  std::deque<std::pair<OpKernelContext*, CallbackWithTuple>> waiters_;
  bool closed_ = false;
  int dequeues_ = 0;
  std::vector<DataType> dtypes_{DataType::DT_STRING};
};

// A fresh temporary directory per test.
inline std::string TempDir(const std::string& tag) {
  char tmpl[] = "/tmp/tg_io_test_XXXXXX";
  const char* d = mkdtemp(tmpl);
  if (!d) throw std::runtime_error("mkdtemp failed");
  return std::string(d) + "/" + tag;
}

inline void WriteRaw(const std::string& path, const std::string& data) {
  FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fwrite(data.data(), 1, data.size(), f);
  std::fclose(f);
}

}  // namespace testutil
}  // namespace tg
