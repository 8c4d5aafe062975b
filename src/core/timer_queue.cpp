// TimerQueue implementation.
#include "core/timer_queue.h"

#include <spdlog/spdlog.h>

namespace tektra {

TimerQueue::TimerQueue() : thread_([this] { run(); }) {}

TimerQueue::~TimerQueue() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void TimerQueue::schedule(TimePoint when, std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    entries_.push(Entry{when, next_seq_++, std::move(task)});
  }
  changed_.notify_all();
}

void TimerQueue::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (entries_.empty()) {
      changed_.wait(lock);
      continue;
    }
    TimePoint due = entries_.top().when;
    if (SteadyClock::now() < due) {
      changed_.wait_until(lock, due);
      continue;
    }
    auto task = std::move(const_cast<Entry&>(entries_.top()).task);
    entries_.pop();
    lock.unlock();
    try {
      task();
    } catch (const std::exception& e) {
      spdlog::error("scheduled task failed: {}", e.what());
    }
    lock.lock();
  }
}

}  // namespace tektra
