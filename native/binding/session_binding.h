// Sessions for JavaScript: newSession, sessionRun(Async), callables, devices, close
// (session_binding.cc).
#pragma once

#include <napi.h>

void RegisterSessionFunctions(Napi::Env env, Napi::Object exports);
