// Stops calling a server that keeps failing: after `failures` failed calls in a row the circuit
// opens and calls are refused at once for `cooldown`; then one trial call is let through, and its
// outcome closes the circuit or opens it for another cooldown.
#pragma once

#include <chrono>
#include <mutex>

namespace tektra::llm {

class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;

  CircuitBreaker(int failures, std::chrono::milliseconds cooldown)
      : threshold_(failures), cooldown_(cooldown) {}

  // Whether a call may go ahead now; when not, `retry_in` says how long until one may.
  bool allow(Clock::duration* retry_in = nullptr);
  void succeeded();
  void failed();
  bool open() const;

 private:
  mutable std::mutex mutex_;
  const int threshold_;
  const std::chrono::milliseconds cooldown_;
  int failures_ = 0;
  Clock::time_point open_until_{};
  bool trial_in_flight_ = false;
};

}  // namespace tektra::llm
