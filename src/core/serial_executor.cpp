// SerialExecutor: one runner at a time per executor, re-posting itself while work remains.
#include "core/serial_executor.h"

#include <spdlog/spdlog.h>
#include <future>

namespace tektra {

SerialExecutor::SerialExecutor(ThreadPool& pool) : pool_(pool) {}

void SerialExecutor::post(std::function<void()> task) {
  bool start = false;
  {
    std::lock_guard lock(state_->mutex);
    if (state_->closed) return;
    state_->tasks.push_back(std::move(task));
    if (!state_->running) start = state_->running = true;
  }
  if (start) pool_.post([&pool = pool_, state = state_] { run_next(pool, state); });
}

void SerialExecutor::run_next(ThreadPool& pool, std::shared_ptr<State> state) {
  std::function<void()> task;
  {
    std::lock_guard lock(state->mutex);
    if (state->tasks.empty()) {
      state->running = false;
      return;
    }
    task = std::move(state->tasks.front());
    state->tasks.pop_front();
    state->executing = true;
  }
  try {
    task();
  } catch (const std::exception& e) {
    spdlog::error("session task failed: {}", e.what());
  }
  task = nullptr;  // release captures before reporting idle
  std::lock_guard lock(state->mutex);
  state->executing = false;
  state->idle.notify_all();
  if (state->tasks.empty()) {
    state->running = false;
  } else {
    // Re-post instead of looping so one busy session cannot monopolise a worker.
    pool.post([&pool, state] { run_next(pool, state); });
  }
}

void SerialExecutor::drain() {
  {
    std::lock_guard lock(state_->mutex);
    if (state_->closed) return;
  }
  std::promise<void> done;
  auto future = done.get_future();
  post([&done] { done.set_value(); });
  future.wait();
}

void SerialExecutor::shutdown() {
  std::deque<std::function<void()>> dropped;
  std::unique_lock lock(state_->mutex);
  state_->closed = true;
  dropped.swap(state_->tasks);
  state_->idle.wait(lock, [&] { return !state_->executing; });
}

}  // namespace tektra
