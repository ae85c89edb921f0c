// The machine's float32 FMA peak: the roofline for training steps that are mostly GEMMs and
// convolutions. Each thread runs independent chains of AVX-512 (else AVX2) fused
// multiply-adds on registers, so nothing but the FMA units limits it.
// Build: g++ -O2 -march=native -fopenmp bench/fma_peak.cc -o /tmp/fma_peak
// Run:   /tmp/fma_peak   (prints GFLOP/s with 1 thread and with every core)
#include <immintrin.h>
#include <omp.h>

#include <chrono>
#include <cstdio>
#include <initializer_list>

#if defined(__AVX512F__)
using Vec = __m512;
constexpr int kLanes = 16;
static inline Vec Set(float x) { return _mm512_set1_ps(x); }
static inline Vec Fma(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
static inline float Sum(Vec v) { return _mm512_reduce_add_ps(v); }
#else
using Vec = __m256;
constexpr int kLanes = 8;
static inline Vec Set(float x) { return _mm256_set1_ps(x); }
static inline Vec Fma(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
static inline float Sum(Vec v) {
  float t[8];
  _mm256_storeu_ps(t, v);
  return t[0] + t[1] + t[2] + t[3] + t[4] + t[5] + t[6] + t[7];
}
#endif

constexpr int kChains = 12;  // enough independent FMAs to cover the latency of two pipes
constexpr long kIters = 100'000'000;

static float Run() {
  Vec acc[kChains];
  for (int i = 0; i < kChains; i++) acc[i] = Set(0.001f * i);
  const Vec a = Set(0.999999f), b = Set(1e-7f);
  for (long it = 0; it < kIters; it++) {
#pragma GCC unroll 12
    for (int i = 0; i < kChains; i++) acc[i] = Fma(acc[i], a, b);
  }
  float s = 0;
  for (int i = 0; i < kChains; i++) s += Sum(acc[i]);
  return s;
}

int main() {
  for (int threads : {1, omp_get_num_procs()}) {
    double best = 0;
    float sink = 0;
    for (int rep = 0; rep < 3; rep++) {
      auto t0 = std::chrono::steady_clock::now();
#pragma omp parallel num_threads(threads) reduction(+ : sink)
      sink += Run();
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const double gflops = 2.0 * kLanes * kChains * kIters * threads / s / 1e9;
      if (gflops > best) best = gflops;
    }
    std::printf("%d thread(s): %.1f GFLOP/s float32 FMA peak (%d-lane vectors; checksum %g)\n", threads, best, kLanes, sink);
  }
}
