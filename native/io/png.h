// PNG encoding of 8-bit images (image summaries): one IHDR, one zlib IDAT, IEND.
#pragma once

#include <cstdint>
#include <string>

namespace tg {

// Encodes `height` rows of `width` pixels with `channels` 8-bit samples each (1 gray,
// 2 gray+alpha, 3 RGB, 4 RGBA), rows `row_stride` bytes apart. zlib level: -1 = default.
// Throws Error(kInternal) when zlib fails; kInvalidArgument for bad dimensions.
std::string EncodePng(const uint8_t* pixels, int width, int height, int64_t row_stride, int channels,
                      int zlib_level = -1);

}  // namespace tg
