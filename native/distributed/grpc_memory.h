// Heap settings for a process that moves large messages through gRPC.
#pragma once

namespace tg {

// gRPC reads a message into slices it mallocs and frees once the message is decoded. With
// glibc's default trim threshold (128 KiB, adaptive) the freed slices go back to the kernel
// and the next message's reads fault every page in again: a worker pulling 16 MiB per step
// took ~2,500 page faults and ~4 ms of CPU per step on them. Raising the threshold keeps
// up to 128 MiB of freed heap per arena for reuse. Done once, when the process first makes
// a gRPC server or channel; left alone when the user set glibc's malloc tunables.
void KeepFreedHeapForGrpc();

}  // namespace tg
