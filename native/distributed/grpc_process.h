// How this process uses gRPC: its channels (NewChannel) and the process-wide settings made
// once by its first gRPC server or channel (PrepareProcessForGrpc).
#pragma once

#include <grpcpp/channel.h>

#include <memory>
#include <string>

namespace tg {

// A channel to `address` (host:port) as every client here makes it (sessions' to a master,
// a master's and workers' to other tasks): messages of any size (tensors over gRPC's 4 MiB
// default), and a lost peer found again within a second (a killed task's step fails fast, a
// restarted server is reached soon; gRPC's own backoff grows to 2 minutes). Prepares the
// process first.
std::shared_ptr<grpc::Channel> NewChannel(const std::string& address);

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
