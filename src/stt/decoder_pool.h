// A pool of idle decoders: creating one takes hundreds of milliseconds, borrowing one a lock.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace tektra {

// Thread-safe. Decoders are created on demand (outside the lock, so a slow creation never blocks
// streams that find an idle one) and kept when returned, up to `max_idle` of them: a burst of
// concurrent utterances does not pin its peak number of decoders for good, while steady use by up
// to `max_idle` utterances at a time never waits for a creation. Decoders returned beyond the
// bound are freed. The pool must outlive its leases.
template <typename Decoder>
class DecoderPool {
 public:
  using Factory = std::function<std::unique_ptr<Decoder>()>;

  // Exclusive use of one decoder; hands it back to the pool when destroyed.
  class Lease {
   public:
    Lease() = default;
    Lease(DecoderPool* pool, std::unique_ptr<Decoder> decoder)
        : pool_(pool), decoder_(std::move(decoder)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&& other) noexcept {
      if (this != &other) {
        reset();
        pool_ = other.pool_;
        decoder_ = std::move(other.decoder_);
      }
      return *this;
    }
    ~Lease() { reset(); }

    explicit operator bool() const { return decoder_ != nullptr; }
    Decoder& operator*() const { return *decoder_; }
    Decoder* operator->() const { return decoder_.get(); }

    void reset() {
      if (decoder_) pool_->give_back(std::move(decoder_));
    }

   private:
    DecoderPool* pool_ = nullptr;
    std::unique_ptr<Decoder> decoder_;
  };

  DecoderPool(Factory create, std::size_t max_idle)
      : create_(std::move(create)), max_idle_(max_idle) {}
  DecoderPool(const DecoderPool&) = delete;
  DecoderPool& operator=(const DecoderPool&) = delete;

  // An idle decoder, or a new one when none is idle (the factory's exceptions propagate).
  Lease acquire() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        auto decoder = std::move(idle_.back());
        idle_.pop_back();
        return Lease(this, std::move(decoder));
      }
    }
    auto decoder = create_();
    std::lock_guard lock(mutex_);
    ++created_;
    return Lease(this, std::move(decoder));
  }

  std::size_t idle() const {
    std::lock_guard lock(mutex_);
    return idle_.size();
  }
  std::size_t created() const {
    std::lock_guard lock(mutex_);
    return created_;
  }

 private:
  // A decoder beyond the bound is freed after the lock is released: freeing one takes a while.
  void give_back(std::unique_ptr<Decoder> decoder) {
    std::lock_guard lock(mutex_);
    if (idle_.size() < max_idle_) idle_.push_back(std::move(decoder));
  }

  Factory create_;
  std::size_t max_idle_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Decoder>> idle_;
  std::size_t created_ = 0;
};

}  // namespace tektra
