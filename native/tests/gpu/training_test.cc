// GPU-vs-CPU parity of the fused optimizer updates (native/kernels/cuda/training_ops.cu): the
// variable and its slots are initialised by Assign, two update steps run, then every variable
// is read back.
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

G::AttrFn FloatScalar(float v) { return G::FloatTensor({v}, {}); }

struct ApplyCase {
  std::string op;
  int nrefs;
  std::vector<std::pair<int, float>> scalars;  // input index, value
  int grad;
  std::vector<std::pair<std::string, G::AttrFn>> attrs = {};
};

void CheckApply(const ApplyCase& c, DataType dt, const Shape& shape, double tol = 1e-5) {
  SCOPED_TRACE(c.op + " " + DataTypeName(dt) + " " + ShapeString(shape));
  std::vector<std::pair<std::string, Tensor>> feeds;
  std::vector<std::string> targets, fetches, on_gpu;
  for (int k = 0; k < c.nrefs; k++) {
    // var in [-1, 1); slots positive (accumulators under square roots).
    feeds.push_back({"init" + std::to_string(k) + ":0", k == 0 ? Random(dt, shape, 100 + k, -1, 1) : Random(dt, shape, 100 + k, 0.1, 1)});
    targets.push_back("assign" + std::to_string(k));
    fetches.push_back("out" + std::to_string(k) + ":0");
    on_gpu.push_back("assign" + std::to_string(k));
  }
  feeds.push_back({"g:0", Random(dt, shape, 7, -1, 1)});
  on_gpu.push_back("apply1");
  on_gpu.push_back("apply2");
  int ninputs = c.grad + 1;
  for (const auto& [i, v] : c.scalars) ninputs = std::max(ninputs, i + 1);
  auto build = [&](GraphBuilder& g, const std::string& dev) {
    std::vector<std::string> inputs(static_cast<size_t>(ninputs));
    for (int k = 0; k < c.nrefs; k++) {
      const std::string ks = std::to_string(k);
      g.Node("var" + ks, "VariableV2", {}, {{"dtype", G::Type(dt)}}, dev);
      g.Node("init" + ks, "Placeholder", {}, {{"dtype", G::Type(dt)}});
      g.Node("assign" + ks, "Assign", {"var" + ks, "init" + ks}, {{"T", G::Type(dt)}}, dev);
      inputs[k] = "var" + ks;
    }
    for (const auto& [i, v] : c.scalars) {
      const std::string name = "s" + std::to_string(i);
      if (dt == DataType::DT_FLOAT) {
        g.Node(name, "Const", {}, {{"value", FloatScalar(v)}, {"dtype", G::Type(dt)}});
      } else {
        std::vector<uint8_t> bytes(8);
        const double d = v;
        std::memcpy(bytes.data(), &d, 8);
        g.Node(name, "Const", {}, {{"value", G::RawTensor(dt, {}, bytes)}, {"dtype", G::Type(dt)}});
      }
      inputs[i] = name;
    }
    g.Node("g", "Placeholder", {}, {{"dtype", G::Type(dt)}});
    inputs[c.grad] = "g";
    auto attrs = c.attrs;
    attrs.push_back({"T", G::Type(dt)});
    g.Node("apply1", c.op, inputs, attrs, dev);
    auto inputs2 = inputs;
    inputs2.push_back("^apply1");
    g.Node("apply2", c.op, inputs2, attrs, dev);
    for (int k = 0; k < c.nrefs; k++) {
      const std::string ks = std::to_string(k);
      g.Node("out" + ks, "Identity", {"var" + ks, "^apply2"}, {{"T", G::Type(dt)}}, dev);
    }
  };
  auto r = RunOnBoth(build, feeds, fetches, on_gpu, targets);
  ExpectAllNear(r, tol, tol);
}

std::vector<ApplyCase> Cases() {
  return {
      {"ApplyGradientDescent", 1, {{1, 0.1f}}, 2},
      {"ApplyMomentum", 2, {{2, 0.1f}, {4, 0.9f}}, 3},
      {"ApplyMomentum", 2, {{2, 0.1f}, {4, 0.9f}}, 3, {{"use_nesterov", G::Bool(true)}}},
      {"ApplyAdagrad", 2, {{2, 0.1f}}, 3},
      {"ApplyAdagrad", 2, {{2, 0.1f}}, 3, {{"update_slots", G::Bool(false)}}},
      {"ApplyAdadelta", 3, {{3, 1.0f}, {4, 0.95f}, {5, 1e-6f}}, 6},
      {"ApplyRMSProp", 3, {{3, 0.01f}, {4, 0.9f}, {5, 0.5f}, {6, 1e-7f}}, 7},
      {"ApplyCenteredRMSProp", 4, {{4, 0.01f}, {5, 0.9f}, {6, 0.5f}, {7, 1.0f}}, 8},
      {"ApplyAdam", 3, {{3, 0.9f}, {4, 0.999f}, {5, 0.001f}, {6, 0.9f}, {7, 0.999f}, {8, 1e-8f}}, 9},
      {"ApplyAdam", 3, {{3, 0.81f}, {4, 0.998f}, {5, 0.01f}, {6, 0.9f}, {7, 0.999f}, {8, 1e-7f}}, 9,
       {{"use_nesterov", G::Bool(true)}}},
      {"ApplyAdaMax", 3, {{3, 0.9f}, {4, 0.002f}, {5, 0.9f}, {6, 0.999f}, {7, 1e-7f}}, 8},
      {"ApplyFtrl", 3, {{4, 0.1f}, {5, 0.01f}, {6, 0.02f}, {7, -0.5f}}, 3},
      {"ApplyFtrl", 3, {{4, 0.1f}, {5, 0.01f}, {6, 0.02f}, {7, -0.7f}}, 3},
      {"ApplyFtrlV2", 3, {{4, 0.1f}, {5, 0.01f}, {6, 0.02f}, {7, 0.05f}, {8, -0.5f}}, 3},
  };
}

TEST(GpuTraining, ApplyOps) {
  TG_REQUIRE_GPU();
  for (const ApplyCase& c : Cases()) {
    CheckApply(c, DataType::DT_FLOAT, {5, 7}, 1e-5);
    CheckApply(c, DataType::DT_DOUBLE, {5, 7}, 1e-10);
  }
}

TEST(GpuTraining, LargeAndEmpty) {
  TG_REQUIRE_GPU();
  for (const ApplyCase& c : Cases()) {
    if (c.op == "ApplyAdam" || c.op == "ApplyGradientDescent" || c.op == "ApplyMomentum") {
      CheckApply(c, DataType::DT_FLOAT, {1000, 1000}, 1e-5);
    }
    CheckApply(c, DataType::DT_FLOAT, {0, 3});
  }
}

TEST(GpuTraining, GradShapeError) {
  TG_REQUIRE_GPU();
  const Tensor init = Random(DataType::DT_FLOAT, {2, 3}, 1), grad = Random(DataType::DT_FLOAT, {3, 2}, 2);
  try {
    RunOn("/gpu:0", [](GraphBuilder& g, const std::string& dev) {
      g.Node("v", "VariableV2", {}, {{"dtype", G::Type(DataType::DT_FLOAT)}}, dev);
      g.Node("init", "Placeholder", {}, {{"dtype", G::Type(DataType::DT_FLOAT)}});
      g.Node("assign", "Assign", {"v", "init"}, {{"T", G::Type(DataType::DT_FLOAT)}}, dev);
      g.Node("lr", "Const", {}, {{"value", FloatScalar(0.1f)}, {"dtype", G::Type(DataType::DT_FLOAT)}});
      g.Node("g", "Placeholder", {}, {{"dtype", G::Type(DataType::DT_FLOAT)}});
      g.Node("apply", "ApplyGradientDescent", {"v", "lr", "g"}, {{"T", G::Type(DataType::DT_FLOAT)}}, dev);
    }, {{"init:0", init}, {"g:0", grad}}, {"apply:0"}, {"assign"});
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("var and grad do not have the same shape[2,3] [3,2]"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tg
