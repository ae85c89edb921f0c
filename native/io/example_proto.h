// A hand-written decoder for tf.train.Example (protobuf wire format), enough for dense
// FixedLenFeature parsing:
//   Example { Features features = 1; }   Features { map<string, Feature> feature = 1; }
//   Feature { oneof kind { BytesList bytes_list = 1; FloatList float_list = 2; Int64List int64_list = 3; } }
//   BytesList { repeated bytes value = 1; }  FloatList { repeated float value = 1 [packed]; }
//   Int64List { repeated int64 value = 1 [packed]; }
// Every length is checked against the buffer: malformed input returns false, never reads
// out of bounds. Unknown fields are skipped, as protobuf does.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tg {

struct ExampleFeature {
  enum Kind { kNone, kBytes, kFloat, kInt64 } kind = kNone;
  std::vector<std::string> bytes;
  std::vector<float> floats;
  std::vector<int64_t> int64s;
};

// Parses a serialized Example into its feature map (later map entries of one key win, as in
// protobuf). Returns false for malformed bytes.
bool ParseExampleProto(const std::string& serialized, std::map<std::string, ExampleFeature>* features);

// Builds serialized Examples (tests; writers of TFRecord data).
std::string SerializeExampleProto(const std::map<std::string, ExampleFeature>& features);

}  // namespace tg
