// Monotonic time helpers for latency accounting.
#pragma once

#include <chrono>

namespace tektra {

using SteadyClock = std::chrono::steady_clock;
using TimePoint = SteadyClock::time_point;

inline double seconds_between(TimePoint from, TimePoint to) {
  return std::chrono::duration<double>(to - from).count();
}

}  // namespace tektra
