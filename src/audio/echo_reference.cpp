// EchoReference: segments of reply audio on a 16 kHz sample clock anchored at the first one.
#include "audio/echo_reference.h"

#include <algorithm>

namespace tektra {
namespace {

// Long enough for the longest echo delay searched for plus the read size, short enough to bound
// memory: reference older than this is never read again.
constexpr int64_t kKeptSamples = 3 * EchoReference::kRate;

}  // namespace

int64_t EchoReference::index(TimePoint at) const {
  const auto offset = std::chrono::duration_cast<std::chrono::microseconds>(at - *origin_);
  return offset.count() * kRate / 1'000'000;
}

void EchoReference::play(std::span<const int16_t> pcm16k, TimePoint start) {
  if (pcm16k.empty()) return;
  std::lock_guard lock(mutex_);
  if (!origin_) origin_ = start;
  Segment segment{index(start), std::vector<int16_t>(pcm16k.begin(), pcm16k.end())};
  // A new reply may start before the previous one's audio ran out: the new audio wins.
  while (!segments_.empty() && segments_.back().end() > segment.start) {
    Segment& last = segments_.back();
    if (last.start >= segment.start) {
      segments_.pop_back();
    } else {
      last.samples.resize(static_cast<size_t>(segment.start - last.start));
    }
  }
  segments_.push_back(std::move(segment));
  const int64_t horizon = segments_.back().end() - kKeptSamples;
  while (segments_.size() > 1 && segments_.front().end() < horizon) segments_.pop_front();
}

int64_t EchoReference::position(TimePoint at) const {
  std::lock_guard lock(mutex_);
  return origin_ ? index(at) : 0;
}

void EchoReference::read(int64_t first, std::span<int16_t> out) const {
  std::fill(out.begin(), out.end(), int16_t{0});
  std::lock_guard lock(mutex_);
  const int64_t last = first + static_cast<int64_t>(out.size());
  for (const auto& segment : segments_) {
    const int64_t from = std::max(first, segment.start);
    const int64_t to = std::min(last, segment.end());
    if (from >= to) continue;
    std::copy(segment.samples.begin() + (from - segment.start),
              segment.samples.begin() + (to - segment.start), out.begin() + (from - first));
  }
}

bool EchoReference::playing(TimePoint end, std::chrono::milliseconds window) const {
  std::lock_guard lock(mutex_);
  if (!origin_) return false;
  const int64_t last = index(end);
  const int64_t first = last - window.count() * kRate / 1000;
  return std::any_of(segments_.begin(), segments_.end(),
                     [&](const Segment& s) { return s.start < last && s.end() > first; });
}

}  // namespace tektra
