// TF's own client requests, recorded by tools/reference/cluster_compat.py (TF 2.21's
// tf.compat.v1.Session against tf.distribute.Server, through a pass-through proxy), replayed
// against our server: TF's bytes must parse with our schema subset, and our answers must
// carry TF's status codes and (within float rounding) TF's fetched values. The session
// handles in the requests are TF's; each is mapped to the one our server gave.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <cmath>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "distributed/grpc_server.h"
#include "server_def.h"
#include "master_service.grpc.pb.h"
#include "runtime/graph_def_proto.h"

namespace tg {
namespace {

const std::string kDir = std::string(TG_SOURCE_DIR) + "/test/fixtures/tf_client/";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Call {
  std::string base, method, code;
};

std::vector<Call> Manifest() {
  std::vector<Call> out;
  std::istringstream in(ReadFile(kDir + "manifest.txt"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream f(line);
    Call c;
    f >> c.base >> c.method >> c.code;
    out.push_back(c);
  }
  return out;
}

template <typename M>
M Parse(const std::string& bytes, const std::string& what) {
  M m;
  EXPECT_TRUE(m.ParseFromString(bytes)) << what;
  return m;
}

std::string CodeName(grpc::StatusCode c) {
  static const char* names[] = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
                                "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
                                "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
                                "UNAUTHENTICATED"};
  return static_cast<size_t>(c) < sizeof(names) / sizeof(*names) ? names[c] : std::to_string(c);
}

void ExpectSameTensors(const tensorflow::RunStepResponse& ours, const tensorflow::RunStepResponse& tfs, const std::string& what) {
  ASSERT_EQ(ours.tensor_size(), tfs.tensor_size()) << what;
  std::map<std::string, const tensorflow::TensorProto*> by_name;
  for (const auto& t : ours.tensor()) by_name[t.name()] = &t.tensor();
  for (const auto& want_named : tfs.tensor()) {
    ASSERT_TRUE(by_name.count(want_named.name())) << what << ": no " << want_named.name();
    Tensor got = TensorFromTfProto(*by_name[want_named.name()], "ours");
    Tensor want = TensorFromTfProto(want_named.tensor(), "TF's");
    ASSERT_EQ(got.dtype(), want.dtype()) << what << " " << want_named.name();
    ASSERT_EQ(got.shape(), want.shape()) << what << " " << want_named.name();
    if (want.dtype() == DataType::DT_FLOAT) {
      for (int64_t i = 0; i < want.num_elements(); i++) {
        const float w = want.data<float>()[i];
        EXPECT_NEAR(got.data<float>()[i], w, 1e-5f * std::max(1.0f, std::fabs(w))) << what << " " << want_named.name() << "[" << i << "]";
      }
    } else {
      EXPECT_EQ(std::memcmp(got.raw(), want.raw(), want.total_bytes()), 0) << what << " " << want_named.name();
    }
  }
}

TEST(TfClientReplay, TfRequestsGetTfsAnswersFromOurServer) {
  GrpcServer server(OneTaskServerDef("local"));  // the fixtures' cluster: {"local": ["127.0.0.1:P"]}
  auto stub = tensorflow::MasterService::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(server.port()), grpc::InsecureChannelCredentials()));

  const std::vector<Call> calls = Manifest();
  ASSERT_GT(calls.size(), 10u);
  std::map<std::string, std::string> handles;  // TF's session handle -> ours
  auto ours = [&](const std::string& tf_handle) {
    auto it = handles.find(tf_handle);
    return it == handles.end() ? tf_handle : it->second;
  };
  int runs_compared = 0;
  for (const Call& c : calls) {
    SCOPED_TRACE(c.base);
    const std::string req = ReadFile(kDir + c.base + ".request.pb");
    const std::string tf_resp = c.code == "OK" || c.method == "RunStep" ? ReadFile(kDir + c.base + ".response.pb") : "";
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    grpc::Status s;
    if (c.method == "CreateSession") {
      auto r = Parse<tensorflow::CreateSessionRequest>(req, c.base);
      EXPECT_GT(r.graph_def().node_size(), 0);
      tensorflow::CreateSessionResponse resp;
      s = stub->CreateSession(&ctx, r, &resp);
      if (s.ok()) {
        handles[Parse<tensorflow::CreateSessionResponse>(tf_resp, c.base).session_handle()] = resp.session_handle();
        EXPECT_EQ(resp.graph_version(), 0);
      }
    } else if (c.method == "ExtendSession") {
      auto r = Parse<tensorflow::ExtendSessionRequest>(req, c.base);
      r.set_session_handle(ours(r.session_handle()));
      tensorflow::ExtendSessionResponse resp;
      s = stub->ExtendSession(&ctx, r, &resp);
      if (s.ok()) {
        EXPECT_EQ(resp.new_graph_version(), Parse<tensorflow::ExtendSessionResponse>(tf_resp, c.base).new_graph_version());
      }
    } else if (c.method == "RunStep") {
      auto r = Parse<tensorflow::RunStepRequest>(req, c.base);
      r.set_session_handle(ours(r.session_handle()));
      tensorflow::RunStepResponse resp;
      s = stub->RunStep(&ctx, r, &resp);
      if (s.ok() && c.code == "OK") {
        ExpectSameTensors(resp, Parse<tensorflow::RunStepResponse>(tf_resp, c.base), c.base);
        runs_compared++;
      }
    } else if (c.method == "ListDevices") {
      auto r = Parse<tensorflow::ListDevicesRequest>(req, c.base);
      r.set_session_handle(ours(r.session_handle()));
      tensorflow::ListDevicesResponse resp;
      s = stub->ListDevices(&ctx, r, &resp);
      auto want = Parse<tensorflow::ListDevicesResponse>(tf_resp, c.base);
      ASSERT_EQ(resp.local_device_size(), want.local_device_size());
      for (int i = 0; i < want.local_device_size(); i++) EXPECT_EQ(resp.local_device(i).name(), want.local_device(i).name());
    } else if (c.method == "CloseSession") {
      auto r = Parse<tensorflow::CloseSessionRequest>(req, c.base);
      r.set_session_handle(ours(r.session_handle()));
      tensorflow::CloseSessionResponse resp;
      s = stub->CloseSession(&ctx, r, &resp);
    } else if (c.method == "Reset") {
      tensorflow::ResetResponse resp;
      s = stub->Reset(&ctx, Parse<tensorflow::ResetRequest>(req, c.base), &resp);
    } else {
      ADD_FAILURE() << "no replay for " << c.method;
      continue;
    }
    EXPECT_EQ(CodeName(s.error_code()), c.code) << s.error_message();
  }
  EXPECT_GE(runs_compared, 8);
}

// TF's CreateSession request cut short (a torn connection, a fuzzer): each is refused with a
// status, and the server still creates a session from the whole request afterwards.
TEST(TfClientReplay, TruncatedRequestsAreRefusedAndTheServerLivesOn) {
  GrpcServer server(OneTaskServerDef("local"));
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(server.port()), grpc::InsecureChannelCredentials());
  grpc::GenericStub generic(channel);
  const std::string whole = ReadFile(kDir + "00_CreateSession.request.pb");
  ASSERT_GT(whole.size(), 100u);
  auto call = [&](const std::string& bytes) {
    grpc::Slice slice(bytes.data(), bytes.size());
    grpc::ByteBuffer req(&slice, 1), resp;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    grpc::Status status;
    generic.UnaryCall(&ctx, "/tensorflow.MasterService/CreateSession", grpc::StubOptions(), &req, &resp, [&](grpc::Status s) {
      std::lock_guard<std::mutex> lock(mu);
      status = s;
      done = true;
      cv.notify_one();
    });
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done; });
    return status;
  };
  // Cuts inside a field: the last byte (a varint or string left incomplete), a third, two thirds.
  for (size_t cut : {whole.size() - 1, whole.size() / 3, 2 * whole.size() / 3}) {
    grpc::Status s = call(whole.substr(0, cut));
    EXPECT_FALSE(s.ok()) << "cut at " << cut;
    EXPECT_NE(s.error_code(), grpc::StatusCode::UNAVAILABLE) << "cut at " << cut << ": " << s.error_message();
  }
  grpc::Status s = call(whole);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

}  // namespace
}  // namespace tg
