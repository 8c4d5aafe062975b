// Cooperative cancellation shared between a requester and long-running work.
#pragma once

#include <atomic>
#include <memory>

namespace tektra {

// Cheap to copy; all copies observe the same flag. Work checks `cancelled()` between steps
// (per audio chunk, per sentence, per token) and stops promptly when it turns true.
class CancellationToken {
 public:
  CancellationToken() : flag_(std::make_shared<std::atomic<bool>>(false)) {}
  void cancel() const { flag_->store(true, std::memory_order_release); }
  bool cancelled() const { return flag_->load(std::memory_order_acquire); }

 private:
  std::shared_ptr<std::atomic<bool>> flag_;
};

}  // namespace tektra
