// The remapper (the part of TF's grappler remapper that pays on a CPU): when an executor is
// built, MatMul -> BiasAdd (-> Relu) and Conv2D (NHWC) -> BiasAdd (-> Relu) chains on a CPU
// become one _FusedMatMul / _FusedConv2D node (TF's ops and attrs, fused_ops = ["BiasAdd"] or
// ["BiasAdd", "Relu"]) that takes the name of the chain's last node, so its consumers, fetches
// and stepStats see that name (with the fused op in its timeline label). MaxPoolGrad ->
// ReluGrad over the pool's own input (the gradient of relu -> max_pool) becomes one
// _FusedMaxPoolGrad (fused_ops = ["ReluGrad"]) the same way; when the masked gradient also
// feeds the layer's BiasAddGrad (conv -> bias_add -> relu -> max_pool), that sum over all but
// the channels comes out of the same pass as a second output (fused_ops = ["ReluGrad",
// "BiasAddGrad"]), and the BiasAddGrad node leaves the order.
#pragma once

#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "runtime/graph.h"
#include "runtime/placer.h"

namespace tg {

// `order`: the pruned nodes in graph order; each fused chain is replaced there by its fused
// node (owned by `owned`, placed where `placer` put the chain). `keep`: nodes whose outputs are
// fetched, fed or run as targets: they are never folded into a fusion. `replaced` maps each
// node whose outputs a fusion now produces (a chain's last node, a folded BiasAddGrad) to the
// fused node and the fused node's output that holds its output 0, for the consumers' edges,
// control edges and the fetches.
struct FusedOutput {
  Node* node;
  int first_output;
};
void FuseContractionBiasRelu(std::vector<const Node*>* order, const std::unordered_set<const Node*>& keep, const PlaceFn& place,
                             std::vector<std::unique_ptr<Node>>* owned, std::unordered_map<const Node*, FusedOutput>* replaced);

}  // namespace tg
