// WAV encoding of float audio (audio summaries): 16-bit PCM, little-endian, as TF's
// wav::EncodeAudioAsS16LEWav.
#pragma once

#include <cstdint>
#include <string>

namespace tg {

// `frames` x `channels` interleaved samples in [-1, 1] (clipped outside) -> a RIFF/WAVE file.
// Throws Error(kInvalidArgument) when the sizes do not fit a WAV file.
std::string EncodeWav(const float* samples, int64_t frames, int64_t channels, uint32_t sample_rate);

}  // namespace tg
