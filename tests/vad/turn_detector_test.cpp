// TurnDetector with the WebRTC VAD on real speech: turn boundaries, bursts, silence, noise,
// chunking, settings changes, reset, decision latency, and its cost.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <random>

#include "audio/resampler.h"
#include "audio/wav.h"
#include "core/error.h"
#include "support/fixtures.h"
#include "vad/vad.h"

namespace tektra {
namespace {

// These tests pin the turn logic down on WebRTC's detector, whose 10 ms decisions they time.
VadConfig webrtc() {
  VadConfig config;
  config.engine = "webrtc";
  return config;
}

using Kind = TurnEvent::Kind;

struct Observed {
  Kind kind;
  int64_t audio_ms;
  int64_t decided_ms;  // processed_ms() right after the push that produced the event
};

std::vector<Observed> run(TurnDetector& detector, const std::vector<int16_t>& pcm,
                          size_t chunk = 160) {
  std::vector<Observed> out;
  for (size_t pos = 0; pos < pcm.size(); pos += chunk) {
    auto part = std::span<const int16_t>(pcm).subspan(pos, std::min(chunk, pcm.size() - pos));
    for (const auto& event : detector.push(part)) {
      out.push_back({event.kind, event.audio_ms, detector.processed_ms()});
    }
  }
  return out;
}

std::vector<Observed> run(const std::vector<int16_t>& pcm, VadConfig config = webrtc(),
                          size_t chunk = 160) {
  TurnDetector detector(create_vad(config), TurnSettings::from(config));
  return run(detector, pcm, chunk);
}

std::vector<std::pair<Kind, int64_t>> positions(const std::vector<Observed>& events) {
  std::vector<std::pair<Kind, int64_t>> out;
  for (const auto& e : events) out.emplace_back(e.kind, e.audio_ms);
  return out;
}

std::vector<int16_t> with_silence(std::vector<int16_t> pcm, int before_ms, int after_ms) {
  pcm.insert(pcm.begin(), static_cast<size_t>(before_ms) * 16, 0);
  pcm.insert(pcm.end(), static_cast<size_t>(after_ms) * 16, 0);
  return pcm;
}

std::vector<int16_t> jfk() {
  return read_wav(test::fixture("jfk.wav")).samples;
}
std::vector<int16_t> goforward() {
  return read_raw_pcm16(test::fixture("goforward.raw"), 16000, 1).samples;
}

// Expects events to alternate start/stop with the given (start, stop) positions within tolerance.
void expect_turns(const std::vector<Observed>& events,
                  const std::vector<std::pair<int64_t, int64_t>>& turns, int64_t tolerance_ms) {
  ASSERT_EQ(events.size(), 2 * turns.size());
  for (size_t i = 0; i < turns.size(); ++i) {
    SCOPED_TRACE("turn " + std::to_string(i));
    EXPECT_EQ(events[2 * i].kind, Kind::SpeechStarted);
    EXPECT_EQ(events[2 * i + 1].kind, Kind::SpeechStopped);
    EXPECT_NEAR(events[2 * i].audio_ms, turns[i].first, tolerance_ms);
    EXPECT_NEAR(events[2 * i + 1].audio_ms, turns[i].second, tolerance_ms);
  }
}

TEST(TurnSettings, FromCopiesTheVadConfig) {
  VadConfig config = webrtc();
  config.threshold = 0.7;
  config.min_speech_ms = 200;
  config.silence_duration_ms = 800;
  config.prefix_padding_ms = 150;
  TurnSettings s = TurnSettings::from(config);
  EXPECT_EQ(s.threshold, 0.7);
  EXPECT_EQ(s.min_speech_ms, 200);
  EXPECT_EQ(s.silence_duration_ms, 800);
  EXPECT_EQ(s.prefix_padding_ms, 150);
}

TEST(TurnDetector, RequiresAVad) {
  try {
    TurnDetector detector(nullptr, TurnSettings{});
    FAIL() << "constructed without a VAD";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "invalid_config");
  }
}

TEST(TurnDetector, JfkSplitsIntoItsFourPhrasesWithTheDefaultHangover) {
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  // "And so, my fellow Americans, | ask not | what your country can do for you, | ask what you can
  // do for your country." The pauses (1.1 s, 1.0 s, 0.64 s) all exceed 500 ms. Speech begins at
  // about 0.3 s, but the recording's hiss is loud enough that the VAD already calls it speech from
  // 70 ms; and the applause that follows the last word keeps the final turn open until the file
  // ends at 11.0 s, so with trailing silence the last stop lands there rather than at ~10.4 s.
  auto events = run(with_silence(jfk(), 0, 1000));
  expect_turns(events, {{70, 2190}, {3290, 4410}, {5410, 7540}, {8180, 11010}}, 60);
  EXPECT_LT(events.front().audio_ms, 400);
}

TEST(TurnDetector, JfkWithoutTrailingSilenceEndsInsideATurn) {
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  TurnDetector detector(create_vad(webrtc()), TurnSettings{});
  auto events = run(detector, jfk());
  ASSERT_EQ(events.size(), 7u);
  EXPECT_EQ(events.back().kind, Kind::SpeechStarted);
  EXPECT_TRUE(detector.in_speech());
}

TEST(TurnDetector, LongHangoverKeepsJfkOneTurn) {
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  VadConfig config = webrtc();
  config.silence_duration_ms = 1200;
  auto events = run(with_silence(jfk(), 0, 2000), config);
  expect_turns(events, {{70, 11010}}, 60);
}

TEST(TurnDetector, GoforwardIsOneTurn) {
  TEKTRA_REQUIRE_FIXTURE("goforward.raw");
  auto events = run(with_silence(goforward(), 0, 1000));
  expect_turns(events, {{500, 2230}}, 60);
}

TEST(TurnDetector, StereoLampCommandAfterToMonoIsOneTurn) {
  TEKTRA_REQUIRE_FIXTURE("turn_on_the_living_room_lamp.wav");
  auto lamp = to_mono(read_wav(test::fixture("turn_on_the_living_room_lamp.wav")), 16000).samples;
  auto events = run(with_silence(lamp, 0, 1000));
  expect_turns(events, {{280, 1410}}, 60);
}

TEST(TurnDetector, OnsetIsDatedWhereSpeechBeginsNotWhereItWasDecided) {
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  // 1.3 s cut from the middle of "my fellow Americans", between two seconds of digital silence.
  auto speech = jfk();
  std::vector<int16_t> cut(speech.begin() + 11200, speech.begin() + 32000);
  auto events = run(with_silence(cut, 1000, 1000));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].audio_ms, 1000);  // the first 10 ms frame of speech, to the frame
  EXPECT_GE(events[0].decided_ms - events[0].audio_ms, 120);  // needed min_speech_ms first
  EXPECT_GE(events[1].audio_ms, 2290);                        // speech ends at 2300 ms
  EXPECT_LE(events[1].audio_ms, 2310);
}

TEST(TurnDetector, StopIsDecidedOneHangoverAfterTheLastVoicedFrame) {
  TEKTRA_REQUIRE_FIXTURE("goforward.raw");
  for (int hangover : {300, 500, 900}) {
    SCOPED_TRACE(hangover);
    VadConfig config = webrtc();
    config.silence_duration_ms = hangover;
    auto events = run(with_silence(goforward(), 0, 1500), config);
    ASSERT_EQ(events.size(), 2u);
    int64_t waited = events[1].decided_ms - events[1].audio_ms;
    EXPECT_GE(waited, hangover);
    EXPECT_LE(waited, hangover + 20);  // plus the smoothing window's half
  }
}

TEST(TurnDetector, SilenceAndQuietNoiseNeverStartATurn) {
  std::vector<int16_t> silence(5 * 16000, 0);
  std::mt19937 rng(11);
  std::normal_distribution<float> hiss(0, 30);
  std::vector<int16_t> noise(5 * 16000);
  for (auto& s : noise) s = static_cast<int16_t>(hiss(rng));
  for (int mode = 0; mode <= 3; ++mode) {
    SCOPED_TRACE(mode);
    VadConfig config = webrtc();
    config.aggressiveness = mode;
    TurnDetector detector(create_vad(config), TurnSettings::from(config));
    EXPECT_TRUE(run(detector, silence).empty());
    EXPECT_TRUE(run(detector, noise).empty());
    EXPECT_FALSE(detector.in_speech());
    EXPECT_EQ(detector.processed_ms(), 10000);
  }
}

// Half a second of either digital silence or quiet hiss with a burst at 0.5 s (+ offset).
std::vector<int16_t> burst(int ms, size_t offset, bool speech, bool hiss,
                           const std::vector<int16_t>& voice) {
  std::mt19937 rng(static_cast<unsigned>(ms * 31 + offset));
  std::normal_distribution<float> loud(0, 8000);
  std::normal_distribution<float> quiet(0, 30);
  std::vector<int16_t> pcm(32000, 0);
  if (hiss) {
    for (auto& s : pcm) s = static_cast<int16_t>(quiet(rng));
  }
  for (size_t i = 0; i < static_cast<size_t>(ms) * 16; ++i) {
    pcm[8000 + offset + i] =
        speech ? voice[16000 + i] : static_cast<int16_t>(std::clamp(loud(rng), -32768.f, 32767.f));
  }
  return pcm;
}

std::string fmt_trace(int mode, int ms, size_t offset, bool speech, bool hiss) {
  return "mode " + std::to_string(mode) + ", " + std::to_string(ms) + " ms of " +
         (speech ? "speech" : "loud noise") + " at +" + std::to_string(offset) + " samples" +
         (hiss ? " in hiss" : " in silence");
}

TEST(TurnDetector, BurstsShorterThanMinSpeechNeverStartATurn) {
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  auto voice = jfk();  // 1.0 s onwards is voiced ("fellow")
  for (int mode = 0; mode <= 3; ++mode) {
    VadConfig config = webrtc();
    config.aggressiveness = mode;
    for (int ms : {10, 30, 60, 100, 110}) {
      for (size_t offset : {0u, 80u}) {
        for (bool speech : {false, true}) {
          for (bool hiss : {false, true}) {
            SCOPED_TRACE(fmt_trace(mode, ms, offset, speech, hiss));
            EXPECT_TRUE(run(burst(ms, offset, speech, hiss, voice), config).empty());
          }
        }
      }
    }
    // The same speech, long enough, does start a turn: the bursts above were heard and rejected.
    SCOPED_TRACE(mode);
    auto longer = run(burst(250, 0, true, false, voice), config);
    ASSERT_EQ(longer.size(), 2u);
    EXPECT_NEAR(longer[0].audio_ms, 500, 20);
  }
}

TEST(TurnDetector, ChunkSizesThatAreNotWholeFramesGiveTheSameEvents) {
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  TEKTRA_REQUIRE_FIXTURE("goforward.raw");
  for (const auto& pcm : {with_silence(goforward(), 0, 1000), with_silence(jfk(), 0, 1000)}) {
    auto reference = positions(run(pcm, webrtc(), 160));
    ASSERT_FALSE(reference.empty());
    for (size_t chunk : {size_t{1}, size_t{37}, size_t{159}, size_t{161}, size_t{333}, size_t{480},
                         size_t{1601}, pcm.size()}) {
      SCOPED_TRACE(chunk);
      EXPECT_EQ(positions(run(pcm, webrtc(), chunk)), reference);
    }
    // Random chunk sizes, including empty ones.
    std::mt19937 rng(5);
    TurnDetector detector(create_vad(webrtc()), TurnSettings{});
    std::vector<std::pair<Kind, int64_t>> got;
    for (size_t pos = 0; pos < pcm.size();) {
      size_t n = std::min<size_t>(rng() % 700, pcm.size() - pos);
      for (const auto& e : detector.push(std::span<const int16_t>(pcm).subspan(pos, n)))
        got.emplace_back(e.kind, e.audio_ms);
      pos += n;
    }
    EXPECT_EQ(got, reference);
  }
}

TEST(TurnDetector, SettingsChangeAppliesMidStream) {
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  auto pcm = with_silence(jfk(), 0, 2000);
  TurnDetector detector(create_vad(webrtc()), TurnSettings{});
  std::span<const int16_t> all(pcm);
  auto first = detector.push(all.first(16000));  // 1 s: inside the first phrase
  ASSERT_EQ(first.size(), 1u);
  TurnSettings patient;
  patient.silence_duration_ms = 1500;  // longer than every pause in the speech
  detector.set_settings(patient);
  auto rest = detector.push(all.subspan(16000));
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].kind, Kind::SpeechStopped);
  EXPECT_NEAR(rest[0].audio_ms, 11010, 60);
}

TEST(TurnDetector, MinSpeechSettingGatesShortUtterances) {
  TEKTRA_REQUIRE_FIXTURE("goforward.raw");
  auto pcm = with_silence(goforward(), 0, 1000);
  TurnSettings strict;
  strict.min_speech_ms = 2500;  // longer than the whole command
  TurnDetector detector(create_vad(webrtc()), strict);
  EXPECT_TRUE(run(detector, pcm).empty());
  detector.reset();
  detector.set_settings(TurnSettings{});
  EXPECT_EQ(run(detector, pcm).size(), 2u);
}

TEST(TurnDetector, ResetStartsOverFromZero) {
  TEKTRA_REQUIRE_FIXTURE("goforward.raw");
  auto pcm = with_silence(goforward(), 0, 1000);
  TurnDetector detector(create_vad(webrtc()), TurnSettings{});
  auto first = positions(run(detector, pcm));
  // Stop mid-turn with a partial frame pending, then reset.
  detector.push(std::span<const int16_t>(pcm).first(16000 + 77));
  EXPECT_TRUE(detector.in_speech());
  detector.reset();
  EXPECT_FALSE(detector.in_speech());
  EXPECT_EQ(detector.processed_ms(), 0);
  EXPECT_EQ(positions(run(detector, pcm)), first);
}

TEST(TurnDetector, ProcessedMsCountsWholeFramesOnly) {
  TurnDetector detector(create_vad(webrtc()), TurnSettings{});
  std::vector<int16_t> pcm(1000, 0);
  std::span<const int16_t> all(pcm);
  detector.push(all.first(165));
  EXPECT_EQ(detector.processed_ms(), 10);
  detector.push(all.subspan(165, 155));
  EXPECT_EQ(detector.processed_ms(), 20);
  detector.push(all.subspan(320, 0));
  EXPECT_EQ(detector.processed_ms(), 20);
}

TEST(TurnDetector, CostOnJfkStaysIdenticalAcrossRuns) {
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  auto pcm = jfk();
  TurnDetector detector(create_vad(webrtc()), TurnSettings{});
  auto reference = positions(run(detector, pcm));
  constexpr int kRuns = 20;
  auto begin = std::chrono::steady_clock::now();
  for (int i = 0; i < kRuns; ++i) {
    detector.reset();
    ASSERT_EQ(positions(run(detector, pcm, 320)), reference);  // 20 ms chunks, as from a client
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  double audio_seconds = kRuns * static_cast<double>(pcm.size()) / 16000.0;
  double rtf = seconds / audio_seconds;
  std::cout << "[ MEASURE  ] WebRTC VAD + TurnDetector on jfk.wav: real-time factor " << rtf << " ("
            << 1e6 * seconds / (audio_seconds * 100) << " us per 10 ms frame)\n";
  RecordProperty("real_time_factor", std::to_string(rtf));
}

}  // namespace
}  // namespace tektra

namespace tektra {
namespace {

TEST(TurnDetector, EndTurnStopsEarlyAtTheLastVoicedFrame) {
  TEKTRA_REQUIRE_FIXTURE("goforward.raw");
  VadConfig config = webrtc();
  TurnDetector detector(create_vad(config), TurnSettings::from(config));
  EXPECT_FALSE(detector.end_turn());  // no turn open yet
  auto pcm = with_silence(goforward(), 0, 1500);
  // Feed until 200 ms of silence have followed the speech, then end the turn by hand.
  std::optional<TurnEvent> stopped;
  for (size_t pos = 0; pos < pcm.size() && !stopped; pos += 160) {
    for (const auto& e : detector.push(std::span<const int16_t>(pcm).subspan(pos, 160))) {
      ASSERT_EQ(e.kind, Kind::SpeechStarted);
    }
    if (detector.trailing_silence_ms() >= 200) stopped = detector.end_turn();
  }
  ASSERT_TRUE(stopped);
  EXPECT_EQ(stopped->kind, Kind::SpeechStopped);
  EXPECT_NEAR(stopped->audio_ms, 2230, 60);
  EXPECT_FALSE(detector.in_speech());
  EXPECT_EQ(detector.trailing_silence_ms(), 0);
  // The rest of the silence produces no second stop.
  for (size_t pos = 0; pos < 16000; pos += 160)
    EXPECT_TRUE(detector.push(std::vector<int16_t>(160, 0)).empty());
}

TEST(TurnDetector, AbandonTurnKeepsTheTimeline) {
  TEKTRA_REQUIRE_FIXTURE("goforward.raw");
  VadConfig config = webrtc();
  TurnDetector detector(create_vad(config), TurnSettings::from(config));
  auto pcm = goforward();
  auto first = run(detector, std::vector<int16_t>(pcm.begin(), pcm.begin() + 16000));
  ASSERT_EQ(first.size(), 1u);
  detector.abandon_turn();
  EXPECT_FALSE(detector.in_speech());
  EXPECT_EQ(detector.processed_ms(), 1000);
  auto rest = run(detector, with_silence(pcm, 0, 1000));
  ASSERT_FALSE(rest.empty());
  EXPECT_GT(rest[0].audio_ms, 1000);  // dated on the continuing timeline, not from zero
}

}  // namespace
}  // namespace tektra
