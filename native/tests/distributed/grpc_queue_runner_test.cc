// QueueRunner threads (runtime/queue_runner.h) driving a grpc:// session: the enqueue loop
// feeds a queue on the server, the coordinator's stop closes it there, and closing the
// session ends a runner whose enqueue is blocked on the server.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

#include "../graph_builder.h"
#include "distributed/grpc_server.h"
#include "server_def.h"
#include "distributed/grpc_session.h"
#include "runtime/coordinator.h"
#include "runtime/queue_runner.h"

namespace tg {
namespace {

// A float queue of capacity 2 fed with 7s, and its dequeue, close and cancel ops.
struct QueueSession {
  std::shared_ptr<GrpcSession> sess;
  int64_t enqueue, dequeue, close, cancel, size;

  explicit QueueSession(const std::string& target) : sess(std::make_shared<GrpcSession>(target, SessionOptions{})) {
    using GB = GraphBuilder;
    const auto types = GB::Types({DataType::DT_FLOAT});
    GraphBuilder g;
    g.Node("q", "FIFOQueueV2", {}, {{"component_types", types}, {"shapes", GB::Shapes({{}})}, {"capacity", GB::Int(2)}})
        .Const("seven", {7}, {})
        .Node("enqueue", "QueueEnqueueV2", {"q", "seven"}, {{"Tcomponents", types}})
        .Node("dequeue", "QueueDequeueV2", {"q"}, {{"component_types", types}})
        .Node("close", "QueueCloseV2", {"q"}, {{"cancel_pending_enqueues", GB::Bool(false)}})
        .Node("cancel", "QueueCloseV2", {"q"}, {{"cancel_pending_enqueues", GB::Bool(true)}})
        .Node("size", "QueueSizeV2", {"q"});
    auto bytes = g.Finish();
    sess->Extend(bytes.data(), bytes.size());
    enqueue = sess->MakeCallable({}, {}, {"enqueue"});
    dequeue = sess->MakeCallable({}, {"dequeue:0"}, {});
    close = sess->MakeCallable({}, {}, {"close"});
    cancel = sess->MakeCallable({}, {}, {"cancel"});
    size = sess->MakeCallable({}, {"size:0"}, {});
  }
};

TEST(GrpcQueueRunner, FeedsAQueueOnTheServerAndTheCoordinatorsStopClosesIt) {
  GrpcServer server(OneTaskServerDef());
  QueueSession q(server.target());
  auto coord = std::make_shared<Coordinator>();
  auto group = std::make_shared<RunnerGroup>(q.sess, 1, q.close, std::vector<Code>{Code::kOutOfRange});
  const int64_t enqueue = q.enqueue, cancel = q.cancel;
  auto producer = std::make_shared<RunnerThread>("producer", q.sess, [=] { group->RunEnqueueLoop(enqueue, coord); });
  auto closer = std::make_shared<RunnerThread>("closer", q.sess, [=] { group->RunCloseOnStop(cancel, coord); });
  producer->Start();
  closer->Start();
  // More values than the queue holds: the runner keeps it fed.
  for (int i = 0; i < 5; i++) EXPECT_EQ(*q.sess->RunCallable(q.dequeue, {}, {})[0].data<float>(), 7.0f);
  coord->RequestStop();
  // The stop runs the cancel op on the server, which fails the blocked enqueue: both end.
  ASSERT_TRUE(closer->Join(10000));
  ASSERT_TRUE(producer->Join(10000));
  EXPECT_EQ(group->live(), 0);
  EXPECT_EQ(coord->error(), nullptr);  // errors after the stop are not the coordinator's
  try {
    q.sess->RunCallable(q.enqueue, {}, {});
    FAIL() << "the queue on the server should be closed";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Code::kCancelled) << e.what();
  }
  q.sess->Close();
}

TEST(GrpcQueueRunner, ClosingTheSessionEndsARunnerBlockedOnTheServer) {
  GrpcServer server(OneTaskServerDef());
  QueueSession q(server.target());
  auto group = std::make_shared<RunnerGroup>(q.sess, 1, q.close, std::vector<Code>{Code::kOutOfRange});
  const int64_t enqueue = q.enqueue;
  auto producer = std::make_shared<RunnerThread>("producer", q.sess, [=] { group->RunEnqueueLoop(enqueue, nullptr); });
  producer->Start();
  // The queue fills up (capacity 2); the runner's third enqueue waits on the server.
  auto size = [&] { return *q.sess->RunCallable(q.size, {}, {})[0].data<int32_t>(); };
  for (int i = 0; i < 1000 && size() < 2; i++) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_EQ(size(), 2);
  EXPECT_TRUE(producer->IsAlive());
  q.sess->Close();  // the server cancels the step
  ASSERT_TRUE(producer->Join(10000));
  EXPECT_EQ(group->live(), 0);
  EXPECT_TRUE(group->exceptions().empty());  // a closed session ends its runners silently
}

}  // namespace
}  // namespace tg
