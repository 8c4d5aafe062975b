// The jitter buffer against real speech sent in order, out of order, twice and across the sequence
// number wrap, and against synthetic network traces with uniform and bursty jitter.
#include "audio/jitter_buffer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <unordered_map>

#include "audio/resampler.h"
#include "audio/wav.h"
#include "support/fixtures.h"
#include "support/thrown.h"

namespace tektra {
namespace {

constexpr int kRate = 16000;
constexpr int64_t kTransitMs = 30;  // the network's delay without jitter

struct Packet {
  uint16_t seq;
  int64_t arrival_ms;
  size_t frame;  // index into the frames sent
};

std::vector<std::vector<int16_t>> speech_frames(int frame_ms) {
  const auto audio = to_mono(read_wav(test::fixture("jfk.wav")), kRate).samples;
  const size_t size = size_t(frame_ms * kRate / 1000);
  std::vector<std::vector<int16_t>> frames;
  for (size_t at = 0; at + size <= audio.size(); at += size)
    frames.emplace_back(audio.begin() + ptrdiff_t(at), audio.begin() + ptrdiff_t(at + size));
  return frames;
}

// Frames sent every frame_ms from time 0, arriving kTransitMs plus `jitter_ms[i]` later.
std::vector<Packet> send(size_t count, int frame_ms, uint16_t first_seq,
                         const std::vector<int64_t>& jitter_ms = {}) {
  std::vector<Packet> packets;
  for (size_t i = 0; i < count; ++i) {
    const int64_t jitter = i < jitter_ms.size() ? jitter_ms[i] : 0;
    packets.push_back({uint16_t(first_seq + i), int64_t(i) * frame_ms + kTransitMs + jitter, i});
  }
  return packets;
}

// Pushes each packet when it arrives and pops a frame every frame_ms from time 0, until all are
// played or `pops` were made.
std::vector<std::vector<int16_t>> run(JitterBuffer& buffer, std::vector<Packet> packets,
                                      const std::vector<std::vector<int16_t>>& frames, int frame_ms,
                                      size_t pops) {
  std::stable_sort(packets.begin(), packets.end(),
                   [](const Packet& a, const Packet& b) { return a.arrival_ms < b.arrival_ms; });
  std::vector<std::vector<int16_t>> out;
  size_t next = 0;
  for (size_t k = 0; k < pops; ++k) {
    const int64_t now = int64_t(k) * frame_ms;
    for (; next < packets.size() && packets[next].arrival_ms <= now; ++next)
      buffer.push(packets[next].seq, packets[next].arrival_ms, frames[packets[next].frame]);
    out.push_back(buffer.pop(now));
    if (next == packets.size() && buffer.stats().buffered_ms == 0) break;  // all played
  }
  return out;
}

// The output, once the leading silence of the initial delay is skipped, is the input exactly.
// Returns that delay in frames.
size_t expect_plays_back_exactly(const std::vector<std::vector<int16_t>>& out,
                                 const std::vector<std::vector<int16_t>>& frames) {
  EXPECT_GE(out.size(), frames.size());
  if (out.size() < frames.size()) return 0;
  const size_t lead = out.size() - frames.size();
  for (size_t k = 0; k < lead; ++k)
    EXPECT_TRUE(std::all_of(out[k].begin(), out[k].end(), [](int16_t s) { return s == 0; })) << k;
  for (size_t k = 0; k < frames.size(); ++k) {
    EXPECT_EQ(out[lead + k], frames[k]) << "frame " << k;
    if (out[lead + k] != frames[k]) break;
  }
  return lead;
}

size_t pops_for(size_t frames) {
  return frames + 100;
}

TEST(JitterBuffer, InOrderStreamPlaysBackBitExactAfterTheInitialDelay) {
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  for (int frame_ms : {10, 20}) {
    const auto frames = speech_frames(frame_ms);
    JitterBuffer buffer({.frame_ms = frame_ms});
    const auto out =
        run(buffer, send(frames.size(), frame_ms, 1000), frames, frame_ms, pops_for(frames.size()));
    const size_t lead = expect_plays_back_exactly(out, frames);
    // Played from the first pop at least 40 ms after the first packet came.
    EXPECT_EQ(int64_t(lead) * frame_ms, (kTransitMs + 40 + frame_ms - 1) / frame_ms * frame_ms);
    const auto stats = buffer.stats();
    EXPECT_EQ(stats.played, frames.size());
    EXPECT_EQ(stats.lost + stats.late + stats.concealed + stats.duplicates + stats.skipped, 0u);
    EXPECT_EQ(stats.target_delay_ms, 40);
  }
}

TEST(JitterBuffer, ReorderedWithinTheTargetDelayPlaysBackExactly) {
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  const auto frames = speech_frames(20);
  auto packets = send(frames.size(), 20, 7);
  // Every fourth packet overtaken by the next one, every tenth by the next two.
  for (size_t i = 0; i < packets.size(); i += 4) packets[i].arrival_ms += 25;
  for (size_t i = 1; i < packets.size(); i += 10) packets[i].arrival_ms += 35;
  JitterBuffer buffer({.frame_ms = 20});
  const auto out = run(buffer, packets, frames, 20, pops_for(frames.size()));
  expect_plays_back_exactly(out, frames);
  EXPECT_EQ(buffer.stats().late, 0u);
  EXPECT_EQ(buffer.stats().concealed, 0u);
}

TEST(JitterBuffer, DuplicatesAreDropped) {
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  const auto frames = speech_frames(20);
  auto packets = send(frames.size(), 20, 300);
  const size_t sent = packets.size();
  for (size_t i = 0; i < sent; i += 7) {
    packets.push_back(packets[i]);  // at once
    packets.back().arrival_ms += 1;
    packets.push_back(packets[i]);  // after it was played
    packets.back().arrival_ms += 100;
  }
  JitterBuffer buffer({.frame_ms = 20});
  const auto out = run(buffer, packets, frames, 20, pops_for(frames.size()));
  expect_plays_back_exactly(out, frames);
  const auto stats = buffer.stats();
  EXPECT_EQ(stats.duplicates, 2 * ((sent + 6) / 7));
  EXPECT_EQ(stats.late, 0u);
  EXPECT_EQ(stats.played, frames.size());
}

TEST(JitterBuffer, SequenceNumbersWrapAround) {
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  const auto frames = speech_frames(20);
  auto packets = send(frames.size(), 20, 65500);
  // 65535 and 0 arrive the wrong way round.
  packets[35].arrival_ms += 25;
  ASSERT_EQ(packets[35].seq, 65535);
  JitterBuffer buffer({.frame_ms = 20});
  const auto out = run(buffer, packets, frames, 20, pops_for(frames.size()));
  expect_plays_back_exactly(out, frames);
  EXPECT_EQ(buffer.stats().late + buffer.stats().lost, 0u);
}

TEST(JitterBuffer, AFrameAfterItsPlayoutTimeIsLateAndConcealed) {
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  const auto frames = speech_frames(20);
  auto packets = send(frames.size(), 20, 0);
  packets[100].arrival_ms += 300;
  JitterBuffer buffer({.frame_ms = 20});
  const auto out = run(buffer, packets, frames, 20, pops_for(frames.size()));
  const auto stats = buffer.stats();
  EXPECT_EQ(stats.late, 1u);
  EXPECT_EQ(stats.lost, 1u);
  EXPECT_EQ(stats.played, frames.size() - 1);
  // The frames before the loss are untouched.
  const size_t lead = out.size() - frames.size();
  for (size_t k = 0; k < 100; ++k) ASSERT_EQ(out[lead + k], frames[k]) << k;
}

TEST(JitterBuffer, TargetDelayRisesWithJitterAndFallsSlowlyAfter) {
  const int frame_ms = 20;
  std::vector<std::vector<int16_t>> frames(1, std::vector<int16_t>(320, 100));
  JitterBuffer buffer({.frame_ms = frame_ms});
  std::mt19937 random(5);
  std::uniform_int_distribution<int64_t> jitter(0, 150);
  int64_t now = 0;
  uint16_t seq = 0;
  const auto stream = [&](int seconds, bool jittery) {
    for (int i = 0; i < seconds * 1000 / frame_ms; ++i, ++seq, now += frame_ms) {
      buffer.push(seq, now + (jittery ? jitter(random) : 0), frames[0]);
      buffer.pop(now);
    }
  };
  stream(5, false);
  EXPECT_EQ(buffer.stats().target_delay_ms, 40);
  stream(1, true);
  const int raised = buffer.stats().target_delay_ms;
  stream(5, false);
  const int while_remembered = buffer.stats().target_delay_ms;
  stream(20, false);
  const int settled = buffer.stats().target_delay_ms;
  std::printf(
      "[ MEASURE  ] target delay: 40 ms, %d ms after 1 s of 0-150 ms jitter, %d ms 5 s "
      "later, %d ms after 25 s\n",
      raised, while_remembered, settled);
  EXPECT_GE(raised, 120);
  EXPECT_LE(raised, 200);
  EXPECT_GE(while_remembered, 100);
  EXPECT_LE(settled, 45);
}

struct TraceResult {
  double late_percent, p95_jitter_ms, mean_added_ms, p95_added_ms;
  size_t reordered;
  JitterBufferStats stats;
};

double percentile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, size_t(q * double(values.size())))];
}

// Noise frames, not speech: each frame's content names it, so the test can tell which one played.
TraceResult run_trace(int frame_ms, const std::vector<int64_t>& jitter_ms,
                      const std::vector<bool>& lost) {
  const size_t size = size_t(frame_ms * kRate / 1000);
  std::mt19937 random(99);
  std::uniform_int_distribution<int> noise(-8000, 8000);
  std::vector<std::vector<int16_t>> frames(jitter_ms.size(), std::vector<int16_t>(size));
  std::unordered_map<uint64_t, size_t> names;
  const auto name = [&](const std::vector<int16_t>& f) {
    uint64_t key = 0;
    for (size_t i = size - 4; i < size; ++i) key = key << 16 | uint16_t(f[i]);
    return key;
  };
  for (size_t i = 0; i < frames.size(); ++i) {
    for (auto& s : frames[i]) s = int16_t(noise(random));
    names[name(frames[i])] = i;
  }
  std::vector<Packet> packets, all = send(frames.size(), frame_ms, 40000, jitter_ms);
  std::vector<double> jitters;
  for (size_t i = 0; i < all.size(); ++i) {
    if (lost[i]) continue;
    packets.push_back(all[i]);
    jitters.push_back(double(jitter_ms[i]));
  }
  TraceResult result{};
  for (size_t i = 1; i < packets.size(); ++i)
    result.reordered += packets[i].arrival_ms < packets[i - 1].arrival_ms;

  JitterBuffer buffer({.frame_ms = frame_ms});
  const auto out = run(buffer, packets, frames, frame_ms, frames.size() + 300 / size_t(frame_ms));
  std::vector<double> added;
  for (size_t k = 0; k < out.size(); ++k) {
    auto it = names.find(name(out[k]));
    if (it == names.end()) continue;
    added.push_back(double(int64_t(k) * frame_ms - (int64_t(it->second) * frame_ms + kTransitMs)));
  }
  result.stats = buffer.stats();
  result.late_percent = 100.0 * double(result.stats.late) / double(packets.size());
  result.p95_jitter_ms = percentile(jitters, 0.95);
  result.mean_added_ms = 0;
  for (double a : added) result.mean_added_ms += a / double(added.size());
  result.p95_added_ms = percentile(added, 0.95);
  return result;
}

void report(const char* trace, int frame_ms, const TraceResult& r) {
  std::printf(
      "[ MEASURE  ] %s, %d ms frames: late %.2f %%, added delay mean %.1f ms p95 %.1f ms "
      "(jitter p95 %.1f ms), target %d ms, %zu reordered, %llu lost, %llu skipped\n",
      trace, frame_ms, r.late_percent, r.mean_added_ms, r.p95_added_ms, r.p95_jitter_ms,
      r.stats.target_delay_ms, r.reordered, (unsigned long long)r.stats.lost,
      (unsigned long long)r.stats.skipped);
}

TEST(JitterBuffer, UniformJitterUpTo120Ms) {
  for (int frame_ms : {10, 20}) {
    const size_t count = size_t(60000 / frame_ms);
    std::mt19937 random(21);
    std::uniform_int_distribution<int64_t> jitter(0, 120);
    std::vector<int64_t> jitter_ms(count);
    for (auto& j : jitter_ms) j = jitter(random);
    const auto r = run_trace(frame_ms, jitter_ms, std::vector<bool>(count, false));
    report("uniform 0-120 ms jitter", frame_ms, r);
    EXPECT_LE(r.late_percent, 1.0);
    EXPECT_LE(r.mean_added_ms, r.p95_jitter_ms + 20);
  }
}

// Gilbert-Elliott: calm spells with a little jitter, congested ones (a sixth of the time, 10
// packets long on average) with a lot; 5 % of packets lost independently.
TEST(JitterBuffer, BurstyJitterWithLossAndReordering) {
  for (int frame_ms : {10, 20}) {
    const size_t count = size_t(60000 / frame_ms);
    std::mt19937 random(31);
    std::bernoulli_distribution congest(0.02), recover(0.1), drop(0.05);
    std::uniform_int_distribution<int64_t> calm(0, 10), congested(50, 100);
    std::vector<int64_t> jitter_ms(count);
    std::vector<bool> lost(count);
    bool congested_now = false;
    for (size_t i = 0; i < count; ++i) {
      congested_now = congested_now ? !recover(random) : congest(random);
      jitter_ms[i] = congested_now ? congested(random) : calm(random);
      lost[i] = drop(random);
    }
    const auto r = run_trace(frame_ms, jitter_ms, lost);
    report("bursty jitter, 5 % loss", frame_ms, r);
    EXPECT_GT(r.reordered, 0u);
    EXPECT_LE(r.late_percent, 1.0);
    EXPECT_LE(r.mean_added_ms, r.p95_jitter_ms + 20);
  }
}

TEST(JitterBuffer, WrongFramesAndSettingsAreClearErrors) {
  EXPECT_EQ(test::thrown_code([] { JitterBuffer({.frame_ms = 15}); }), "invalid_value");
  EXPECT_EQ(test::thrown_code([] { JitterBuffer({.min_delay_ms = 300}); }), "invalid_value");
  JitterBuffer buffer({.frame_ms = 10});
  std::vector<int16_t> ten_ms(160), twenty_ms(320);
  EXPECT_EQ(test::thrown_code([&] { buffer.push(0, 0, twenty_ms); }), "invalid_audio");
  EXPECT_EQ(test::thrown_code([&] { buffer.pop(0, twenty_ms); }), "invalid_audio");
  buffer.push(0, 0, ten_ms);
  EXPECT_EQ(buffer.pop(0).size(), 160u);
}

}  // namespace
}  // namespace tektra
