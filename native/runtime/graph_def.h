// Validation of GraphDef buffers handed over from TypeScript (or read from files).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "runtime/types.h"

namespace tg {

// Runs the FlatBuffers verifier over the buffer and then checks what the verifier cannot:
// required names, attribute kinds holding their field, tensor contents matching their
// shape and dtype. Throws InvalidArgument on any defect; returns the verified root.
const fb::GraphDef* VerifyGraphDef(const uint8_t* data, size_t size);

}  // namespace tg

namespace tg {

class Graph;

// The graph as a serialised GraphDef (TF's Graph::ToGraphDef): every node with its inputs by
// name ("x", "x:1", "^ctrl"), device and attrs. RunMetadata's partition graphs use it.
std::vector<uint8_t> SerializeGraph(const Graph& graph);

}  // namespace tg
