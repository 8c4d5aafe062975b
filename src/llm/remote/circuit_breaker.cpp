// CircuitBreaker: closed, open until a deadline, then half-open for one trial call.
#include "llm/remote/circuit_breaker.h"

namespace tektra::llm {

bool CircuitBreaker::allow(Clock::duration* retry_in) {
  std::lock_guard lock(mutex_);
  if (failures_ < threshold_) return true;
  const auto now = Clock::now();
  if (now < open_until_ || trial_in_flight_) {
    if (retry_in) *retry_in = now < open_until_ ? open_until_ - now : Clock::duration::zero();
    return false;
  }
  trial_in_flight_ = true;  // half-open: this call is the trial
  return true;
}

void CircuitBreaker::succeeded() {
  std::lock_guard lock(mutex_);
  failures_ = 0;
  trial_in_flight_ = false;
}

void CircuitBreaker::failed() {
  std::lock_guard lock(mutex_);
  trial_in_flight_ = false;
  if (++failures_ >= threshold_) open_until_ = Clock::now() + cooldown_;
}

bool CircuitBreaker::open() const {
  std::lock_guard lock(mutex_);
  return failures_ >= threshold_;
}

}  // namespace tektra::llm
