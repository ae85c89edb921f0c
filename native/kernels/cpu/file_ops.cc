// File kernels (TF signatures):
//   ReadFile(filename: string scalar) -> contents: string scalar
//   WriteFile(filename: string scalar, contents: string scalar)   (atomic: temp file + rename)
//   MatchingFiles(pattern: string scalar or vector) -> filenames: string vector (sorted; no match -> empty)
#include <algorithm>
#include <string>
#include <vector>

#include "io/file_io.h"
#include "runtime/kernel.h"

namespace tg {
namespace {

constexpr DeviceType kCPU = DeviceType::kCPU;

const std::string& ScalarString(OpKernelContext* ctx, int i, const char* what) {
  const Tensor& t = ctx->input(i);
  if (t.dtype() != DataType::DT_STRING || t.dims() != 0) {
    throw ctx->InvalidArg(std::string("Input ") + what + " should be a scalar but has shape " + ShapeString(t.shape()));
  }
  return t.strings()[0];
}

// File errors name the node.
template <typename Fn>
void WithNode(OpKernelContext* ctx, Fn fn) {
  try {
    fn();
  } catch (const Error& e) {
    throw Error(e.code(), e.what(), e.node().empty() ? ctx->node().name : e.node());
  }
}

class ReadFileOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const std::string& name = ScalarString(ctx, 0, "filename");
    std::string contents;
    WithNode(ctx, [&] { contents = ReadFileToString(name); });
    ctx->allocate_output(0, DataType::DT_STRING, {}).strings()[0] = std::move(contents);
  }
};
TG_REGISTER_KERNEL(Name("ReadFile").Device(DEVICE_CPU), ReadFileOp);

class WriteFileOp : public OpKernel {
 public:
  explicit WriteFileOp(const KernelConstruction& c) : OpKernel(c, 0) {}
  void Compute(OpKernelContext* ctx) const override {
    const std::string& name = ScalarString(ctx, 0, "filename");
    const std::string& contents = ScalarString(ctx, 1, "contents");
    WithNode(ctx, [&] { WriteStringToFileAtomic(name, contents); });
  }
};
TG_REGISTER_KERNEL(Name("WriteFile").Device(DEVICE_CPU), WriteFileOp);

class MatchingFilesOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& patterns = ctx->input(0);
    if (patterns.dtype() != DataType::DT_STRING || patterns.dims() > 1) {
      throw ctx->InvalidArg("Input patterns tensor must be scalar or vector, but had shape: " + ShapeString(patterns.shape()));
    }
    std::vector<std::string> all;
    WithNode(ctx, [&] {
      for (int64_t i = 0; i < patterns.num_elements(); i++) {
        auto m = MatchFiles(patterns.strings()[i]);
        all.insert(all.end(), m.begin(), m.end());
      }
    });
    std::sort(all.begin(), all.end());  // TF sorts the union of all patterns' matches
    Tensor& out = ctx->allocate_output(0, DataType::DT_STRING, {static_cast<int64_t>(all.size())});
    for (size_t i = 0; i < all.size(); i++) out.strings()[i] = std::move(all[i]);
  }
};
TG_REGISTER_KERNEL(Name("MatchingFiles").Device(DEVICE_CPU), MatchingFilesOp);

}  // namespace
}  // namespace tg
