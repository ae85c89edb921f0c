// Errors across the wire: TF's error codes are gRPC's status codes (same numbers), and the
// node at fault travels in the status details.
#pragma once

#include <grpcpp/grpcpp.h>

#include <exception>
#include <string>

#include "runtime/status.h"

namespace tg {

inline grpc::Status ToGrpcStatus(const Error& e) {
  return grpc::Status(static_cast<grpc::StatusCode>(e.code()), e.what(), e.node());
}

// The status of a handler's exception (an Error keeps its code; anything else is Internal).
inline grpc::Status StatusOfException(std::exception_ptr ep) {
  try {
    std::rethrow_exception(ep);
  } catch (const Error& e) {
    return ToGrpcStatus(e);
  } catch (const std::exception& e) {
    return grpc::Status(grpc::StatusCode::INTERNAL, e.what());
  } catch (...) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "unknown failure");
  }
}

inline Error FromGrpcStatus(const grpc::Status& s, const std::string& target) {
  std::string msg = s.error_message();
  // gRPC's own failures (no server, broken connection) name the target, which it does not.
  if (s.error_code() == grpc::StatusCode::UNAVAILABLE || s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    msg += " (target " + target + ")";
  }
  return Error(static_cast<Code>(s.error_code()), msg, s.error_details());
}

}  // namespace tg
