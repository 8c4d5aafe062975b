// Adaptive jitter buffer for network audio: packets in as they arrive, one frame out per playout
// tick, 16 kHz mono int16.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "audio/packet_loss_concealment.h"

namespace tektra {

struct JitterBufferSettings {
  int frame_ms = 20;  // 10 or 20
  // The playout delay follows the jitter seen (the 97th percentile of the recent packets' transit
  // time above the fastest one) within these bounds.
  int min_delay_ms = 40;
  int max_delay_ms = 200;
  ConcealmentMethod concealment = ConcealmentMethod::kPitch;
};

struct JitterBufferStats {
  uint64_t received = 0;    // packets pushed, duplicates and late ones included
  uint64_t played = 0;      // real frames played
  uint64_t late = 0;        // arrived after their playout time, dropped
  uint64_t lost = 0;        // sequence numbers played as concealment because they had not come
  uint64_t concealed = 0;   // frames synthesized: the lost ones and those that grew the delay
  uint64_t duplicates = 0;  // dropped
  uint64_t skipped = 0;     // real frames dropped to shrink the delay
  int target_delay_ms = 0;
  int buffered_ms = 0;  // frames waiting to be played
};

// Packets carry an RTP-style 16-bit sequence number that wraps, one per frame period (the sender
// sends continuously: no discontinuous transmission). Times are the caller's milliseconds, so the
// buffer has no clock of its own. Storage is a ring of frames allocated once. Not thread-safe.
class JitterBuffer {
 public:
  static constexpr int kRate = 16000;

  explicit JitterBuffer(JitterBufferSettings settings = {});  // Error("invalid_value")

  // A packet of exactly one frame; Error("invalid_audio") otherwise.
  void push(uint16_t seq, int64_t arrival_ms, std::span<const int16_t> pcm);

  // The frame to play now: called once per frame period. Silence until the first packet has
  // waited the target delay, then the next frame in sequence, or a concealed one when it is
  // missing. The span form writes into `out` (one frame) and allocates nothing.
  std::vector<int16_t> pop(int64_t now_ms);
  void pop(int64_t now_ms, std::span<int16_t> out);

  JitterBufferStats stats() const;
  size_t frame_samples() const { return frame_; }

 private:
  enum class State : uint8_t { kEmpty, kQueued, kPlayed, kMissed };
  struct Slot {
    int64_t seq = -1;
    State state = State::kEmpty;
  };

  int64_t unwrap(uint16_t seq);
  Slot& slot(int64_t seq) { return slots_[static_cast<size_t>(seq % int64_t(slots_.size()))]; }
  std::span<int16_t> pcm(int64_t seq);
  bool queued(int64_t seq) const;
  void observe_transit(int64_t seq, int64_t arrival_ms);
  void restart();
  void conceal_missing(std::span<int16_t> out);

  JitterBufferSettings settings_;
  size_t frame_;
  std::vector<Slot> slots_;
  std::vector<int16_t> storage_;  // one frame per slot
  PacketLossConcealer concealer_;

  bool receiving_ = false;  // a packet has come since the start or a restart
  bool playing_ = false;
  int64_t highest_ = 0;  // unwrapped sequence numbers
  int64_t next_ = 0;
  size_t queued_ = 0;

  // Transit times (arrival minus the frame's place in the stream) of the recent packets.
  std::vector<int64_t> transits_, sorted_;
  size_t transit_count_ = 0, transit_at_ = 0;
  int64_t fastest_transit_ = 0;
  double target_ms_;

  JitterBufferStats stats_;
};

}  // namespace tektra
