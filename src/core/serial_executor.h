// Runs tasks one at a time, in order, on a shared ThreadPool: a strand for per-session logic.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

#include "core/thread_pool.h"

namespace tektra {

class SerialExecutor {
 public:
  explicit SerialExecutor(ThreadPool& pool);
  // Queues a task; tasks posted to one executor never overlap and run in posting order.
  void post(std::function<void()> task);
  // Blocks until everything posted before this call has run. Must not be called from a task of
  // this executor or from the pool when the pool could be exhausted by such waits.
  void drain();
  // Drops queued tasks, refuses new ones and waits for a task that is executing right now.
  // Safe to call from any thread other than the executor's own task.
  void shutdown();

 private:
  struct State {
    std::mutex mutex;
    std::condition_variable idle;
    std::deque<std::function<void()>> tasks;
    bool running = false;    // a runner is queued on or executing in the pool
    bool executing = false;  // a task is inside its body right now
    bool closed = false;
  };
  static void run_next(ThreadPool& pool, std::shared_ptr<State> state);
  ThreadPool& pool_;
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace tektra
