// The reply audio as the user's loudspeaker will play it, on the wall clock: the far-end reference
// an echo canceller needs, read back in step with the microphone audio. The delay
// between the two (network, the client's playback queue, the room) is left to the canceller's
// delay estimator. 16 kHz mono. Thread-safe: replies are written from timer threads while the
// session's input reads.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "core/clock.h"

namespace tektra {

class EchoReference {
 public:
  static constexpr int kRate = 16000;

  // `pcm16k` starts playing at `start`. Audio already placed in that time is replaced.
  void play(std::span<const int16_t> pcm16k, TimePoint start);
  // The sample position of `at` on the reference's clock (0 before anything played).
  int64_t position(TimePoint at) const;
  // The reference from sample position `first` on: silence where nothing played.
  void read(int64_t first, std::span<int16_t> out) const;
  // Whether any reply audio plays in the `window` before `end`.
  bool playing(TimePoint end, std::chrono::milliseconds window) const;

 private:
  struct Segment {
    int64_t start = 0;  // sample index since origin_
    std::vector<int16_t> samples;
    int64_t end() const { return start + static_cast<int64_t>(samples.size()); }
  };
  int64_t index(TimePoint at) const;

  mutable std::mutex mutex_;
  std::optional<TimePoint> origin_;
  std::deque<Segment> segments_;  // in start order, not overlapping
};

}  // namespace tektra
