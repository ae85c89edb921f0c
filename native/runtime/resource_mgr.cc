#include "runtime/resource_mgr.h"

namespace tg {

Tensor MakeResourceHandle(const std::string& container, const std::string& name) {
  Tensor t(DataType::DT_RESOURCE, {});
  t.strings()[0] = container + '\0' + name;
  return t;
}

ResourceHandle GetResourceHandle(const Tensor& t, const std::string& node) {
  if (t.dtype() != DataType::DT_RESOURCE || t.num_elements() != 1) {
    throw Error(Code::kInvalidArgument, "expected a resource handle, got " + t.DebugString(), node);
  }
  const std::string& s = t.strings()[0];
  const size_t sep = s.find('\0');
  if (sep == std::string::npos) throw Error(Code::kInvalidArgument, "malformed resource handle", node);
  return {s.substr(0, sep), s.substr(sep + 1)};
}

}  // namespace tg
