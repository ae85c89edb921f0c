// N-API functions over native/io, registered from addon.cc's Init:
//   crc32c(data: Uint8Array) -> number   (unmasked CRC-32C; TFRecord framing masks it in TS)
#pragma once

#include <napi.h>

void RegisterIoFunctions(Napi::Env env, Napi::Object exports);
