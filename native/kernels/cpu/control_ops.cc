// Control kernels: Print (forwards its input, logs data to stderr), Assert (fails with its
// data summarised when the condition is false) and CheckNumerics (fails on NaN / Inf).
// Tensors are summarised as TF1's Tensor::SummarizeValue: nested brackets per dimension,
// at most `summarize` elements, "..." when cut short.
#include <algorithm>
#include <atomic>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <mutex>
#include <string>

#include "kernels/cpu/half.h"
#include "runtime/kernel.h"

namespace tg {
namespace {

constexpr DeviceType kCPU = DeviceType::kCPU;

// ---------------------------------------------------------------------------------------
// Element formatting (TF's StrCat / FloatToBuffer / CEscape).

// Shortest of %.6g / %.9g that reads back exactly.
std::string FormatFloat(float v) {
  if (std::isnan(v)) return std::signbit(v) ? "-nan" : "nan";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*g", FLT_DIG, static_cast<double>(v));
  if (std::strtof(buf, nullptr) != v) std::snprintf(buf, sizeof(buf), "%.*g", FLT_DIG + 3, static_cast<double>(v));
  return buf;
}

std::string FormatDouble(double v) {
  if (std::isnan(v)) return std::signbit(v) ? "-nan" : "nan";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*g", DBL_DIG, v);
  if (std::strtod(buf, nullptr) != v) std::snprintf(buf, sizeof(buf), "%.*g", DBL_DIG + 2, v);
  return buf;
}

std::string CEscape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '"': out += "\\\""; break;
      case '\'': out += "\\'"; break;
      case '\\': out += "\\\\"; break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\%03o", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

std::string FormatElement(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DataType::DT_FLOAT: return FormatFloat(t.data<float>()[i]);
    case DataType::DT_DOUBLE: return FormatDouble(t.data<double>()[i]);
    case DataType::DT_HALF: return FormatFloat(HalfToFloat(t.data<uint16_t>()[i]));
    case DataType::DT_BFLOAT16: return FormatFloat(Bfloat16ToFloat(t.data<uint16_t>()[i]));
    case DataType::DT_INT32: return std::to_string(t.data<int32_t>()[i]);
    case DataType::DT_INT64: return std::to_string(t.data<int64_t>()[i]);
    case DataType::DT_INT16: return std::to_string(t.data<int16_t>()[i]);
    case DataType::DT_INT8: return std::to_string(t.data<int8_t>()[i]);
    case DataType::DT_UINT8: return std::to_string(t.data<uint8_t>()[i]);
    case DataType::DT_BOOL: return t.data<uint8_t>()[i] ? "1" : "0";
    case DataType::DT_STRING: return CEscape(t.strings()[i]);
    case DataType::DT_COMPLEX64: {
      const float* p = t.data<float>() + 2 * i;
      return "(" + FormatFloat(p[0]) + "," + FormatFloat(p[1]) + ")";
    }
    default: return "?";
  }
}

// TF's PrintOneDim: brackets for every dimension but the last.
void PrintOneDim(const Tensor& t, int dim, int64_t limit, int64_t* index, std::string* out) {
  if (*index >= limit) return;
  const int64_t count = t.dim(dim);
  if (dim == t.dims() - 1) {
    for (int64_t i = 0; i < count; i++) {
      if (*index >= limit) {
        if (dim != 0) *out += "...";
        return;
      }
      if (i > 0) *out += " ";
      *out += FormatElement(t, (*index)++);
    }
    return;
  }
  for (int64_t i = 0; i < count; i++) {
    bool opened = false;
    if (*index < limit) {
      *out += "[";
      opened = true;
    }
    PrintOneDim(t, dim + 1, limit, index, out);
    if (*index < limit || opened) *out += "]";
  }
}

std::string SummarizeValue(const Tensor& t, int64_t max_entries) {
  const int64_t n = t.num_elements();
  if (max_entries < 0) max_entries = n;
  const int64_t limit = std::min(max_entries, n);
  if (limit > 0 && !t.initialized()) {
    return "uninitialized Tensor of " + std::to_string(n) + " elements of type " + DataTypeName(t.dtype());
  }
  std::string out;
  if (t.dims() == 0) {
    for (int64_t i = 0; i < limit; i++) {
      if (i > 0) out += " ";
      out += FormatElement(t, i);
    }
  } else {
    int64_t index = 0;
    PrintOneDim(t, 0, limit, &index, &out);
  }
  if (n > limit) out += "...";
  return out;
}

// ---------------------------------------------------------------------------------------
// Print.

// How many times a Print node has printed in this session (first_n).
struct PrintCounter : public Resource {
  std::atomic<int64_t> count{0};
};

class PrintOp : public OpKernel {
 public:
  explicit PrintOp(const KernelConstruction& c)
      : OpKernel(c),
        message_(c.node.AttrString("message", "")),
        first_n_(c.node.AttrInt("first_n", -1)),
        summarize_(c.node.AttrInt("summarize", 3)) {}

  void Compute(OpKernelContext* ctx) const override {
    ctx->forward_input(0, 0);
    if (first_n_ >= 0) {
      std::shared_ptr<PrintCounter> counter;
      if (ctx->resources()) {
        counter = ctx->resources()->LookupOrCreate<PrintCounter>("_tg_print_state", name(),
                                                                 [] { return std::make_shared<PrintCounter>(); });
      } else {
        std::call_once(once_, [this] { local_ = std::make_shared<PrintCounter>(); });
        counter = local_;
      }
      if (counter->count.fetch_add(1) >= first_n_) return;
    }
    std::string msg = message_;
    for (int i = 1; i < ctx->num_inputs(); i++) msg += "[" + SummarizeValue(ctx->input(i), summarize_) + "]";
    static std::mutex print_mu;  // whole lines, even from concurrent runs
    std::lock_guard<std::mutex> lock(print_mu);
    std::cerr << msg << std::endl;
  }
  bool IsExpensive() const override { return false; }

 private:
  std::string message_;
  int64_t first_n_;
  int64_t summarize_;
  mutable std::once_flag once_;
  mutable std::shared_ptr<PrintCounter> local_;
};
TG_REGISTER_KERNEL(Name("Print").Device(DEVICE_CPU), PrintOp);

// ---------------------------------------------------------------------------------------
// Assert.

class AssertOp : public OpKernel {
 public:
  explicit AssertOp(const KernelConstruction& c) : OpKernel(c, 0), summarize_(c.node.AttrInt("summarize", 3)) {}

  void Compute(OpKernelContext* ctx) const override {
    const Tensor& cond = ctx->input(0);
    // TF's IsLegacyScalar: one element, every dim 1.
    bool scalar = cond.num_elements() == 1;
    for (int64_t d : cond.shape()) scalar = scalar && d == 1;
    if (!scalar) throw ctx->InvalidArg("In[0] should be a scalar: " + ShapeString(cond.shape()));
    if (cond.dtype() != DataType::DT_BOOL) throw ctx->InvalidArg("In[0] should be a bool, got " + DataTypeName(cond.dtype()));
    if (*cond.data<uint8_t>()) return;
    std::string msg = "assertion failed: ";
    for (int i = 1; i < ctx->num_inputs(); i++) {
      msg += "[" + SummarizeValue(ctx->input(i), summarize_) + "]";
      if (i < ctx->num_inputs() - 1) msg += " ";
    }
    throw ctx->InvalidArg(msg);
  }
  bool IsExpensive() const override { return false; }

 private:
  int64_t summarize_;
};
TG_REGISTER_KERNEL(Name("Assert").Device(DEVICE_CPU), AssertOp);

// ---------------------------------------------------------------------------------------
// CheckNumerics.

constexpr int kInfBit = 1, kNaNBit = 2;

template <typename T>
int FpProps(const Tensor& t) {
  const int64_t n = t.num_elements();
  const T* p = t.data<T>();
  int props = 0;
  for (int64_t i = 0; i < n; i++) {
    const T v = p[i];
    if (std::isinf(v)) props |= kInfBit;
    else if (std::isnan(v)) props |= kNaNBit;
  }
  return props;
}

// exp_mask / man_mask: where the exponent and mantissa sit in a 16-bit float.
int FpProps16(const Tensor& t, uint16_t exp_mask, uint16_t man_mask) {
  const int64_t n = t.num_elements();
  const uint16_t* p = t.data<uint16_t>();
  int props = 0;
  for (int64_t i = 0; i < n; i++) {
    const uint16_t v = p[i];
    if ((v & exp_mask) == exp_mask) props |= (v & man_mask) ? kNaNBit : kInfBit;
  }
  return props;
}

class CheckNumericsOp : public OpKernel {
 public:
  explicit CheckNumericsOp(const KernelConstruction& c) : OpKernel(c), message_(c.node.AttrString("message", "")) {}

  void Compute(OpKernelContext* ctx) const override {
    const Tensor& in = ctx->input(0);
    int props = 0;
    switch (in.dtype()) {
      case DataType::DT_FLOAT: props = FpProps<float>(in); break;
      case DataType::DT_DOUBLE: props = FpProps<double>(in); break;
      case DataType::DT_HALF: props = FpProps16(in, 0x7c00u, 0x03ffu); break;
      case DataType::DT_BFLOAT16: props = FpProps16(in, 0x7f80u, 0x007fu); break;
      default: throw ctx->InvalidArg("CheckNumerics does not support " + DataTypeName(in.dtype()));
    }
    std::string status;
    if ((props & kInfBit) && (props & kNaNBit)) status = "Inf and NaN";
    else if (props & kInfBit) status = "Inf";
    else if (props & kNaNBit) status = "NaN";
    if (!status.empty()) throw ctx->InvalidArg(message_ + " : Tensor had " + status + " values");
    ctx->forward_input(0, 0);
  }

 private:
  std::string message_;
};

struct Registrations {
  Registrations() {
    for (DataType dt : {DataType::DT_FLOAT, DataType::DT_DOUBLE, DataType::DT_HALF, DataType::DT_BFLOAT16}) {
      RegisterKernel(register_kernel::Name("CheckNumerics").Device(DEVICE_CPU).TypeConstraint("T", dt), FactoryOf<CheckNumericsOp>());
    }
  }
};
const Registrations registrations;

}  // namespace
}  // namespace tg
