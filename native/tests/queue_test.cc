// Queues: the four kinds used directly (parked waiters, close, cancellation) and through a
// Session running the queue ops.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <mutex>
#include <thread>

#include "runtime/queue_fifo.h"
#include "runtime/queue_priority.h"
#include "runtime/queue_random_shuffle.h"
#include "runtime/session.h"
#include "tests/graph_builder.h"

namespace tg {
namespace {

using Tuple = QueueInterface::Tuple;

// An OpKernelContext for calling a queue directly, with its own step (and so its own
// cancellation manager).
struct Ctx {
  explicit Ctx(const std::string& name = "op") {
    node.id = 0;
    node.name = name;
    node.op = "Test";
    ctx = std::make_unique<OpKernelContext>(node, nullptr, nullptr, &step, &in, &refs, &out, &ref_out);
  }
  CancellationManager* cm() { return step.cancellation.get(); }
  const Status& status() const { return ctx->status(); }
  Node node;
  StepState step;
  std::vector<Tensor> in, out;
  std::vector<std::shared_ptr<Var>> refs, ref_out;
  std::unique_ptr<OpKernelContext> ctx;
};

// The outcome of one queue operation, completed from any thread.
struct Op {
  Ctx c;
  std::atomic<bool> done{false};
  Tuple tuple;
  explicit Op(const std::string& name = "op") : c(name) {}
  QueueInterface::DoneCallback Done() {
    return [this] { done = true; };
  }
  QueueInterface::CallbackWithTuple DoneTuple() {
    return [this](const Tuple& t) {
      tuple = t;
      done = true;
    };
  }
  // Waits (bounded) for completion from another thread.
  bool Wait() {
    for (int i = 0; i < 2000 && !done; i++) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return done;
  }
};

Tensor I32(int32_t v) { return Tensor::Scalar<int32_t>(v); }
Tensor I64(int64_t v) { return Tensor::Scalar<int64_t>(v); }
Tensor I32s(std::vector<int32_t> v, Shape shape) {
  Tensor t(DataType::DT_INT32, std::move(shape));
  if (!v.empty()) std::memcpy(t.raw(), v.data(), v.size() * 4);
  return t;
}
Tensor Str(const std::string& s) {
  Tensor t(DataType::DT_STRING, {});
  t.strings()[0] = s;
  return t;
}
std::vector<int32_t> Ints(const Tensor& t) { return std::vector<int32_t>(t.data<int32_t>(), t.data<int32_t>() + t.num_elements()); }

PartialShape PS(std::vector<int64_t> dims) { return PartialShape{false, std::move(dims)}; }

std::shared_ptr<FIFOQueue> Fifo(int capacity, std::vector<PartialShape> shapes = {PS({})}, std::string name = "q") {
  return std::make_shared<FIFOQueue>(capacity, std::vector<DataType>{DataType::DT_INT32}, std::move(shapes), std::move(name));
}

void EnqueueNow(QueueBase& q, Tuple t) {
  Op op;
  q.TryEnqueue(t, op.c.ctx.get(), op.Done());
  ASSERT_TRUE(op.done);
  ASSERT_TRUE(op.c.status().ok()) << op.c.status().error().what();
}

int32_t DequeueNow(QueueBase& q) {
  Op op;
  q.TryDequeue(op.c.ctx.get(), op.DoneTuple());
  EXPECT_TRUE(op.done);
  EXPECT_TRUE(op.c.status().ok());
  return op.tuple.empty() ? -999 : *op.tuple[0].data<int32_t>();
}

void ExpectError(const Status& s, Code code, const std::string& text) {
  ASSERT_FALSE(s.ok()) << "expected: " << text;
  EXPECT_EQ(s.code(), code) << s.error().what();
  EXPECT_EQ(std::string(s.error().what()), text);
}

TEST(QueueFifo, KeepsOrderAndSize) {
  auto q = Fifo(10);
  for (int v : {1, 2, 3}) EnqueueNow(*q, {I32(v)});
  EXPECT_EQ(q->size(), 3);
  EXPECT_EQ(DequeueNow(*q), 1);
  EXPECT_EQ(DequeueNow(*q), 2);
  EXPECT_EQ(DequeueNow(*q), 3);
  EXPECT_EQ(q->size(), 0);
}

TEST(QueueFifo, EnqueueManyDequeueManyAndUpTo) {
  auto q = Fifo(10, {PS({2})});
  Op enq;
  q->TryEnqueueMany({I32s({1, 2, 3, 4, 5, 6}, {3, 2})}, enq.c.ctx.get(), enq.Done());
  ASSERT_TRUE(enq.done && enq.c.status().ok());
  EXPECT_EQ(q->size(), 3);
  Op many;
  q->TryDequeueMany(2, many.c.ctx.get(), false, many.DoneTuple());
  ASSERT_TRUE(many.done);
  EXPECT_EQ(many.tuple[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(Ints(many.tuple[0]), (std::vector<int32_t>{1, 2, 3, 4}));

  Op empty;  // zero rows: a no-op
  q->TryEnqueueMany({I32s({}, {0, 2})}, empty.c.ctx.get(), empty.Done());
  EXPECT_TRUE(empty.done && empty.c.status().ok());
  EXPECT_EQ(q->size(), 1);

  Op close;
  q->Close(close.c.ctx.get(), false, close.Done());
  ASSERT_TRUE(close.done && close.c.status().ok());
  Op fail("q_DequeueMany");
  q->TryDequeueMany(2, fail.c.ctx.get(), false, fail.DoneTuple());
  ASSERT_TRUE(fail.done);
  ExpectError(fail.c.status(), Code::kOutOfRange, "FIFOQueue 'q' is closed and has insufficient elements (requested 2, current size 1)");
  EXPECT_EQ(fail.c.status().error().node(), "q_DequeueMany");
  EXPECT_EQ(q->size(), 1);  // a failed DequeueMany leaves the rest
  Op upto;
  q->TryDequeueMany(2, upto.c.ctx.get(), true, upto.DoneTuple());
  ASSERT_TRUE(upto.done && upto.c.status().ok());
  EXPECT_EQ(upto.tuple[0].shape(), (Shape{1, 2}));
  EXPECT_EQ(Ints(upto.tuple[0]), (std::vector<int32_t>{5, 6}));
  Op upto_empty;
  q->TryDequeueMany(2, upto_empty.c.ctx.get(), true, upto_empty.DoneTuple());
  ExpectError(upto_empty.c.status(), Code::kOutOfRange, "FIFOQueue 'q' is closed and has insufficient elements (requested 2, current size 0)");
}

TEST(QueueFifo, ParkedDequeuesAreReleasedInOrderByLaterEnqueues) {
  auto q = Fifo(10);
  Op d1, d2;
  q->TryDequeue(d1.c.ctx.get(), d1.DoneTuple());
  q->TryDequeue(d2.c.ctx.get(), d2.DoneTuple());
  EXPECT_FALSE(d1.done);
  EXPECT_FALSE(d2.done);
  std::thread producer([&] {
    EnqueueNow(*q, {I32(7)});
    EnqueueNow(*q, {I32(8)});
  });
  ASSERT_TRUE(d1.Wait());
  ASSERT_TRUE(d2.Wait());
  producer.join();
  EXPECT_EQ(*d1.tuple[0].data<int32_t>(), 7);
  EXPECT_EQ(*d2.tuple[0].data<int32_t>(), 8);
  EXPECT_EQ(q->size(), 0);
}

TEST(QueueFifo, EnqueueWaitsWhileFullAndDequeueManyTakesProgressively) {
  auto q = Fifo(2);
  EnqueueNow(*q, {I32(1)});
  EnqueueNow(*q, {I32(2)});
  Op blocked;
  q->TryEnqueue({I32(3)}, blocked.c.ctx.get(), blocked.Done());
  EXPECT_FALSE(blocked.done);
  EXPECT_EQ(DequeueNow(*q), 1);
  EXPECT_TRUE(blocked.done);  // the dequeue made room
  EXPECT_EQ(q->size(), 2);

  // DequeueMany(4) > capacity: it takes what is there, frees the room, and waits for more.
  Op many;
  q->TryDequeueMany(4, many.c.ctx.get(), false, many.DoneTuple());
  EXPECT_FALSE(many.done);
  EXPECT_EQ(q->size(), 0);
  EnqueueNow(*q, {I32(4)});
  EXPECT_FALSE(many.done);
  EnqueueNow(*q, {I32(5)});
  ASSERT_TRUE(many.done);
  EXPECT_EQ(Ints(many.tuple[0]), (std::vector<int32_t>{2, 3, 4, 5}));
}

TEST(QueueFifo, CloseHonoursPendingEnqueuesThenFailsDequeues) {
  auto q = Fifo(1);
  EnqueueNow(*q, {I32(1)});
  Op pending;
  q->TryEnqueue({I32(2)}, pending.c.ctx.get(), pending.Done());
  Op close;
  q->Close(close.c.ctx.get(), false, close.Done());
  EXPECT_FALSE(close.done);  // waits behind the pending enqueue
  EXPECT_FALSE(q->is_closed());
  EXPECT_EQ(DequeueNow(*q), 1);
  EXPECT_TRUE(pending.done && pending.c.status().ok());
  EXPECT_TRUE(close.done && close.c.status().ok());
  EXPECT_TRUE(q->is_closed());

  Op late("q_enqueue");
  q->TryEnqueue({I32(3)}, late.c.ctx.get(), late.Done());
  ExpectError(late.c.status(), Code::kCancelled, "FIFOQueue 'q' is closed.");
  EXPECT_EQ(DequeueNow(*q), 2);
  Op out;
  q->TryDequeue(out.c.ctx.get(), out.DoneTuple());
  ExpectError(out.c.status(), Code::kOutOfRange, "FIFOQueue 'q' is closed and has insufficient elements (requested 1, current size 0)");

  Op again;
  q->Close(again.c.ctx.get(), false, again.Done());
  ExpectError(again.c.status(), Code::kCancelled, "Queue 'q' is already closed.");
  Op cancel_again;  // closing with cancel_pending_enqueues again is fine
  q->Close(cancel_again.c.ctx.get(), true, cancel_again.Done());
  EXPECT_TRUE(cancel_again.done && cancel_again.c.status().ok());
}

TEST(QueueFifo, CloseWithCancelFailsPendingEnqueuesAndBlockedDequeuesGetOutOfRange) {
  auto full = Fifo(1, {PS({})}, "full");
  EnqueueNow(*full, {I32(1)});
  Op pending;
  full->TryEnqueue({I32(2)}, pending.c.ctx.get(), pending.Done());
  Op close;
  full->Close(close.c.ctx.get(), true, close.Done());
  EXPECT_TRUE(close.done && close.c.status().ok());
  ASSERT_TRUE(pending.done);
  ExpectError(pending.c.status(), Code::kCancelled, "Enqueue operation was cancelled");
  EXPECT_EQ(DequeueNow(*full), 1);

  for (bool cancel : {false, true}) {
    auto empty = Fifo(5, {PS({})}, "e");
    Op d, dm;
    empty->TryDequeue(d.c.ctx.get(), d.DoneTuple());
    empty->TryDequeueMany(2, dm.c.ctx.get(), false, dm.DoneTuple());
    Op c;
    empty->Close(c.c.ctx.get(), cancel, c.Done());
    ASSERT_TRUE(d.done && dm.done);
    ExpectError(d.c.status(), Code::kOutOfRange, "FIFOQueue 'e' is closed and has insufficient elements (requested 1, current size 0)");
    ExpectError(dm.c.status(), Code::kOutOfRange, "FIFOQueue 'e' is closed and has insufficient elements (requested 2, current size 0)");
  }
}

TEST(QueueFifo, CancellationReleasesParkedOpsAndPutsPartialBatchesBack) {
  auto q = Fifo(10);
  Op d("q_Dequeue");
  q->TryDequeue(d.c.ctx.get(), d.DoneTuple());
  EXPECT_FALSE(d.done);
  d.c.cm()->StartCancel(Error(Code::kCancelled, "session closed"));
  ASSERT_TRUE(d.done);
  ExpectError(d.c.status(), Code::kCancelled, "Dequeue operation was cancelled");
  EXPECT_EQ(d.c.status().error().node(), "q_Dequeue");

  // A DequeueMany that took 2 of 3 gives them back, in order, at the front.
  EnqueueNow(*q, {I32(1)});
  EnqueueNow(*q, {I32(2)});
  Op many;
  q->TryDequeueMany(3, many.c.ctx.get(), false, many.DoneTuple());
  EXPECT_EQ(q->size(), 0);
  EnqueueNow(*q, {I32(3)});  // completes the parked batch
  ASSERT_TRUE(many.done);
  EXPECT_EQ(Ints(many.tuple[0]), (std::vector<int32_t>{1, 2, 3}));

  EnqueueNow(*q, {I32(4)});
  EnqueueNow(*q, {I32(5)});
  Op partial;
  q->TryDequeueMany(3, partial.c.ctx.get(), false, partial.DoneTuple());
  EXPECT_EQ(q->size(), 0);
  partial.c.cm()->StartCancel(Error(Code::kDeadlineExceeded, "deadline"));
  ASSERT_TRUE(partial.done);
  ExpectError(partial.c.status(), Code::kDeadlineExceeded, "Timed out waiting for notification");
  EXPECT_EQ(q->size(), 2);
  EnqueueNow(*q, {I32(6)});
  EXPECT_EQ(DequeueNow(*q), 4);
  EXPECT_EQ(DequeueNow(*q), 5);
  EXPECT_EQ(DequeueNow(*q), 6);

  // A parked enqueue is cancelled too, and a step cancelled beforehand fails at once.
  auto one = Fifo(1, {PS({})}, "one");
  EnqueueNow(*one, {I32(1)});
  Op enq;
  one->TryEnqueue({I32(2)}, enq.c.ctx.get(), enq.Done());
  enq.c.cm()->StartCancel(Error(Code::kCancelled, "session closed"));
  ExpectError(enq.c.status(), Code::kCancelled, "Enqueue operation was cancelled");
  EXPECT_EQ(one->size(), 1);
  Op late;
  late.c.cm()->StartCancel(Error(Code::kCancelled, "session closed"));
  one->TryDequeue(late.c.ctx.get(), late.DoneTuple());  // would succeed, but the step is over
  ASSERT_TRUE(late.done);
  ExpectError(late.c.status(), Code::kCancelled, "Dequeue operation was cancelled");
  EXPECT_EQ(one->size(), 1);
}

TEST(QueueFifo, ValidatesComponents) {
  auto q = std::make_shared<FIFOQueue>(5, std::vector<DataType>{DataType::DT_INT32, DataType::DT_STRING},
                                       std::vector<PartialShape>{PS({2}), PS({})}, "v");
  Op wrong_count;
  q->TryEnqueue({I32s({1, 2}, {2})}, wrong_count.c.ctx.get(), wrong_count.Done());
  ExpectError(wrong_count.c.status(), Code::kInvalidArgument, "Wrong number of components in tuple. Expected 2, got 1");
  Op wrong_type;
  q->TryEnqueue({I32s({1, 2}, {2}), I32(3)}, wrong_type.c.ctx.get(), wrong_type.Done());
  ExpectError(wrong_type.c.status(), Code::kInvalidArgument, "Type mismatch in tuple component 1. Expected string, got int32");
  Op wrong_shape;
  q->TryEnqueue({I32s({1, 2, 3}, {3}), Str("x")}, wrong_shape.c.ctx.get(), wrong_shape.Done());
  ExpectError(wrong_shape.c.status(), Code::kInvalidArgument, "Shape mismatch in tuple component 0. Expected [2], got [3]");
  Op wrong_many;
  Tensor strs(DataType::DT_STRING, {2});
  q->TryEnqueueMany({I32s({1, 2, 3, 4, 5, 6}, {3, 2}), strs}, wrong_many.c.ctx.get(), wrong_many.Done());
  ExpectError(wrong_many.c.status(), Code::kInvalidArgument, "Shape mismatch in tuple component 1. Expected [3], got [2]");
  EXPECT_EQ(q->size(), 0);

  auto unshaped = Fifo(5, {}, "u");
  EnqueueNow(*unshaped, {I32s({1, 2}, {2})});
  EnqueueNow(*unshaped, {I32(3)});  // any shape goes without shapes
  Op many;
  unshaped->TryDequeueMany(1, many.c.ctx.get(), false, many.DoneTuple());
  ExpectError(many.c.status(), Code::kInvalidArgument,
              "FIFOQueue's DequeueMany and DequeueUpTo require the components to have specified shapes.");
  Op ragged;
  unshaped->TryEnqueueMany({I32s({1, 2}, {2})}, ragged.c.ctx.get(), ragged.Done());
  EXPECT_TRUE(ragged.c.status().ok());
  EXPECT_EQ(unshaped->size(), 4);
}

TEST(QueueRandomShuffle, SameSeedsSameOrderAndMinAfterDequeue) {
  auto make = [](int64_t seed, int64_t seed2) {
    return std::make_shared<RandomShuffleQueue>(20, 0, seed, seed2, std::vector<DataType>{DataType::DT_INT32},
                                                std::vector<PartialShape>{PS({})}, "r");
  };
  auto drain = [](RandomShuffleQueue& q) {
    for (int v = 0; v < 10; v++) EnqueueNow(q, {I32(v)});
    std::vector<int32_t> order;
    for (int i = 0; i < 10; i++) order.push_back(DequeueNow(q));
    return order;
  };
  auto a = make(7, 11), b = make(7, 11);
  const std::vector<int32_t> first = drain(*a);
  EXPECT_EQ(drain(*b), first);
  std::vector<int32_t> sorted = first;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, (std::vector<int32_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_NE(first, sorted);  // shuffled (the identity has probability 1/10!)

  auto r = std::make_shared<RandomShuffleQueue>(10, 2, 1, 2, std::vector<DataType>{DataType::DT_INT32},
                                                std::vector<PartialShape>{PS({})}, "r");
  for (int v : {10, 20, 30}) EnqueueNow(*r, {I32(v)});
  Op first_d;
  r->TryDequeue(first_d.c.ctx.get(), first_d.DoneTuple());
  EXPECT_TRUE(first_d.done);  // 3 > min_after_dequeue
  Op second;
  r->TryDequeue(second.c.ctx.get(), second.DoneTuple());
  EXPECT_FALSE(second.done);  // 2 left: not more than min_after_dequeue
  Op many;
  r->TryDequeueMany(2, many.c.ctx.get(), false, many.DoneTuple());
  EXPECT_FALSE(many.done);
  Op close;
  r->Close(close.c.ctx.get(), false, close.Done());
  ASSERT_TRUE(second.done && many.done);  // closed: the limit no longer applies
  EXPECT_TRUE(second.c.status().ok());
  ExpectError(many.c.status(), Code::kOutOfRange, "RandomShuffleQueue 'r' is closed and has insufficient elements (requested 2, current size 1)");
  std::vector<int32_t> got{*first_d.tuple[0].data<int32_t>(), *second.tuple[0].data<int32_t>(), DequeueNow(*r)};
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<int32_t>{10, 20, 30}));
  Op late;
  r->TryEnqueue({I32(1)}, late.c.ctx.get(), late.Done());
  ExpectError(late.c.status(), Code::kCancelled, "RandomShuffleQueue 'r' is closed.");
}

TEST(QueuePaddingFifo, PadsUnknownDimsToTheBatchMaximum) {
  auto q = std::make_shared<PaddingFIFOQueue>(10, std::vector<DataType>{DataType::DT_INT32, DataType::DT_STRING},
                                              std::vector<PartialShape>{PS({-1, -1}), PS({-1})}, "p");
  auto str = [](std::vector<std::string> v) {
    Tensor t(DataType::DT_STRING, {static_cast<int64_t>(v.size())});
    for (size_t i = 0; i < v.size(); i++) t.strings()[i] = v[i];
    return t;
  };
  EnqueueNow(*q, {I32s({1, 2, 3, 4, 5, 6}, {3, 2}), str({"a"})});
  EnqueueNow(*q, {I32s({7}, {1, 1}), str({"b", "c"})});
  EnqueueNow(*q, {I32s({1, 1, 1, 1, 2, 2, 2, 2}, {2, 4}), str({})});
  Op rank;
  q->TryEnqueue({I32s({1}, {1}), str({})}, rank.c.ctx.get(), rank.Done());
  ExpectError(rank.c.status(), Code::kInvalidArgument, "Shape mismatch in tuple component 0. Expected [?,?], got [1]");
  Op many;
  q->TryDequeueMany(3, many.c.ctx.get(), false, many.DoneTuple());
  ASSERT_TRUE(many.done && many.c.status().ok());
  EXPECT_EQ(many.tuple[0].shape(), (Shape{3, 3, 4}));
  EXPECT_EQ(Ints(many.tuple[0]), (std::vector<int32_t>{1, 2, 0, 0, 3, 4, 0, 0, 5, 6, 0, 0,  //
                                                       7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  //
                                                       1, 1, 1, 1, 2, 2, 2, 2, 0, 0, 0, 0}));
  EXPECT_EQ(many.tuple[1].shape(), (Shape{3, 2}));
  const std::string* s = many.tuple[1].strings();
  EXPECT_EQ(std::vector<std::string>(s, s + 6), (std::vector<std::string>{"a", "", "b", "c", "", ""}));

  // A single dequeue returns the element as it was.
  EnqueueNow(*q, {I32s({9, 8}, {2, 1}), str({})});
  Op one;
  q->TryDequeue(one.c.ctx.get(), one.DoneTuple());
  EXPECT_EQ(one.tuple[0].shape(), (Shape{2, 1}));
  EXPECT_EQ(Ints(one.tuple[0]), (std::vector<int32_t>{9, 8}));
  Op close;
  q->Close(close.c.ctx.get(), false, close.Done());
  Op fail;
  q->TryDequeueMany(1, fail.c.ctx.get(), false, fail.DoneTuple());
  ExpectError(fail.c.status(), Code::kOutOfRange, "PaddingFIFOQueue 'p' is closed and has insufficient elements (requested 1, current size 0)");
}

TEST(QueuePriority, SmallestPriorityFirst) {
  auto q = std::make_shared<PriorityQueue>(10, std::vector<DataType>{DataType::DT_INT64, DataType::DT_STRING},
                                           std::vector<PartialShape>{PS({}), PS({})}, "pq");
  EnqueueNow(*q, {I64(5), Str("e")});
  EnqueueNow(*q, {I64(1), Str("a")});
  Op many_enq;
  Tensor prios(DataType::DT_INT64, {2});
  prios.data<int64_t>()[0] = 3;
  prios.data<int64_t>()[1] = -2;
  Tensor vals(DataType::DT_STRING, {2});
  vals.strings()[0] = "c";
  vals.strings()[1] = "minus";
  q->TryEnqueueMany({prios, vals}, many_enq.c.ctx.get(), many_enq.Done());
  ASSERT_TRUE(many_enq.c.status().ok());
  Op bad;
  q->TryEnqueue({Tensor(DataType::DT_INT64, {1}), Str("x")}, bad.c.ctx.get(), bad.Done());
  ExpectError(bad.c.status(), Code::kInvalidArgument, "Shape mismatch in tuple component 0. Expected [], got [1]");

  std::vector<std::pair<int64_t, std::string>> order;
  Op many;
  q->TryDequeueMany(2, many.c.ctx.get(), false, many.DoneTuple());
  ASSERT_TRUE(many.done && many.c.status().ok());
  for (int i = 0; i < 2; i++) order.push_back({many.tuple[0].data<int64_t>()[i], many.tuple[1].strings()[i]});
  for (int i = 0; i < 2; i++) {
    Op d;
    q->TryDequeue(d.c.ctx.get(), d.DoneTuple());
    order.push_back({*d.tuple[0].data<int64_t>(), d.tuple[1].strings()[0]});
  }
  EXPECT_EQ(order, (std::vector<std::pair<int64_t, std::string>>{{-2, "minus"}, {1, "a"}, {3, "c"}, {5, "e"}}));
}

TEST(QueueFifo, ConcurrentProducersAndConsumersDeliverEachElementOnce) {
  auto q = Fifo(3);
  std::vector<std::thread> threads;
  std::mutex mu;
  std::vector<int32_t> seen;
  auto wait = [](Op& op) {
    while (!op.done) std::this_thread::yield();
  };
  for (int p = 0; p < 4; p++) {
    threads.emplace_back([&, p] {
      for (int i = 0; i < 300; i++) {
        Op op;
        q->TryEnqueue({I32(p * 300 + i)}, op.c.ctx.get(), op.Done());
        wait(op);
      }
    });
  }
  for (int c = 0; c < 4; c++) {
    threads.emplace_back([&, c] {
      const int batch = c < 2 ? 1 : 4;
      for (int i = 0; i < (c < 2 ? 200 : 100); i++) {
        Op op;
        if (batch == 1) q->TryDequeue(op.c.ctx.get(), op.DoneTuple());
        else q->TryDequeueMany(batch, op.c.ctx.get(), false, op.DoneTuple());
        wait(op);
        std::lock_guard<std::mutex> lock(mu);
        for (int32_t v : Ints(op.tuple[0])) seen.push_back(v);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::sort(seen.begin(), seen.end());
  ASSERT_EQ(seen.size(), 1200u);
  for (int i = 0; i < 1200; i++) ASSERT_EQ(seen[i], i);
  EXPECT_EQ(q->size(), 0);
}

TEST(QueueFifo, CancellationRacingAnEnqueueLosesNothing) {
  auto q = Fifo(10);
  for (int i = 0; i < 300; i++) {
    Op d;
    q->TryDequeueMany(2, d.c.ctx.get(), false, d.DoneTuple());
    EnqueueNow(*q, {I32(1)});  // the batch holds one element now
    // The racing enqueue may be completed by the cancelling thread's flush: wait for it.
    Op e;
    std::thread enq([&] { q->TryEnqueue({I32(2)}, e.c.ctx.get(), e.Done()); });
    std::thread cancel([&] { d.c.cm()->StartCancel(Error(Code::kCancelled, "closed")); });
    enq.join();
    cancel.join();
    ASSERT_TRUE(e.Wait());
    ASSERT_TRUE(e.c.status().ok()) << e.c.status().error().what();
    ASSERT_TRUE(d.Wait());
    if (d.c.status().ok()) {
      EXPECT_EQ(Ints(d.tuple[0]), (std::vector<int32_t>{1, 2}));
      EXPECT_EQ(q->size(), 0);
    } else {
      EXPECT_EQ(d.c.status().code(), Code::kCancelled);
      ASSERT_EQ(q->size(), 2);  // both back, in order
      EXPECT_EQ(DequeueNow(*q), 1);
      EXPECT_EQ(DequeueNow(*q), 2);
    }
  }
}

// ---------------------------------------------------------------------------------------
// Through a Session.

std::vector<uint8_t> Bytes32(std::vector<int32_t> v) {
  std::vector<uint8_t> b(v.size() * 4);
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

void QueueGraph(GraphBuilder& g) {
  using GB = GraphBuilder;
  const auto i32 = GB::Type(DataType::DT_INT32);
  const auto types = GB::Types({DataType::DT_INT32});
  g.Node("q", "FIFOQueueV2", {}, {{"component_types", types}, {"shapes", GB::Shapes({{}})}, {"capacity", GB::Int(10)}})
      .Node("vals", "Const", {}, {{"value", GB::RawTensor(DataType::DT_INT32, {3}, Bytes32({1, 2, 3}))}, {"dtype", i32}})
      .Node("one", "Const", {}, {{"value", GB::RawTensor(DataType::DT_INT32, {}, Bytes32({9}))}, {"dtype", i32}})
      .Node("two", "Const", {}, {{"value", GB::RawTensor(DataType::DT_INT32, {}, Bytes32({2}))}, {"dtype", i32}})
      .Node("q_EnqueueMany", "QueueEnqueueManyV2", {"q", "vals"}, {{"Tcomponents", types}})
      .Node("q_enqueue", "QueueEnqueueV2", {"q", "one"}, {{"Tcomponents", types}})
      .Node("q_Dequeue", "QueueDequeueV2", {"q"}, {{"component_types", types}})
      .Node("q_DequeueMany", "QueueDequeueManyV2", {"q", "two"}, {{"component_types", types}})
      .Node("q_DequeueUpTo", "QueueDequeueUpToV2", {"q", "two"}, {{"component_types", types}})
      .Node("q_Size", "QueueSizeV2", {"q"})
      .Node("q_IsClosed", "QueueIsClosedV2", {"q"})
      .Node("q_Close", "QueueCloseV2", {"q"}, {{"cancel_pending_enqueues", GB::Bool(false)}});
}

TEST(QueueSession, OpsShareOneQueueAcrossRuns) {
  SessionOptions o;
  o.inter_op_threads = 4;
  Session s(o);
  GraphBuilder g;
  QueueGraph(g);
  Extend(s, g);
  s.Run({}, {}, {}, {"q_EnqueueMany"}, {});
  EXPECT_EQ(*s.Run({}, {}, {"q_Size"}, {}, {})[0].data<int32_t>(), 3);
  EXPECT_EQ(Ints(s.Run({}, {}, {"q_Dequeue"}, {}, {})[0]), (std::vector<int32_t>{1}));
  auto many = s.Run({}, {}, {"q_DequeueMany"}, {}, {});
  EXPECT_EQ(many[0].shape(), (Shape{2}));
  EXPECT_EQ(Ints(many[0]), (std::vector<int32_t>{2, 3}));

  // A dequeue run on another thread waits until this thread enqueues.
  std::vector<Tensor> got;
  std::thread consumer([&] { got = s.Run({}, {}, {"q_Dequeue"}, {}, {}); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(got.empty());
  s.Run({}, {}, {}, {"q_enqueue"}, {});
  consumer.join();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(Ints(got[0]), (std::vector<int32_t>{9}));

  s.Run({}, {}, {}, {"q_EnqueueMany"}, {});
  s.Run({}, {}, {}, {"q_Close"}, {});
  EXPECT_TRUE(*s.Run({}, {}, {"q_IsClosed"}, {}, {})[0].data<bool>());
  try {
    s.Run({}, {}, {}, {"q_enqueue"}, {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Code::kCancelled);
    EXPECT_EQ(std::string(e.what()), "FIFOQueue 'q' is closed.");
    EXPECT_EQ(e.node(), "q_enqueue");
  }
  EXPECT_EQ(Ints(s.Run({}, {}, {"q_DequeueUpTo"}, {}, {})[0]), (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(Ints(s.Run({}, {}, {"q_DequeueUpTo"}, {}, {})[0]), (std::vector<int32_t>{3}));
  try {
    s.Run({}, {}, {"q_Dequeue"}, {}, {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Code::kOutOfRange);
    EXPECT_EQ(std::string(e.what()), "FIFOQueue 'q' is closed and has insufficient elements (requested 1, current size 0)");
    EXPECT_EQ(e.node(), "q_Dequeue");
  }
  try {
    s.Run({}, {}, {}, {"q_Close"}, {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Code::kCancelled);
    EXPECT_EQ(std::string(e.what()), "Queue 'q' is already closed.");
  }
}

TEST(QueueSession, SharedNameMismatchAndSeparateSessions) {
  using GB = GraphBuilder;
  Session s({});
  GraphBuilder g;
  QueueGraph(g);
  g.Node("q2", "FIFOQueueV2", {}, {{"component_types", GB::Types({DataType::DT_INT32})}, {"shapes", GB::Shapes({{}})},
                                    {"capacity", GB::Int(5)}, {"shared_name", GB::Str("q")}})
      .Node("q3", "FIFOQueueV2", {}, {{"component_types", GB::Types({DataType::DT_FLOAT})}, {"capacity", GB::Int(10)},
                                      {"shared_name", GB::Str("q")}})
      .Node("q4", "RandomShuffleQueueV2", {}, {{"component_types", GB::Types({DataType::DT_INT32})}, {"shapes", GB::Shapes({{}})},
                                              {"capacity", GB::Int(10)}, {"shared_name", GB::Str("q")}})
      .Node("q5", "FIFOQueueV2", {}, {{"component_types", GB::Types({DataType::DT_INT32})}, {"shapes", GB::Shapes({{}})},
                                      {"capacity", GB::Int(10)}, {"shared_name", GB::Str("q")}})
      .Node("q5_Size", "QueueSizeV2", {"q5"});
  Extend(s, g);
  s.Run({}, {}, {}, {"q_EnqueueMany"}, {});
  EXPECT_EQ(*s.Run({}, {}, {"q5_Size"}, {}, {})[0].data<int32_t>(), 3);  // the same queue
  auto expect = [&](const std::string& node, const std::string& text) {
    try {
      s.Run({}, {}, {node}, {}, {});
      FAIL() << node;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Code::kInvalidArgument);
      EXPECT_EQ(std::string(e.what()), text);
      EXPECT_EQ(e.node(), node);
    }
  };
  expect("q2", "Shared queue 'q' has capacity 10 but requested capacity was 5");
  expect("q3", "Shared queue 'q' has component types int32 but requested component types were float");
  expect("q4", "Expected FIFOQueue, found RandomShuffleQueueV2");

  Session other({});  // resources are per session
  GraphBuilder g2;
  QueueGraph(g2);
  Extend(other, g2);
  EXPECT_EQ(*other.Run({}, {}, {"q_Size"}, {}, {})[0].data<int32_t>(), 0);
}

}  // namespace
}  // namespace tg
