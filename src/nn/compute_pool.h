// A persistent fork-join pool for inference: `run` executes one function on every thread
// (the caller included) and returns when all are done. Workers spin briefly between jobs, then
// sleep, so back-to-back matmuls of one token start in microseconds without burning idle CPU.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <thread>
#include <type_traits>
#include <vector>

namespace tektra::nn {

class ComputePool {
 public:
  // `threads` counts the caller; 0 means one per hardware thread.
  explicit ComputePool(int threads = 0);
  ~ComputePool();
  ComputePool(const ComputePool&) = delete;
  ComputePool& operator=(const ComputePool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  // Calls fn(thread_index, thread_count) on every thread. Not reentrant; one caller at a time.
  template <class F>
  void run(F&& fn) {
    using Fn = std::remove_reference_t<F>;
    dispatch([](void* f, int i, int n) { (*static_cast<Fn*>(f))(i, n); }, &fn);
  }

  // Splits [0, n) into chunks of `grain` and hands them out dynamically: fn(begin, end).
  template <class F>
  void parallel_for(int64_t n, int64_t grain, F&& fn) {
    std::atomic<int64_t> next{0};
    run([&](int, int) {
      for (;;) {
        const int64_t begin = next.fetch_add(grain, std::memory_order_relaxed);
        if (begin >= n) break;
        fn(begin, std::min(n, begin + grain));
      }
    });
  }

 private:
  using Job = void (*)(void*, int, int);
  void dispatch(Job job, void* context);
  void worker(int index);

  std::vector<std::thread> workers_;
  Job job_ = nullptr;
  void* context_ = nullptr;
  std::atomic<uint32_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<bool> stopping_{false};
};

}  // namespace tektra::nn
