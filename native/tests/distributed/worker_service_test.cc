// The worker service's step pieces (RunGraph, RecvTensor, CleanupGraph) on one in-process
// server; graphs spanning tasks are tested end to end in test/distributed.test.ts.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <future>

#include "distributed/grpc_server.h"
#include "server_def.h"
#include "worker_service.grpc.pb.h"

namespace tg {
namespace {

std::unique_ptr<tensorflow::WorkerService::Stub> WorkerStub(const GrpcServer& s) {
  return tensorflow::WorkerService::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(s.port()), grpc::InsecureChannelCredentials()));
}

TEST(WorkerService, RunGraphWithAnUnknownHandleIsAborted) {
  GrpcServer server(OneTaskServerDef());
  auto stub = WorkerStub(server);
  grpc::ClientContext ctx;
  tensorflow::RunGraphRequest req;
  req.set_graph_handle("nope");
  req.set_step_id(1);
  tensorflow::RunGraphResponse resp;
  grpc::Status s = stub->RunGraph(&ctx, req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_NE(s.error_message().find("Graph handle is not found"), std::string::npos);
}

TEST(WorkerService, RecvTensorWaitsForTheStepAndCleanupGraphEndsIt) {
  GrpcServer server(OneTaskServerDef());
  auto stub = WorkerStub(server);
  // A RecvTensor that comes before anything of step 42: it waits (the step's rendezvous is
  // made on demand) until CleanupGraph drops the step.
  tensorflow::RecvTensorRequest req;
  req.set_step_id(42);
  req.set_rendezvous_key("/job:worker/replica:0/task:0/device:CPU:0;0000000000000001;/job:ps/replica:0/task:0/device:CPU:0;edge_1_a;0:0");
  auto pending = std::async(std::launch::async, [&] {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    tensorflow::RecvTensorResponse resp;
    return stub->RecvTensor(&ctx, req, &resp).error_code();
  });
  // The call is still waiting (nothing sent the value).
  EXPECT_EQ(pending.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  grpc::ClientContext cleanup_ctx;
  tensorflow::CleanupGraphRequest cleanup;
  cleanup.set_step_id(42);
  tensorflow::CleanupGraphResponse cleanup_resp;
  ASSERT_TRUE(stub->CleanupGraph(&cleanup_ctx, cleanup, &cleanup_resp).ok());
  EXPECT_EQ(pending.get(), grpc::StatusCode::ABORTED);
  // A late RecvTensor for the cleaned-up step does not wait.
  grpc::ClientContext late_ctx;
  tensorflow::RecvTensorResponse late;
  EXPECT_EQ(stub->RecvTensor(&late_ctx, req, &late).error_code(), grpc::StatusCode::ABORTED);
}

}  // namespace
}  // namespace tg
