// Coordinator and RunnerThread: stop flag, first error, timed waits, join with timeout.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "runtime/coordinator.h"
#include "runtime/queue_runner.h"

namespace tg {
namespace {

TEST(Runner, CoordinatorKeepsTheFirstErrorOfTheFirstStop) {
  Coordinator c;
  EXPECT_FALSE(c.ShouldStop());
  EXPECT_FALSE(c.WaitForStop(10));
  Error clean(Code::kOutOfRange, "done");
  EXPECT_FALSE(c.RequestStop(&clean));  // clean: stops without an error
  EXPECT_TRUE(c.ShouldStop());
  Error later(Code::kInvalidArgument, "late");
  EXPECT_FALSE(c.RequestStop(&later));  // stop already requested: dropped
  EXPECT_EQ(c.error(), nullptr);
  c.ClearStop();
  Error first(Code::kFailedPrecondition, "first", "node");
  EXPECT_TRUE(c.RequestStop(&first, 7));
  EXPECT_EQ(c.error()->code(), Code::kFailedPrecondition);
  EXPECT_EQ(c.error()->node(), "node");
  EXPECT_EQ(c.error_tag(), 7);
}

TEST(Runner, WaitForStopWakesOnARequestFromAnotherThread) {
  Coordinator c;
  std::thread t([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    c.RequestStop();
  });
  EXPECT_TRUE(c.WaitForStop(-1));
  t.join();
}

TEST(Runner, ThreadJoinTimesOutWhileRunningAndSucceedsAfter) {
  std::atomic<bool> release{false};
  auto t = std::make_shared<RunnerThread>("t", nullptr, [&] {
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  EXPECT_FALSE(t->IsAlive());
  EXPECT_TRUE(t->Join(0));  // never started
  t->Start();
  EXPECT_TRUE(t->IsAlive());
  EXPECT_THROW(t->Start(), Error);
  EXPECT_FALSE(t->Join(20));
  bool ended = StopOrExitSignal::Global().WaitUntil([&] { return !t->IsAlive(); }, 10);
  EXPECT_FALSE(ended);
  release = true;
  EXPECT_TRUE(StopOrExitSignal::Global().WaitUntil([&] { return !t->IsAlive(); }, -1));
  EXPECT_TRUE(t->Join(-1));
}

}  // namespace
}  // namespace tg
