// AudioFrontEnd: the reply placed on the wall clock comes back through a room into microphone
// chunks of any size, and the front-end takes it out; settings switch it off and on.
#include "audio/audio_front_end.h"

#include <gtest/gtest.h>

#include "audio/echo_room.h"
#include "audio/synthetic_room.h"
#include "support/fixtures.h"
#include "support/thrown.h"

namespace tektra {
namespace {

using std::chrono::microseconds;

// Plays `reply` from t0 and feeds the microphone (the reply's echo `delay_ms` later) in chunks
// of `chunk` samples arriving in real time; returns what the front-end let through.
std::vector<int16_t> run(AudioFrontEnd& front_end, const std::vector<int16_t>& reply,
                         const std::vector<int16_t>& mic, size_t chunk) {
  const TimePoint t0 = SteadyClock::now();
  front_end.reference().play(reply, t0);
  std::vector<int16_t> out;
  for (size_t at = 0; at < mic.size(); at += chunk) {
    const size_t n = std::min(chunk, mic.size() - at);
    const auto arrived = t0 + microseconds((at + n) * 1'000'000 / 16000);
    const auto cleaned = front_end.process(std::span<const int16_t>(mic).subspan(at, n), arrived);
    out.insert(out.end(), cleaned.begin(), cleaned.end());
  }
  return out;
}

struct Echo {
  std::vector<int16_t> reply, mic;
};

Echo echo(int delay_ms) {
  const auto reply = test::speech("jfk.wav", 11.0);
  return {to_pcm(reply), to_pcm(convolve(reply, room_impulse_response(delay_ms, 150, 3)))};
}

TEST(AudioFrontEnd, TakesTheReplysEchoOutOfMicrophoneChunksOfAnySize) {
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  const auto [reply, mic] = echo(120);
  for (const char* engine : {"speex", "webrtc"}) {
    for (size_t chunk : {size_t{160}, size_t{333}, size_t{1600}}) {
      AudioConfig config;
      config.echo_canceller = engine;
      AudioFrontEnd front_end(front_end_settings(config));
      const auto out = run(front_end, reply, mic, chunk);
      EXPECT_GE(out.size() + 160, mic.size()) << "at most a partial frame is held back";
      const double erle = erle_db(mic, out, 3.0, double(out.size()) / 16000);
      std::printf(
          "[ MEASURE  ] front-end %s, %zu-sample chunks, echo 120 ms: ERLE %.1f dB, delay "
          "estimate %.0f ms\n",
          engine, chunk, erle, front_end.echo_delay_ms().value_or(-1));
      EXPECT_GT(erle, 15) << engine << " " << chunk;
      ASSERT_TRUE(front_end.echo_delay_ms()) << engine << " " << chunk;
      EXPECT_NEAR(*front_end.echo_delay_ms(), 120, 15) << engine << " " << chunk;
    }
  }
}

TEST(AudioFrontEnd, TheRecogniserHearsMoreOfTheUserDuringDoubleTalk) {
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  TEKTRA_REQUIRE_FIXTURE("sense_and_sensibility_01_austen_64kb-0880.wav");
  auto [reply, mic] = echo(120);
  const auto user = test::speech("sense_and_sensibility_01_austen_64kb-0880.wav", 3.0);
  const size_t at = 5 * 16000;  // after the canceller has settled
  std::vector<float> mixed(mic.begin(), mic.end());
  std::vector<int16_t> clean(mic.size(), 0);
  for (size_t i = 0; i < user.size(); ++i) {
    mixed[at + i] += user[i];
    clean[at + i] = static_cast<int16_t>(user[i]);
  }
  AudioFrontEnd front_end(front_end_settings(AudioConfig{}));  // webrtc, speex for recognition
  ASSERT_EQ(front_end.settings().recognition_engine, "speex");
  const TimePoint t0 = SteadyClock::now();
  front_end.reference().play(reply, t0);
  const auto noisy = to_pcm(mixed);
  std::vector<int16_t> turns, recognition;
  for (size_t i = 0; i + 320 <= noisy.size(); i += 320) {
    const auto out = front_end.process(std::span<const int16_t>(noisy).subspan(i, 320),
                                       t0 + microseconds((i + 320) * 1'000'000 / 16000));
    turns.insert(turns.end(), out.begin(), out.end());
    const auto& heard = front_end.for_recognition();
    ASSERT_EQ(heard.size(), out.size());
    recognition.insert(recognition.end(), heard.begin(), heard.end());
  }
  // How much of the user's voice each keeps: WebRTC's suppressor takes most of it.
  auto kept = [&](const std::vector<int16_t>& out) {
    return energy(std::span(out).subspan(at, user.size())) /
           energy(std::span<const int16_t>(clean).subspan(at, user.size()));
  };
  std::printf(
      "[ MEASURE  ] double talk: %.0f %% of the user's energy kept for turn detection "
      "(webrtc), %.0f %% for recognition (speex)\n",
      100 * kept(turns), 100 * kept(recognition));
  EXPECT_GT(kept(recognition), 2 * kept(turns));
  EXPECT_GT(test::correlation(recognition, clean, at, user.size()), 0.6);
}

TEST(AudioFrontEnd, OffPassesTheMicrophoneThroughUntouched) {
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  const auto [reply, mic] = echo(120);
  AudioConfig config;
  config.echo_canceller = "off";
  AudioFrontEnd front_end(front_end_settings(config));
  EXPECT_EQ(run(front_end, reply, mic, 333), mic);
  EXPECT_TRUE(front_end.for_recognition().size() <= 333);
}

TEST(AudioFrontEnd, NoiseSuppressionAloneLeavesTheEchoIn) {
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  const auto [reply, mic] = echo(120);
  AudioConfig config;
  config.echo_canceller = "off";
  config.noise_suppression = "moderate";
  AudioFrontEnd front_end(front_end_settings(config));
  const auto out = run(front_end, reply, mic, 320);
  EXPECT_LT(erle_db(mic, out, 3.0, 10.0), 6) << "the echo is speech to a noise suppressor";
}

TEST(AudioFrontEnd, UpdateSwitchesEchoCancellationOnAndOff) {
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  const auto [reply, mic] = echo(120);
  AudioConfig config;
  config.echo_canceller = "off";
  AudioFrontEnd front_end(front_end_settings(config));
  config.echo_canceller = "speex";
  front_end.update(front_end_settings(config));
  EXPECT_GT(erle_db(mic, run(front_end, reply, mic, 320), 3.0, 10.0), 15);
}

TEST(AudioFrontEnd, BadSettingsAreClearErrors) {
  AudioConfig config;
  config.echo_canceller = "acme";
  EXPECT_EQ(test::thrown_code([&] { front_end_settings(config); }), "invalid_config");
  config.echo_canceller = "speex";
  config.noise_suppression = "loud";
  EXPECT_EQ(test::thrown_code([&] { front_end_settings(config); }), "invalid_config");
  EXPECT_EQ(test::thrown_code([] { noise_suppression_named("extreme"); }), "invalid_value");
}

}  // namespace
}  // namespace tektra
