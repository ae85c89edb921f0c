// TF's data formats, sliding windows and padding for the convolution and pooling kernels of
// every device (kernels/cpu on oneDNN, kernels/cuda on cuDNN): one set of rules and messages.
#pragma once

#include <cstdint>
#include <string>

#include "runtime/kernel.h"

namespace tg {
namespace window {

enum class Format { kNHWC, kNCHW };
enum class Padding { kValid, kSame, kExplicit };

// Throws InvalidArgument for anything but NHWC/NCHW.
Format ParseFormat(const Node& node);
// "VALID" / "SAME" / "EXPLICIT".
Padding ParsePadding(const Node& node);
// Index of the H, W and C dims of a 4-D tensor in `f`.
inline int HIdx(Format f) { return f == Format::kNHWC ? 1 : 2; }
inline int WIdx(Format f) { return f == Format::kNHWC ? 2 : 3; }
inline int CIdx(Format f) { return f == Format::kNHWC ? 3 : 1; }

// One spatial dimension of a sliding window as TF computes it (GetWindowedOutputSizeVerboseV2).
struct Window {
  int64_t out = 0, pad_before = 0, pad_after = 0;
};
// Throws InvalidArgument "Computed output size would be negative ..." like TF.
Window ComputeWindow(const OpKernelContext* ctx, int64_t in, int64_t ksize, int64_t dilation, int64_t stride,
                     Padding padding, int64_t explicit_before = 0, int64_t explicit_after = 0);

// The (H, W) entries of a 4-value attr (strides, dilations, ksize) for `f`, after checking it has
// 4 values and 1 in the batch and depth positions (TF's messages; `what` is "strides" etc.).
struct HW {
  int64_t h, w;
};
HW SpatialAttr(const Node& node, const std::string& attr, Format f, const std::string& what, bool required = true);

// Reads a 1-D int32/int64 shape tensor (Conv2DBackpropInput's input_sizes ...) as a Shape.
Shape ShapeFromTensor(const OpKernelContext* ctx, const Tensor& t, const std::string& what);

}  // namespace window
}  // namespace tg
