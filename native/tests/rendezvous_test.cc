// The step rendezvous: TF's key format, send before and after the receive, deadness, and
// abort waking a waiting receive (the guarantee that no _Recv of a failed step hangs).
#include <gtest/gtest.h>

#include "runtime/cancellation.h"
#include "runtime/rendezvous.h"

namespace tg {
namespace {

const std::string kCpu0 = "/job:localhost/replica:0/task:0/device:CPU:0";
const std::string kCpu1 = "/job:localhost/replica:0/task:0/device:CPU:1";

struct Got {
  int calls = 0;
  Status status;
  RendezvousValue value;
  Rendezvous::DoneCallback Callback() {
    return [this](const Status& s, RendezvousValue v) {
      calls++;
      status = s;
      value = std::move(v);
    };
  }
};

TEST(Rendezvous, KeyIsTfsFormat) {
  EXPECT_EQ(Rendezvous::CreateKey(kCpu0, 0xabc, kCpu1, "edge_5_x", 0, 0),
            kCpu0 + ";0000000000000abc;" + kCpu1 + ";edge_5_x;0:0");
  EXPECT_EQ(Rendezvous::CreateKey(kCpu1, 0xfedcba9876543210ull, kCpu0, "y:0", 7, 3),
            kCpu1 + ";fedcba9876543210;" + kCpu0 + ";y:0;7:3");
  EXPECT_EQ(Rendezvous::KeyWithFrame(Rendezvous::KeyPrefix(kCpu0, 1, kCpu1, "t"), 0, 2),
            Rendezvous::CreateKey(kCpu0, 1, kCpu1, "t", 0, 2));
}

TEST(Rendezvous, SendBeforeRecv) {
  Rendezvous r;
  r.Send("k", RendezvousValue{Tensor::Scalar<float>(2.5f), false, nullptr});
  Got got;
  r.RecvAsync("k", got.Callback());
  ASSERT_EQ(got.calls, 1);
  EXPECT_TRUE(got.status.ok());
  EXPECT_FALSE(got.value.is_dead);
  EXPECT_EQ(*got.value.tensor.data<float>(), 2.5f);
}

TEST(Rendezvous, RecvBeforeSendIsCalledBySend) {
  Rendezvous r;
  Got a, b;
  r.RecvAsync("a", a.Callback());
  r.RecvAsync("b", b.Callback());
  EXPECT_EQ(a.calls, 0);
  r.Send("b", RendezvousValue{Tensor::Scalar<float>(7), false, nullptr});
  EXPECT_EQ(a.calls, 0);  // another key's value does not wake it
  ASSERT_EQ(b.calls, 1);
  EXPECT_EQ(*b.value.tensor.data<float>(), 7.0f);
  r.Send("a", RendezvousValue{Tensor::Scalar<float>(1), false, nullptr});
  ASSERT_EQ(a.calls, 1);
  EXPECT_EQ(*a.value.tensor.data<float>(), 1.0f);
}

TEST(Rendezvous, DeadnessCrosses) {
  Rendezvous r;
  Got got;
  r.RecvAsync("k", got.Callback());
  r.Send("k", RendezvousValue{Tensor(), true, nullptr});
  ASSERT_EQ(got.calls, 1);
  EXPECT_TRUE(got.status.ok());
  EXPECT_TRUE(got.value.is_dead);
}

TEST(Rendezvous, DuplicateSendIsAborted) {
  Rendezvous r;
  r.Send("k", RendezvousValue{Tensor::Scalar<float>(1), false, nullptr});
  try {
    r.Send("k", RendezvousValue{Tensor::Scalar<float>(2), false, nullptr});
    FAIL() << "expected Aborted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Code::kAborted);
  }
}

TEST(Rendezvous, AbortWakesWaitersAndFailsLaterCalls) {
  Rendezvous r;
  Got waiting;
  r.RecvAsync("k", waiting.Callback());
  ASSERT_EQ(waiting.calls, 0);
  r.StartAbort(Error(Code::kCancelled, "Session has been closed."));
  ASSERT_EQ(waiting.calls, 1);
  EXPECT_EQ(waiting.status.code(), Code::kCancelled);
  // A later receive fails at once with the first reason; a later send throws it.
  r.StartAbort(Error(Code::kInternal, "second"));
  Got later;
  r.RecvAsync("other", later.Callback());
  ASSERT_EQ(later.calls, 1);
  EXPECT_EQ(later.status.code(), Code::kCancelled);
  EXPECT_TRUE(r.aborted());
  try {
    r.Send("k", RendezvousValue{Tensor::Scalar<float>(1), false, nullptr});
    FAIL() << "expected the abort status";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Code::kCancelled);
  }
}

TEST(Rendezvous, CancellationManagerAbortsIt) {
  // How a step wires them (runtime/partitioned_executor.cc): cancelling the step aborts the
  // rendezvous, so a receive waiting in a cancelled step ends.
  CancellationManager cm;
  Rendezvous r;
  ASSERT_TRUE(cm.Register(cm.NewToken(), [&r](const Error& reason) { r.StartAbort(reason); }));
  Got waiting;
  r.RecvAsync("k", waiting.Callback());
  cm.StartCancel(Error(Code::kDeadlineExceeded, "Timed out waiting for notification"));
  ASSERT_EQ(waiting.calls, 1);
  EXPECT_EQ(waiting.status.code(), Code::kDeadlineExceeded);
}

}  // namespace
}  // namespace tg
