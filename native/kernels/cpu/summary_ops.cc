// Summary kernels (TF1 tf.summary; TF's signatures). Each returns a string scalar holding a
// serialized tensorflow.Summary (schema/proto/summary.proto):
//   ScalarSummary(tags: string, values: T real) -> one simple_value per element
//   HistogramSummary(tag: string scalar, values: T real) -> a HistogramProto of all elements
//   ImageSummary(tag, tensor: T [b,h,w,c], attrs max_images, bad_color) -> PNG images
//   AudioSummaryV2(tag, tensor: float [b,frames(,channels)], sample_rate: float, attr max_outputs) -> WAV
//   TensorSummaryV2(tag, tensor: T, serialized_summary_metadata: string) -> a TensorProto value
//   MergeSummary(inputs: N x string) -> the values of all inputs (tags must be unique)
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <functional>
#include <string>
#include <unordered_set>
#include <vector>

#include "io/png.h"
#include "io/wav.h"
#include "kernels/cpu/half.h"
#include "runtime/kernel.h"
#include "summary.pb.h"

namespace tg {
namespace {

constexpr DeviceType kCPU = DeviceType::kCPU;

// Element i of a real-number tensor, widened to double (exact for every real dtype but int64
// beyond 2^53, as TF's static_cast<double>).
double RealAt(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DataType::DT_FLOAT: return t.data<float>()[i];
    case DataType::DT_DOUBLE: return t.data<double>()[i];
    case DataType::DT_INT32: return t.data<int32_t>()[i];
    case DataType::DT_UINT8: return t.data<uint8_t>()[i];
    case DataType::DT_INT16: return t.data<int16_t>()[i];
    case DataType::DT_INT8: return t.data<int8_t>()[i];
    case DataType::DT_INT64: return static_cast<double>(t.data<int64_t>()[i]);
    case DataType::DT_HALF: return HalfToFloat(t.data<uint16_t>()[i]);
    case DataType::DT_BFLOAT16: return Bfloat16ToFloat(t.data<uint16_t>()[i]);
    default: return 0;  // callers check IsReal first
  }
}

bool IsReal(DataType d) {
  switch (d) {
    case DataType::DT_FLOAT: case DataType::DT_DOUBLE: case DataType::DT_INT32: case DataType::DT_UINT8:
    case DataType::DT_INT16: case DataType::DT_INT8: case DataType::DT_INT64: case DataType::DT_HALF:
    case DataType::DT_BFLOAT16:
      return true;
    default:
      return false;
  }
}

void RequireReal(OpKernelContext* ctx, const Tensor& t, const char* what) {
  if (!IsReal(t.dtype())) {
    throw ctx->InvalidArg(std::string("Input ") + what + " must be a real number tensor, got " + DataTypeName(t.dtype()));
  }
}

const std::string& ScalarTag(OpKernelContext* ctx, int i, const char* msg) {
  const Tensor& t = ctx->input(i);
  if (t.dtype() != DataType::DT_STRING || t.dims() != 0) throw ctx->InvalidArg(msg);
  return t.strings()[0];
}

void Output(OpKernelContext* ctx, const tensorflow::Summary& s) {
  Tensor& out = ctx->allocate_output(0, DataType::DT_STRING, {});
  if (!s.SerializeToString(&out.strings()[0])) throw Error(Code::kInternal, "Summary serialization failed", ctx->node().name);
}

// ---------- ScalarSummary ----------

bool IsLegacyScalar(const Shape& s) { return s.empty() || (s.size() == 1 && s[0] == 1); }

class ScalarSummaryOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& tags = ctx->input(0);
    const Tensor& values = ctx->input(1);
    if (tags.dtype() != DataType::DT_STRING) throw ctx->InvalidArg("tags must be a string tensor");
    RequireReal(ctx, values, "values");
    if (tags.shape() != values.shape() && !(IsLegacyScalar(tags.shape()) && IsLegacyScalar(values.shape()))) {
      std::string msg = "tags and values are not the same shape: " + ShapeString(tags.shape()) + " != " + ShapeString(values.shape());
      if (tags.num_elements() == 1) msg += " (tag '" + tags.strings()[0] + "')";
      throw ctx->InvalidArg(msg);
    }
    tensorflow::Summary s;
    for (int64_t i = 0; i < tags.num_elements(); i++) {
      auto* v = s.add_value();
      v->set_tag(tags.strings()[i]);
      v->set_simple_value(static_cast<float>(RealAt(values, i)));
    }
    Output(ctx, s);
  }
};
TG_REGISTER_KERNEL(Name("ScalarSummary").Device(DEVICE_CPU), ScalarSummaryOp);

// ---------- HistogramSummary ----------

// TF's default bucket limits (tensorflow/core/lib/histogram): +-1e-12 growing by 10% up to
// 1e20, 0 between the signs, +-DBL_MAX at the ends. Bucket i holds limits[i-1] <= v < limits[i]
// (std::upper_bound over all limits, as TF). The search goes through the positive limits and a
// table by binary exponent: about 7 limits lie between two powers of two, so a value needs a
// few comparisons instead of a binary search over ~1550 (summaries run every training step).
class BucketLimits {
 public:
  static const BucketLimits& Get() {
    static const BucketLimits limits;
    return limits;
  }
  const std::vector<double>& all() const { return all_; }

  // std::upper_bound(all, v) for a finite v; v = DBL_MAX counts in the last bucket (a plain
  // upper_bound, as TF's Histogram::Add, would index past the end).
  size_t UpperBound(double v) const {
    const size_t n = pos_.size();
    if (v > 0) return n + 1 + Search(v, /*upper=*/true);
    if (v == 0) return n + 1;
    return n - Search(-v, /*upper=*/false);
  }

 private:
  BucketLimits() {
    for (double v = 1.0e-12; v < 1.0e20; v *= 1.1) pos_.push_back(v);
    pos_.push_back(DBL_MAX);
    for (auto it = pos_.rbegin(); it != pos_.rend(); ++it) all_.push_back(-*it);
    all_.push_back(0.0);
    all_.insert(all_.end(), pos_.begin(), pos_.end());
    // first_[e]: the first positive limit >= 2^(e - 1023), for every biased exponent e.
    first_.resize(2048);
    size_t j = 0;
    for (int e = 0; e < 2048; e++) {
      const double p = std::ldexp(1.0, e - 1023);
      while (j + 1 < pos_.size() && pos_[j] < p) j++;
      first_[e] = static_cast<uint16_t>(j);
    }
  }
  // The first positive limit > u (upper) or >= u (lower), for u > 0.
  size_t Search(double u, bool upper) const {
    uint64_t bits;
    std::memcpy(&bits, &u, sizeof bits);
    size_t j = first_[(bits >> 52) & 0x7ff];
    // pos_[j - 1] < 2^e <= u here, so only later limits can be <= u.
    while (j + 1 < pos_.size() && (upper ? pos_[j] <= u : pos_[j] < u)) j++;
    return j;
  }

  std::vector<double> pos_;  // 1e-12 ... < 1e20, then DBL_MAX
  std::vector<double> all_;
  std::vector<uint16_t> first_;
};

// TF's Histogram::Add for every value, then EncodeToProto with empty buckets collapsed.
void BuildHistogram(const std::vector<double>& values, tensorflow::HistogramProto* proto) {
  const BucketLimits& b = BucketLimits::Get();
  const auto& limits = b.all();
  std::vector<double> counts(limits.size(), 0.0);
  double mn = DBL_MAX, mx = -DBL_MAX, sum = 0, sum_sq = 0;
  for (double v : values) {
    counts[b.UpperBound(v)] += 1.0;
    mn = std::min(mn, v);
    mx = std::max(mx, v);
    sum += v;
    sum_sq += v * v;
  }
  proto->Clear();
  proto->set_min(mn);
  proto->set_max(mx);
  proto->set_num(static_cast<double>(values.size()));
  proto->set_sum(sum);
  proto->set_sum_squares(sum_sq);
  for (size_t i = 0; i < counts.size();) {
    double end = limits[i], count = counts[i];
    i++;
    if (count <= 0.0) {  // a run of empty buckets becomes one, ending at the run's last limit
      while (i < counts.size() && counts[i] <= 0.0) end = limits[i++];
    }
    proto->add_bucket_limit(end);
    proto->add_bucket(count);
  }
  if (proto->bucket_size() == 0) {
    proto->add_bucket_limit(DBL_MAX);
    proto->add_bucket(0.0);
  }
}

class HistogramSummaryOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const std::string& tag = ScalarTag(ctx, 0, "tags must be scalar");
    const Tensor& values = ctx->input(1);
    RequireReal(ctx, values, "values");
    std::vector<double> vals(values.num_elements());
    for (int64_t i = 0; i < values.num_elements(); i++) {
      vals[i] = RealAt(values, i);
      if (!std::isfinite(vals[i])) throw ctx->InvalidArg("Nan in summary histogram for: " + tag);
    }
    tensorflow::Summary s;
    auto* v = s.add_value();
    v->set_tag(tag);
    BuildHistogram(vals, v->mutable_histo());
    Output(ctx, s);
  }
};
TG_REGISTER_KERNEL(Name("HistogramSummary").Device(DEVICE_CPU), HistogramSummaryOp);

// ---------- ImageSummary ----------

// TF's NormalizeFloatImage: finite pixels (all channels finite) are mapped to uint8 by
// 255/max when no value is negative, else by 127/max|v| around 128; others get bad_color.
// `to_t` rounds an intermediate to the input's precision (half arithmetic for half inputs).
void NormalizeImage(const std::function<double(int64_t)>& at, const std::function<double(double)>& to_t, int64_t hw,
                    int depth, const uint8_t* bad_color, uint8_t* out) {
  float lo = INFINITY, hi = -INFINITY;
  auto finite_pixel = [&](int64_t p) {
    for (int c = 0; c < depth; c++) {
      if (!std::isfinite(at(p * depth + c))) return false;
    }
    return true;
  };
  for (int64_t p = 0; p < hw; p++) {
    if (!finite_pixel(p)) continue;
    for (int c = 0; c < depth; c++) {
      const float v = static_cast<float>(at(p * depth + c));
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  const float kZeroThreshold = 1e-6f;
  double scale, offset;
  if (lo < 0) {
    const float max_val = std::max(std::abs(lo), std::abs(hi));
    scale = to_t(max_val < kZeroThreshold ? 0.0f : 127.0f / max_val);
    offset = to_t(128.0f);
  } else {
    scale = to_t(hi < kZeroThreshold ? 0.0f : 255.0f / hi);
    offset = 0;
  }
  for (int64_t p = 0; p < hw; p++) {
    const bool finite = finite_pixel(p);
    for (int c = 0; c < depth; c++) {
      if (!finite) {
        out[p * depth + c] = bad_color[c];
        continue;
      }
      const double x = to_t(to_t(at(p * depth + c) * scale) + offset);
      out[p * depth + c] = static_cast<uint8_t>(std::min(255.0, std::max(0.0, x)));  // truncates, as TF's cast
    }
  }
}

class ImageSummaryOp : public OpKernel {
 public:
  explicit ImageSummaryOp(const KernelConstruction& c) : OpKernel(c) {
    max_images_ = c.node.AttrInt("max_images", 3);
    const AttrValue* bad = c.node.FindAttr("bad_color");
    if (bad) {
      const Tensor& t = c.node.AttrTensor("bad_color");
      if (t.dtype() != DataType::DT_UINT8 || t.dims() != 1) {
        throw InvalidArgument("bad_color must be a uint8 vector, got " + t.DebugString(), c.node.name);
      }
      bad_color_.assign(t.data<uint8_t>(), t.data<uint8_t>() + t.num_elements());
    }
    if (max_images_ < 1) throw InvalidArgument("max_images must be >= 1, got " + std::to_string(max_images_), c.node.name);
  }

  void Compute(OpKernelContext* ctx) const override {
    const std::string& tag = ScalarTag(ctx, 0, "Tags must be a scalar");
    const Tensor& t = ctx->input(1);
    if (t.dims() != 4 || (t.dim(3) != 1 && t.dim(3) != 3 && t.dim(3) != 4)) {
      throw ctx->InvalidArg("Tensor must be 4-D with last dim 1, 3, or 4, not " + ShapeString(t.shape()));
    }
    const DataType dt = t.dtype();
    if (dt != DataType::DT_UINT8 && dt != DataType::DT_FLOAT && dt != DataType::DT_HALF && dt != DataType::DT_DOUBLE) {
      throw ctx->InvalidArg(std::string("Image summaries take uint8, float32, float16 or float64 tensors, got ") + DataTypeName(dt));
    }
    if (t.dim(0) >= (1LL << 31) || t.dim(1) >= (1LL << 31) || t.dim(2) >= (1LL << 31) || t.dim(1) * t.dim(2) >= (1LL << 29)) {
      throw ctx->InvalidArg("Tensor too large for summary " + ShapeString(t.shape()));
    }
    const int64_t batch = t.dim(0), h = t.dim(1), w = t.dim(2), hw = h * w;
    const int depth = static_cast<int>(t.dim(3));
    if (hw <= 0) {
      throw ctx->InvalidArg("input tensor must have non-zero dims. Found: [" + std::to_string(batch) + ", " + std::to_string(h) +
                            ", " + std::to_string(w) + ", " + std::to_string(depth) + "].");
    }
    if (dt != DataType::DT_UINT8 && static_cast<int>(bad_color_.size()) < depth) {
      throw ctx->InvalidArg("expected depth <= bad_color.size, got depth = " + std::to_string(depth) +
                            ", bad_color.size = " + std::to_string(bad_color_.size()));
    }
    tensorflow::Summary s;
    std::vector<uint8_t> pixels(hw * depth);
    const int64_t n = std::min<int64_t>(max_images_, batch);
    for (int64_t i = 0; i < n; i++) {
      const int64_t base = i * hw * depth;
      const uint8_t* img;
      if (dt == DataType::DT_UINT8) {
        img = t.data<uint8_t>() + base;
      } else {
        std::function<double(int64_t)> at;
        std::function<double(double)> to_t;
        if (dt == DataType::DT_FLOAT) {
          at = [&](int64_t k) { return t.data<float>()[base + k]; };
          to_t = [](double x) { return static_cast<double>(static_cast<float>(x)); };
        } else if (dt == DataType::DT_DOUBLE) {
          at = [&](int64_t k) { return t.data<double>()[base + k]; };
          to_t = [](double x) { return x; };
        } else {
          at = [&](int64_t k) { return HalfToFloat(t.data<uint16_t>()[base + k]); };
          to_t = [](double x) { return static_cast<double>(HalfToFloat(FloatToHalf(static_cast<float>(x)))); };
        }
        NormalizeImage(at, to_t, hw, depth, bad_color_.data(), pixels.data());
        img = pixels.data();
      }
      auto* v = s.add_value();
      // The tag depends on the number of images requested, not produced (as TF).
      v->set_tag(max_images_ > 1 ? tag + "/image/" + std::to_string(i) : tag + "/image");
      auto* im = v->mutable_image();
      im->set_height(static_cast<int32_t>(h));
      im->set_width(static_cast<int32_t>(w));
      im->set_colorspace(depth);
      try {
        im->set_encoded_image_string(EncodePng(img, static_cast<int>(w), static_cast<int>(h), w * depth, depth));
      } catch (const Error& e) {
        throw Error(e.code(), e.what(), ctx->node().name);
      }
    }
    Output(ctx, s);
  }

 private:
  int64_t max_images_;
  std::vector<uint8_t> bad_color_{255, 0, 0, 255};  // TF's default: opaque red
};
TG_REGISTER_KERNEL(Name("ImageSummary").Device(DEVICE_CPU), ImageSummaryOp);

// ---------- AudioSummaryV2 ----------

class AudioSummaryV2Op : public OpKernel {
 public:
  explicit AudioSummaryV2Op(const KernelConstruction& c) : OpKernel(c) {
    max_outputs_ = c.node.AttrInt("max_outputs", 3);
    if (max_outputs_ < 1) throw InvalidArgument("max_outputs must be >= 1, got " + std::to_string(max_outputs_), c.node.name);
  }

  void Compute(OpKernelContext* ctx) const override {
    const std::string& tag = ScalarTag(ctx, 0, "Tag must be a scalar");
    const Tensor& t = ctx->input(1);
    if (t.dtype() != DataType::DT_FLOAT) throw ctx->InvalidArg(std::string("Audio must be float32, got ") + DataTypeName(t.dtype()));
    if (t.dims() < 2 || t.dims() > 3) throw ctx->InvalidArg("Tensor must be 3-D or 2-D, got: " + ShapeString(t.shape()));
    const Tensor& rate_t = ctx->input(2);
    if (rate_t.dtype() != DataType::DT_FLOAT || rate_t.num_elements() != 1 || rate_t.dims() > 1) {
      throw ctx->InvalidArg("sample_rate must be rank-0 or contain a single value");
    }
    const float rate = rate_t.data<float>()[0];
    if (!(rate > 0.0f)) throw ctx->InvalidArg("sample_rate must be > 0");
    const int64_t batch = t.dim(0), frames = t.dim(1), channels = t.dims() == 2 ? 1 : t.dim(2);
    if (channels < 1) throw ctx->InvalidArg("Audio needs at least one channel, got shape " + ShapeString(t.shape()));
    long rounded = lrintf(rate);
    const uint32_t wav_rate = rounded < 1 ? 1u : static_cast<uint32_t>(std::min<long>(rounded, UINT32_MAX));
    tensorflow::Summary s;
    const int64_t n = std::min<int64_t>(max_outputs_, batch);
    for (int64_t i = 0; i < n; i++) {
      auto* v = s.add_value();
      v->set_tag(max_outputs_ > 1 ? tag + "/audio/" + std::to_string(i) : tag + "/audio");
      auto* a = v->mutable_audio();
      a->set_sample_rate(rate);
      a->set_num_channels(channels);
      a->set_length_frames(frames);
      a->set_content_type("audio/wav");
      try {
        a->set_encoded_audio_string(EncodeWav(t.data<float>() + i * frames * channels, frames, channels, wav_rate));
      } catch (const Error& e) {
        throw Error(e.code(), e.what(), ctx->node().name);
      }
    }
    Output(ctx, s);
  }

 private:
  int64_t max_outputs_;
};
TG_REGISTER_KERNEL(Name("AudioSummaryV2").Device(DEVICE_CPU), AudioSummaryV2Op);

// ---------- TensorSummaryV2 ----------

// TF's Tensor::AsProtoTensorContent (strings: AsProtoField, string_val).
void ToTensorProto(OpKernelContext* ctx, const Tensor& t, tensorflow::TensorProto* p) {
  if (t.dtype() == DataType::DT_RESOURCE || t.dtype() == DataType::DT_INVALID) {
    throw ctx->InvalidArg(std::string("Cannot summarize a tensor of type ") + DataTypeName(t.dtype()));
  }
  p->set_dtype(static_cast<tensorflow::DataType>(static_cast<int>(t.dtype())));
  auto* shape = p->mutable_tensor_shape();
  for (int64_t d : t.shape()) shape->add_dim()->set_size(d);
  if (t.dtype() == DataType::DT_STRING) {
    for (int64_t i = 0; i < t.num_elements(); i++) p->add_string_val(t.strings()[i]);
  } else if (t.num_elements() > 0) {
    p->set_tensor_content(t.raw(), static_cast<size_t>(t.num_elements()) * DataTypeSize(t.dtype()));
  }
}

class TensorSummaryV2Op : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const std::string& tag = ScalarTag(ctx, 0, "tag must be scalar");
    const std::string& meta = ScalarTag(ctx, 2, "serialized_summary_metadata must be scalar");
    tensorflow::Summary s;
    auto* v = s.add_value();
    v->set_tag(tag);
    ToTensorProto(ctx, ctx->input(1), v->mutable_tensor());
    if (!v->mutable_metadata()->ParseFromString(meta)) {
      throw ctx->InvalidArg("serialized_summary_metadata is not a serialized SummaryMetadata");
    }
    Output(ctx, s);
  }
};
TG_REGISTER_KERNEL(Name("TensorSummaryV2").Device(DEVICE_CPU), TensorSummaryV2Op);

// ---------- MergeSummary ----------

class MergeSummaryOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    tensorflow::Summary s;
    std::unordered_set<std::string> tags;
    for (int k = 0; k < ctx->num_inputs(); k++) {
      const Tensor& in = ctx->input(k);
      if (in.dtype() != DataType::DT_STRING) throw ctx->InvalidArg("MergeSummary inputs must be string tensors");
      for (int64_t i = 0; i < in.num_elements(); i++) {
        tensorflow::Summary part;
        if (!part.ParseFromString(in.strings()[i])) throw ctx->InvalidArg("Could not parse one of the summary inputs");
        for (auto& v : *part.mutable_value()) {
          // Tensor summaries may leave the tag empty: only non-empty tags must be unique.
          if (!v.tag().empty() && !tags.insert(v.tag()).second) {
            throw ctx->InvalidArg("Duplicate tag " + v.tag() + " found in summary inputs");
          }
          *s.add_value() = std::move(v);
        }
      }
    }
    Output(ctx, s);
  }
};
TG_REGISTER_KERNEL(Name("MergeSummary").Device(DEVICE_CPU), MergeSummaryOp);

}  // namespace
}  // namespace tg
