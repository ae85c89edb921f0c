// Device names and requests ("/job:localhost/replica:0/task:0/device:CPU:0", "/gpu:1",
// "/device:GPU:*"), parsed by TF's grammar (DeviceNameUtils::ParseFullName). The TypeScript
// side (src/framework/device.ts) parses the same grammar; test/fixtures/device_names.json
// holds the cases both are tested on.
#pragma once

#include <string>

namespace tg {

struct ParsedDeviceName {
  // A field that is absent or `*` is unset (matches anything).
  bool has_job = false;
  std::string job;
  bool has_replica = false;
  int replica = 0;
  bool has_task = false;
  int task = 0;
  bool has_type = false;
  std::string type;  // as written after /device: ("CPU", "XLA_CPU"); legacy /cpu: and /CPU: give "CPU"
  bool has_id = false;
  int id = 0;

  // False for a malformed name. "" and "/" parse, with nothing set. Parts may come in any
  // order and a later part overrides an earlier one, as in TF.
  static bool Parse(const std::string& name, ParsedDeviceName* out);
  // Parse, throwing InvalidArgument "Malformed device specification '<name>'".
  static ParsedDeviceName ParseOrThrow(const std::string& name);
  // TF's ParsedNameToString: "/job:x/replica:0/task:0/device:CPU:*", unset parts left out.
  std::string ToString() const;
};

}  // namespace tg
