// The worker service's pieces (worker sessions, RunGraph, RecvTensor, CleanupGraph) on one
// in-process server, called as a master would; graphs spanning tasks are tested end to end in
// test/distributed.test.ts.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <cstring>
#include <future>
#include <thread>
#include <vector>

#include "distributed/grpc_server.h"
#include "master_service.grpc.pb.h"
#include "runtime/rendezvous.h"
#include "server_def.h"
#include "worker_service.grpc.pb.h"

namespace tg {
namespace {

using Stub = tensorflow::WorkerService::Stub;

std::unique_ptr<Stub> WorkerStub(const GrpcServer& s) {
  return tensorflow::WorkerService::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(s.port()), grpc::InsecureChannelCredentials()));
}

// One call with a 20 s deadline (a call that hangs fails the test instead of stalling it).
template <typename Req, typename Resp>
grpc::Status Call(Stub* stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*), const Req& req,
                  Resp* resp) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  return (stub->*method)(&ctx, req, resp);
}

const char kDevice[] = "/job:worker/replica:0/task:0/device:CPU:0";

tensorflow::NodeDef* AddNode(tensorflow::GraphDef* g, const std::string& name, const std::string& op) {
  auto* n = g->add_node();
  n->set_name(name);
  n->set_op(op);
  n->set_device(kDevice);
  return n;
}

// A float scalar Const.
void AddConst(tensorflow::GraphDef* g, const std::string& name, float value) {
  auto& a = *AddNode(g, name, "Const")->mutable_attr();
  a["dtype"].set_type(tensorflow::DT_FLOAT);
  auto* t = a["value"].mutable_tensor();
  t->set_dtype(tensorflow::DT_FLOAT);
  t->add_float_val(value);
}

// A partition with one Const node.
tensorflow::GraphDef ConstGraph() {
  tensorflow::GraphDef g;
  AddConst(&g, "c", 5);
  return g;
}

// A transfer of this task's device to itself, client-terminated, as RunGraph's send and
// recv_key carry them (`incarnation`: the device's, from GetStatus).
void SetTransferAttrs(tensorflow::NodeDef* n, const std::string& tensor_name, uint64_t incarnation) {
  auto& a = *n->mutable_attr();
  a["tensor_name"].set_s(tensor_name);
  a["send_device"].set_s(kDevice);
  a["send_device_incarnation"].set_i(static_cast<int64_t>(incarnation));
  a["recv_device"].set_s(kDevice);
  a["client_terminated"].set_b(true);
}

// A partition that waits for a value RunGraph's `send` would feed (a client-terminated _Recv
// from this task's own rendezvous): its RunGraph does not end until the step is aborted.
tensorflow::GraphDef WaitingGraph() {
  tensorflow::GraphDef g;
  auto* n = AddNode(&g, "x", "_Recv");
  (*n->mutable_attr())["tensor_type"].set_type(tensorflow::DT_FLOAT);
  SetTransferAttrs(n, "x:0", 1);
  return g;
}

// The float scalar variable v (VariableV2, the default container), declared in `g`.
void AddVariable(tensorflow::GraphDef* g) {
  auto& a = *AddNode(g, "v", "VariableV2")->mutable_attr();
  a["dtype"].set_type(tensorflow::DT_FLOAT);
  a["shape"].mutable_shape();
}

// A partition assigning `value` to v.
tensorflow::GraphDef AssignGraph(float value) {
  tensorflow::GraphDef g;
  AddVariable(&g);
  AddConst(&g, "value", value);
  auto* assign = AddNode(&g, "assign", "Assign");
  assign->add_input("v");
  assign->add_input("value");
  (*assign->mutable_attr())["T"].set_type(tensorflow::DT_FLOAT);
  return g;
}

// A partition sending v's value as "v:0" (ReadVar fetches it with RunGraph's recv_key).
tensorflow::GraphDef ReadGraph(uint64_t incarnation) {
  tensorflow::GraphDef g;
  AddVariable(&g);
  auto* send = AddNode(&g, "send", "_Send");
  send->add_input("v");
  (*send->mutable_attr())["T"].set_type(tensorflow::DT_FLOAT);
  SetTransferAttrs(send, "v:0", incarnation);
  return g;
}

grpc::Status CreateWorkerSession(Stub* stub, const std::string& handle, bool isolate = false,
                                 int64_t master_incarnation = 7) {
  tensorflow::CreateWorkerSessionRequest req;
  req.set_session_handle(handle);
  req.set_isolate_session_state(isolate);
  req.set_master_task("/job:master/replica:0/task:0");
  req.set_master_incarnation(master_incarnation);
  tensorflow::CreateWorkerSessionResponse resp;
  return Call(stub, &Stub::CreateWorkerSession, req, &resp);
}

grpc::Status DeleteWorkerSession(Stub* stub, const std::string& handle) {
  tensorflow::DeleteWorkerSessionRequest req;
  req.set_session_handle(handle);
  tensorflow::DeleteWorkerSessionResponse resp;
  return Call(stub, &Stub::DeleteWorkerSession, req, &resp);
}

// RegisterGraph in worker session `session` ("": the legacy one); the graph handle, or "" with
// *status set.
std::string RegisterGraph(Stub* stub, const std::string& session, const tensorflow::GraphDef& g,
                          grpc::Status* status = nullptr) {
  tensorflow::RegisterGraphRequest req;
  req.set_session_handle(session);
  req.set_create_worker_session_called(!session.empty());
  *req.mutable_graph_def() = g;
  tensorflow::RegisterGraphResponse resp;
  grpc::Status s = Call(stub, &Stub::RegisterGraph, req, &resp);
  if (status) *status = s;
  return resp.graph_handle();
}

// RunGraph of `graph` in `session` ("": the legacy one), receiving `recv_keys` into *resp.
grpc::Status RunGraph(Stub* stub, const std::string& session, const std::string& graph, int64_t step_id,
                      const std::vector<std::string>& recv_keys = {}, tensorflow::RunGraphResponse* resp = nullptr) {
  tensorflow::RunGraphRequest req;
  req.set_session_handle(session);
  req.set_create_worker_session_called(!session.empty());
  req.set_graph_handle(graph);
  req.set_step_id(step_id);
  for (const auto& k : recv_keys) req.add_recv_key(k);
  tensorflow::RunGraphResponse ignored;
  return Call(stub, &Stub::RunGraph, req, resp ? resp : &ignored);
}

grpc::Status CleanupGraph(Stub* stub, int64_t step_id) {
  tensorflow::CleanupGraphRequest req;
  req.set_step_id(step_id);
  tensorflow::CleanupGraphResponse resp;
  return Call(stub, &Stub::CleanupGraph, req, &resp);
}

// This task's device incarnation (GetStatus).
uint64_t Incarnation(Stub* stub) {
  tensorflow::GetStatusResponse status;
  EXPECT_TRUE(Call(stub, &Stub::GetStatus, tensorflow::GetStatusRequest(), &status).ok());
  return status.device_attributes(0).incarnation();
}

TEST(WorkerService, AnUnknownWorkerSessionIsAborted) {
  GrpcServer server(OneTaskServerDef());
  auto stub = WorkerStub(server);
  grpc::Status s;
  EXPECT_EQ(RegisterGraph(stub.get(), "nope", ConstGraph(), &s), "");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_NE(s.error_message().find("Session handle is not found: nope"), std::string::npos) << s.error_message();
  s = RunGraph(stub.get(), "nope", "g", 1);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_NE(s.error_message().find("Session handle is not found"), std::string::npos) << s.error_message();
  // CreateWorkerSession needs a handle; a second one with the same handle is refused.
  EXPECT_EQ(CreateWorkerSession(stub.get(), "").error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_TRUE(CreateWorkerSession(stub.get(), "s1").ok());
  EXPECT_EQ(CreateWorkerSession(stub.get(), "s1").error_code(), grpc::StatusCode::ALREADY_EXISTS);
}

TEST(WorkerService, GraphsBelongToTheirWorkerSessionAndGoWithIt) {
  GrpcServer server(OneTaskServerDef());
  auto stub = WorkerStub(server);
  ASSERT_TRUE(CreateWorkerSession(stub.get(), "s1").ok());
  ASSERT_TRUE(CreateWorkerSession(stub.get(), "s2").ok());
  const std::string g1 = RegisterGraph(stub.get(), "s1", ConstGraph());
  const std::string g2 = RegisterGraph(stub.get(), "s2", ConstGraph());
  const std::string legacy = RegisterGraph(stub.get(), "", ConstGraph());
  ASSERT_FALSE(g1.empty());
  ASSERT_FALSE(legacy.empty());
  EXPECT_TRUE(RunGraph(stub.get(), "s1", g1, 1).ok());
  EXPECT_TRUE(RunGraph(stub.get(), "", legacy, 2).ok());
  // A graph is found only in its own session.
  grpc::Status s = RunGraph(stub.get(), "s2", g1, 3);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_NE(s.error_message().find("Graph handle is not found"), std::string::npos) << s.error_message();
  EXPECT_EQ(RunGraph(stub.get(), "", g1, 4).error_code(), grpc::StatusCode::ABORTED);
  // DeleteWorkerSession drops s1 and its graphs; s2 and the legacy session keep theirs.
  ASSERT_TRUE(DeleteWorkerSession(stub.get(), "s1").ok());
  s = RunGraph(stub.get(), "s1", g1, 5);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_NE(s.error_message().find("Session handle is not found: s1"), std::string::npos) << s.error_message();
  EXPECT_TRUE(RunGraph(stub.get(), "s2", g2, 6).ok());
  EXPECT_TRUE(RunGraph(stub.get(), "", legacy, 7).ok());
  // Deleting an unknown (or already deleted) session is not an error, as in TF.
  EXPECT_TRUE(DeleteWorkerSession(stub.get(), "s1").ok());
}

TEST(WorkerService, DeleteWorkerSessionAbortsItsStepsInFlight) {
  GrpcServer server(OneTaskServerDef());
  auto stub = WorkerStub(server);
  ASSERT_TRUE(CreateWorkerSession(stub.get(), "s1").ok());
  const std::string g = RegisterGraph(stub.get(), "s1", WaitingGraph());
  ASSERT_FALSE(g.empty());
  auto pending = std::async(std::launch::async, [&] { return RunGraph(stub.get(), "s1", g, 11); });
  EXPECT_EQ(pending.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);  // waits for x
  ASSERT_TRUE(DeleteWorkerSession(stub.get(), "s1").ok());
  grpc::Status s = pending.get();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_NE(s.error_message().find("worker session was deleted"), std::string::npos) << s.error_message();
}

TEST(WorkerService, ARestartedMasterReplacesItsOldWorkerSessions) {
  GrpcServer server(OneTaskServerDef());
  auto stub = WorkerStub(server);
  ASSERT_TRUE(CreateWorkerSession(stub.get(), "old").ok());  // master incarnation 7
  const std::string g = RegisterGraph(stub.get(), "old", ConstGraph());
  ASSERT_TRUE(CreateWorkerSession(stub.get(), "new", false, 8).ok());
  EXPECT_EQ(RunGraph(stub.get(), "old", g, 1).error_code(), grpc::StatusCode::ABORTED);
}

// Registers `g` in worker session `session` ("": the legacy one) and runs it as a step of its
// own, receiving `recv_keys` into *resp.
grpc::Status RunOnce(Stub* stub, const std::string& session, const tensorflow::GraphDef& g,
                     const std::vector<std::string>& recv_keys = {}, tensorflow::RunGraphResponse* resp = nullptr) {
  static int64_t step_id = 1000;
  grpc::Status s;
  const std::string handle = RegisterGraph(stub, session, g, &s);
  if (!s.ok()) return s;
  s = RunGraph(stub, session, handle, ++step_id, recv_keys, resp);
  EXPECT_TRUE(CleanupGraph(stub, step_id).ok());
  return s;
}

// The value of v in `session` into *value, or the error reading it.
grpc::Status ReadVar(Stub* stub, const std::string& session, float* value) {
  const uint64_t incarnation = Incarnation(stub);
  tensorflow::RunGraphResponse resp;
  grpc::Status s = RunOnce(stub, session, ReadGraph(incarnation),
                           {Rendezvous::CreateKey(kDevice, incarnation, kDevice, "v:0", 0, 0)}, &resp);
  if (!s.ok()) return s;
  EXPECT_EQ(resp.recv_size(), 1);
  const tensorflow::TensorProto& t = resp.recv(0).tensor();
  if (t.float_val_size() == 1) {
    *value = t.float_val(0);
  } else {
    EXPECT_EQ(t.tensor_content().size(), sizeof(float));
    std::memcpy(value, t.tensor_content().data(), sizeof(float));
  }
  return s;
}

// TF's isolate_session_state: an isolated worker session's graphs have variables of their own,
// gone with DeleteWorkerSession; the other sessions (and the legacy one) share the server's,
// which CleanupAll clears without touching the isolated ones.
TEST(WorkerService, AnIsolatedWorkerSessionHasResourcesOfItsOwnUntilItIsDeleted) {
  GrpcServer server(OneTaskServerDef());
  auto stub = WorkerStub(server);
  ASSERT_TRUE(CreateWorkerSession(stub.get(), "shared").ok());
  ASSERT_TRUE(CreateWorkerSession(stub.get(), "iso1", true).ok());
  ASSERT_TRUE(CreateWorkerSession(stub.get(), "iso2", true).ok());
  float value = 0;
  ASSERT_TRUE(RunOnce(stub.get(), "", AssignGraph(1)).ok());
  ASSERT_TRUE(ReadVar(stub.get(), "shared", &value).ok());
  EXPECT_EQ(value, 1);
  grpc::Status s = ReadVar(stub.get(), "iso1", &value);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(s.error_message().find("uninitialized value v"), std::string::npos) << s.error_message();
  ASSERT_TRUE(RunOnce(stub.get(), "iso1", AssignGraph(2)).ok());
  ASSERT_TRUE(RunOnce(stub.get(), "iso2", AssignGraph(3)).ok());
  for (const auto& [session, want] : std::vector<std::pair<std::string, float>>{{"iso1", 2}, {"iso2", 3}, {"shared", 1}, {"", 1}}) {
    ASSERT_TRUE(ReadVar(stub.get(), session, &value).ok()) << session;
    EXPECT_EQ(value, want) << session;
  }
  // Deleted, and made again under the same handle: its variable is gone.
  ASSERT_TRUE(DeleteWorkerSession(stub.get(), "iso1").ok());
  ASSERT_TRUE(CreateWorkerSession(stub.get(), "iso1", true).ok());
  EXPECT_EQ(ReadVar(stub.get(), "iso1", &value).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(ReadVar(stub.get(), "iso2", &value).ok());
  EXPECT_EQ(value, 3);
  // A master's Reset (CleanupAll of the default container, the job name) clears the server's.
  tensorflow::CleanupAllResponse cleaned;
  ASSERT_TRUE(Call(stub.get(), &Stub::CleanupAll, tensorflow::CleanupAllRequest(), &cleaned).ok());
  EXPECT_EQ(ReadVar(stub.get(), "shared", &value).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(ReadVar(stub.get(), "iso2", &value).ok());
  EXPECT_EQ(value, 3);
}

// Our master makes a worker session, named by its session handle, on each task its graph
// uses, and deletes it when the session closes. (The fetch from the ps is a RunGraph recv_key
// whose receiver is the ps itself, as TF's workers require.)
TEST(WorkerService, AMasterSessionHasAWorkerSessionOnTheTasksItUsesUntilItCloses) {
  const int ps_port = FreePort(), worker_port = FreePort();
  GrpcServer ps(PsWorkerServerDef("ps", ps_port, worker_port));
  GrpcServer worker(PsWorkerServerDef("worker", ps_port, worker_port));
  auto master = tensorflow::MasterService::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(worker.port()), grpc::InsecureChannelCredentials()));
  tensorflow::CreateSessionRequest create;
  *create.mutable_graph_def() = ConstGraph();
  create.mutable_graph_def()->mutable_node(0)->set_device("/job:ps/task:0");
  tensorflow::CreateSessionResponse created;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(master->CreateSession(&ctx, create, &created).ok());
  }
  const std::string handle = created.session_handle();
  auto ps_stub = WorkerStub(ps);
  // No worker session before the graph needs the ps.
  EXPECT_NE(RunGraph(ps_stub.get(), handle, "g", 1).error_message().find("Session handle is not found"), std::string::npos);
  {
    grpc::ClientContext ctx;
    tensorflow::RunStepRequest run;
    run.set_session_handle(handle);
    run.add_fetch("c:0");
    tensorflow::RunStepResponse resp;
    grpc::Status s = master->RunStep(&ctx, run, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  // Now the ps has it (an unknown graph in a known session).
  grpc::Status s = RunGraph(ps_stub.get(), handle, "g", 2);
  EXPECT_NE(s.error_message().find("Graph handle is not found"), std::string::npos) << s.error_message();
  {
    grpc::ClientContext ctx;
    tensorflow::CloseSessionRequest close;
    close.set_session_handle(handle);
    tensorflow::CloseSessionResponse resp;
    ASSERT_TRUE(master->CloseSession(&ctx, close, &resp).ok());
  }
  // DeleteWorkerSession is sent without waiting for it: within a few seconds the session is gone.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  do {
    s = RunGraph(ps_stub.get(), handle, "g", 3);
    if (s.error_message().find("Session handle is not found") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < until);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_NE(s.error_message().find("Session handle is not found"), std::string::npos) << s.error_message();
}

TEST(WorkerService, RunGraphWithAnUnknownHandleIsAborted) {
  GrpcServer server(OneTaskServerDef());
  auto stub = WorkerStub(server);
  grpc::Status s = RunGraph(stub.get(), "", "nope", 1);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_NE(s.error_message().find("Graph handle is not found"), std::string::npos);
}

// A rendezvous key of a value this task (worker 0) sends to a ps, made with this task's device
// incarnation (GetStatus) plus `delta`.
std::string KeyFrom(Stub* stub, uint64_t delta, const std::string& src = kDevice) {
  return Rendezvous::CreateKey(src, Incarnation(stub) + delta, "/job:ps/replica:0/task:0/device:CPU:0", "edge_1_a", 0, 0);
}

grpc::Status RecvTensor(Stub* stub, int64_t step_id, const std::string& key) {
  tensorflow::RecvTensorRequest req;
  req.set_step_id(step_id);
  req.set_rendezvous_key(key);
  tensorflow::RecvTensorResponse resp;
  return Call(stub, &Stub::RecvTensor, req, &resp);
}

// A key made with another incarnation of this task's device (a master that knew it before it
// restarted) is Aborted at once, naming the device; a key naming another task's device, or no
// key at all, is InvalidArgument.
TEST(WorkerService, RecvTensorChecksTheSourceDeviceAndItsIncarnation) {
  GrpcServer server(OneTaskServerDef());
  auto stub = WorkerStub(server);
  grpc::Status s = RecvTensor(stub.get(), 1, KeyFrom(stub.get(), 1));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_NE(s.error_message().find("expects a different device incarnation"), std::string::npos) << s.error_message();
  EXPECT_NE(s.error_message().find(kDevice), std::string::npos) << s.error_message();
  s = RecvTensor(stub.get(), 1, KeyFrom(stub.get(), 0, "/job:worker/replica:0/task:3/device:CPU:0"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("is not a device of /job:worker/replica:0/task:0"), std::string::npos) << s.error_message();
  EXPECT_EQ(RecvTensor(stub.get(), 1, "edge_1_a").error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // RunGraph's recv_key is checked the same way.
  const std::string g = RegisterGraph(stub.get(), "", ConstGraph());
  s = RunGraph(stub.get(), "", g, 2, {KeyFrom(stub.get(), 1)});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_NE(s.error_message().find("expects a different device incarnation"), std::string::npos) << s.error_message();
  // A recv_key is received here: one whose receiver is another task's device is refused, as TF does.
  s = RunGraph(stub.get(), "", g, 2, {KeyFrom(stub.get(), 0)});  // to /job:ps
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("Invalid rendezvous key (dst)"), std::string::npos) << s.error_message();
}

TEST(WorkerService, RecvTensorWaitsForTheStepAndCleanupGraphEndsIt) {
  GrpcServer server(OneTaskServerDef());
  auto stub = WorkerStub(server);
  // A RecvTensor that comes before anything of step 42: it waits (the step's rendezvous is
  // made on demand) until CleanupGraph drops the step.
  const std::string key = KeyFrom(stub.get(), 0);
  auto pending = std::async(std::launch::async, [&] { return RecvTensor(stub.get(), 42, key).error_code(); });
  // The call is still waiting (nothing sent the value).
  EXPECT_EQ(pending.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  ASSERT_TRUE(CleanupGraph(stub.get(), 42).ok());
  EXPECT_EQ(pending.get(), grpc::StatusCode::ABORTED);
  // A late RecvTensor for the cleaned-up step does not wait.
  EXPECT_EQ(RecvTensor(stub.get(), 42, key).error_code(), grpc::StatusCode::ABORTED);
}

// A step's rendezvous that a RecvTensor made and whose RunGraph never comes (its master died)
// is dropped after the server's step TTL: the waiting RecvTensor is answered Aborted, and a
// later one for the step does not wait.
TEST(WorkerService, ARecvTensorForAStepWhoseMasterNeverComesIsReleasedAfterTheStepTtl) {
  GrpcServerOptions options;
  options.step_ttl_ms = 300;
  GrpcServer server(OneTaskServerDef(), options);
  auto stub = WorkerStub(server);
  const std::string key = KeyFrom(stub.get(), 0);
  grpc::Status s = RecvTensor(stub.get(), 77, key);  // its deadline (20 s) is far
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_NE(s.error_message().find("Step 77 expired"), std::string::npos) << s.error_message();
  s = RecvTensor(stub.get(), 77, key);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_NE(s.error_message().find("already been cleaned up"), std::string::npos) << s.error_message();
}

// A step that runs here (its RunGraph waits) does not expire, however long it takes; its
// RecvTensors wait with it.
TEST(WorkerService, AStepWhoseRunGraphRunsDoesNotExpire) {
  GrpcServerOptions options;
  options.step_ttl_ms = 100;
  GrpcServer server(OneTaskServerDef(), options);
  auto stub = WorkerStub(server);
  const std::string g = RegisterGraph(stub.get(), "", WaitingGraph());
  auto running = std::async(std::launch::async, [&] { return RunGraph(stub.get(), "", g, 5); });
  auto recv = std::async(std::launch::async, [&] { return RecvTensor(stub.get(), 5, KeyFrom(stub.get(), 0)); });
  // Several TTLs later both still wait.
  EXPECT_EQ(running.wait_for(std::chrono::milliseconds(800)), std::future_status::timeout);
  EXPECT_EQ(recv.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
  ASSERT_TRUE(CleanupGraph(stub.get(), 5).ok());
  EXPECT_EQ(running.get().error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(recv.get().error_code(), grpc::StatusCode::ABORTED);
}

TEST(WorkerService, AStepTtlMustBePositive) {
  GrpcServerOptions options;
  options.step_ttl_ms = 0;
  try {
    GrpcServer server(OneTaskServerDef(), options);
    FAIL() << "expected InvalidArgument";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Code::kInvalidArgument);
  }
}

}  // namespace
}  // namespace tg
