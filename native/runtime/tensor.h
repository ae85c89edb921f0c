// Tensor: dtype + shape + a reference-counted buffer. Copies of a Tensor share the buffer,
// so reshape, identity and variable reads alias instead of copying.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "runtime/types.h"

namespace tg {

using Shape = std::vector<int64_t>;

int64_t NumElements(const Shape& shape);
std::string ShapeString(const Shape& shape);  // "[2,3]"

// Memory of a tensor: 64-byte aligned host memory we own, memory lent by someone else
// (released through a callback), an array of std::string for string tensors, or device
// memory (a GPU's, from its allocator: host code must not touch it; copies cross over).
class Buffer {
 public:
  static std::shared_ptr<Buffer> Allocate(size_t bytes);
  static std::shared_ptr<Buffer> AllocateStrings(size_t count);
  static std::shared_ptr<Buffer> Wrap(void* data, size_t bytes, std::function<void()> release, bool on_device = false);
  ~Buffer();
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }
  bool on_device() const { return on_device_; }
  // Host memory this process allocated for numbers (not lent, not strings, not a device's):
  // a kernel may write its output over it once nobody else holds it (buffer forwarding).
  bool owned() const { return owned_; }

 private:
  Buffer() = default;
  void* data_ = nullptr;
  size_t bytes_ = 0;
  size_t strings_ = 0;  // number of std::string objects when this holds strings
  bool on_device_ = false;
  bool owned_ = false;
  std::function<void()> release_;
};

// Host allocations counted on this thread while a ScopedAllocationCount lives (the executor
// counts each node of a traced run this way: its stepStats' memory).
struct AllocationCount {
  int64_t allocations = 0;         // host buffers allocated
  int64_t bytes = 0;               // their requested sizes
  int64_t system_allocations = 0;  // of those, the ones the system allocator had to serve
                                   // (no recycled buffer of that size was free)
};

class ScopedAllocationCount {
 public:
  explicit ScopedAllocationCount(AllocationCount* count);
  ~ScopedAllocationCount();
  ScopedAllocationCount(const ScopedAllocationCount&) = delete;
  ScopedAllocationCount& operator=(const ScopedAllocationCount&) = delete;

 private:
  AllocationCount* previous_;
};

class Tensor {
 public:
  Tensor() = default;  // an empty, uninitialized tensor
  Tensor(DataType dtype, Shape shape);  // allocates (uninitialized numeric memory)
  Tensor(DataType dtype, Shape shape, std::shared_ptr<Buffer> buffer);

  static Tensor Scalar(DataType dtype);
  template <typename T> static Tensor Scalar(T value) {
    Tensor t(DataTypeOf<T>(), {});
    *t.data<T>() = value;
    return t;
  }

  bool initialized() const { return buffer_ != nullptr; }
  DataType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int dims() const { return static_cast<int>(shape_.size()); }
  int64_t dim(int i) const { return shape_[i]; }
  int64_t num_elements() const { return num_elements_; }
  size_t total_bytes() const { return buffer_ ? buffer_->bytes() : 0; }
  const std::shared_ptr<Buffer>& buffer() const { return buffer_; }
  // True when no other Tensor shares the buffer (safe to update in place).
  bool RefCountIsOne() const { return buffer_ && buffer_.use_count() == 1; }
  // This tensor's buffer may become an output of the given dtype and shape: same dtype and
  // shape, memory this process owns, and no other holder.
  bool CanForwardAs(DataType dtype, const Shape& shape) const {
    return dtype_ == dtype && shape_ == shape && buffer_ && buffer_->owned() && RefCountIsOne();
  }
  // In a device's memory (a GPU's): only that device's kernels and copies may read it.
  bool on_device() const { return buffer_ && buffer_->on_device(); }

  void* raw() const { return buffer_ ? buffer_->data() : nullptr; }
  template <typename T> T* data() const { return static_cast<T*>(raw()); }
  std::string* strings() const { return data<std::string>(); }

  // The same buffer seen with another shape of equal size (reshape, squeeze, expand_dims).
  Tensor Reshaped(Shape shape) const;
  // A deep copy (host tensors only).
  Tensor Clone() const;
  std::string DebugString() const;  // "float[2,3]"

 private:
  DataType dtype_ = DataType::DT_INVALID;
  Shape shape_;
  int64_t num_elements_ = 0;
  std::shared_ptr<Buffer> buffer_;
};

}  // namespace tg
