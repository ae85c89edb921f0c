// Kernel registration in the one style (Name(...).Device(...).TypeConstraint(...)...), and
// what the registry finds for a node.
#include <gtest/gtest.h>

#include "runtime/kernel.h"
#include "runtime/op_def.h"

namespace tg {
namespace {

template <typename T>
class TestTypedKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {}
};

class TestAnyKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {}
};

TG_REGISTER_KERNEL_FOR_TYPES(Name("TestRegTyped").Device(DEVICE_CPU), "T", TestTypedKernel, float, int64_t);
TG_REGISTER_KERNEL(Name("TestRegTyped").Device(DEVICE_GPU).TypeConstraint<float>("T").HostMemoryInput(1).HostMemoryOutput(0),
                   TestTypedKernel<float>);
TG_REGISTER_KERNEL(Name("TestRegAny").Device(DEVICE_GPU).AllHostMemory(), TestAnyKernel);
// Their records: every kernel has one (op_def_test checks).
TG_REGISTER_OP("TestRegTyped").Input("x: T").Input("shape: int32").Output("y: T").Attr("T: type");
TG_REGISTER_OP("TestRegAny").Output("y: float");

Node NodeOf(const std::string& op, DataType t) {
  Node n;
  n.id = -1;
  n.op = op;
  n.name = "n";
  if (t != DataType::DT_INVALID) {
    n.attrs["T"] = AttrValue::Type(t);
  }
  return n;
}

TEST(KernelRegistry, ForTypesRegistersOneKernelPerType) {
  const KernelRegistry& r = KernelRegistry::Global();
  const KernelDef* f = r.Find(NodeOf("TestRegTyped", DataType::DT_FLOAT), DEVICE_CPU);
  const KernelDef* i = r.Find(NodeOf("TestRegTyped", DataType::DT_INT64), DEVICE_CPU);
  ASSERT_NE(f, nullptr);
  ASSERT_NE(i, nullptr);
  EXPECT_EQ(f->type_attr, "T");
  EXPECT_EQ(f->dtype, DataType::DT_FLOAT);
  EXPECT_EQ(i->dtype, DataType::DT_INT64);
  EXPECT_EQ(r.Find(NodeOf("TestRegTyped", DataType::DT_DOUBLE), DEVICE_CPU), nullptr);
  // The factory makes the kernel for its type.
  Node n = NodeOf("TestRegTyped", DataType::DT_INT64);
  std::unique_ptr<OpKernel> k = i->factory({n, nullptr});
  EXPECT_NE(dynamic_cast<TestTypedKernel<int64_t>*>(k.get()), nullptr);
}

TEST(KernelRegistry, HostMemoryArgumentsAreKeptPerDef) {
  const KernelRegistry& r = KernelRegistry::Global();
  const KernelDef* g = r.Find(NodeOf("TestRegTyped", DataType::DT_FLOAT), DEVICE_GPU);
  ASSERT_NE(g, nullptr);
  EXPECT_FALSE(g->InputOnHost(0));
  EXPECT_TRUE(g->InputOnHost(1));
  EXPECT_TRUE(g->OutputOnHost(0));
  EXPECT_FALSE(g->all_host);
  const KernelDef* any = r.Find(NodeOf("TestRegAny", DataType::DT_INVALID), DEVICE_GPU);
  ASSERT_NE(any, nullptr);
  EXPECT_TRUE(any->all_host);
  EXPECT_TRUE(any->InputOnHost(3));
  EXPECT_EQ(r.Find(NodeOf("TestRegAny", DataType::DT_INVALID), DEVICE_CPU), nullptr);
}

TEST(KernelRegistry, RegisteredKernelsListsEveryDeviceAndType) {
  EXPECT_EQ(KernelRegistry::Global().RegisteredKernels("TestRegTyped"),
            "Registered kernels:\n  device='CPU'; T in [DT_FLOAT]\n  device='CPU'; T in [DT_INT64]\n  device='GPU'; T in [DT_FLOAT]");
}

}  // namespace
}  // namespace tg
