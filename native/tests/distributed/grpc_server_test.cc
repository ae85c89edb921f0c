// The gRPC server and client session in one process, on 127.0.0.1 (any free port).
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "../graph_builder.h"
#include "distributed/grpc_server.h"
#include "server_def.h"
#include "distributed/grpc_session.h"
#include "runtime/graph_def_proto.h"
#include "master_service.grpc.pb.h"
#include "worker_service.grpc.pb.h"

namespace tg {
namespace {

std::unique_ptr<tensorflow::MasterService::Stub> Stub(const GrpcServer& s) {
  return tensorflow::MasterService::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(s.port()), grpc::InsecureChannelCredentials()));
}

Tensor F(float v) {
  Tensor t(DataType::DT_FLOAT, {});
  *t.data<float>() = v;
  return t;
}

TEST(GrpcServer, SessionRunsGraphsOnTheServersTask) {
  GrpcServer server(OneTaskServerDef());
  ASSERT_GT(server.port(), 0);
  EXPECT_EQ(server.target(), "grpc://127.0.0.1:" + std::to_string(server.port()));
  GrpcSession sess(server.target(), SessionOptions{});
  GraphBuilder g;
  g.Const("c", {1, 2}, {2}).Placeholder("p").Binary("sum", "Add", "c", "p");
  auto bytes = g.Finish();
  sess.Extend(bytes.data(), bytes.size());
  int64_t h = sess.MakeCallable({"p:0"}, {"sum:0"}, {});
  auto out = sess.RunCallable(h, {F(10)}, {});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].data<float>()[1], 12.0f);
  auto devices = sess.ListDevices();
  ASSERT_EQ(devices.size(), 1u);
  EXPECT_EQ(devices[0].name, "/job:worker/replica:0/task:0/device:CPU:0");

  // The worker service answers GetStatus with the same device.
  auto worker = tensorflow::WorkerService::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(server.port()), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  tensorflow::GetStatusResponse status;
  ASSERT_TRUE(worker->GetStatus(&ctx, {}, &status).ok());
  ASSERT_EQ(status.device_attributes_size(), 1);
  EXPECT_EQ(status.device_attributes(0).name(), devices[0].name);
  sess.Close();
}

TEST(GrpcServer, UnknownHandleIsAbortedAndMalformedRequestsInvalidArgument) {
  GrpcServer server(OneTaskServerDef());
  auto stub = Stub(server);
  {
    grpc::ClientContext ctx;
    tensorflow::RunStepRequest req;
    req.set_session_handle("no-such-session");
    req.add_fetch("x:0");
    tensorflow::RunStepResponse resp;
    EXPECT_EQ(stub->RunStep(&ctx, req, &resp).error_code(), grpc::StatusCode::ABORTED);
  }
  {
    // A node whose input does not exist: the session is not created, the server lives on.
    grpc::ClientContext ctx;
    tensorflow::CreateSessionRequest req;
    auto* n = req.mutable_graph_def()->add_node();
    n->set_name("id");
    n->set_op("Identity");
    n->add_input("missing");
    (*n->mutable_attr())["T"].set_type(tensorflow::DT_FLOAT);
    tensorflow::CreateSessionResponse resp;
    grpc::Status s = stub->CreateSession(&ctx, req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  }
  {
    // A fed tensor whose content does not match its shape.
    grpc::ClientContext c1;
    tensorflow::CreateSessionRequest creq;
    tensorflow::CreateSessionResponse cresp;
    ASSERT_TRUE(stub->CreateSession(&c1, creq, &cresp).ok());
    grpc::ClientContext c2;
    tensorflow::RunStepRequest req;
    req.set_session_handle(cresp.session_handle());
    auto* feed = req.add_feed();
    feed->set_name("p:0");
    feed->mutable_tensor()->set_dtype(tensorflow::DT_FLOAT);
    feed->mutable_tensor()->mutable_tensor_shape()->add_dim()->set_size(4);
    feed->mutable_tensor()->set_tensor_content("abc");
    tensorflow::RunStepResponse resp;
    EXPECT_EQ(stub->RunStep(&c2, req, &resp).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }
  {
    grpc::ClientContext ctx;
    tensorflow::PartialRunSetupRequest req;
    tensorflow::PartialRunSetupResponse resp;
    EXPECT_EQ(stub->PartialRunSetup(&ctx, req, &resp).error_code(), grpc::StatusCode::UNIMPLEMENTED);
  }
  // Still serving.
  GrpcSession sess(server.target(), SessionOptions{});
  EXPECT_EQ(sess.ListDevices().size(), 1u);
}

TEST(GrpcServer, TensorsOverFourMiBCrossBothWays) {
  GrpcServer server(OneTaskServerDef());
  GrpcSession sess(server.target(), SessionOptions{});
  GraphBuilder g;
  g.Placeholder("p").Node("twice", "Add", {"p", "p"}, {{"T", GraphBuilder::Type(DataType::DT_FLOAT)}});
  auto bytes = g.Finish();
  sess.Extend(bytes.data(), bytes.size());
  const int64_t n = int64_t{3} << 20;  // 12 MiB of floats, over gRPC's 4 MiB default limit
  Tensor big(DataType::DT_FLOAT, {n});
  for (int64_t i = 0; i < n; i++) big.data<float>()[i] = static_cast<float>(i % 1000);
  auto out = sess.RunCallable(sess.MakeCallable({"p:0"}, {"twice:0"}, {}), {big}, {});
  ASSERT_EQ(out[0].num_elements(), n);
  EXPECT_EQ(out[0].data<float>()[n - 1], 2.0f * static_cast<float>((n - 1) % 1000));
}

// A master that answers its first two RunSteps with UNAVAILABLE (as a call written to a
// connection a restarted server dropped fails), then a tensor for each fetch.
class FlakyMaster final : public tensorflow::MasterService::Service {
 public:
  std::atomic<int> run_steps{0};
  grpc::Status CreateSession(grpc::ServerContext*, const tensorflow::CreateSessionRequest*,
                             tensorflow::CreateSessionResponse* resp) override {
    resp->set_session_handle("flaky");
    return grpc::Status::OK;
  }
  grpc::Status RunStep(grpc::ServerContext*, const tensorflow::RunStepRequest* req, tensorflow::RunStepResponse* resp) override {
    if (run_steps++ < 2) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection reset");
    for (const auto& f : req->fetch()) {
      auto* t = resp->add_tensor();
      t->set_name(f);
      TensorToTfProto(F(7), t->mutable_tensor());
    }
    return grpc::Status::OK;
  }
};

TEST(GrpcServer, AsynchronousRunsAreRetriedWhenUnavailable) {
  FlakyMaster master;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&master);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_GT(port, 0);
  GrpcSession sess("grpc://127.0.0.1:" + std::to_string(port), SessionOptions{});
  const int64_t h = sess.MakeCallable({}, {"c:0"}, {});
  std::promise<StepResult> result;
  sess.RunCallableAsync(h, {}, {}, [&](StepResult r) { result.set_value(std::move(r)); });
  StepResult r = result.get_future().get();
  ASSERT_TRUE(r.status.ok()) << r.status.error().what();
  ASSERT_EQ(r.fetched.size(), 1u);
  EXPECT_EQ(r.fetched[0].data<float>()[0], 7.0f);
  EXPECT_EQ(master.run_steps.load(), 3);
  sess.Close();
  server->Shutdown();
}

TEST(GrpcServer, GarbageOnTheWireFailsTheCallOnly) {
  GrpcServer server(OneTaskServerDef());
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(server.port()), grpc::InsecureChannelCredentials());
  grpc::GenericStub generic(channel);
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  grpc::Slice slice(std::string("\xff\xff\xff\x0fnot a RunStepRequest"));
  grpc::ByteBuffer req(&slice, 1);
  auto call = generic.PrepareUnaryCall(&ctx, "/tensorflow.MasterService/RunStep", req, &cq);
  call->StartCall();
  grpc::ByteBuffer resp;
  grpc::Status status;
  call->Finish(&resp, &status, reinterpret_cast<void*>(1));
  void* tag;
  bool ok;
  ASSERT_TRUE(cq.Next(&tag, &ok));
  EXPECT_FALSE(status.ok());
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {}
  // The server still answers.
  GrpcSession sess(server.target(), SessionOptions{});
  EXPECT_EQ(sess.ListDevices().size(), 1u);
}

TEST(GrpcServer, PortInUseIsUnknownAndAMissingServerUnavailable) {
  std::string target;
  {
    GrpcServer server(OneTaskServerDef());
    target = server.target();
    try {
      GrpcServer second(OneTaskServerDef("worker", "127.0.0.1:" + std::to_string(server.port())));
      ADD_FAILURE() << "a second server bound the same port";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Code::kUnknown) << e.what();
    }
  }
  // The server is gone: the client fails at once (gRPC does not wait for a connection).
  GrpcSession sess(target, SessionOptions{});
  GraphBuilder g;
  g.Const("c", {1}, {1});
  auto bytes = g.Finish();
  try {
    sess.Extend(bytes.data(), bytes.size());
    ADD_FAILURE() << "no error without a server";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Code::kUnavailable) << e.what();
  }
}

TEST(GrpcServer, BadTargetsAndTasksAreInvalidArgument) {
  EXPECT_THROW(GrpcSession("localhost:1234", SessionOptions{}), Error);
  tensorflow::ServerDef def = OneTaskServerDef();
  def.set_task_index(2);
  try {
    GrpcServer server(def);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Code::kInvalidArgument);
  }
}

}  // namespace
}  // namespace tg
