// Layout kernels: Transpose, ConcatV2, Pack, Unpack, Split, SplitV, Tile, Pad, PadV2,
// MirrorPad, Where, Select, OneHot. Data moves by element size (memcpy of rows where the
// layout allows), so one kernel serves every dtype. Error messages follow TF1's kernels.
#include "kernels/cpu/array_common.h"

namespace tg {
namespace {

using namespace array;

// ---------- Transpose ----------

class TransposeOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& input = ctx->input(0);
    const Tensor& perm_t = ctx->input(1);
    if (!IsVector(perm_t)) throw ctx->InvalidArg("perm must be a vector, not " + ShapeOf(perm_t));
    const int dims = input.dims();
    const std::vector<int64_t> perm = IndexValues(perm_t);
    if (static_cast<int64_t>(perm.size()) != dims) {
      throw ctx->InvalidArg("transpose expects a vector of size " + std::to_string(dims) +
                            ". But input(1) is a vector of size " + std::to_string(perm.size()));
    }
    std::vector<bool> seen(static_cast<size_t>(dims), false);
    Shape out_shape(static_cast<size_t>(dims));
    bool identity = true;
    for (int i = 0; i < dims; i++) {
      const int64_t d = perm[i];
      if (d < 0 || d >= dims) {
        throw ctx->InvalidArg(std::to_string(d) + " is out of range [0 .. " + std::to_string(dims) + ")");
      }
      if (seen[d]) throw ctx->InvalidArg(std::to_string(d) + " is duplicated in the input.");
      seen[d] = true;
      out_shape[i] = input.dim(static_cast<int>(d));
      identity &= (d == i);
    }
    // Moving only size-1 dims keeps the element order: a view.
    Shape nontrivial;
    for (int i = 0; i < dims; i++) if (input.dim(static_cast<int>(perm[i])) != 1) nontrivial.push_back(perm[i]);
    const bool order_kept = std::is_sorted(nontrivial.begin(), nontrivial.end());
    if (identity || order_kept) {
      ctx->set_output(0, input.Reshaped(out_shape));
      return;
    }
    Tensor& out = ctx->allocate_output(0, input.dtype(), out_shape);
    if (out.num_elements() == 0) return;
    const Shape in_strides = RowStrides(input.shape());
    Shape strides(static_cast<size_t>(dims));
    for (int i = 0; i < dims; i++) strides[i] = in_strides[perm[i]];
    SwitchBySize(input.dtype(), [&](auto tag) {
      using S = typename decltype(tag)::type;
      // StridedCopy tiles the 2-D case (and any N-D case that moves the last dim).
      StridedCopy<S>(ctx, input.data<S>(), 0, out_shape, strides, out.data<S>());
    });
  }
};

// ---------- ConcatV2 and Pack: rows of [outer, sum of inner sizes] ----------

// out[o, :] = input0[o, :] ++ input1[o, :] ++ ... with input i of shape [outer, inner[i]].
template <typename S>
void ConcatRows(OpKernelContext* ctx, const std::vector<const S*>& in, const std::vector<int64_t>& inner, int64_t outer,
                S* out) {
  int64_t row = 0;
  for (int64_t w : inner) row += w;
  if (row == 0 || outer == 0) return;
  if (outer == 1) {
    // One long row per input: split the big copies instead.
    int64_t pos = 0;
    for (size_t i = 0; i < in.size(); i++) {
      const int64_t w = inner[i];
      const S* src = in[i];
      S* dst = out + pos;
      constexpr int64_t kChunk = 1 << 14;
      const int64_t chunks = (w + kChunk - 1) / kChunk;
      MaybeParallel(ctx, chunks, w * static_cast<int64_t>(sizeof(S)), kChunk, [&](int64_t s, int64_t e) {
        const int64_t b = s * kChunk, end = std::min(w, e * kChunk);
        CopyN(src + b, end - b, dst + b);
      });
      pos += w;
    }
    return;
  }
  MaybeParallel(ctx, outer, outer * row * static_cast<int64_t>(sizeof(S)), row + 8 * static_cast<int64_t>(in.size()),
                [&](int64_t s, int64_t e) {
                  for (int64_t o = s; o < e; o++) {
                    S* dst = out + o * row;
                    for (size_t i = 0; i < in.size(); i++) {
                      const int64_t w = inner[i];
                      if (w == 1) *dst = in[i][o];
                      else CopyN(in[i] + o * w, w, dst);
                      dst += w;
                    }
                  }
                });
}

void ConcatTensors(OpKernelContext* ctx, const std::vector<const Tensor*>& values, const std::vector<int64_t>& inner,
                   int64_t outer, Tensor* out) {
  SwitchBySize(out->dtype(), [&](auto tag) {
    using S = typename decltype(tag)::type;
    std::vector<const S*> ptrs;
    std::vector<int64_t> widths;
    for (size_t i = 0; i < values.size(); i++) {
      if (inner[i] == 0) continue;
      ptrs.push_back(values[i]->data<S>());
      widths.push_back(inner[i]);
    }
    ConcatRows<S>(ctx, ptrs, widths, outer, out->data<S>());
  });
}

class ConcatV2Op : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const int n = ctx->num_inputs() - 1;
    const Tensor& axis_t = ctx->input(n);
    if (!IsScalar(axis_t)) {
      throw ctx->InvalidArg("Concat dim tensor should be a scalar integer, but got shape " + ShapeOf(axis_t));
    }
    const int64_t axis_in = IndexValues(axis_t)[0];
    const Tensor& first = ctx->input(0);
    const int rank = first.dims();
    const int64_t axis = axis_in < 0 ? axis_in + rank : axis_in;
    if (axis < 0 || axis >= rank) {
      throw ctx->InvalidArg("ConcatOp : Expected concatenating dimensions in the range [" + std::to_string(-rank) + ", " +
                            std::to_string(rank) + "), but got " + std::to_string(axis_in));
    }
    int64_t outer = 1;
    for (int64_t d = 0; d < axis; d++) outer *= first.dim(static_cast<int>(d));
    Shape out_shape = first.shape();
    out_shape[axis] = 0;
    std::vector<const Tensor*> values;
    std::vector<int64_t> inner;
    for (int i = 0; i < n; i++) {
      const Tensor& in = ctx->input(i);
      if (in.dtype() != first.dtype()) throw ctx->InvalidArg("ConcatOp : all inputs must have the same dtype");
      if (in.dims() != rank) {
        throw ctx->InvalidArg("ConcatOp : Ranks of all input tensors should match: shape[0] = " + ShapeOf(first) +
                              " vs. shape[" + std::to_string(i) + "] = " + ShapeOf(in));
      }
      for (int d = 0; d < rank; d++) {
        if (d != axis && in.dim(d) != first.dim(d)) {
          throw ctx->InvalidArg("ConcatOp : Dimensions of inputs should match: shape[0] = " + ShapeOf(first) +
                                " vs. shape[" + std::to_string(i) + "] = " + ShapeOf(in));
        }
      }
      out_shape[axis] += in.dim(static_cast<int>(axis));
      values.push_back(&in);
      inner.push_back(outer > 0 ? in.num_elements() / std::max<int64_t>(outer, 1) : 0);
    }
    // One non-empty input: the output is that input (shared buffer).
    int nonempty = -1, count = 0;
    for (int i = 0; i < n; i++) if (ctx->input(i).num_elements() > 0) { nonempty = i; count++; }
    if (count == 1 && ctx->input(nonempty).shape() == out_shape) {
      ctx->forward_input(nonempty, 0);
      return;
    }
    Tensor& out = ctx->allocate_output(0, first.dtype(), std::move(out_shape));
    if (out.num_elements() == 0) return;
    ConcatTensors(ctx, values, inner, outer, &out);
  }
};

class PackOp : public OpKernel {
 public:
  explicit PackOp(const KernelConstruction& c) : OpKernel(c), axis_(c.node.AttrInt("axis", 0)) {}
  void Compute(OpKernelContext* ctx) const override {
    const int n = ctx->num_inputs();
    const Tensor& first = ctx->input(0);
    const int64_t expanded = first.dims() + 1;
    int64_t axis = axis_ < 0 ? axis_ + expanded : axis_;
    if (axis < 0 || axis >= expanded) {
      throw ctx->InvalidArg("axis = " + std::to_string(axis_) + " not in [" + std::to_string(-expanded) + ", " +
                            std::to_string(expanded) + ")");
    }
    for (int i = 1; i < n; i++) {
      if (ctx->input(i).shape() != first.shape()) {
        throw ctx->InvalidArg("Shapes of all inputs must match: values[0].shape = " + ShapeOf(first) + " != values[" +
                              std::to_string(i) + "].shape = " + ShapeOf(ctx->input(i)));
      }
    }
    Shape out_shape = first.shape();
    out_shape.insert(out_shape.begin() + axis, n);
    if (n == 1) {
      ctx->set_output(0, first.Reshaped(out_shape));
      return;
    }
    Tensor& out = ctx->allocate_output(0, first.dtype(), out_shape);
    if (out.num_elements() == 0) return;
    int64_t outer = 1;
    for (int64_t d = 0; d < axis; d++) outer *= first.dim(static_cast<int>(d));
    std::vector<const Tensor*> values;
    for (int i = 0; i < n; i++) values.push_back(&ctx->input(i));
    std::vector<int64_t> inner(static_cast<size_t>(n), first.num_elements() / outer);
    ConcatTensors(ctx, values, inner, outer, &out);
  }

 private:
  int64_t axis_;
};

// ---------- Unpack, Split, SplitV: pieces of [outer, dim, inner] along dim ----------

// Output j = input[:, starts[j] : starts[j] + sizes[j], :] with input viewed as [outer, dim, inner].
void SplitInto(OpKernelContext* ctx, const Tensor& input, int64_t axis, const std::vector<int64_t>& sizes,
               const std::vector<Shape>& shapes) {
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; d++) outer *= input.dim(static_cast<int>(d));
  for (int d = static_cast<int>(axis) + 1; d < input.dims(); d++) inner *= input.dim(d);
  const int64_t dim = input.dim(static_cast<int>(axis));
  int64_t start = 0;
  for (size_t j = 0; j < sizes.size(); j++) {
    Tensor& out = ctx->allocate_output(static_cast<int>(j), input.dtype(), shapes[j]);
    const int64_t w = sizes[j];
    if (out.num_elements() > 0) {
      SwitchBySize(input.dtype(), [&](auto tag) {
        using S = typename decltype(tag)::type;
        StridedCopy<S>(ctx, input.data<S>(), start * inner, {outer, w * inner}, {dim * inner, 1}, out.data<S>());
      });
    }
    start += w;
  }
}

class UnpackOp : public OpKernel {
 public:
  explicit UnpackOp(const KernelConstruction& c)
      : OpKernel(c, static_cast<int>(c.node.AttrInt("num"))), axis_(c.node.AttrInt("axis", 0)) {}
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& input = ctx->input(0);
    const int num = num_outputs();
    const int64_t rank = input.dims();
    const int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
    if (axis < 0 || axis >= rank) {
      throw ctx->InvalidArg("axis = " + std::to_string(axis_) + " not in [" + std::to_string(-rank) + ", " +
                            std::to_string(rank) + ")");
    }
    if (input.dim(static_cast<int>(axis)) != num) {
      throw ctx->InvalidArg("Input shape axis " + std::to_string(axis) + " must equal " + std::to_string(num) +
                            ", got shape " + ShapeOf(input));
    }
    Shape piece = input.shape();
    piece.erase(piece.begin() + axis);
    if (num == 1) {
      ctx->set_output(0, input.Reshaped(piece));
      return;
    }
    SplitInto(ctx, input, axis, std::vector<int64_t>(static_cast<size_t>(num), 1), std::vector<Shape>(num, piece));
  }

 private:
  int64_t axis_;
};

int64_t SplitAxis(OpKernelContext* ctx, const Tensor& axis_t, const Tensor& input) {
  if (axis_t.num_elements() != 1) {
    throw ctx->InvalidArg("split_dim must be a scalar but has rank " + std::to_string(axis_t.dims()));
  }
  const int64_t orig = IndexValues(axis_t)[0];
  const int64_t rank = input.dims();
  const int64_t axis = orig < 0 ? orig + rank : orig;
  if (axis < 0 || axis >= rank) {
    throw ctx->InvalidArg("-input rank(-" + std::to_string(rank) + ") <= split_dim < input rank (" + std::to_string(rank) +
                          "), but got " + std::to_string(orig));
  }
  return axis;
}

class SplitOp : public OpKernel {
 public:
  explicit SplitOp(const KernelConstruction& c) : OpKernel(c, static_cast<int>(c.node.AttrInt("num_split"))) {}
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& input = ctx->input(1);
    const int num = num_outputs();
    const int64_t axis = SplitAxis(ctx, ctx->input(0), input);
    const int64_t dim = input.dim(static_cast<int>(axis));
    if (num <= 0) throw ctx->InvalidArg("Number of ways to split should be > 0, but got " + std::to_string(num));
    if (dim % num != 0) {
      throw ctx->InvalidArg("Number of ways to split should evenly divide the split dimension, but got split_dim " +
                            std::to_string(IndexValues(ctx->input(0))[0]) + " (size = " + std::to_string(dim) +
                            ") and num_split " + std::to_string(num));
    }
    if (num == 1) {
      ctx->forward_input(1, 0);
      return;
    }
    Shape piece = input.shape();
    piece[axis] = dim / num;
    SplitInto(ctx, input, axis, std::vector<int64_t>(static_cast<size_t>(num), dim / num), std::vector<Shape>(num, piece));
  }
};

class SplitVOp : public OpKernel {
 public:
  explicit SplitVOp(const KernelConstruction& c) : OpKernel(c, static_cast<int>(c.node.AttrInt("num_split"))) {}
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& input = ctx->input(0);
    const Tensor& sizes_t = ctx->input(1);
    const int num = num_outputs();
    const int64_t axis = SplitAxis(ctx, ctx->input(2), input);
    if (!IsVector(sizes_t) || sizes_t.num_elements() != num) {
      throw ctx->InvalidArg("size of the split_tensor must be 1-D and have the same elements as outputs got " +
                            std::to_string(sizes_t.dims()) + " -D and " + std::to_string(sizes_t.num_elements()) +
                            " elements");
    }
    std::vector<int64_t> sizes = IndexValues(sizes_t);
    const int64_t dim = input.dim(static_cast<int>(axis));
    int neg = -1;
    int64_t determined = 0;
    for (int d = 0; d < num; d++) {
      const int64_t s = sizes[d];
      if (s == -1) {
        if (neg != -1) throw ctx->InvalidArg("There can only be one -1 in the input.");
        neg = d;
      } else if (s < 0) {
        throw ctx->InvalidArg("Split size at index " + std::to_string(d) + " must be >= 0. Got: " + std::to_string(s));
      } else {
        determined += s;
      }
    }
    if ((neg == -1 && determined != dim) || (neg != -1 && determined > dim)) {
      throw ctx->InvalidArg(
          "Determined shape must either match input shape along split_dim exactly if fully specified, or be less than "
          "the size of the input along split_dim if not fully specified.  Got: " + std::to_string(determined));
    }
    if (neg != -1) sizes[neg] = dim - determined;
    if (num == 1) {
      ctx->forward_input(0, 0);
      return;
    }
    std::vector<Shape> shapes;
    for (int d = 0; d < num; d++) {
      Shape s = input.shape();
      s[axis] = sizes[d];
      shapes.push_back(std::move(s));
    }
    SplitInto(ctx, input, axis, sizes, shapes);
  }
};

// ---------- Tile ----------

class TileOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& input = ctx->input(0);
    const Tensor& mult_t = ctx->input(1);
    if (!IsVector(mult_t)) {
      throw ctx->InvalidArg("Expected multiples argument to be a vector of length " + std::to_string(input.dims()) +
                            " but got length " + std::to_string(mult_t.dims() == 0 ? 0 : mult_t.dim(0)));
    }
    if (mult_t.dim(0) != input.dims()) {
      throw ctx->InvalidArg("Expected multiples argument to be a vector of length " + std::to_string(input.dims()) +
                            " but got length " + std::to_string(mult_t.dim(0)));
    }
    const std::vector<int64_t> m = IndexValues(mult_t);
    const int rank = input.dims();
    Shape out_shape(static_cast<size_t>(rank));
    bool identity = true;
    for (int i = 0; i < rank; i++) {
      if (m[i] < 0) {
        throw ctx->InvalidArg("Expected multiples[" + std::to_string(i) + "] >= 0, but got " + std::to_string(m[i]));
      }
      out_shape[i] = input.dim(i) * m[i];
      identity &= (m[i] == 1);
    }
    if (identity) {
      ctx->forward_input(0, 0);
      return;
    }
    Tensor& out = ctx->allocate_output(0, input.dtype(), out_shape);
    if (out.num_elements() == 0) return;
    // The output seen as [m0, d0, m1, d1, ...]: the repeat dims read with stride 0.
    const Shape in_strides = RowStrides(input.shape());
    Shape dims, strides;
    for (int i = 0; i < rank; i++) {
      dims.push_back(m[i]);
      strides.push_back(0);
      dims.push_back(input.dim(i));
      strides.push_back(in_strides[i]);
    }
    SwitchBySize(input.dtype(), [&](auto tag) {
      using S = typename decltype(tag)::type;
      StridedCopy<S>(ctx, input.data<S>(), 0, dims, strides, out.data<S>());
    });
  }
};

// ---------- Pad, PadV2, MirrorPad ----------

// Validates paddings against the input; returns [before0, after0, before1, ...].
std::vector<int64_t> ReadPaddings(OpKernelContext* ctx, const Tensor& input, const Tensor& paddings) {
  if (!(paddings.dims() == 2 && paddings.dim(1) == 2)) {
    throw ctx->InvalidArg("paddings must be a matrix with 2 columns: " + ShapeOf(paddings));
  }
  if (paddings.dim(0) != input.dims()) {
    throw ctx->InvalidArg("The first dimension of paddings must be the rank of inputs" + ShapeOf(paddings) + " " +
                          ShapeOf(input));
  }
  std::vector<int64_t> p = IndexValues(paddings);
  for (int d = 0; d < input.dims(); d++) {
    if (p[2 * d] < 0 || p[2 * d + 1] < 0) {
      throw ctx->InvalidArg("Paddings must be non-negative: " + std::to_string(p[2 * d]) + " " + std::to_string(p[2 * d + 1]));
    }
  }
  return p;
}

template <typename S>
void ConstantPad(OpKernelContext* ctx, const Tensor& input, const std::vector<int64_t>& p, const S& value, Tensor* out) {
  S* po = out->data<S>();
  const int64_t n = out->num_elements();
  MaybeParallel(ctx, n, n * static_cast<int64_t>(sizeof(S)), 1, [&](int64_t s, int64_t e) { std::fill(po + s, po + e, value); });
  if (input.num_elements() == 0) return;
  // Scatter the input rows into the interior: the interior of the output is a strided view.
  const int rank = input.dims();
  const Shape ostr = RowStrides(out->shape());
  int64_t offset = 0;
  for (int d = 0; d < rank; d++) offset += p[2 * d] * ostr[d];
  const int64_t inner = rank == 0 ? 1 : input.dim(rank - 1);
  const int64_t rows = input.num_elements() / inner;
  const S* pi = input.data<S>();
  MaybeParallel(ctx, rows, input.num_elements() * static_cast<int64_t>(sizeof(S)), inner + 8, [&](int64_t s, int64_t e) {
    for (int64_t row = s; row < e; row++) {
      int64_t rem = row, off = offset;
      for (int d = rank - 2; d >= 0; d--) {
        off += (rem % input.dim(d)) * ostr[d];
        rem /= input.dim(d);
      }
      CopyN(pi + row * inner, inner, po + off);
    }
  });
}

class PadOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& input = ctx->input(0);
    const std::vector<int64_t> p = ReadPaddings(ctx, input, ctx->input(1));
    const bool v2 = ctx->num_inputs() > 2;
    if (v2 && !IsScalar(ctx->input(2))) {
      throw ctx->InvalidArg("constant_values must be a scalar. Got: " + ShapeOf(ctx->input(2)));
    }
    Shape out_shape = input.shape();
    bool identity = true;
    for (int d = 0; d < input.dims(); d++) {
      out_shape[d] += p[2 * d] + p[2 * d + 1];
      identity &= (p[2 * d] == 0 && p[2 * d + 1] == 0);
    }
    if (identity) {
      ctx->forward_input(0, 0);
      return;
    }
    Tensor& out = ctx->allocate_output(0, input.dtype(), std::move(out_shape));
    SwitchBySize(input.dtype(), [&](auto tag) {
      using S = typename decltype(tag)::type;
      const S value = v2 ? ctx->input(2).data<S>()[0] : S();
      ConstantPad<S>(ctx, input, p, value, &out);
    });
  }
};

class MirrorPadOp : public OpKernel {
 public:
  explicit MirrorPadOp(const KernelConstruction& c) : OpKernel(c), offset_(MirrorPadOffset(c)) {}
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& input = ctx->input(0);
    const std::vector<int64_t> p = ReadPaddings(ctx, input, ctx->input(1));
    const int rank = input.dims();
    Shape out_shape = input.shape();
    bool identity = true;
    for (int d = 0; d < rank; d++) {
      const int64_t before = p[2 * d], after = p[2 * d + 1], limit = input.dim(d) - offset_;
      if (before > limit || after > limit) {
        throw ctx->InvalidArg("paddings must be no greater than the dimension size: " + std::to_string(before) + ", " +
                              std::to_string(after) + " greater than " + std::to_string(limit));
      }
      out_shape[d] += before + after;
      identity &= (before == 0 && after == 0);
    }
    if (identity) {
      ctx->forward_input(0, 0);
      return;
    }
    Tensor& out = ctx->allocate_output(0, input.dtype(), out_shape);
    if (out.num_elements() == 0) return;
    // Per dim, the input index of each output index.
    std::vector<std::vector<int64_t>> map(static_cast<size_t>(rank));
    for (int d = 0; d < rank; d++) {
      const int64_t n = input.dim(d), before = p[2 * d];
      map[d].resize(static_cast<size_t>(out_shape[d]));
      for (int64_t o = 0; o < out_shape[d]; o++) map[d][o] = MirrorIndex(o - before, n, offset_);
    }
    const Shape istr = RowStrides(input.shape());
    const int64_t inner = out_shape[rank - 1];
    const int64_t rows = out.num_elements() / inner;
    SwitchBySize(input.dtype(), [&](auto tag) {
      using S = typename decltype(tag)::type;
      const S* pi = input.data<S>();
      S* po = out.data<S>();
      const std::vector<int64_t>& last = map[rank - 1];
      MaybeParallel(ctx, rows, out.num_elements() * static_cast<int64_t>(sizeof(S)), inner * 2, [&](int64_t s, int64_t e) {
        for (int64_t row = s; row < e; row++) {
          int64_t rem = row, off = 0;
          for (int d = rank - 2; d >= 0; d--) {
            off += map[d][rem % out_shape[d]] * istr[d];
            rem /= out_shape[d];
          }
          const S* src = pi + off;
          S* dst = po + row * inner;
          for (int64_t j = 0; j < inner; j++) dst[j] = src[last[j]];
        }
      });
    });
  }

 private:
  const int64_t offset_;
};

// ---------- Where (coordinates of true / non-zero elements) ----------

template <typename T>
class WhereOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& input = ctx->input(0);
    const T* p = input.data<T>();
    const int64_t n = input.num_elements();
    int64_t count = 0;
    for (int64_t i = 0; i < n; i++) count += (p[i] != T(0));
    const int rank = input.dims();
    Tensor& out = ctx->allocate_output(0, DataType::DT_INT64, {count, rank});
    int64_t* po = out.data<int64_t>();
    std::vector<int64_t> idx(static_cast<size_t>(rank), 0);
    for (int64_t i = 0; i < n; i++) {
      if (p[i] != T(0)) {
        for (int d = 0; d < rank; d++) *po++ = idx[d];
      }
      for (int d = rank - 1; d >= 0; d--) {
        if (++idx[d] < input.dim(d)) break;
        idx[d] = 0;
      }
    }
  }
};

// ---------- Select (TF1: cond of x's shape, a vector over x's first dim, or a scalar) ----------

class SelectOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& cond = ctx->input(0);
    const Tensor& then_t = ctx->input(1);
    const Tensor& else_t = ctx->input(2);
    auto same_size = [&]() {
      if (then_t.shape() != else_t.shape()) {
        throw ctx->InvalidArg("'then' and 'else' must have the same size.  but received: " + ShapeOf(then_t) + " vs. " +
                              ShapeOf(else_t));
      }
    };
    const bool* c = cond.data<bool>();
    if (IsScalar(cond)) {
      same_size();
      ctx->forward_input(c[0] ? 1 : 2, 0);
      return;
    }
    const bool broadcasting = IsVector(cond) && !IsVector(then_t);
    if (broadcasting) {
      if (then_t.dims() < 1) {
        throw ctx->InvalidArg("'then' must be at least a vector, but saw shape: " + ShapeOf(then_t));
      }
      if (then_t.dim(0) != cond.num_elements()) {
        throw ctx->InvalidArg("Number of batches of 'then' must match size of 'cond', but saw: " +
                              std::to_string(then_t.dim(0)) + " vs. " + std::to_string(cond.num_elements()));
      }
      same_size();
    } else {
      for (int i = 1; i <= 2; i++) {
        if (ctx->input(i).shape() != cond.shape()) {
          throw ctx->InvalidArg("Inputs to operation " + name() + " of type Select must have the same size and shape.  Input 0: " +
                                ShapeOf(cond) + " != input " + std::to_string(i) + ": " + ShapeOf(ctx->input(i)));
        }
      }
    }
    Tensor& out = ctx->allocate_output(0, then_t.dtype(), then_t.shape());
    const int64_t n = out.num_elements();
    if (n == 0) return;
    SwitchBySize(then_t.dtype(), [&](auto tag) {
      using S = typename decltype(tag)::type;
      const S* pt = then_t.data<S>();
      const S* pe = else_t.data<S>();
      S* po = out.data<S>();
      const int64_t bytes = n * static_cast<int64_t>(sizeof(S));
      if (broadcasting) {
        const int64_t batches = cond.num_elements();
        const int64_t row = n / batches;
        MaybeParallel(ctx, batches, bytes, row + 8, [&](int64_t s, int64_t e) {
          for (int64_t b = s; b < e; b++) CopyN((c[b] ? pt : pe) + b * row, row, po + b * row);
        });
      } else {
        MaybeParallel(ctx, n, bytes, 2, [&](int64_t s, int64_t e) {
          for (int64_t i = s; i < e; i++) po[i] = c[i] ? pt[i] : pe[i];
        });
      }
    });
  }
};

// ---------- OneHot ----------

class OneHotOp : public OpKernel {
 public:
  explicit OneHotOp(const KernelConstruction& c) : OpKernel(c), axis_(c.node.AttrInt("axis", -1)) {}
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& indices = ctx->input(0);
    const Tensor& depth_t = ctx->input(1);
    const Tensor& on_t = ctx->input(2);
    const Tensor& off_t = ctx->input(3);
    const int idims = indices.dims();
    const int out_dims = idims + 1;
    if (axis_ != -1 && (axis_ < 0 || axis_ >= out_dims)) {
      throw ctx->InvalidArg("Expected axis to be -1 or between [0, " + std::to_string(out_dims) +
                            ").  But received: " + std::to_string(axis_));
    }
    if (!IsScalar(depth_t)) throw ctx->InvalidArg("depth must be a scalar, but got: " + ShapeOf(depth_t));
    if (!IsScalar(on_t)) throw ctx->InvalidArg("on_value must be a scalar, but got: " + ShapeOf(on_t));
    if (!IsScalar(off_t)) throw ctx->InvalidArg("off_value must be a scalar, but got: " + ShapeOf(off_t));
    const int64_t depth = depth_t.data<int32_t>()[0];
    if (depth < 0) throw ctx->InvalidArg("depth must be non-negative, got: " + std::to_string(depth));
    const int axis = axis_ == -1 ? idims : static_cast<int>(axis_);
    Shape out_shape = indices.shape();
    out_shape.insert(out_shape.begin() + axis, depth);
    Tensor& out = ctx->allocate_output(0, on_t.dtype(), out_shape);
    if (out.num_elements() == 0) return;
    // out[p, d, s] = indices[p, s] == d ? on : off.
    int64_t prefix = 1, suffix = 1;
    for (int i = 0; i < axis; i++) prefix *= indices.dim(i);
    for (int i = axis; i < idims; i++) suffix *= indices.dim(i);
    std::vector<int64_t> idx(static_cast<size_t>(indices.num_elements()));
    switch (indices.dtype()) {
      case DataType::DT_UINT8: for (size_t i = 0; i < idx.size(); i++) idx[i] = indices.data<uint8_t>()[i]; break;
      case DataType::DT_INT32: for (size_t i = 0; i < idx.size(); i++) idx[i] = indices.data<int32_t>()[i]; break;
      case DataType::DT_INT64: for (size_t i = 0; i < idx.size(); i++) idx[i] = indices.data<int64_t>()[i]; break;
      default: throw ctx->InvalidArg("OneHot indices must be uint8, int32 or int64, got " + DataTypeName(indices.dtype()));
    }
    SwitchBySize(on_t.dtype(), [&](auto tag) {
      using S = typename decltype(tag)::type;
      const S on = on_t.data<S>()[0];
      const S off = off_t.data<S>()[0];
      S* po = out.data<S>();
      const int64_t n = out.num_elements();
      MaybeParallel(ctx, n, n * static_cast<int64_t>(sizeof(S)), 1, [&](int64_t s, int64_t e) { std::fill(po + s, po + e, off); });
      // Out-of-range indices (negative or >= depth) leave the row all off_value.
      for (int64_t p = 0; p < prefix; p++) {
        for (int64_t s = 0; s < suffix; s++) {
          const int64_t d = idx[p * suffix + s];
          if (d >= 0 && d < depth) po[(p * depth + d) * suffix + s] = on;
        }
      }
    });
  }

 private:
  int64_t axis_;
};

struct Registrations {
  Registrations() {
    RegisterTypes<TransposeOp>("Transpose", "T", AllTypes());
    RegisterTypes<ConcatV2Op>("ConcatV2", "T", AllTypes());
    RegisterTypes<PackOp>("Pack", "T", AllTypes());
    RegisterTypes<UnpackOp>("Unpack", "T", AllTypes());
    RegisterTypes<SplitOp>("Split", "T", AllTypes());
    RegisterTypes<SplitVOp>("SplitV", "T", AllTypes());
    RegisterTypes<TileOp>("Tile", "T", AllTypes());
    RegisterTypes<PadOp>("Pad", "T", AllTypes());
    RegisterTypes<PadOp>("PadV2", "T", AllTypes());
    RegisterTypes<MirrorPadOp>("MirrorPad", "T", AllTypes());
    RegisterTypes<SelectOp>("Select", "T", AllTypes());
    RegisterTypes<OneHotOp>("OneHot", "T", AllTypes());
    TG_REGISTER_KERNEL_FOR_TYPES(Name("Where").Device(DEVICE_CPU), "T", WhereOp, float, double, int32_t, int64_t, int8_t, int16_t, uint8_t, bool);
  }
};
Registrations registrations;

}  // namespace
}  // namespace tg
