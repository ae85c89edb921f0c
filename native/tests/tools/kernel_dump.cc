// tg_kernel_dump [libtg_cuda.so]: prints every kernel registration, one line each, sorted
// (op, device, type attr, dtype, host-memory arguments). With the CUDA backend's path it is
// loaded first (its kernels register when it loads, no GPU needed) and the int32 host
// kernels are added as the GPU platform's loader does. Used to prove that a change of
// registration style registered exactly the same kernels: dump before and after, diff.
#include <dlfcn.h>

#include <algorithm>
#include <map>
#include <cstdio>
#include <string>
#include <vector>

#include "runtime/kernel.h"

namespace {
std::string Ints(const std::vector<int>& v) {
  std::string s;
  for (int i : v) s += (s.empty() ? "" : ",") + std::to_string(i);
  return "[" + s + "]";
}
}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) {
    if (!dlopen(argv[1], RTLD_NOW | RTLD_LOCAL)) {
      std::fprintf(stderr, "tg_kernel_dump: %s\n", dlerror());
      return 1;
    }
    tg::KernelRegistry::Global().RegisterInt32CpuKernelsOnGpu();
  }
  std::vector<std::string> lines;
  // Find takes the first fit: the rank of a def among its op and device's is part of what it is.
  std::map<std::string, int> rank;
  for (const tg::KernelDef& d : tg::KernelRegistry::Global().Defs()) {
    lines.push_back(d.op + " device=" + tg::DeviceTypeName(d.device) + "#" + std::to_string(rank[d.op + "/" + tg::DeviceTypeName(d.device)]++) + " type_attr=" +
                    (d.type_attr.empty() ? "-" : d.type_attr) + " dtype=" +
                    (d.type_attr.empty() ? "-" : tg::DataTypeName(d.dtype)) + " host_in=" + Ints(d.host_inputs) +
                    " host_out=" + Ints(d.host_outputs) + (d.all_host ? " all_host" : ""));
  }
  std::sort(lines.begin(), lines.end());
  for (const std::string& l : lines) std::printf("%s\n", l.c_str());
  return 0;
}
