// Process-wide settings for a process that uses gRPC, made once by its first gRPC server or
// channel (PrepareProcessForGrpc).
#pragma once

namespace tg {

// Both of the below, once per process.
void PrepareProcessForGrpc();

// gRPC reads a message into slices it mallocs and frees once the message is decoded. With
// glibc's default trim threshold (128 KiB, adaptive) the freed slices go back to the kernel
// and the next message's reads fault every page in again: a worker pulling 16 MiB per step
// took ~2,500 page faults and ~4 ms of CPU per step on them. Raising the threshold keeps up
// to 128 MiB of freed heap per arena for reuse. Left alone when the user set glibc's malloc
// tunables.
void KeepFreedHeapForGrpc();

// gRPC's callback API runs completions on the threads of one process-wide completion queue
// that the channels and servers using it hold references to (gRPC 1.51's
// CallbackAlternativeCQ). When a completion callback drops the last of them (a step's
// callback holding the last reference to a session's channel, the session already closed
// on another thread), that queue is shut down from one of its own threads, which cannot
// join itself: the queue is freed under it and the process aborts later (grpc/grpc#32584;
// seen here about once in 100-300 runs of an asynchronous step retried against a test
// server). A channel that is never destroyed, with one callback call made on it, holds a
// reference for the life of the process.
void KeepCallbackQueueAlive();

}  // namespace tg
