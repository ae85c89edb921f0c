// Input-pipeline threads for JavaScript: Coordinator and QueueRunner (runner_binding.cc).
#pragma once

#include <napi.h>

void RegisterRunnerFunctions(Napi::Env env, Napi::Object exports);
