// TensorFlow's Philox4x32-10 counter-based generator (random ops, RandomShuffleQueue).
#pragma once

#include <cstdint>

// The generator runs in CUDA kernels too (native/kernels/cuda/random_ops.cu draws the same
// streams on a GPU), so its functions are host-and-device when nvcc compiles them.
#ifdef __CUDACC__
#define TG_HOST_DEVICE __host__ __device__
#else
#define TG_HOST_DEVICE
#endif

namespace tg {

// Philox4x32-10 (Salmon et al., SC 2011), as tensorflow/core/lib/random/philox_random.h.

class Philox {
 public:
  struct Result {
    uint32_t v[4];
    TG_HOST_DEVICE uint32_t operator[](int i) const { return v[i]; }
  };

  Philox() = default;
  TG_HOST_DEVICE Philox(uint64_t seed_lo, uint64_t seed_hi) {
    key_[0] = static_cast<uint32_t>(seed_lo);
    key_[1] = static_cast<uint32_t>(seed_lo >> 32);
    counter_[2] = static_cast<uint32_t>(seed_hi);
    counter_[3] = static_cast<uint32_t>(seed_hi >> 32);
  }

  // Skips `count` 128-bit outputs.
  TG_HOST_DEVICE void Skip(uint64_t count) {
    const uint32_t count_lo = static_cast<uint32_t>(count);
    uint32_t count_hi = static_cast<uint32_t>(count >> 32);
    counter_[0] += count_lo;
    if (counter_[0] < count_lo) ++count_hi;
    counter_[1] += count_hi;
    if (counter_[1] < count_hi) {
      if (++counter_[2] == 0) ++counter_[3];
    }
  }

  TG_HOST_DEVICE Result operator()() {
    uint32_t c[4] = {counter_[0], counter_[1], counter_[2], counter_[3]};
    uint32_t k0 = key_[0], k1 = key_[1];
    for (int round = 0; round < 10; round++) {
      if (round > 0) {
        k0 += kW32A;
        k1 += kW32B;
      }
      const uint64_t p0 = static_cast<uint64_t>(kM4x32A) * c[0];
      const uint64_t p1 = static_cast<uint64_t>(kM4x32B) * c[2];
      const uint32_t r0 = static_cast<uint32_t>(p1 >> 32) ^ c[1] ^ k0;
      const uint32_t r1 = static_cast<uint32_t>(p1);
      const uint32_t r2 = static_cast<uint32_t>(p0 >> 32) ^ c[3] ^ k1;
      const uint32_t r3 = static_cast<uint32_t>(p0);
      c[0] = r0;
      c[1] = r1;
      c[2] = r2;
      c[3] = r3;
    }
    SkipOne();
    return Result{{c[0], c[1], c[2], c[3]}};
  }

 private:
  static constexpr uint32_t kW32A = 0x9E3779B9;
  static constexpr uint32_t kW32B = 0xBB67AE85;
  static constexpr uint32_t kM4x32A = 0xD2511F53;
  static constexpr uint32_t kM4x32B = 0xCD9E8D57;

  TG_HOST_DEVICE void SkipOne() {
    if (++counter_[0] == 0 && ++counter_[1] == 0 && ++counter_[2] == 0) ++counter_[3];
  }

  uint32_t counter_[4] = {0, 0, 0, 0};
  uint32_t key_[2] = {0, 0};
};

}  // namespace tg
