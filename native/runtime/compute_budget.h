// One budget of cores for the whole process. The inter-op pool may run several expensive
// kernels at once, and each of them may start an intra-op team (oneDNN's OpenMP team, our
// ParallelFor) as wide as the machine: two 2-thread GEMMs on 2 cores oversubscribe it. An
// expensive synchronous kernel takes `units` (its team size) from the budget around its
// Compute, so the teams that run at once never add up to more than the cores; cheap kernels
// and kernels that wait (async) take nothing, so nothing holds the budget while parked.
#pragma once

#include <condition_variable>
#include <mutex>

namespace tg {

class ComputeBudget {
 public:
  explicit ComputeBudget(int units);
  ComputeBudget(const ComputeBudget&) = delete;
  ComputeBudget& operator=(const ComputeBudget&) = delete;

  // The process's budget: one unit per hardware thread.
  static ComputeBudget& Process();

  int units() const { return units_; }
  // Blocks until n units (at most units()) are free and takes them.
  void Acquire(int n);
  void Release(int n);

  // Holds n units for its lifetime. A thread that already holds units takes none again (a
  // kernel that runs a nested step on its own thread must not wait for itself).
  class Hold {
   public:
    Hold(ComputeBudget* budget, int n);
    ~Hold();
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;

   private:
    ComputeBudget* budget_ = nullptr;
    int n_ = 0;
  };

 private:
  const int units_;
  int free_;
  std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace tg
