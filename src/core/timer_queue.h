// One thread that runs callbacks at given times (audio pacing, delayed events).
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

#include "core/clock.h"

namespace tektra {

class TimerQueue {
 public:
  TimerQueue();
  ~TimerQueue();  // drops pending callbacks, joins
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;

  // Runs `task` on the queue's thread at `when` (at once if already past). Tasks due at the same
  // time run in scheduling order. Tasks must be quick: they share one thread.
  void schedule(TimePoint when, std::function<void()> task);

 private:
  struct Entry {
    TimePoint when;
    uint64_t seq;
    std::function<void()> task;
    bool operator>(const Entry& o) const { return when != o.when ? when > o.when : seq > o.seq; }
  };
  void run();
  std::mutex mutex_;
  std::condition_variable changed_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> entries_;
  uint64_t next_seq_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tektra
