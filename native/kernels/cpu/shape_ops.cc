// Shape and fill kernels: Reshape, ExpandDims, Squeeze (aliasing views), Shape, Size, Rank,
// IdentityN, Fill, ZerosLike, OnesLike, Range, LinSpace. Error messages follow TF1's kernels.
#include <cmath>
#include <limits>

#include "kernels/cpu/array_common.h"

namespace tg {
namespace {

using namespace array;

// ---------- Reshape ----------

class ReshapeOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& input = ctx->input(0);
    const Tensor& sizes = ctx->input(1);
    if (sizes.dims() > 1) throw ctx->InvalidArg("sizes input must be 1-D, not " + ShapeOf(sizes));
    const std::vector<int64_t> v = IndexValues(sizes);
    Shape shape;
    int64_t product = 1;
    int unknown = -1;
    for (size_t d = 0; d < v.size(); d++) {
      const int64_t size = v[d];
      if (size == -1) {
        if (unknown != -1) {
          throw ctx->InvalidArg("Only one input size may be -1, not both " + std::to_string(unknown) + " and " +
                                std::to_string(d));
        }
        unknown = static_cast<int>(d);
        shape.push_back(1);
      } else if (size < 0) {
        throw ctx->InvalidArg("Size " + std::to_string(d) + " must be non-negative, not " + std::to_string(size));
      } else {
        shape.push_back(size);
        product *= size;
      }
    }
    if (unknown != -1) {
      if (product <= 0) {
        throw ctx->InvalidArg(
            "Reshape cannot infer the missing input size for an empty tensor unless all specified input sizes are non-zero");
      }
      const int64_t missing = input.num_elements() / product;
      if (missing * product != input.num_elements()) {
        throw ctx->InvalidArg("Input to reshape is a tensor with " + std::to_string(input.num_elements()) +
                              " values, but the requested shape requires a multiple of " + std::to_string(product));
      }
      shape[unknown] = missing;
    }
    if (NumElements(shape) != input.num_elements()) {
      throw ctx->InvalidArg("Input to reshape is a tensor with " + std::to_string(input.num_elements()) +
                            " values, but the requested shape has " + std::to_string(NumElements(shape)));
    }
    ctx->set_output(0, input.Reshaped(std::move(shape)));
  }
  bool IsExpensive() const override { return false; }
};
TG_REGISTER_KERNEL(Name("Reshape").Device(DEVICE_CPU), ReshapeOp);

// ---------- ExpandDims ----------

class ExpandDimsOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& input = ctx->input(0);
    const Tensor& dim_t = ctx->input(1);
    if (dim_t.num_elements() != 1) {
      throw ctx->InvalidArg("'dim' must be a tensor with a single value");
    }
    int64_t dim = IndexValues(dim_t)[0];
    const int64_t rank = input.dims();
    if (dim < -1 - rank || dim > rank) {
      throw ctx->InvalidArg("Tried to expand dim index " + std::to_string(dim) + " for tensor with " +
                            std::to_string(rank) + " dimensions.");
    }
    if (dim < 0) dim += rank + 1;
    Shape shape = input.shape();
    shape.insert(shape.begin() + dim, 1);
    ctx->set_output(0, input.Reshaped(std::move(shape)));
  }
  bool IsExpensive() const override { return false; }
};
TG_REGISTER_KERNEL(Name("ExpandDims").Device(DEVICE_CPU), ExpandDimsOp);

// ---------- Squeeze ----------

class SqueezeOp : public OpKernel {
 public:
  explicit SqueezeOp(const KernelConstruction& c) : OpKernel(c) {
    const AttrValue* a = c.node.FindAttr("squeeze_dims");
    if (a) dims_ = a->list_i;
  }
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& input = ctx->input(0);
    const int rank = input.dims();
    std::vector<bool> wanted(static_cast<size_t>(rank), false);
    for (int64_t d : dims_) {
      if (d < -rank || d >= rank) {
        throw ctx->InvalidArg("Tried to squeeze dim index " + std::to_string(d) + " for tensor with " +
                              std::to_string(rank) + " dimensions.");
      }
      wanted[d < 0 ? d + rank : d] = true;
    }
    Shape shape;
    for (int i = 0; i < rank; i++) {
      const int64_t d = input.dim(i);
      if (!dims_.empty()) {
        if (wanted[i]) {
          if (d != 1) {
            throw ctx->InvalidArg("Can not squeeze dim[" + std::to_string(i) + "], expected a dimension of 1, got " +
                                  std::to_string(d));
          }
          continue;
        }
      } else if (d == 1) {
        continue;
      }
      shape.push_back(d);
    }
    ctx->set_output(0, input.Reshaped(std::move(shape)));
  }
  bool IsExpensive() const override { return false; }

 private:
  std::vector<int64_t> dims_;
};
TG_REGISTER_KERNEL(Name("Squeeze").Device(DEVICE_CPU), SqueezeOp);

// ---------- Shape, Size, Rank ----------

DataType OutType(const Node& n) {
  const AttrValue* a = n.FindAttr("out_type");
  return a ? a->type : DataType::DT_INT32;
}

class ShapeOp : public OpKernel {
 public:
  explicit ShapeOp(const KernelConstruction& c) : OpKernel(c), out_type_(OutType(c.node)) {}
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& input = ctx->input(0);
    const int rank = input.dims();
    if (out_type_ == DataType::DT_INT64) {
      Tensor& out = ctx->allocate_output(0, out_type_, {rank});
      for (int i = 0; i < rank; i++) out.data<int64_t>()[i] = input.dim(i);
    } else {
      Tensor& out = ctx->allocate_output(0, DataType::DT_INT32, {rank});
      for (int i = 0; i < rank; i++) {
        if (input.dim(i) > std::numeric_limits<int32_t>::max()) {
          throw ctx->InvalidArg("Shape output type is 32-bit  but dim " + std::to_string(i) + " is " +
                                std::to_string(input.dim(i)));
        }
        out.data<int32_t>()[i] = static_cast<int32_t>(input.dim(i));
      }
    }
  }
  bool IsExpensive() const override { return false; }

 private:
  DataType out_type_;
};
TG_REGISTER_KERNEL(Name("Shape").Device(DEVICE_CPU), ShapeOp);

class SizeOp : public OpKernel {
 public:
  explicit SizeOp(const KernelConstruction& c) : OpKernel(c), out_type_(OutType(c.node)) {}
  void Compute(OpKernelContext* ctx) const override {
    const int64_t n = ctx->input(0).num_elements();
    if (out_type_ == DataType::DT_INT64) {
      ctx->set_output(0, Tensor::Scalar<int64_t>(n));
    } else {
      if (n > std::numeric_limits<int32_t>::max()) {
        throw ctx->InvalidArg("Number of elements was larger than representable by 32-bit output type");
      }
      ctx->set_output(0, Tensor::Scalar<int32_t>(static_cast<int32_t>(n)));
    }
  }
  bool IsExpensive() const override { return false; }

 private:
  DataType out_type_;
};
TG_REGISTER_KERNEL(Name("Size").Device(DEVICE_CPU), SizeOp);

class RankOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override { ctx->set_output(0, Tensor::Scalar<int32_t>(ctx->input(0).dims())); }
  bool IsExpensive() const override { return false; }
};
TG_REGISTER_KERNEL(Name("Rank").Device(DEVICE_CPU), RankOp);

// ---------- IdentityN ----------

class IdentityNOp : public OpKernel {
 public:
  explicit IdentityNOp(const KernelConstruction& c) : OpKernel(c, static_cast<int>(c.node.inputs.size())) {}
  void Compute(OpKernelContext* ctx) const override {
    for (int i = 0; i < ctx->num_inputs(); i++) ctx->forward_input(i, i);
  }
  bool IsExpensive() const override { return false; }
};
TG_REGISTER_KERNEL(Name("IdentityN").Device(DEVICE_CPU), IdentityNOp);

// ---------- Fill, ZerosLike, OnesLike ----------

template <typename S>
void FillWith(OpKernelContext* ctx, Tensor* out, const S& value) {
  S* p = out->data<S>();
  const int64_t n = out->num_elements();
  MaybeParallel(ctx, n, n * static_cast<int64_t>(sizeof(S)), 1, [&](int64_t s, int64_t e) { std::fill(p + s, p + e, value); });
}

class FillOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& dims = ctx->input(0);
    const Tensor& value = ctx->input(1);
    if (!IsVector(dims)) throw ctx->InvalidArg("dims must be a vector, got shape " + ShapeOf(dims));
    if (!IsScalar(value)) throw ctx->InvalidArg("value must be a scalar, got shape " + ShapeOf(value));
    Shape shape = IndexValues(dims);
    for (size_t i = 0; i < shape.size(); i++) {
      if (shape[i] < 0) throw ctx->InvalidArg("Dimension " + std::to_string(shape[i]) + " must be >= 0");
    }
    Tensor& out = ctx->allocate_output(0, value.dtype(), std::move(shape));
    SwitchBySize(value.dtype(), [&](auto tag) {
      using S = typename decltype(tag)::type;
      FillWith<S>(ctx, &out, value.data<S>()[0]);
    });
  }
};

class ZerosLikeOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& x = ctx->input(0);
    Tensor& out = ctx->allocate_output(0, x.dtype(), x.shape());
    SwitchBySize(x.dtype(), [&](auto tag) {
      using S = typename decltype(tag)::type;
      if constexpr (std::is_same_v<S, std::string>) {
        (void)out;  // freshly allocated strings are already empty
      } else {
        FillWith<S>(ctx, &out, S(0));  // all-zero bits are zero in every numeric dtype
      }
    });
  }
};

class OnesLikeOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& x = ctx->input(0);
    Tensor& out = ctx->allocate_output(0, x.dtype(), x.shape());
    switch (x.dtype()) {
      case DataType::DT_FLOAT: FillWith<float>(ctx, &out, 1.0f); break;
      case DataType::DT_DOUBLE: FillWith<double>(ctx, &out, 1.0); break;
      case DataType::DT_INT32: FillWith<int32_t>(ctx, &out, 1); break;
      case DataType::DT_INT64: FillWith<int64_t>(ctx, &out, 1); break;
      case DataType::DT_INT16: FillWith<int16_t>(ctx, &out, 1); break;
      case DataType::DT_INT8: FillWith<int8_t>(ctx, &out, 1); break;
      case DataType::DT_UINT8: FillWith<uint8_t>(ctx, &out, 1); break;
      case DataType::DT_BOOL: FillWith<bool>(ctx, &out, true); break;
      case DataType::DT_HALF: FillWith<uint16_t>(ctx, &out, 0x3C00); break;      // 1.0 in IEEE half
      case DataType::DT_BFLOAT16: FillWith<uint16_t>(ctx, &out, 0x3F80); break;  // 1.0 in bfloat16
      default: throw ctx->InvalidArg("OnesLike does not support " + DataTypeName(x.dtype()));
    }
  }
};

// ---------- Range ----------

template <typename T>
class RangeOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    static const char* names[] = {"start", "limit", "delta"};
    for (int i = 0; i < 3; i++) {
      if (!IsScalar(ctx->input(i))) {
        throw ctx->InvalidArg(std::string(names[i]) + " must be a scalar, not shape " + ShapeOf(ctx->input(i)));
      }
    }
    const T start = ctx->input(0).data<T>()[0];
    const T limit = ctx->input(1).data<T>()[0];
    const T delta = ctx->input(2).data<T>()[0];
    auto str = [](T v) {
      if constexpr (std::is_integral_v<T>) return std::to_string(v);
      else {
        std::string s = std::to_string(v);  // trim "2.500000" to "2.5"
        if (s.find('.') != std::string::npos) {
          s.erase(s.find_last_not_of('0') + 1);
          if (s.back() == '.') s.pop_back();
        }
        return s;
      }
    };
    if (delta > 0) {
      if (start > limit) throw ctx->InvalidArg("Requires start <= limit when delta > 0: " + str(start) + "/" + str(limit));
    } else if (delta < 0) {
      if (start < limit) throw ctx->InvalidArg("Requires start >= limit when delta < 0: " + str(start) + "/" + str(limit));
    } else {
      throw ctx->InvalidArg("Requires delta != 0");
    }
    int64_t size;
    if constexpr (std::is_integral_v<T>) {
      const int64_t span = static_cast<int64_t>(limit) - static_cast<int64_t>(start);
      const int64_t d = delta < 0 ? -static_cast<int64_t>(delta) : static_cast<int64_t>(delta);
      size = ((span < 0 ? -span : span) + d - 1) / d;
    } else {
      const double n = std::ceil(std::abs((static_cast<double>(limit) - start) / delta));
      if (!(n < 9.2e18)) throw ctx->InvalidArg("Requires ((limit - start) / delta) <= " + std::to_string(std::numeric_limits<int64_t>::max()));
      size = static_cast<int64_t>(n);
    }
    Tensor& out = ctx->allocate_output(0, DataTypeOf<T>(), {size});
    T* p = out.data<T>();
    T val = start;  // accumulated, as TF1 does
    for (int64_t i = 0; i < size; i++) {
      p[i] = val;
      val += delta;
    }
  }
};

// ---------- LinSpace ----------

template <typename T>
class LinSpaceOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    static const char* names[] = {"start", "stop", "num"};
    for (int i = 0; i < 3; i++) {
      if (!IsScalar(ctx->input(i))) {
        throw ctx->InvalidArg(std::string(names[i]) + " must be a scalar, not shape " + ShapeOf(ctx->input(i)));
      }
    }
    const T start = ctx->input(0).data<T>()[0];
    const T stop = ctx->input(1).data<T>()[0];
    const int64_t num = IndexValues(ctx->input(2))[0];
    if (num <= 0) throw ctx->InvalidArg("Requires num > 0: " + std::to_string(num));
    Tensor& out = ctx->allocate_output(0, DataTypeOf<T>(), {num});
    T* p = out.data<T>();
    if (num == 1) {
      p[0] = start;
    } else {
      const T step = (stop - start) / static_cast<T>(num - 1);
      for (int64_t i = 0; i < num - 1; i++) p[i] = start + step * static_cast<T>(i);
      p[num - 1] = stop;
    }
  }
};

struct Registrations {
  Registrations() {
    RegisterTypes<FillOp>("Fill", "T", AllTypes());
    RegisterTypes<ZerosLikeOp>("ZerosLike", "T", AllTypes());
    RegisterTypes<OnesLikeOp>("OnesLike", "T", PodTypes());
    TG_REGISTER_KERNEL_FOR_TYPES(Name("Range").Device(DEVICE_CPU), "Tidx", RangeOp, float, double, int32_t, int64_t);
    TG_REGISTER_KERNEL_FOR_TYPES(Name("LinSpace").Device(DEVICE_CPU), "T", LinSpaceOp, float, double);
  }
};
Registrations registrations;

}  // namespace
}  // namespace tg
