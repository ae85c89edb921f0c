// GPU-vs-CPU parity of the element-wise kernels (native/kernels/cuda/cwise_ops.cu, misc_ops.cu):
// binary ops with broadcasting, unary math, activations and grads, Cast, Fill/ZerosLike/
// OnesLike, Const, Select, BiasAdd(Grad), L2Loss.
#include <string>
#include <vector>

#include "tests/gpu/gpu_test_util.h"

namespace tg {
namespace {

using gpu_test::ExpectAllNear;
using gpu_test::Random;
using gpu_test::RunOn;
using gpu_test::RunOnBoth;
using G = GraphBuilder;

constexpr DataType kF = DataType::DT_FLOAT;
constexpr DataType kD = DataType::DT_DOUBLE;
constexpr DataType kI64 = DataType::DT_INT64;
constexpr DataType kI32 = DataType::DT_INT32;
constexpr DataType kB = DataType::DT_BOOL;

void Feed(GraphBuilder& g, const std::string& name, DataType dt) { g.Node(name, "Placeholder", {}, {{"dtype", G::Type(dt)}}); }

struct Range {
  double lo, hi;
};

// z = op(a, b) on both devices.
void CheckBinary(const std::string& op, DataType dt, const Shape& sa, const Shape& sb, Range ra = {-2, 2}, Range rb = {-2, 2},
                 double tol = 1e-5) {
  SCOPED_TRACE(op + " " + DataTypeName(dt) + " " + ShapeString(sa) + " x " + ShapeString(sb));
  const Tensor a = Random(dt, sa, 1, ra.lo, ra.hi);
  const Tensor b = Random(dt, sb, 2, rb.lo, rb.hi);
  auto r = RunOnBoth(
      [&](GraphBuilder& g, const std::string& dev) {
        Feed(g, "a", dt);
        Feed(g, "b", dt);
        g.Node("z", op, {"a", "b"}, {{"T", G::Type(dt)}}, dev);
      },
      {{"a:0", a}, {"b:0", b}}, {"z:0"}, {"z"});
  ExpectAllNear(r, tol, tol);
}

const std::vector<std::pair<Shape, Shape>>& BroadcastCases() {
  static const std::vector<std::pair<Shape, Shape>> v = {
      {{2, 3}, {2, 3}},             // same shape
      {{}, {5}},                    // scalar a
      {{4, 5}, {}},                 // scalar b
      {{3, 1}, {1, 4}},             // both broadcast
      {{2, 1, 3, 4}, {2, 5, 1, 4}}, // rank 4, broadcast in the middle
      {{7}, {2, 3, 7}},             // rank difference
      {{0, 3}, {1, 3}},             // empty
  };
  return v;
}

TEST(GpuCwise, ArithmeticBroadcasts) {
  TG_REQUIRE_GPU();
  for (const auto& [sa, sb] : BroadcastCases()) {
    for (const char* op : {"AddV2", "Add", "Sub", "Mul", "Maximum", "Minimum", "SquaredDifference"}) {
      CheckBinary(op, kF, sa, sb);
      CheckBinary(op, kD, sa, sb);
      CheckBinary(op, kI64, sa, sb, {-50, 50}, {-50, 50});
    }
    for (const char* op : {"RealDiv", "Div", "FloorDiv", "TruncateDiv", "FloorMod", "TruncateMod", "DivNoNan", "Atan2"}) {
      CheckBinary(op, kF, sa, sb, {-5, 5}, {0.5, 3});
      CheckBinary(op, kD, sa, sb, {-5, 5}, {-3, -0.5});
    }
    CheckBinary("Pow", kF, sa, sb, {0.5, 2}, {-2, 2}, 1e-4);
    CheckBinary("Pow", kD, sa, sb, {0.5, 2}, {-2, 2});
  }
}

TEST(GpuCwise, Comparisons) {
  TG_REQUIRE_GPU();
  for (const auto& [sa, sb] : BroadcastCases()) {
    for (const char* op : {"Less", "LessEqual", "Greater", "GreaterEqual", "Equal", "NotEqual"}) {
      CheckBinary(op, kF, sa, sb);
      CheckBinary(op, kI64, sa, sb, {-3, 3}, {-3, 3});  // small ints: many equal pairs
    }
  }
  CheckBinary("Equal", kB, {4, 5}, {5});
  CheckBinary("LogicalAnd", kB, {3, 1}, {1, 4});
  CheckBinary("LogicalOr", kB, {2, 1, 3, 4}, {2, 5, 1, 4});
}

TEST(GpuCwise, AddN) {
  TG_REQUIRE_GPU();
  for (DataType dt : {kF, kD, kI64}) {
    for (int n : {1, 2, 3, 10}) {
      for (const Shape& shape : {Shape{4, 5}, Shape{1000, 1000}, Shape{0}}) {
        if (n == 10 && shape.size() == 2 && shape[0] == 1000) continue;
        SCOPED_TRACE("AddN " + DataTypeName(dt) + " n=" + std::to_string(n) + " " + ShapeString(shape));
        std::vector<std::pair<std::string, Tensor>> feeds;
        std::vector<std::string> names;
        for (int i = 0; i < n; i++) {
          names.push_back("x" + std::to_string(i));
          feeds.push_back({names.back() + ":0", Random(dt, shape, 40 + i, -50, 50)});
        }
        auto r = RunOnBoth([&](GraphBuilder& g, const std::string& dev) {
          for (const auto& name : names) Feed(g, name, dt);
          g.Node("sum", "AddN", names, {{"T", G::Type(dt)}, {"N", G::Int(n)}}, dev);
        }, feeds, {"sum:0"}, {"sum"});
        ExpectAllNear(r, 0, 0);  // the same additions in the same order
      }
    }
  }
}

TEST(GpuCwise, LogicalNot) {
  TG_REQUIRE_GPU();
  const Tensor a = Random(kB, {100}, 3);
  auto r = RunOnBoth([&](GraphBuilder& g, const std::string& dev) {
    Feed(g, "a", kB);
    g.Node("z", "LogicalNot", {"a"}, {}, dev);
  }, {{"a:0", a}}, {"z:0"}, {"z"});
  ExpectAllNear(r);
}

TEST(GpuCwise, HandComputed) {
  TG_REQUIRE_GPU();
  auto out = RunOn("/gpu:0", [](GraphBuilder& g, const std::string& dev) {
    g.Const("a", {1, 2, 3}, {3, 1}).Const("b", {10, 20, 30, 40}, {1, 4});
    g.Node("z", "AddV2", {"a", "b"}, {{"T", G::Type(kF)}}, dev);
    g.Node("m", "Maximum", {"a", "b"}, {{"T", G::Type(kF)}}, dev);
  }, {}, {"z:0"}, {}, {"z"});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].shape(), (Shape{3, 4}));
  EXPECT_EQ(gpu_test::ToVector<float>(out[0]), (std::vector<float>{11, 21, 31, 41, 12, 22, 32, 42, 13, 23, 33, 43}));
}

TEST(GpuCwise, LargeBroadcast) {
  TG_REQUIRE_GPU();
  CheckBinary("AddV2", kF, {1000, 1000}, {1000, 1});
  CheckBinary("Mul", kF, {1000000}, {1000000});
  CheckBinary("Greater", kF, {1, 1000}, {1000, 1});
}

TEST(GpuCwise, IncompatibleShapesError) {
  TG_REQUIRE_GPU();
  const Tensor a = Random(kF, {2, 3}, 1), b = Random(kF, {4}, 2);
  try {
    RunOn("/gpu:0", [](GraphBuilder& g, const std::string& dev) {
      Feed(g, "a", kF);
      Feed(g, "b", kF);
      g.Node("z", "AddV2", {"a", "b"}, {{"T", G::Type(kF)}}, dev);
    }, {{"a:0", a}, {"b:0", b}}, {"z:0"});
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Incompatible shapes: [2,3] vs. [4]"), std::string::npos) << e.what();
  }
}

TEST(GpuCwise, EqualIncompatibleShapeErrorFalse) {
  TG_REQUIRE_GPU();
  const Tensor a = Random(kF, {2, 3}, 1), b = Random(kF, {4}, 2);
  auto r = RunOnBoth([&](GraphBuilder& g, const std::string& dev) {
    Feed(g, "a", kF);
    Feed(g, "b", kF);
    g.Node("eq", "Equal", {"a", "b"}, {{"T", G::Type(kF)}, {"incompatible_shape_error", G::Bool(false)}}, dev);
    g.Node("ne", "NotEqual", {"a", "b"}, {{"T", G::Type(kF)}, {"incompatible_shape_error", G::Bool(false)}}, dev);
  }, {{"a:0", a}, {"b:0", b}}, {"eq:0", "ne:0"}, {"eq", "ne"});
  ExpectAllNear(r);
  EXPECT_FALSE(r.gpu[0].data<bool>()[0]);
  EXPECT_TRUE(r.gpu[1].data<bool>()[0]);
}

// y = op(x) for x in [lo, hi).
void CheckUnary(const std::string& op, DataType dt, Range range, const Shape& shape = {3, 7}, double tol = 1e-5,
                std::vector<std::pair<std::string, G::AttrFn>> extra = {}) {
  SCOPED_TRACE(op + " " + DataTypeName(dt));
  const Tensor x = Random(dt, shape, 5, range.lo, range.hi);
  auto attrs = extra;
  attrs.push_back({"T", G::Type(dt)});
  auto r = RunOnBoth([&](GraphBuilder& g, const std::string& dev) {
    Feed(g, "x", dt);
    g.Node("y", op, {"x"}, attrs, dev);
  }, {{"x:0", x}}, {"y:0"}, {"y"});
  ExpectAllNear(r, tol, tol);
}

TEST(GpuCwise, Unary) {
  TG_REQUIRE_GPU();
  for (DataType dt : {kF, kD}) {
    const double tol = dt == kF ? 2e-5 : 1e-10;
    for (const char* op : {"Neg", "Abs", "Square", "Sign", "Round", "Floor", "Ceil", "Exp", "Expm1", "Sin", "Cos", "Tan",
                           "Atan", "Sinh", "Cosh", "Tanh", "Asinh", "Sigmoid", "Erf", "Erfc", "IsNan", "IsInf", "IsFinite"}) {
      CheckUnary(op, dt, {-4, 4}, {3, 7}, tol);
    }
    for (const char* op : {"Sqrt", "Rsqrt", "Log", "Log1p", "Reciprocal", "Lgamma", "Digamma"}) {
      CheckUnary(op, dt, {0.1, 10}, {3, 7}, tol);
    }
    for (const char* op : {"Asin", "Acos", "Atanh"}) CheckUnary(op, dt, {-0.9, 0.9}, {3, 7}, tol);
    CheckUnary("Acosh", dt, {1.1, 10}, {3, 7}, tol);
    CheckUnary("Digamma", dt, {-5.5, -0.1}, {3, 7}, dt == kF ? 1e-4 : 1e-9);
  }
  // Halves round to even.
  auto out = RunOn("/gpu:0", [](GraphBuilder& g, const std::string& dev) {
    g.Const("x", {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.4f}, {6});
    g.Node("y", "Round", {"x"}, {{"T", G::Type(kF)}}, dev);
  }, {}, {"y:0"}, {}, {"y"});
  EXPECT_EQ(gpu_test::ToVector<float>(out[0]), (std::vector<float>{0, 2, 2, -0.0f, -2, 2}));
  for (const char* op : {"Neg", "Abs", "Square", "Sign", "Round"}) CheckUnary(op, kI64, {-100, 100});
  CheckUnary("Exp", kF, {-4, 4}, {1000000});
  CheckUnary("Tanh", kF, {-4, 4}, {0, 5});
}

TEST(GpuCwise, Activations) {
  TG_REQUIRE_GPU();
  for (DataType dt : {kF, kD}) {
    for (const char* op : {"Relu", "Relu6", "Elu", "Selu", "Softplus", "Softsign"}) CheckUnary(op, dt, {-8, 8}, {4, 9});
    CheckUnary("Softplus", dt, {-40, 40}, {4, 9});  // both thresholds
    CheckUnary("LeakyRelu", dt, {-8, 8}, {4, 9}, 1e-5, {{"alpha", [](flatbuffers::FlatBufferBuilder& b) {
                                                         fb::AttrValueBuilder a(b);
                                                         a.add_kind(fb::AttrKind::F);
                                                         a.add_f(0.3f);
                                                         return a.Finish();
                                                       }}});
  }
  CheckUnary("Relu", kI64, {-10, 10});
  CheckUnary("Relu6", kI64, {-10, 10});
  for (DataType dt : {kF, kD}) {
    for (const char* op : {"ReluGrad", "Relu6Grad", "EluGrad", "SeluGrad", "SoftplusGrad", "SoftsignGrad", "LeakyReluGrad"}) {
      CheckBinary(op, dt, {5, 6}, {5, 6}, {-3, 3}, {-8, 8});
    }
  }
  CheckBinary("ReluGrad", kF, {1000, 1000}, {1000, 1000});
}

TEST(GpuCwise, ActivationGradShapeError) {
  TG_REQUIRE_GPU();
  const Tensor a = Random(kF, {2, 3}, 1), b = Random(kF, {3, 2}, 2);
  try {
    RunOn("/gpu:0", [](GraphBuilder& g, const std::string& dev) {
      Feed(g, "a", kF);
      Feed(g, "b", kF);
      g.Node("z", "ReluGrad", {"a", "b"}, {{"T", G::Type(kF)}}, dev);
    }, {{"a:0", a}, {"b:0", b}}, {"z:0"});
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("g and a must be the same size: [2,3] vs. [3,2]"), std::string::npos) << e.what();
  }
}

void CheckCast(DataType src, DataType dst, Range range) {
  SCOPED_TRACE("Cast " + DataTypeName(src) + " -> " + DataTypeName(dst));
  const Tensor x = Random(src, {4, 25}, 7, range.lo, range.hi);
  auto r = RunOnBoth([&](GraphBuilder& g, const std::string& dev) {
    Feed(g, "x", src);
    g.Node("y", "Cast", {"x"}, {{"SrcT", G::Type(src)}, {"DstT", G::Type(dst)}}, dev);
  }, {{"x:0", x}}, {"y:0"}, {"y"});
  ExpectAllNear(r);
}

TEST(GpuCwise, Cast) {
  TG_REQUIRE_GPU();
  for (DataType src : {kF, kD, kI64, kI32}) {
    for (DataType dst : {kF, kD, kI32, kI64, kB}) CheckCast(src, dst, {-100, 100});
  }
  CheckCast(kB, kF, {0, 1});
  CheckCast(kB, kI32, {0, 1});
  CheckCast(kF, kI32, {-3e9, 3e9});  // out of range: INT32_MIN as on the CPU
  CheckCast(kF, DataType::DT_UINT8, {-300, 300});
}

TEST(GpuCwise, FillZerosOnesConst) {
  TG_REQUIRE_GPU();
  const Tensor dims = gpu_test::FromVector<int32_t>({3, 4}, {2});
  const Tensor v = Tensor::Scalar<float>(2.5f);
  const Tensor x = Random(kF, {5, 2}, 3);
  const Tensor xi = Random(kI64, {0, 2}, 3);
  auto r = RunOnBoth([&](GraphBuilder& g, const std::string& dev) {
    Feed(g, "dims", kI32);
    Feed(g, "v", kF);
    Feed(g, "x", kF);
    Feed(g, "xi", kI64);
    g.Node("fill", "Fill", {"dims", "v"}, {{"T", G::Type(kF)}, {"index_type", G::Type(kI32)}}, dev);
    g.Node("zeros", "ZerosLike", {"x"}, {{"T", G::Type(kF)}}, dev);
    g.Node("ones", "OnesLike", {"x"}, {{"T", G::Type(kF)}}, dev);
    g.Node("ones_i", "OnesLike", {"xi"}, {{"T", G::Type(kI64)}}, dev);
    g.Node("c", "Const", {}, {{"value", G::FloatTensor({1, 2, 3, 4, 5, 6}, {2, 3})}, {"dtype", G::Type(kF)}}, dev);
    g.Node("c2", "Mul", {"c", "c"}, {{"T", G::Type(kF)}}, dev);
  }, {{"dims:0", dims}, {"v:0", v}, {"x:0", x}, {"xi:0", xi}}, {"fill:0", "zeros:0", "ones:0", "ones_i:0", "c:0", "c2:0"},
     {"fill", "zeros", "ones", "ones_i", "c", "c2"});
  ExpectAllNear(r);
  EXPECT_EQ(gpu_test::ToVector<float>(r.gpu[0]), std::vector<float>(12, 2.5f));
  EXPECT_EQ(gpu_test::ToVector<float>(r.gpu[5]), (std::vector<float>{1, 4, 9, 16, 25, 36}));
}

TEST(GpuCwise, Select) {
  TG_REQUIRE_GPU();
  struct Case {
    Shape cond, value;
  };
  for (const Case& c : std::vector<Case>{{{}, {3, 4}}, {{3}, {3, 4}}, {{3, 4}, {3, 4}}, {{5}, {5}}, {{0}, {0, 2}}}) {
    SCOPED_TRACE("Select cond " + ShapeString(c.cond) + " value " + ShapeString(c.value));
    const Tensor cond = Random(kB, c.cond, 11);
    const Tensor t = Random(kF, c.value, 12), e = Random(kF, c.value, 13);
    auto r = RunOnBoth([&](GraphBuilder& g, const std::string& dev) {
      Feed(g, "c", kB);
      Feed(g, "t", kF);
      Feed(g, "e", kF);
      g.Node("s", "Select", {"c", "t", "e"}, {{"T", G::Type(kF)}}, dev);
    }, {{"c:0", cond}, {"t:0", t}, {"e:0", e}}, {"s:0"}, {"s"});
    ExpectAllNear(r);
  }
}

TEST(GpuCwise, BiasAddAndGrad) {
  TG_REQUIRE_GPU();
  struct Case {
    Shape x;
    std::string format;
  };
  for (const Case& c : std::vector<Case>{{{4, 3}, "NHWC"},
                                         {{2, 5, 6, 3}, "NHWC"},
                                         {{2, 3, 5, 6}, "NCHW"},
                                         {{2, 3}, "NCHW"},
                                         {{256, 32, 32, 16}, "NHWC"},
                                         {{64, 16, 32, 32}, "NCHW"},
                                         {{0, 3}, "NHWC"}}) {
    SCOPED_TRACE(ShapeString(c.x) + " " + c.format);
    const int64_t channels = c.format == "NHWC" ? c.x.back() : c.x[1];
    for (DataType dt : {kF, kD}) {
      const Tensor x = Random(dt, c.x, 21), b = Random(dt, {channels}, 22);
      auto r = RunOnBoth([&](GraphBuilder& g, const std::string& dev) {
        Feed(g, "x", dt);
        Feed(g, "b", dt);
        g.Node("y", "BiasAdd", {"x", "b"}, {{"T", G::Type(dt)}, {"data_format", G::Str(c.format)}}, dev);
        g.Node("db", "BiasAddGrad", {"x"}, {{"T", G::Type(dt)}, {"data_format", G::Str(c.format)}}, dev);
        g.Node("l2", "L2Loss", {"x"}, {{"T", G::Type(dt)}}, dev);
      }, {{"x:0", x}, {"b:0", b}}, {"y:0", "db:0", "l2:0"}, {"y", "db", "l2"});
      ExpectAllNear(r, 1e-5, 1e-4);
    }
  }
}

TEST(GpuCwise, BiasAddErrors) {
  TG_REQUIRE_GPU();
  const Tensor x = Random(kF, {4, 3}, 1), b = Random(kF, {4}, 2);
  try {
    RunOn("/gpu:0", [](GraphBuilder& g, const std::string& dev) {
      Feed(g, "x", kF);
      Feed(g, "b", kF);
      g.Node("y", "BiasAdd", {"x", "b"}, {{"T", G::Type(kF)}}, dev);
    }, {{"x:0", x}, {"b:0", b}}, {"y:0"});
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Must provide as many biases as the last dimension of the input tensor: [4] vs. [4,3]"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace tg
