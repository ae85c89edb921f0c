// Op records (runtime/op_def.h): the records embedded at build time, counts of a node's
// inputs and outputs from its attrs, graph import rejecting unknown ops and wrong input
// counts, the executor trusting the record over a kernel, and every kernel having a record.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "op_def_generated.h"
#include "runtime/graph.h"
#include "runtime/kernel.h"
#include "runtime/op_def.h"
#include "runtime/session.h"
#include "tests/graph_builder.h"

namespace tg {
namespace {

// C++-only ops of these tests (the TypeScript registry has no such ops).
TG_REGISTER_OP("TestTypeLists").Input("xs: Tin").Output("ys: Tout").Attr("Tin: list(type)").Attr("Tout: list(type)");
TG_REGISTER_OP("TestDefaultN").Input("xs: N * T").Output("y: T").Attr("N: int = 2").Attr("T: type = float");
// Its record says one output; its kernel claims two.
TG_REGISTER_OP("TestWrongOutputCount").Output("y: float");

class TwoOutputs : public OpKernel {
 public:
  explicit TwoOutputs(const KernelConstruction& c) : OpKernel(c, 2) {}
  void Compute(OpKernelContext* ctx) const override {
    ctx->set_output(0, Tensor::Scalar<float>(1));
    ctx->set_output(1, Tensor::Scalar<float>(2));
  }
};
TG_REGISTER_KERNEL(Name("TestWrongOutputCount").Device(DEVICE_CPU), TwoOutputs);

const OpDef& Op(const std::string& name) {
  const OpDef* def = OpRegistry::Global().Find(name);
  if (!def) throw std::runtime_error("no record of " + name);
  return *def;
}

// A node with these attrs (not imported: for the count functions).
Node MakeNode(const std::string& op, std::map<std::string, AttrValue> attrs) {
  Node n;
  n.id = 0;
  n.name = "n";
  n.op = op;
  n.attrs = std::move(attrs);
  return n;
}

AttrValue TypesAttr(std::vector<DataType> t) {
  AttrValue a;
  a.kind = fb::AttrKind::LIST_TYPE;
  a.list_type = std::move(t);
  return a;
}

TEST(OpDef, EmbeddedRecordsDescribeTheTypeScriptOps) {
  const OpDef& matmul = Op("MatMul");
  ASSERT_EQ(matmul.input_arg.size(), 2u);
  EXPECT_EQ(matmul.input_arg[0].name, "a");
  EXPECT_EQ(matmul.input_arg[0].type_attr, "T");
  ASSERT_EQ(matmul.output_arg.size(), 1u);
  const AttrDef* transpose_a = matmul.FindAttr("transpose_a");
  ASSERT_NE(transpose_a, nullptr);
  EXPECT_EQ(transpose_a->type, "bool");
  ASSERT_TRUE(transpose_a->has_default);
  EXPECT_FALSE(transpose_a->default_value.b);
  EXPECT_FALSE(matmul.is_stateful);

  const OpDef& var = Op("VariableV2");
  EXPECT_TRUE(var.is_stateful);
  ASSERT_EQ(var.output_arg.size(), 1u);
  EXPECT_TRUE(var.output_arg[0].is_ref);
  ASSERT_NE(var.FindAttr("container"), nullptr);
  EXPECT_EQ(var.FindAttr("container")->default_value.kind, fb::AttrKind::S);

  // A fixed-dtype argument and a type attr with allowed dtypes and a default.
  const OpDef& init = Op("IsVariableInitialized");
  EXPECT_EQ(init.output_arg[0].type, DataType::DT_BOOL);
  const OpDef& argmax = Op("ArgMax");
  const AttrDef* out_type = argmax.FindAttr("output_type");
  ASSERT_NE(out_type, nullptr);
  EXPECT_EQ(out_type->default_value.type, DataType::DT_INT64);
  EXPECT_FALSE(out_type->allowed_types.empty());

  EXPECT_EQ(OpRegistry::Global().Find("NoSuchOp"), nullptr);
  const std::vector<std::string> types = OpRegistry::Global().OpTypes();
  EXPECT_GT(types.size(), 200u);
  EXPECT_TRUE(std::is_sorted(types.begin(), types.end()));
}

TEST(OpDef, CountsFollowNumberAttrsAndTypeLists) {
  // number_attr: AddN takes N tensors; ConcatV2 N values and an axis; Split gives num_split.
  EXPECT_EQ(NumInputs(Op("AddN"), MakeNode("AddN", {{"N", AttrValue::Int(3)}, {"T", AttrValue::Type(DataType::DT_FLOAT)}})), 3);
  EXPECT_EQ(NumInputs(Op("ConcatV2"), MakeNode("ConcatV2", {{"N", AttrValue::Int(4)}})), 5);
  const Node split = MakeNode("Split", {{"num_split", AttrValue::Int(3)}, {"T", AttrValue::Type(DataType::DT_INT32)}});
  EXPECT_EQ(NumInputs(Op("Split"), split), 2);
  EXPECT_EQ(NumOutputs(Op("Split"), split), 3);
  EXPECT_EQ(OutputTypes(Op("Split"), split), std::vector<DataType>(3, DataType::DT_INT32));

  // type lists: one tensor per listed dtype.
  const Node lists = MakeNode("TestTypeLists", {{"Tin", TypesAttr({DataType::DT_FLOAT})},
                                                {"Tout", TypesAttr({DataType::DT_INT64, DataType::DT_STRING})}});
  EXPECT_EQ(NumInputs(Op("TestTypeLists"), lists), 1);
  EXPECT_EQ(NumOutputs(Op("TestTypeLists"), lists), 2);
  EXPECT_EQ(OutputTypes(Op("TestTypeLists"), lists), (std::vector<DataType>{DataType::DT_INT64, DataType::DT_STRING}));
  const Node dequeue = MakeNode("QueueDequeueV2", {{"component_types", TypesAttr({DataType::DT_FLOAT, DataType::DT_INT32})}});
  EXPECT_EQ(NumOutputs(Op("QueueDequeueV2"), dequeue), 2);

  // Defaults of the record stand in for attrs the node lacks.
  EXPECT_EQ(NumInputs(Op("TestDefaultN"), MakeNode("TestDefaultN", {})), 2);
  EXPECT_EQ(OutputTypes(Op("TestDefaultN"), MakeNode("TestDefaultN", {})), std::vector<DataType>{DataType::DT_FLOAT});
  EXPECT_EQ(NumInputs(Op("TestDefaultN"), MakeNode("TestDefaultN", {{"N", AttrValue::Int(5)}})), 5);

  // A missing attr without a default, or one of the wrong kind, names the node.
  try {
    NumInputs(Op("AddN"), MakeNode("AddN", {}));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Code::kInvalidArgument);
    EXPECT_EQ(e.node(), "n");
    EXPECT_NE(std::string(e.what()).find("attr 'N'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(NumInputs(Op("AddN"), MakeNode("AddN", {{"N", AttrValue::Type(DataType::DT_FLOAT)}})), Error);
  EXPECT_THROW(NumInputs(Op("AddN"), MakeNode("AddN", {{"N", AttrValue::Int(-1)}})), Error);
}

TEST(OpDef, BuilderParsesTfSpecs) {
  const OpDef def = OpDefBuilder("TestSpecs")
                        .Input("ref: Ref(T)")
                        .Input("xs: N * float")
                        .Input("ys: Tlist")
                        .Output("out: T")
                        .Attr("T: type")
                        .Attr("N: int = 1")
                        .Attr("Tlist: list(type)")
                        .Attr("name: string = 'x'")
                        .SetIsStateful()
                        .Build();
  ASSERT_EQ(def.input_arg.size(), 3u);
  EXPECT_TRUE(def.input_arg[0].is_ref);
  EXPECT_EQ(def.input_arg[0].type_attr, "T");
  EXPECT_EQ(def.input_arg[1].number_attr, "N");
  EXPECT_EQ(def.input_arg[1].type, DataType::DT_FLOAT);
  EXPECT_EQ(def.input_arg[2].type_list_attr, "Tlist");
  EXPECT_EQ(def.output_arg[0].type_attr, "T");
  EXPECT_EQ(def.FindAttr("N")->default_value.i, 1);
  EXPECT_FALSE(def.FindAttr("T")->has_default);
  EXPECT_EQ(def.FindAttr("name")->default_value.s, "x");
  EXPECT_TRUE(def.is_stateful);
}

TEST(OpDef, BuilderRejectsBadSpecs) {
  EXPECT_THROW(OpDefBuilder("TestBad").Input("x: T").Build(), Error);                   // T is no attr
  EXPECT_THROW(OpDefBuilder("TestBad").Input("x: N * T").Attr("T: type").Build(), Error);  // N is no attr
  EXPECT_THROW(OpDefBuilder("TestBad").Input("x").Build(), Error);                      // no type
  EXPECT_THROW(OpDefBuilder("TestBad").Attr("N: int = many").Build(), Error);
  EXPECT_THROW(OpRegistry::Global().Register(OpDefBuilder("MatMul").Build()), Error);   // already has a record
}

TEST(OpDef, RegisterListVerifiesTheBuffer) {
  flatbuffers::FlatBufferBuilder b;
  auto arg = fb::CreateArgDef(b, b.CreateString("x"), static_cast<int32_t>(DataType::DT_FLOAT));
  auto op = fb::CreateOpDef(b, b.CreateString("TestFromList"), b.CreateVector(std::vector<decltype(arg)>{arg}),
                            b.CreateVector(std::vector<decltype(arg)>{}));
  fb::FinishOpListBuffer(b, fb::CreateOpList(b, b.CreateVector(std::vector<decltype(op)>{op})));
  std::vector<uint8_t> bytes(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize());

  // Truncated or foreign buffers are rejected before a field is read.
  EXPECT_THROW(OpRegistry::Global().RegisterList(bytes.data(), bytes.size() / 2), Error);
  std::vector<uint8_t> foreign = bytes;
  foreign[4] = 'X';
  EXPECT_THROW(OpRegistry::Global().RegisterList(foreign.data(), foreign.size()), Error);
  EXPECT_EQ(OpRegistry::Global().Find("TestFromList"), nullptr);

  OpRegistry::Global().RegisterList(bytes.data(), bytes.size());
  const OpDef& def = Op("TestFromList");
  ASSERT_EQ(def.input_arg.size(), 1u);
  EXPECT_EQ(def.input_arg[0].type, DataType::DT_FLOAT);
  EXPECT_TRUE(def.output_arg.empty());
  try {
    OpRegistry::Global().RegisterList(bytes.data(), bytes.size());
    FAIL() << "registered twice";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Code::kAlreadyExists);
  }
}

TEST(OpDef, ImportRejectsAnUnknownOpNamingTheNode) {
  Session s({});
  GraphBuilder g;
  g.Placeholder("p").Node("mystery", "NoSuchOp", {"p"});
  try {
    Extend(s, g);
    FAIL() << "imported";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Code::kNotFound);
    EXPECT_EQ(e.node(), "mystery");
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind("Op type not registered 'NoSuchOp' in binary running on ", 0), 0u) << msg;
    EXPECT_NE(msg.find("'mystery'"), std::string::npos) << msg;
  }
  // Nothing of the rejected delta was added: p can be added again.
  g.Placeholder("p");
  EXPECT_NO_THROW(Extend(s, g));
}

TEST(OpDef, ImportRejectsAWrongNumberOfInputs) {
  Session s({});
  GraphBuilder g;
  g.Placeholder("p").Binary("sum", "AddV2", "p", "p").Node("half", "AddV2", {"p", "^sum"}, {{"T", GraphBuilder::Type(DataType::DT_FLOAT)}});
  try {
    Extend(s, g);
    FAIL() << "imported";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Code::kInvalidArgument);
    EXPECT_EQ(e.node(), "half");
    EXPECT_NE(std::string(e.what()).find("expected 2 inputs, got 1"), std::string::npos) << e.what();
  }
  // A list input counts by its number attr.
  g.Placeholder("p").Node("add3", "AddN", {"p", "p"}, {{"N", GraphBuilder::Int(3)}, {"T", GraphBuilder::Type(DataType::DT_FLOAT)}});
  EXPECT_THROW(Extend(s, g), Error);
  g.Placeholder("p").Node("add3", "AddN", {"p", "p", "p"}, {{"N", GraphBuilder::Int(3)}, {"T", GraphBuilder::Type(DataType::DT_FLOAT)}});
  EXPECT_NO_THROW(Extend(s, g));
  const Tensor x = Tensor::Scalar<float>(2);
  EXPECT_EQ(*s.Run({"p:0"}, {x}, {"add3:0"}, {}, {})[0].data<float>(), 6);
}

TEST(OpDef, AKernelDisagreeingWithTheRecordIsAnInternalError) {
  Session s({});
  GraphBuilder g;
  g.Node("two", "TestWrongOutputCount", {});
  Extend(s, g);
  try {
    s.Run({}, {}, {"two:0"}, {}, {});
    FAIL() << "ran";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Code::kInternal);
    EXPECT_EQ(e.node(), "two");
    EXPECT_NE(std::string(e.what()).find("produces 2 outputs"), std::string::npos) << e.what();
  }
}

// The op types of registered kernels that have no record ("" when none lack one).
std::string KernelsWithoutRecord() {
  std::string missing;
  for (const std::string& op : KernelRegistry::Global().OpTypes()) {
    if (!OpRegistry::Global().Find(op)) missing += " " + op;
  }
  return missing;
}

// Every op type with a kernel has a record, on every device the build has kernels for.
TEST(OpDef, EveryKernelHasARecord) {
  EXPECT_GT(KernelRegistry::Global().OpTypes().size(), 100u);
  const std::string missing = KernelsWithoutRecord();
  EXPECT_TRUE(missing.empty()) << "kernels without an op record:" << missing;
}

// The GPU kernels register when the CUDA backend library loads, which needs no GPU: a child
// process (so the other tests keep a CPU-only registry) loads it, when the build made it,
// and checks its kernels too.
TEST(OpDefDeathTest, EveryGpuKernelHasARecord) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Dl_info self;
  ASSERT_TRUE(dladdr(reinterpret_cast<void*>(&KernelRegistry::Global), &self) && self.dli_fname);
  std::string backend = self.dli_fname;
  backend = backend.substr(0, backend.rfind('/') + 1) + "libtg_cuda.so";
  if (access(backend.c_str(), F_OK) != 0) GTEST_SKIP() << "no CUDA backend was built (" << backend << ")";
  EXPECT_EXIT(
      {
        if (!dlopen(backend.c_str(), RTLD_NOW | RTLD_LOCAL)) {
          std::fprintf(stderr, "cannot load %s: %s\n", backend.c_str(), dlerror());
          std::exit(2);
        }
        // The backend's kernels are in the registry now (MatMul's among them).
        const bool gpu = KernelRegistry::Global().RegisteredKernels("MatMul").find("device='GPU'") != std::string::npos;
        const std::string missing = KernelsWithoutRecord();
        std::fprintf(stderr, "GPU kernels registered: %s; without a record:%s\n", gpu ? "yes" : "no",
                     missing.empty() ? " none" : missing.c_str());
        std::exit(gpu && missing.empty() ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "without a record: none");
}

}  // namespace
}  // namespace tg
