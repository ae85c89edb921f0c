#include "io/png.h"

#include <zlib.h>

#include <vector>

#include "runtime/status.h"

namespace tg {
namespace {

void PutU32(std::string* out, uint32_t v) {
  const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
  out->append(b, 4);
}

// A chunk: length, type, data, CRC-32 of type + data.
void PutChunk(std::string* out, const char type[4], const uint8_t* data, size_t n) {
  PutU32(out, static_cast<uint32_t>(n));
  out->append(type, 4);
  if (n) out->append(reinterpret_cast<const char*>(data), n);
  uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(type), 4);
  if (n) crc = crc32(crc, data, static_cast<uInt>(n));
  PutU32(out, static_cast<uint32_t>(crc));
}

}  // namespace

std::string EncodePng(const uint8_t* pixels, int width, int height, int64_t row_stride, int channels, int zlib_level) {
  static const uint8_t kColorType[5] = {0, 0, 4, 2, 6};  // by channels: gray, gray+alpha, RGB, RGBA
  if (width <= 0 || height <= 0 || channels < 1 || channels > 4) {
    throw Error(Code::kInvalidArgument, "PNG needs positive width and height and 1 to 4 channels, got " +
                                            std::to_string(width) + "x" + std::to_string(height) + "x" + std::to_string(channels));
  }
  // Raw scanlines, each led by filter type 0 (None).
  const size_t row_bytes = static_cast<size_t>(width) * channels;
  std::vector<uint8_t> raw((row_bytes + 1) * height);
  for (int y = 0; y < height; y++) {
    uint8_t* dst = &raw[(row_bytes + 1) * y];
    dst[0] = 0;
    const uint8_t* src = pixels + row_stride * y;
    std::copy(src, src + row_bytes, dst + 1);
  }
  uLongf zlen = compressBound(static_cast<uLong>(raw.size()));
  std::vector<uint8_t> z(zlen);
  if (compress2(z.data(), &zlen, raw.data(), static_cast<uLong>(raw.size()), zlib_level) != Z_OK) {
    throw Error(Code::kInternal, "PNG encoding failed");
  }

  std::string out("\x89PNG\r\n\x1a\n", 8);
  uint8_t ihdr[13] = {
      static_cast<uint8_t>(width >> 24), static_cast<uint8_t>(width >> 16), static_cast<uint8_t>(width >> 8), static_cast<uint8_t>(width),
      static_cast<uint8_t>(height >> 24), static_cast<uint8_t>(height >> 16), static_cast<uint8_t>(height >> 8), static_cast<uint8_t>(height),
      8, kColorType[channels], 0, 0, 0};  // bit depth 8; deflate; adaptive filtering; no interlace
  PutChunk(&out, "IHDR", ihdr, sizeof(ihdr));
  PutChunk(&out, "IDAT", z.data(), zlen);
  PutChunk(&out, "IEND", nullptr, 0);
  return out;
}

}  // namespace tg
