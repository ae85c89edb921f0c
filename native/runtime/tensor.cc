#include "runtime/tensor.h"

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

#include "runtime/status.h"

namespace tg {

int64_t NumElements(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string ShapeString(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); i++) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

namespace {

// Buffers are recycled: a training step allocates the same sizes every step. A fresh
// multi-MB allocation comes back from the OS as untouched pages (a page fault per 4 KiB on
// first write, which cost medium-sized MatMuls ~40% of their time), and glibc's aligned
// allocations of small sizes take its slow path. Sizes up to 32 KiB round up to a power of
// two (64 bytes at least), larger ones to whole pages.
constexpr size_t kSmallest = 64;
constexpr size_t kLargestSmall = 32 << 10;

size_t RoundedSize(size_t bytes) {
  if (bytes > kLargestSmall) return (bytes + 4095) / 4096 * 4096;
  size_t size = kSmallest;
  while (size < bytes) size *= 2;
  return size;
}

// Freed buffers wait in per-size free lists, up to kCap bytes in all; past that the sizes
// unused longest are freed first (a burst of frees, as when the JS garbage collector drops
// many fetched values at once, must not flush the sizes a step is using). One set of lists
// for all threads: a value is often freed on another thread than the one that allocated it
// (fetched values die on the caller's), so per-thread lists would keep taking fresh memory
// on one thread while another's fill up.
class BufferCache {
 public:
  static constexpr size_t kCap = 512 << 20;

  static BufferCache& Get() {
    static BufferCache* cache = new BufferCache();  // never destroyed: buffers may die at exit
    return *cache;
  }

  void* Take(size_t size) {
    std::lock_guard<std::mutex> lock(mu_);
    List& list = free_[size];
    list.last_use = ++clock_;
    if (list.blocks.empty()) return nullptr;
    void* p = list.blocks.back();
    list.blocks.pop_back();
    cached_ -= size;
    return p;
  }

  void Give(void* p, size_t size) {
    std::lock_guard<std::mutex> lock(mu_);
    List& list = free_[size];
    while (cached_ + size > kCap) {
      // The size unused longest goes: another's list, or this buffer itself.
      auto oldest = free_.end();
      for (auto it = free_.begin(); it != free_.end(); ++it) {
        if (it->first != size && !it->second.blocks.empty() &&
            (oldest == free_.end() || it->second.last_use < oldest->second.last_use)) {
          oldest = it;
        }
      }
      if (oldest == free_.end() || oldest->second.last_use > list.last_use) return std::free(p);
      for (void* q : oldest->second.blocks) std::free(q);
      cached_ -= oldest->first * oldest->second.blocks.size();
      oldest->second.blocks.clear();
    }
    list.blocks.push_back(p);
    cached_ += size;
  }

 private:
  struct List {
    std::vector<void*> blocks;
    uint64_t last_use = 0;  // clock_ at the last Take of this size
  };
  std::mutex mu_;
  std::unordered_map<size_t, List> free_;
  size_t cached_ = 0;
  uint64_t clock_ = 0;
};

thread_local AllocationCount* counting = nullptr;  // see ScopedAllocationCount

}  // namespace

ScopedAllocationCount::ScopedAllocationCount(AllocationCount* count) : previous_(counting) { counting = count; }
ScopedAllocationCount::~ScopedAllocationCount() { counting = previous_; }

std::shared_ptr<Buffer> Buffer::Allocate(size_t bytes) {
  std::shared_ptr<Buffer> b(new Buffer());
  b->owned_ = true;
  if (bytes > 0) {
    // 64-byte alignment suits AVX-512 loads and oneDNN.
    const size_t size = RoundedSize(bytes);
    b->data_ = BufferCache::Get().Take(size);
    const bool from_system = !b->data_;
    if (from_system) b->data_ = std::aligned_alloc(64, size);
    if (b->data_) b->release_ = [p = b->data_, size] { BufferCache::Get().Give(p, size); };
    if (!b->data_) throw Error(Code::kResourceExhausted, "OOM when allocating tensor of " + std::to_string(bytes) + " bytes");
    if (counting) {
      counting->allocations++;
      counting->bytes += static_cast<int64_t>(bytes);
      counting->system_allocations += from_system;
    }
  }
  b->bytes_ = bytes;
  return b;
}

std::shared_ptr<Buffer> Buffer::AllocateStrings(size_t count) {
  std::shared_ptr<Buffer> b(new Buffer());
  b->data_ = count ? new std::string[count] : nullptr;
  b->strings_ = count;
  b->bytes_ = count * sizeof(std::string);
  return b;
}

std::shared_ptr<Buffer> Buffer::Wrap(void* data, size_t bytes, std::function<void()> release, bool on_device) {
  std::shared_ptr<Buffer> b(new Buffer());
  b->on_device_ = on_device;
  b->data_ = data;
  b->bytes_ = bytes;
  b->release_ = std::move(release);
  return b;
}

Buffer::~Buffer() {
  if (release_) {
    release_();
  } else if (strings_ > 0) {
    delete[] static_cast<std::string*>(data_);
  } else {
    std::free(data_);
  }
}

Tensor::Tensor(DataType dtype, Shape shape) : dtype_(dtype), shape_(std::move(shape)) {
  num_elements_ = NumElements(shape_);
  if (HoldsStrings(dtype_)) {
    buffer_ = Buffer::AllocateStrings(num_elements_);
  } else {
    size_t size = DataTypeSize(dtype_);
    if (size == 0) throw InvalidArgument("cannot allocate a tensor of type " + DataTypeName(dtype_));
    buffer_ = Buffer::Allocate(num_elements_ * size);
  }
}

Tensor::Tensor(DataType dtype, Shape shape, std::shared_ptr<Buffer> buffer)
    : dtype_(dtype), shape_(std::move(shape)), buffer_(std::move(buffer)) {
  num_elements_ = NumElements(shape_);
}

Tensor Tensor::Scalar(DataType dtype) { return Tensor(dtype, {}); }

Tensor Tensor::Reshaped(Shape shape) const {
  if (NumElements(shape) != num_elements_) {
    throw InvalidArgument("cannot reshape a tensor with " + std::to_string(num_elements_) + " elements to shape " +
                          ShapeString(shape));
  }
  return Tensor(dtype_, std::move(shape), buffer_);
}

Tensor Tensor::Clone() const {
  if (on_device()) throw Error(Code::kInternal, "Clone of a tensor in device memory (" + DebugString() + ")");
  Tensor t(dtype_, shape_);
  if (HoldsStrings(dtype_)) {
    for (int64_t i = 0; i < num_elements_; i++) t.strings()[i] = strings()[i];
  } else if (num_elements_ > 0) {
    std::memcpy(t.raw(), raw(), total_bytes());
  }
  return t;
}

std::string Tensor::DebugString() const { return DataTypeName(dtype_) + ShapeString(shape_); }

}  // namespace tg
