#include "kernels/window.h"

#include <algorithm>

namespace tg {
namespace window {

Format ParseFormat(const Node& node) {
  const std::string f = node.AttrString("data_format", "NHWC");
  if (f == "NHWC") return Format::kNHWC;
  if (f == "NCHW") return Format::kNCHW;
  throw InvalidArgument("Invalid data format: " + f, node.name);
}

Padding ParsePadding(const Node& node) {
  const std::string& p = node.AttrString("padding");
  if (p == "VALID") return Padding::kValid;
  if (p == "SAME") return Padding::kSame;
  if (p == "EXPLICIT") return Padding::kExplicit;
  throw InvalidArgument("Invalid padding: " + p, node.name);
}

Window ComputeWindow(const OpKernelContext* ctx, int64_t in, int64_t ksize, int64_t dilation, int64_t stride,
                     Padding padding, int64_t explicit_before, int64_t explicit_after) {
  if (stride <= 0) throw ctx->InvalidArg("Stride must be > 0, but got " + std::to_string(stride));
  if (dilation < 1) throw ctx->InvalidArg("Dilation rate must be >= 1, but got " + std::to_string(dilation));
  const int64_t eff = (ksize - 1) * dilation + 1;
  Window w;
  switch (padding) {
    case Padding::kValid:
      w.out = (in - eff + stride) / stride;  // C++ truncation, as TF
      break;
    case Padding::kExplicit:
      w.out = (in + explicit_before + explicit_after - eff + stride) / stride;
      w.pad_before = explicit_before;
      w.pad_after = explicit_after;
      break;
    case Padding::kSame: {
      w.out = (in + stride - 1) / stride;
      const int64_t needed = std::max<int64_t>(0, (w.out - 1) * stride + eff - in);
      w.pad_before = needed / 2;
      w.pad_after = needed - w.pad_before;
      break;
    }
  }
  if (w.out < 0) {
    throw ctx->InvalidArg("Computed output size would be negative: " + std::to_string(w.out) +
                          " [input_size: " + std::to_string(in) + ", effective_filter_size: " + std::to_string(eff) +
                          ", stride: " + std::to_string(stride) + "]");
  }
  return w;
}

HW SpatialAttr(const Node& node, const std::string& attr, Format f, const std::string& what, bool required) {
  const AttrValue* a = node.FindAttr(attr);
  if (!a) {
    if (required) throw InvalidArgument("Missing attr '" + attr + "'", node.name);
    return {1, 1};
  }
  const std::vector<int64_t>& v = a->list_i;
  if (v.size() != 4) {
    throw InvalidArgument("Sliding window " + what + " field must specify 4 dimensions", node.name);
  }
  const int n = 0, c = CIdx(f);
  if (v[n] != 1 || v[c] != 1) {
    throw Error(Code::kInvalidArgument,
                "Current implementation does not yet support " + what + " in the batch and depth dimensions.", node.name);
  }
  return {v[HIdx(f)], v[WIdx(f)]};
}

Shape ShapeFromTensor(const OpKernelContext* ctx, const Tensor& t, const std::string& what) {
  if (t.dims() != 1) {
    throw ctx->InvalidArg(what + " must be 1-dim, not " + std::to_string(t.dims()));
  }
  Shape s(static_cast<size_t>(t.num_elements()));
  for (int64_t i = 0; i < t.num_elements(); i++) {
    if (t.dtype() == DataType::DT_INT32) {
      s[i] = t.data<int32_t>()[i];
    } else if (t.dtype() == DataType::DT_INT64) {
      s[i] = t.data<int64_t>()[i];
    } else {
      throw ctx->InvalidArg(what + " must be int32 or int64");
    }
    if (s[i] < 0) throw ctx->InvalidArg(what + " has a negative dimension: " + std::to_string(s[i]));
  }
  return s;
}

}  // namespace window
}  // namespace tg
