#include "runtime/remapper.h"

#include <algorithm>
#include <cstdlib>

namespace tg {
namespace {

bool IsFloat(const Node& n) {
  const AttrValue* t = n.FindAttr("T");
  return t && t->type == DataType::DT_FLOAT;
}

}  // namespace

void FuseContractionBiasRelu(std::vector<const Node*>* order, const std::unordered_set<const Node*>& keep, const PlaceFn& place,
                             std::vector<std::unique_ptr<Node>>* owned, std::unordered_map<const Node*, FusedOutput>* replaced) {
  // TG_REMAPPER=0 turns the rewrite off (TF's rewrite_options.remapping = OFF), for comparisons.
  static const bool enabled = [] {
    const char* v = std::getenv("TG_REMAPPER");
    return !(v && std::string(v) == "0");
  }();
  if (!enabled) return;
  // Consumers among the nodes that run: data consumers per output 0, and whether anything
  // waits on a node by a control edge.
  std::unordered_map<const Node*, std::vector<const Node*>> users;
  std::unordered_set<const Node*> control_used;
  for (const Node* n : *order) {
    for (const Edge& e : n->inputs) users[e.node].push_back(n);
    for (const Node* c : n->control_inputs) control_used.insert(c);
  }
  // A node's value that nothing else may see: used once, by `consumer`, through output 0.
  auto only_feeds = [&](const Node* n, const Node* consumer) {
    if (keep.count(n) || control_used.count(n)) return false;
    const auto& u = users[n];
    return u.size() == 1 && u[0] == consumer && consumer->inputs[0].node == n && consumer->inputs[0].index == 0 &&
           std::count_if(consumer->inputs.begin(), consumer->inputs.end(), [&](const Edge& e) { return e.node == n; }) == 1;
  };
  std::unordered_map<const Node*, size_t> position;  // in `order`, which is topological
  for (size_t i = 0; i < order->size(); i++) position[(*order)[i]] = i;
  std::unordered_set<const Node*> removed;
  // A fused node waits for every control input of each node it stands for (once each).
  auto take_control_inputs = [](Node* f, const Node* n) {
    for (Node* c : n->control_inputs) {
      if (std::find(f->control_inputs.begin(), f->control_inputs.end(), c) == f->control_inputs.end()) f->control_inputs.push_back(c);
    }
  };
  // `f` stands for `chain` from here on: it takes the chain's last node's id and name and the
  // control inputs of every node in the chain; the others leave the order.
  auto fuse = [&](std::unique_ptr<Node> f, const std::vector<const Node*>& chain) -> Node* {
    const Node* last = chain.back();
    f->id = last->id;
    f->name = last->name;
    for (const Node* n : chain) {
      take_control_inputs(f.get(), n);
      if (n != last) removed.insert(n);
    }
    Node* raw = f.get();
    (*replaced)[last] = {raw, 0};
    owned->push_back(std::move(f));
    return raw;
  };
  for (const Node* bias : *order) {
    if (bias->op != "BiasAdd" || !IsFloat(*bias) || bias->AttrString("data_format", "NHWC") != "NHWC") continue;
    const Node* mm = bias->inputs[0].node;  // the contraction: MatMul or Conv2D
    const bool conv = mm->op == "Conv2D";
    if (conv && mm->AttrString("data_format", "NHWC") != "NHWC") continue;
    if ((mm->op != "MatMul" && !conv) || !IsFloat(*mm) || !only_feeds(mm, bias)) continue;
    const auto& bias_users = users[bias];
    const Node* relu = nullptr;
    if (bias_users.size() == 1 && bias_users[0]->op == "Relu" && IsFloat(*bias_users[0]) && only_feeds(bias, bias_users[0])) {
      relu = bias_users[0];
    }
    // Only on a CPU: the fused kernels are oneDNN's sgemm with an epilogue and its convolution
    // with bias and a ReLU post-op.
    Device* dev = place(*mm);
    if (dev->type != DeviceType::kCPU || place(*bias) != dev || (relu && place(*relu) != dev)) continue;
    auto f = std::make_unique<Node>();
    f->op = conv ? "_FusedConv2D" : "_FusedMatMul";
    f->device = dev->name;
    f->inputs = {mm->inputs[0], mm->inputs[1], bias->inputs[1]};
    if (conv) {
      f->attrs = mm->attrs;  // strides, padding, explicit_paddings, data_format, dilations, T
    } else {
      f->attrs["T"] = mm->attrs.at("T");
      f->attrs["transpose_a"] = AttrValue::Bool(mm->AttrBool("transpose_a", false));
      f->attrs["transpose_b"] = AttrValue::Bool(mm->AttrBool("transpose_b", false));
    }
    f->attrs["num_args"] = AttrValue::Int(1);
    f->attrs["fused_ops"] =
        AttrValue::StrList(relu ? std::vector<std::string>{"BiasAdd", "Relu"} : std::vector<std::string>{"BiasAdd"});
    f->attrs["epsilon"] = AttrValue::Float(0.0001f);
    fuse(std::move(f), relu ? std::vector<const Node*>{mm, bias, relu} : std::vector<const Node*>{mm, bias});
  }
  // MaxPoolGrad -> ReluGrad over the same features (the layer relu -> max_pool): the gradient
  // reaches an input element only at its window's maximum, whose value decides ReluGrad's mask,
  // so _FusedMaxPoolGrad writes the masked gradient in one pass (no read and rewrite of the
  // input-sized gradient; ~0.5 ms of bench/train.ts's CNN step). A BiasAddGrad of that
  // gradient (the layer's bias) is summed in the same pass, as output 1: it would read the
  // whole gradient again (~0.6 ms of the CNN step).
  for (const Node* rg : *order) {
    if (rg->op != "ReluGrad" || !IsFloat(*rg) || rg->inputs.size() != 2) continue;
    const Node* mpg = rg->inputs[0].node;
    if (mpg->op != "MaxPoolGrad" || !IsFloat(*mpg) || mpg->inputs.size() != 3 || !only_feeds(mpg, rg)) continue;
    const Edge& features = rg->inputs[1];
    if (features.node != mpg->inputs[0].node || features.index != mpg->inputs[0].index) continue;
    Device* dev = place(*mpg);
    if (dev->type != DeviceType::kCPU || place(*rg) != dev) continue;
    const std::string format = mpg->AttrString("data_format", "NHWC");
    const Node* bias_grad = nullptr;
    for (const Node* u : users[rg]) {
      if (u->op == "BiasAddGrad" && IsFloat(*u) && u->inputs.size() == 1 && u->inputs[0].index == 0 && !keep.count(u) &&
          u->AttrString("data_format", "NHWC") == format && place(*u) == dev &&
          // its control inputs become the fused node's: they must all run before `rg` could
          // (one that waits on a user of `rg` would make a cycle)
          std::all_of(u->control_inputs.begin(), u->control_inputs.end(), [&](const Node* c) { return position[c] < position[rg]; })) {
        bias_grad = u;
        break;
      }
    }
    auto f = std::make_unique<Node>();
    f->op = "_FusedMaxPoolGrad";
    f->device = dev->name;
    f->inputs = mpg->inputs;
    f->attrs = mpg->attrs;  // ksize, strides, padding, data_format, T
    f->attrs["fused_ops"] =
        AttrValue::StrList(bias_grad ? std::vector<std::string>{"ReluGrad", "BiasAddGrad"} : std::vector<std::string>{"ReluGrad"});
    f->attrs["num_bias_backprops"] = AttrValue::Int(bias_grad ? 1 : 0);
    Node* fused = fuse(std::move(f), {mpg, rg});
    if (bias_grad) {
      take_control_inputs(fused, bias_grad);
      removed.insert(bias_grad);
      (*replaced)[bias_grad] = {fused, 1};
    }
  }
  if (removed.empty()) return;
  std::vector<const Node*> out;
  out.reserve(order->size());
  for (const Node* n : *order) {
    if (removed.count(n)) continue;
    auto r = replaced->find(n);
    out.push_back(r == replaced->end() ? n : r->second.node);
  }
  *order = std::move(out);
}

}  // namespace tg
