// Summary kernels: their serialized Summary protos parsed back with libprotobuf, histogram
// buckets against hand-computed limits, PNG images decoded by a small independent reader
// (signature, IHDR, chunk CRCs, inflated IDAT), WAV headers, and the errors TF reports.
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>

#include "io/png.h"
#include "io_test_util.h"
#include "kernels/cpu/half.h"
#include "summary.pb.h"

namespace tg {
namespace {

using namespace testutil;

tensorflow::Summary Parse(const Tensor& t) {
  EXPECT_EQ(t.dtype(), DataType::DT_STRING);
  EXPECT_EQ(t.dims(), 0);
  tensorflow::Summary s;
  EXPECT_TRUE(s.ParseFromString(t.strings()[0]));
  return s;
}

template <typename T>
Tensor Make(DataType dt, Shape shape, std::vector<T> v) {
  Tensor t(dt, shape);
  EXPECT_EQ(static_cast<int64_t>(v.size()), t.num_elements());
  std::memcpy(t.raw(), v.data(), v.size() * sizeof(T));
  return t;
}

// ---------- ScalarSummary ----------

TEST(Summary, ScalarValuesAndTags) {
  KernelRunner k("ScalarSummary", {{"T", AType(DataType::DT_DOUBLE)}}, "loss");
  auto s = Parse(k.Run({Str("train/loss"), Tensor::Scalar<double>(0.25)})[0]);
  ASSERT_EQ(s.value_size(), 1);
  EXPECT_EQ(s.value(0).tag(), "train/loss");
  EXPECT_EQ(s.value(0).simple_value(), 0.25f);
  EXPECT_EQ(s.value(0).value_case(), tensorflow::Summary::Value::kSimpleValue);

  KernelRunner ki("ScalarSummary", {{"T", AType(DataType::DT_INT32)}}, "many");
  s = Parse(ki.Run({Strs({"a", "b"}), Vec<int32_t>({3, -7})})[0]);
  ASSERT_EQ(s.value_size(), 2);
  EXPECT_EQ(s.value(1).tag(), "b");
  EXPECT_EQ(s.value(1).simple_value(), -7.f);
}

TEST(Summary, ScalarShapeMismatch) {
  KernelRunner k("ScalarSummary", {{"T", AType(DataType::DT_FLOAT)}}, "lr");
  EXPECT_EQ(ErrorText([&] { k.Run({Str("lr"), Vec<float>({1.f, 2.f})}); }),
            "tags and values are not the same shape: [] != [2] (tag 'lr')");
  EXPECT_NE(ErrorText([&] { k.Run({Str("lr"), Vec<bool>({true})}); }).find("real number"), std::string::npos);
}

// ---------- HistogramSummary ----------

// TF's default limits by their definition: 1e-12 times 1.1, k times, by repeated multiplication.
double Limit(int k) {
  double v = 1.0e-12;
  for (int i = 0; i < k; i++) v *= 1.1;
  return v;
}

TEST(Summary, HistogramBucketsHandComputed) {
  KernelRunner k("HistogramSummary", {{"T", AType(DataType::DT_FLOAT)}}, "h");
  auto s = Parse(k.Run({Str("weights"), Vec<float>({1.f, -1.f, 0.f, 2.5f, 1.f})})[0]);
  ASSERT_EQ(s.value_size(), 1);
  EXPECT_EQ(s.value(0).tag(), "weights");
  const auto& h = s.value(0).histo();
  EXPECT_EQ(h.min(), -1.0);
  EXPECT_EQ(h.max(), 2.5);
  EXPECT_EQ(h.num(), 5.0);
  EXPECT_EQ(h.sum(), 3.5);
  EXPECT_EQ(h.sum_squares(), 9.25);
  // 1e-12 * 1.1^k first exceeds 1 at k = 290 (1.00897) and 2.5 at k = 300 (2.61701).
  EXPECT_NEAR(Limit(290), 1e-12 * std::pow(1.1, 290), 1e-9);
  EXPECT_NEAR(Limit(289), 0.91725, 1e-5);
  EXPECT_NEAR(Limit(290), 1.00897, 1e-5);
  EXPECT_NEAR(Limit(299), 2.37910, 1e-5);
  EXPECT_NEAR(Limit(300), 2.61701, 1e-5);
  // Bucket i counts limit[i-1] <= v < limit[i]; runs of empty buckets become one, whose
  // limit is the run's last.
  const std::vector<double> limits = {-Limit(290), -Limit(289), 0.0, Limit(0), Limit(289), Limit(290), Limit(299), Limit(300), DBL_MAX};
  const std::vector<double> counts = {0, 1, 0, 1, 0, 2, 0, 1, 0};
  ASSERT_EQ(h.bucket_limit_size(), static_cast<int>(limits.size()));
  ASSERT_EQ(h.bucket_size(), static_cast<int>(counts.size()));
  for (size_t i = 0; i < limits.size(); i++) {
    EXPECT_EQ(h.bucket_limit(i), limits[i]) << i;
    EXPECT_EQ(h.bucket(i), counts[i]) << i;
  }
}

// Every bucket, against a plain binary search over TF's limits, for values of every magnitude
// and sign, exact limits and their neighbours (the kernel finds buckets another way).
TEST(Summary, HistogramBucketsMatchBinarySearch) {
  std::vector<double> pos;
  for (double v = 1.0e-12; v < 1.0e20; v *= 1.1) pos.push_back(v);
  pos.push_back(DBL_MAX);
  std::vector<double> limits;
  for (auto it = pos.rbegin(); it != pos.rend(); ++it) limits.push_back(-*it);
  limits.push_back(0.0);
  limits.insert(limits.end(), pos.begin(), pos.end());
  std::vector<double> values = {0.0, -0.0, 1e-300, -1e-300, 5e-324, 1e300, -1e300, DBL_MAX, -DBL_MAX, 1e20, -1e20};
  for (double l : pos) {
    if (l == DBL_MAX) continue;
    for (double v : {l, std::nextafter(l, 0.0), std::nextafter(l, DBL_MAX)}) {
      values.push_back(v);
      values.push_back(-v);
    }
  }
  uint64_t x = 88172645463325252ull;  // xorshift: log-uniform magnitudes from 1e-30 to 1e30
  for (int i = 0; i < 20000; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    const double m = std::pow(10.0, -30.0 + 60.0 * static_cast<double>(x >> 11) / 9007199254740992.0);
    values.push_back(i % 2 ? m : -m);
  }
  std::vector<double> expected(limits.size(), 0.0);
  // (DBL_MAX itself would fall past the last limit: it is counted in the last bucket.)
  for (double v : values) {
    const size_t i = std::upper_bound(limits.begin(), limits.end(), v) - limits.begin();
    expected[std::min(i, limits.size() - 1)] += 1;
  }

  KernelRunner k("HistogramSummary", {{"T", AType(DataType::DT_DOUBLE)}}, "h");
  Tensor t(DataType::DT_DOUBLE, {static_cast<int64_t>(values.size())});
  std::memcpy(t.raw(), values.data(), values.size() * sizeof(double));
  const auto h = Parse(k.Run({Str("all"), t})[0]).value(0).histo();
  // Expand the collapsed runs of empty buckets back onto the limits.
  std::vector<double> got(limits.size(), 0.0);
  size_t li = 0;
  for (int b = 0; b < h.bucket_size(); b++) {
    while (li < limits.size() && limits[li] != h.bucket_limit(b)) li++;
    ASSERT_LT(li, limits.size()) << "bucket limit " << h.bucket_limit(b) << " is not one of TF's";
    got[li] = h.bucket(b);
  }
  EXPECT_EQ(got, expected);
  EXPECT_EQ(h.num(), static_cast<double>(values.size()));
}

TEST(Summary, HistogramEmptyAndIntegers) {
  KernelRunner k("HistogramSummary", {{"T", AType(DataType::DT_FLOAT)}}, "h");
  auto h = Parse(k.Run({Str("empty"), Tensor(DataType::DT_FLOAT, {0, 3})})[0]).value(0).histo();
  EXPECT_EQ(h.num(), 0.0);
  EXPECT_EQ(h.min(), DBL_MAX);
  EXPECT_EQ(h.max(), -DBL_MAX);
  ASSERT_EQ(h.bucket_size(), 1);
  EXPECT_EQ(h.bucket_limit(0), DBL_MAX);
  EXPECT_EQ(h.bucket(0), 0.0);

  // int64 values of a matrix: every element counts. limit(301) = 2.879 <= 3 < limit(302) =
  // 3.167; -limit(298) = -2.163 <= -2 < -limit(297) = -1.966.
  KernelRunner ki("HistogramSummary", {{"T", AType(DataType::DT_INT64)}}, "h");
  h = Parse(ki.Run({Str("ints"), Make<int64_t>(DataType::DT_INT64, {2, 2}, {3, 3, 3, -2})})[0]).value(0).histo();
  EXPECT_EQ(h.num(), 4.0);
  EXPECT_EQ(h.sum(), 7.0);
  EXPECT_EQ(h.sum_squares(), 31.0);
  double c3 = 0, cm2 = 0;
  for (int i = 0; i < h.bucket_size(); i++) {
    if (h.bucket_limit(i) == Limit(302)) c3 = h.bucket(i);
    if (h.bucket_limit(i) == -Limit(297)) cm2 = h.bucket(i);
  }
  EXPECT_NEAR(Limit(302), 3.16658, 1e-5);
  EXPECT_NEAR(Limit(297), 1.96620, 1e-5);
  EXPECT_EQ(c3, 3.0);
  EXPECT_EQ(cm2, 1.0);
}

TEST(Summary, HistogramNonFinite) {
  KernelRunner k("HistogramSummary", {{"T", AType(DataType::DT_FLOAT)}}, "layer/act");
  EXPECT_EQ(ErrorText([&] { k.Run({Str("layer/act"), Vec<float>({1.f, NAN})}); }), "Nan in summary histogram for: layer/act");
  EXPECT_EQ(ErrorText([&] { k.Run({Str("layer/act"), Vec<float>({INFINITY})}); }), "Nan in summary histogram for: layer/act");
  EXPECT_EQ(ErrorText([&] { k.Run({Strs({"a"}), Vec<float>({1.f})}); }), "tags must be scalar");
}

// ---------- ImageSummary: an independent PNG reader ----------

uint32_t BE32(const std::string& s, size_t at) {
  return (uint32_t(uint8_t(s[at])) << 24) | (uint32_t(uint8_t(s[at + 1])) << 16) | (uint32_t(uint8_t(s[at + 2])) << 8) |
         uint32_t(uint8_t(s[at + 3]));
}

struct Png {
  uint32_t width = 0, height = 0;
  int bit_depth = 0, color_type = 0;
  std::vector<uint8_t> pixels;  // filter bytes removed
};

// Checks the signature, every chunk's CRC, IHDR first and IEND last; inflates the IDAT data
// and undoes filter type 0 (the only one our encoder writes; others fail the test).
Png DecodePng(const std::string& s) {
  Png png;
  EXPECT_EQ(s.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  size_t at = 8;
  std::string idat;
  std::vector<std::string> types;
  while (at + 12 <= s.size()) {
    const uint32_t len = BE32(s, at);
    const std::string type = s.substr(at + 4, 4);
    const std::string data = s.substr(at + 8, len);
    const uint32_t crc = BE32(s, at + 8 + len);
    EXPECT_EQ(crc, static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(s.data() + at + 4), len + 4))) << type;
    types.push_back(type);
    if (type == "IHDR") {
      EXPECT_EQ(len, 13u);
      png.width = BE32(data, 0);
      png.height = BE32(data, 4);
      png.bit_depth = uint8_t(data[8]);
      png.color_type = uint8_t(data[9]);
      EXPECT_EQ(data[10], 0);
      EXPECT_EQ(data[11], 0);
      EXPECT_EQ(data[12], 0);
    } else if (type == "IDAT") {
      idat += data;
    }
    at += 12 + len;
  }
  EXPECT_EQ(at, s.size());
  EXPECT_FALSE(types.empty());
  if (types.empty()) return png;
  EXPECT_EQ(types.front(), "IHDR");
  EXPECT_EQ(types.back(), "IEND");
  const int channels = png.color_type == 0 ? 1 : png.color_type == 2 ? 3 : png.color_type == 6 ? 4 : png.color_type == 4 ? 2 : 0;
  const size_t row = png.width * channels;
  std::vector<uint8_t> raw((row + 1) * png.height);
  uLongf n = raw.size();
  EXPECT_EQ(uncompress(raw.data(), &n, reinterpret_cast<const Bytef*>(idat.data()), idat.size()), Z_OK);
  EXPECT_EQ(n, raw.size());
  for (uint32_t y = 0; y < png.height; y++) {
    EXPECT_EQ(raw[y * (row + 1)], 0) << "filter type of row " << y;
    png.pixels.insert(png.pixels.end(), raw.begin() + y * (row + 1) + 1, raw.begin() + (y + 1) * (row + 1));
  }
  return png;
}

TEST(Summary, PngEncoderRoundTrip) {
  std::vector<uint8_t> px(5 * 3 * 4);
  for (size_t i = 0; i < px.size(); i++) px[i] = static_cast<uint8_t>(i * 37 + 11);
  Png p = DecodePng(EncodePng(px.data(), 5, 3, 5 * 4, 4));
  EXPECT_EQ(p.width, 5u);
  EXPECT_EQ(p.height, 3u);
  EXPECT_EQ(p.bit_depth, 8);
  EXPECT_EQ(p.color_type, 6);
  EXPECT_EQ(p.pixels, px);
  EXPECT_EQ(ErrorText([&] { EncodePng(px.data(), 0, 3, 0, 4); }).find("PNG needs"), 0u);
}

TEST(Summary, ImageUint8BatchAndTags) {
  KernelRunner k("ImageSummary", {{"T", AType(DataType::DT_UINT8)}, {"max_images", AInt(3)}}, "img");
  std::vector<uint8_t> v(2 * 2 * 3 * 3);
  for (size_t i = 0; i < v.size(); i++) v[i] = static_cast<uint8_t>(i * 7);
  auto s = Parse(k.Run({Str("pics"), Make<uint8_t>(DataType::DT_UINT8, {2, 2, 3, 3}, v)})[0]);
  ASSERT_EQ(s.value_size(), 2);  // min(max_images, batch)
  for (int i = 0; i < 2; i++) {
    EXPECT_EQ(s.value(i).tag(), "pics/image/" + std::to_string(i));
    const auto& im = s.value(i).image();
    EXPECT_EQ(im.height(), 2);
    EXPECT_EQ(im.width(), 3);
    EXPECT_EQ(im.colorspace(), 3);
    Png p = DecodePng(im.encoded_image_string());
    EXPECT_EQ(p.width, 3u);
    EXPECT_EQ(p.height, 2u);
    EXPECT_EQ(p.color_type, 2);
    EXPECT_EQ(p.pixels, std::vector<uint8_t>(v.begin() + i * 18, v.begin() + (i + 1) * 18));
  }
  // One image requested: the tag has no index.
  KernelRunner one("ImageSummary", {{"T", AType(DataType::DT_UINT8)}, {"max_images", AInt(1)}}, "img");
  s = Parse(one.Run({Str("pics"), Make<uint8_t>(DataType::DT_UINT8, {2, 2, 3, 3}, v)})[0]);
  ASSERT_EQ(s.value_size(), 1);
  EXPECT_EQ(s.value(0).tag(), "pics/image");
}

TEST(Summary, ImageFloatScalingAndBadColor) {
  KernelRunner k("ImageSummary", {{"T", AType(DataType::DT_FLOAT)}, {"max_images", AInt(3)}}, "img");
  // Non-negative: scaled by 255 / max, truncated.
  auto s = Parse(k.Run({Str("f"), Make<float>(DataType::DT_FLOAT, {1, 1, 4, 1}, {0.f, 0.5f, 1.f, 2.f})})[0]);
  EXPECT_EQ(DecodePng(s.value(0).image().encoded_image_string()).pixels, (std::vector<uint8_t>{0, 63, 127, 255}));
  EXPECT_EQ(s.value(0).image().colorspace(), 1);
  // Negative values: 127 / max|v| around 128; a pixel with a NaN channel gets bad_color (red).
  s = Parse(k.Run({Str("f"), Make<float>(DataType::DT_FLOAT, {1, 1, 2, 3}, {-1.f, 0.f, 0.5f, NAN, 4.f, 4.f})})[0]);
  EXPECT_EQ(DecodePng(s.value(0).image().encoded_image_string()).pixels, (std::vector<uint8_t>{1, 128, 191, 255, 0, 0}));
  // Half: the same rule in half precision.
  KernelRunner kh("ImageSummary", {{"T", AType(DataType::DT_HALF)}, {"max_images", AInt(1)}}, "img");
  std::vector<uint16_t> hv = {FloatToHalf(0.f), FloatToHalf(1.f), FloatToHalf(4.f), FloatToHalf(8.f)};
  s = Parse(kh.Run({Str("h"), Make<uint16_t>(DataType::DT_HALF, {1, 2, 2, 1}, hv)})[0]);
  EXPECT_EQ(DecodePng(s.value(0).image().encoded_image_string()).pixels, (std::vector<uint8_t>{0, 31, 127, 255}));
  // Errors.
  EXPECT_EQ(ErrorText([&] { k.Run({Str("f"), Tensor(DataType::DT_FLOAT, {1, 2, 2, 2})}); }),
            "Tensor must be 4-D with last dim 1, 3, or 4, not [1,2,2,2]");
  EXPECT_EQ(ErrorText([&] { k.Run({Str("f"), Tensor(DataType::DT_FLOAT, {1, 0, 2, 3})}); }),
            "input tensor must have non-zero dims. Found: [1, 0, 2, 3].");
  // An empty batch is no error: no images.
  EXPECT_EQ(Parse(k.Run({Str("f"), Tensor(DataType::DT_FLOAT, {0, 2, 2, 3})})[0]).value_size(), 0);
}

// ---------- AudioSummaryV2 ----------

uint32_t LE(const std::string& s, size_t at, int n) {
  uint32_t v = 0;
  for (int i = n - 1; i >= 0; i--) v = (v << 8) | uint8_t(s[at + i]);
  return v;
}

TEST(Summary, AudioWav) {
  KernelRunner k("AudioSummaryV2", {{"max_outputs", AInt(3)}}, "snd");
  Tensor rate = Tensor::Scalar<float>(8000.4f);
  // [batch 1, 3 frames, 2 channels]
  auto s = Parse(k.Run({Str("voice"), Make<float>(DataType::DT_FLOAT, {1, 3, 2}, {0.f, 1.f, -1.f, 0.5f, 2.f, -0.25f}), rate})[0]);
  ASSERT_EQ(s.value_size(), 1);
  EXPECT_EQ(s.value(0).tag(), "voice/audio/0");
  const auto& a = s.value(0).audio();
  EXPECT_EQ(a.sample_rate(), 8000.4f);
  EXPECT_EQ(a.num_channels(), 2);
  EXPECT_EQ(a.length_frames(), 3);
  EXPECT_EQ(a.content_type(), "audio/wav");
  const std::string& w = a.encoded_audio_string();
  ASSERT_EQ(w.size(), 44u + 12u);
  EXPECT_EQ(w.substr(0, 4), "RIFF");
  EXPECT_EQ(LE(w, 4, 4), 36u + 12u);
  EXPECT_EQ(w.substr(8, 8), "WAVEfmt ");
  EXPECT_EQ(LE(w, 16, 4), 16u);
  EXPECT_EQ(LE(w, 20, 2), 1u);     // PCM
  EXPECT_EQ(LE(w, 22, 2), 2u);     // channels
  EXPECT_EQ(LE(w, 24, 4), 8000u);  // rounded rate
  EXPECT_EQ(LE(w, 28, 4), 32000u);
  EXPECT_EQ(LE(w, 32, 2), 4u);
  EXPECT_EQ(LE(w, 34, 2), 16u);
  EXPECT_EQ(w.substr(36, 4), "data");
  EXPECT_EQ(LE(w, 40, 4), 12u);
  std::vector<int16_t> samples;
  for (int i = 0; i < 6; i++) samples.push_back(static_cast<int16_t>(LE(w, 44 + 2 * i, 2)));
  EXPECT_EQ(samples, (std::vector<int16_t>{0, 32767, -32768, 16384, 32767, -8192}));
  // 2-D: one channel; max_outputs 1: no index.
  KernelRunner k1("AudioSummaryV2", {{"max_outputs", AInt(1)}}, "snd");
  s = Parse(k1.Run({Str("m"), Make<float>(DataType::DT_FLOAT, {2, 4}, std::vector<float>(8, 0.f)), rate})[0]);
  ASSERT_EQ(s.value_size(), 1);
  EXPECT_EQ(s.value(0).tag(), "m/audio");
  EXPECT_EQ(s.value(0).audio().num_channels(), 1);
  EXPECT_EQ(ErrorText([&] { k.Run({Str("m"), Tensor(DataType::DT_FLOAT, {2}), rate}); }), "Tensor must be 3-D or 2-D, got: [2]");
  EXPECT_EQ(ErrorText([&] { k.Run({Str("m"), Tensor(DataType::DT_FLOAT, {1, 2}), Tensor::Scalar<float>(0.f)}); }),
            "sample_rate must be > 0");
}

// ---------- TensorSummaryV2 ----------

TEST(Summary, TensorSummaryWithMetadata) {
  KernelRunner k("TensorSummaryV2", {{"T", AType(DataType::DT_STRING)}}, "note");
  tensorflow::SummaryMetadata meta;
  meta.mutable_plugin_data()->set_plugin_name("text");
  auto s = Parse(k.Run({Str("note"), Strs({"hello", "**world**"}), Str(meta.SerializeAsString())})[0]);
  ASSERT_EQ(s.value_size(), 1);
  EXPECT_EQ(s.value(0).tag(), "note");
  EXPECT_EQ(s.value(0).metadata().plugin_data().plugin_name(), "text");
  const auto& t = s.value(0).tensor();
  EXPECT_EQ(t.dtype(), tensorflow::DT_STRING);
  ASSERT_EQ(t.tensor_shape().dim_size(), 1);
  EXPECT_EQ(t.tensor_shape().dim(0).size(), 2);
  ASSERT_EQ(t.string_val_size(), 2);
  EXPECT_EQ(t.string_val(1), "**world**");

  KernelRunner kf("TensorSummaryV2", {{"T", AType(DataType::DT_FLOAT)}}, "t");
  s = Parse(kf.Run({Str("vals"), Vec<float>({1.5f, -2.f}), Str("")})[0]);
  const auto& tf = s.value(0).tensor();
  EXPECT_EQ(tf.dtype(), tensorflow::DT_FLOAT);
  ASSERT_EQ(tf.tensor_content().size(), 8u);
  float back[2];
  std::memcpy(back, tf.tensor_content().data(), 8);
  EXPECT_EQ(back[0], 1.5f);
  EXPECT_EQ(back[1], -2.f);
  EXPECT_FALSE(s.value(0).has_metadata() && s.value(0).metadata().has_plugin_data());
  EXPECT_EQ(ErrorText([&] { kf.Run({Str("vals"), Vec<float>({1.f}), Str("\xff\xff\xff")}); }),
            "serialized_summary_metadata is not a serialized SummaryMetadata");
}

// ---------- MergeSummary ----------

std::string OneScalar(const std::string& tag, float v) {
  tensorflow::Summary s;
  auto* val = s.add_value();
  val->set_tag(tag);
  val->set_simple_value(v);
  return s.SerializeAsString();
}

TEST(Summary, MergeKeepsOrderAndRejectsDuplicates) {
  KernelRunner k("MergeSummary", {{"N", AInt(2)}}, "Merge/MergeSummary");
  auto s = Parse(k.Run({Str(OneScalar("a", 1.f)), Strs({OneScalar("b", 2.f), OneScalar("c", 3.f)})})[0]);
  ASSERT_EQ(s.value_size(), 3);
  EXPECT_EQ(s.value(0).tag(), "a");
  EXPECT_EQ(s.value(2).tag(), "c");
  EXPECT_EQ(s.value(2).simple_value(), 3.f);
  EXPECT_EQ(ErrorText([&] { k.Run({Str(OneScalar("a", 1.f)), Str(OneScalar("a", 2.f))}); }),
            "Duplicate tag a found in summary inputs");
  // Malformed bytes are an InvalidArgument, never a crash: a truncated varint, a bad wire
  // type, a length past the end.
  for (const std::string& bad : {std::string("\x0a\xff", 2), std::string("\x0f", 1), std::string("\x0a\x05\x0a", 3)}) {
    EXPECT_EQ(ErrorText([&] { k.Run({Str(bad), Str("")}); }), "Could not parse one of the summary inputs");
  }
  // Empty strings are empty summaries.
  EXPECT_EQ(Parse(k.Run({Str(""), Str("")})[0]).value_size(), 0);
}

}  // namespace
}  // namespace tg
