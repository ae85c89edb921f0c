// Errors of the runtime. Codes are TensorFlow's (error_codes.proto) so the TypeScript
// side maps them one to one onto tf.errors.* classes.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

namespace tg {

enum class Code : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

// Thrown by the runtime for every failure a caller can cause. `node` names the graph
// node at fault, when there is one.
class Error : public std::runtime_error {
 public:
  Error(Code code, const std::string& message, std::string node = "")
      : std::runtime_error(message), code_(code), node_(std::move(node)) {}
  Code code() const { return code_; }
  const std::string& node() const { return node_; }

 private:
  Code code_;
  std::string node_;
};

inline Error InvalidArgument(const std::string& msg, std::string node = "") {
  return Error(Code::kInvalidArgument, msg, std::move(node));
}

// The outcome of work that finishes later (asynchronous kernels, cancellation): OK, or the
// Error it failed with. Synchronous code throws Error instead.
class Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::make_shared<Error>(std::move(error))) {}  // NOLINT: implicit on purpose
  static Status OK() { return Status(); }
  bool ok() const { return error_ == nullptr; }
  const Error& error() const { return *error_; }
  Code code() const { return error_ ? error_->code() : Code::kOk; }
  // Throws the error (no-op when OK).
  void Check() const {
    if (error_) throw *error_;
  }

 private:
  std::shared_ptr<Error> error_;
};

}  // namespace tg
