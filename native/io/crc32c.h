// CRC-32C (Castagnoli polynomial, as in TensorFlow's crc32c and iSCSI): checksums of
// checkpoint files. Uses the SSE4.2 crc32 instruction when the CPU has it, else a
// slicing-by-8 table.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tg {
namespace crc32c {

// The CRC-32C of `data` continuing from `init_crc` (the CRC of the bytes before it).
uint32_t Extend(uint32_t init_crc, const void* data, size_t n);

// The CRC-32C of `data`.
inline uint32_t Value(const void* data, size_t n) { return Extend(0, data, n); }

// TFRecord files store masked CRCs (a CRC over data that itself holds CRCs is weak).
constexpr uint32_t kMaskDelta = 0xa282ead8u;
inline uint32_t Mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }
inline uint32_t Unmask(uint32_t masked) {
  const uint32_t rot = masked - kMaskDelta;
  return (rot >> 17) | (rot << 15);
}

// The table-driven path alone (tests check it agrees with the hardware path).
uint32_t ExtendPortableForTest(uint32_t init_crc, const void* data, size_t n);

}  // namespace crc32c
}  // namespace tg
