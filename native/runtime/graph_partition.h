// The client graph of a signature and its partitions (TF's subgraph pruning and
// core/graph/graph_partition.cc). A signature whose nodes are placed on several devices runs
// as one partition Graph per device; every data edge between two devices becomes a _Send in
// the source's partition and a _Recv in the destination's, meeting in the step's rendezvous
// (runtime/rendezvous.h) under TF's key.
//
// Feeds and fetches cross the same way as TF's client-terminated _Recv/_Send: the session
// sends each fed value to the partitions that read it and receives each fetch from the
// partition that computes it. So a partition is a standalone graph with no feeds or fetches of
// its own, which a remote worker could run as it stands (stage 2: RunGraph's send/recv_key).
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/graph.h"
#include "runtime/placer.h"

namespace tg {

// The tensor a feed or fetch name ("x:0", "x") names; NotFound (TF's message) when the node
// is missing.
Edge ResolveTensor(const Graph& graph, const std::string& name);

// The nodes one (feeds, fetches, targets) signature runs: everything the fetches and targets
// need, walking back but not through fed tensors. A fed Placeholder's control edges are
// satisfied by the feed (TF's FeedInputs moves them onto the fed value).
struct PrunedGraph {
  std::vector<const Node*> order;  // graph order: inputs first, but for loops' back edges
  std::unordered_map<const Node*, std::unordered_map<int, int>> fed;  // node -> output -> feed index
  bool IsFed(const Edge& e) const;
  bool ControlIsFed(const Node* c) const { return c->op == "Placeholder" && fed.count(c); }
};
PrunedGraph Prune(const Graph& graph, const std::vector<std::string>& feeds, const std::vector<std::string>& fetches,
                  const std::vector<std::string>& targets);

struct Partition {
  Device* device;
  std::unique_ptr<Graph> graph;
  std::vector<std::string> targets;  // its sinks: running them runs every node of the partition
};

struct PartitionedGraph {
  std::vector<Partition> partitions;  // one per device, by device name
  // Per feed, the keys to send its value under (one per partition that reads it).
  std::vector<std::vector<std::string>> feed_keys;
  // Per fetch, the key to receive it under, or "" when the fetch is itself fed.
  std::vector<std::string> fetch_keys;
  std::vector<int> fetch_feed;  // per fetch: the feed it returns (-1: none)
};

// The devices the pruned nodes are placed on (one: the signature runs as one executor).
std::vector<Device*> DevicesOf(const PrunedGraph& pruned, const PlaceFn& place);

// Splits the pruned, placed nodes into one Graph per device. Cross-device data edges get a
// _Send/_Recv pair (tensor_name "edge_<n>_<src>", one _Recv per source output and destination
// partition); a cross-device control edge sends a dummy float[0] Const and waits on an
// Identity of its _Recv (TF's trick), so deadness crosses both. `client` is the device the
// session's feeds come from and fetches go to (CPU:0, as TF's client device).
// A while loop may span devices (TF's AddControlFlow): every device that receives a value
// inside a loop's frame gets a control loop of its own for that frame, which repeats the
// frame's iterations in step with the loop's LoopCond (sent to it each iteration), and runs
// the frame's _Recvs there once per iteration; their keys carry the frame and iteration.
// Nested frames get nested control loops. A partition without loops gets no extra nodes.
PartitionedGraph PartitionGraph(const Graph& graph, const PrunedGraph& pruned, const PlaceFn& place, Device* client,
                                const std::vector<std::string>& feeds, const std::vector<std::string>& fetches);

}  // namespace tg
