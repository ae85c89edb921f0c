// MatMul microbenchmark for the MLP step's shapes: dnnl_sgemm vs a cached dnnl::matmul
// primitive (transposes as strides, plain layouts), and the primitive with bias+relu post-ops.
// Build: g++ -O2 -std=c++17 -fopenmp bench/matmul_micro.cc -ldnnl -o /tmp/matmul_micro
// Run:   OMP_NUM_THREADS=2 /tmp/matmul_micro
#include <chrono>
#include <cstdio>
#include <vector>
#include <algorithm>
#include <cmath>
#include <dnnl.hpp>

using namespace dnnl;
using Clock = std::chrono::steady_clock;

template <typename F>
double Best(F f) {  // fastest single call of up to 300 (0.3 s), in µs: the minimum is robust to a busy machine
  f();
  double best = 1e30, total = 0;
  for (int i = 0; i < 300 && total < 0.3; i++) {
    auto t0 = Clock::now();
    f();
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    best = std::min(best, s);
    total += s;
  }
  return best * 1e6;
}

int main() {
  engine eng(engine::kind::cpu, 0);
  stream strm(eng);
  struct Shape { const char* what; int m, n, k; bool ta, tb; };
  std::vector<Shape> shapes;
  for (int b : {128, 1024}) {
    int dims[] = {784, 300, 100, 10};
    for (int l = 0; l < 3; l++) {
      int in = dims[l], out = dims[l + 1];
      shapes.push_back({"fwd  X.W   ", b, out, in, false, false});
      shapes.push_back({"dW   X^T.dY", in, out, b, true, false});
      shapes.push_back({"dX   dY.W^T", b, in, out, false, true});
    }
  }
  std::printf("%-12s %5s %5s %5s | %9s %9s %9s | %7s %7s\n", "op", "m", "n", "k", "sgemm us", "prim us", "prim+br", "GF/s sg", "GF/s pr");
  std::printf("  (then: sgemm+BiasAdd+Relu as 3 passes us | sgemm+in-place epilogue us)\n");
  for (auto& s : shapes) {
    const int m = s.m, n = s.n, k = s.k;
    std::vector<float> a(size_t(m) * k), b(size_t(k) * n), c1(size_t(m) * n), c2(size_t(m) * n), bias(n);
    for (size_t i = 0; i < a.size(); i++) a[i] = float((i * 7919) % 1000) / 1000.f - 0.5f;
    for (size_t i = 0; i < b.size(); i++) b[i] = float((i * 104729) % 1000) / 1000.f - 0.5f;
    for (int i = 0; i < n; i++) bias[i] = 0.01f * i;
    const int lda = s.ta ? m : k, ldb = s.tb ? k : n;
    auto sg = [&] { dnnl_sgemm(s.ta ? 'T' : 'N', s.tb ? 'T' : 'N', m, n, k, 1.f, a.data(), lda, b.data(), ldb, 0.f, c1.data(), n); };
    // Transposes as strides of plain row-major buffers.
    memory::desc ad({m, k}, memory::data_type::f32, s.ta ? memory::dims{1, m} : memory::dims{k, 1});
    memory::desc bd({k, n}, memory::data_type::f32, s.tb ? memory::dims{1, k} : memory::dims{n, 1});
    memory::desc cd({m, n}, memory::data_type::f32, memory::dims{n, 1});
    memory::desc biasd({1, n}, memory::data_type::f32, memory::dims{n, 1});
    auto pd = matmul::primitive_desc(matmul::desc(ad, bd, cd), eng);
    matmul prim(pd);
    memory am(ad, eng, a.data()), bm(bd, eng, b.data()), cm(cd, eng, c2.data()), biasm(biasd, eng, bias.data());
    auto pr = [&] { prim.execute(strm, {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}}); strm.wait(); };
    post_ops po;
    po.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f);
    primitive_attr attr;
    attr.set_post_ops(po);
    auto pdf = matmul::primitive_desc(matmul::desc(ad, bd, biasd, cd), attr, eng);
    matmul primf(pdf);
    std::vector<float> c3(size_t(m) * n);
    memory cm3(cd, eng, c3.data());
    auto prf = [&] { primf.execute(strm, {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_BIAS, biasm}, {DNNL_ARG_DST, cm3}}); strm.wait(); };
    // What the graph ran before the remapper (MatMul, BiasAdd, Relu: three buffers, three
    // passes) against _FusedMatMul's kernel (sgemm, then bias+relu in place per row).
    std::vector<float> pre(size_t(m) * n), act(size_t(m) * n);
    auto unfused = [&] {
      sg();
      for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) pre[size_t(i) * n + j] = c1[size_t(i) * n + j] + bias[j];
      for (size_t i = 0; i < pre.size(); i++) act[i] = pre[i] > 0.f ? pre[i] : 0.f;
    };
    auto fused = [&] {
      sg();
      for (int i = 0; i < m; i++) {
        float* r = c1.data() + size_t(i) * n;
        for (int j = 0; j < n; j++) { const float v = r[j] + bias[j]; r[j] = v > 0.f ? v : 0.f; }
      }
    };
    const double tu = Best(unfused), tf = Best(fused);
    double t1 = Best(sg), t2 = Best(pr), t3 = Best(prf);
    float maxd = 0;
    for (size_t i = 0; i < c1.size(); i++) maxd = std::max(maxd, std::fabs(c1[i] - c2[i]));
    float maxf = 0;
    for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) maxf = std::max(maxf, std::fabs(std::max(c1[size_t(i) * n + j] + bias[j], 0.f) - c3[size_t(i) * n + j]));
    double gf = 2.0 * m * n * k;
    std::printf("%-12s %5d %5d %5d | %9.1f %9.1f %9.1f | %7.1f %7.1f  maxdiff %.2g fused %.2g\n", s.what, m, n, k, t1, t2, t3, gf / t1 / 1e3, gf / t2 / 1e3, maxd, maxf);
    if (!s.ta && !s.tb) std::printf("  %-10s %9.1f | %9.1f\n", "3 passes|fused", tu, tf);
  }
}
