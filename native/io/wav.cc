#include "io/wav.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "runtime/status.h"

namespace tg {
namespace {

void PutLE(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; i++) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// TF's FloatToInt16Sample: scale by 2^15, round, clamp to the int16 range.
int16_t ToInt16(float x) {
  const float v = std::round(x * 32768.0f);
  return static_cast<int16_t>(std::min(32767.0f, std::max(-32768.0f, v)));
}

}  // namespace

std::string EncodeWav(const float* samples, int64_t frames, int64_t channels, uint32_t sample_rate) {
  if (frames < 0 || channels <= 0 || channels > 65535 || sample_rate == 0) {
    throw Error(Code::kInvalidArgument, "WAV needs frames >= 0, 1 to 65535 channels and a positive sample rate");
  }
  const uint64_t data_bytes = static_cast<uint64_t>(frames) * channels * 2;
  if (data_bytes > std::numeric_limits<uint32_t>::max() - 36) {
    throw Error(Code::kInvalidArgument, "Audio too large for a WAV file: " + std::to_string(frames) + " frames of " +
                                            std::to_string(channels) + " channels");
  }
  std::string out;
  out.reserve(44 + data_bytes);
  out += "RIFF";
  PutLE(&out, 36 + data_bytes, 4);
  out += "WAVEfmt ";
  PutLE(&out, 16, 4);                          // fmt chunk size
  PutLE(&out, 1, 2);                           // PCM
  PutLE(&out, channels, 2);
  PutLE(&out, sample_rate, 4);
  PutLE(&out, uint64_t{sample_rate} * channels * 2, 4);  // byte rate
  PutLE(&out, channels * 2, 2);                // block align
  PutLE(&out, 16, 2);                          // bits per sample
  out += "data";
  PutLE(&out, data_bytes, 4);
  const int64_t n = frames * channels;
  for (int64_t i = 0; i < n; i++) PutLE(&out, static_cast<uint16_t>(ToInt16(samples[i])), 2);
  return out;
}

}  // namespace tg
