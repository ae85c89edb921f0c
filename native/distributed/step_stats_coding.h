// A traced step's per-node times (NodeStats) as TF's StepStats (step_stats.proto): they
// travel in RunStep's RunMetadata (server -> grpc:// client) and in RunGraph's response (a
// worker's partition -> the master that runs the step).
#pragma once

#include <vector>

#include "runtime/executor.h"
#include "step_stats.pb.h"

namespace tg {

// Appends one DeviceStepStats per device, in the order the devices first appear.
void StatsToProto(const std::vector<NodeStats>& stats, tensorflow::StepStats* out);
// The proto carries total bytes only: allocation counts come back as -1 (unknown).
std::vector<NodeStats> StatsFromProto(const tensorflow::StepStats& in);

}  // namespace tg
