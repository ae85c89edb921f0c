// gRPC servers and grpc:// sessions for JavaScript (dist_binding.cc): serverStart/Join/Stop,
// resetRemote, and the remote sessions newSession makes for a grpc:// target. Without gRPC
// in the build every one of them throws UnimplementedError.
#pragma once

#include <napi.h>

#include <memory>
#include <string>

#include "runtime/session.h"

namespace tgjs {
std::shared_ptr<tg::SessionInterface> NewRemoteSession(const std::string& target, const tg::SessionOptions& options);
}

void RegisterDistFunctions(Napi::Env env, Napi::Object exports);
