// A session whose own reply comes back into the microphone through a room, as from a laptop's
// speaker: with echo cancellation the assistant does not interrupt itself; without it, it does.
#include <gtest/gtest.h>

#include "audio/resampler.h"
#include "audio/synthetic_room.h"
#include "pipeline/session_test_support.h"
#include "stt/word_error_rate.h"
#include "support/fixtures.h"

namespace tektra::test {
namespace {

// With Silero, the product's voice activity detector (WebRTC's also fires on what little echo
// the canceller leaves).
class VoiceSessionEcho : public VoiceSessionTest {
 protected:
  static void SetUpTestSuite() {
    start_runtime([](Config& c) {
      const auto weights = fixture("silero_vad_v6.2.onnx");
      if (std::filesystem::exists(weights)) c.vad.model = weights.string();
    });
  }
  void SetUp() override { TEKTRA_REQUIRE_FIXTURE("silero_vad_v6.2.onnx"); }
};

// A client that plays the reply audio as it arrives, in order, without gaps, in a room whose echo
// reaches the microphone `kDelayMs` later. Feeds the microphone in real time until the reply ends
// or `limit` passes.
constexpr int kDelayMs = 120;

void play_reply_into_microphone(VoiceSession& session, Recorder& rec, const std::string& reply,
                                std::chrono::seconds limit, const std::vector<int16_t>& user = {},
                                std::chrono::milliseconds user_at = 0ms) {
  const auto room = room_impulse_response(kDelayMs, 100, 5);
  const auto start = SteadyClock::now();
  const auto user_start = static_cast<size_t>(user_at.count() * 16);
  std::vector<float> played;  // what the loudspeaker played, on the client's sample clock
  size_t pieces_taken = 0;
  std::vector<int16_t> reply_audio;  // at 16 kHz, as received
  for (int step = 1; SteadyClock::now() - start < limit; ++step) {
    std::this_thread::sleep_until(start + step * 20ms);
    const auto audio = of_kind(rec.calls(), Kind::ResponseAudio, of_response(reply));
    for (; pieces_taken < audio.size(); ++pieces_taken) {
      const auto piece = resample(audio[pieces_taken].pcm, 24000, 16000);
      reply_audio.insert(reply_audio.end(), piece.begin(), piece.end());
    }
    // The client's sound card: what real time has passed is played and recorded, however late
    // this thread woke. The microphone records the room's echo of everything played so far.
    const size_t first = played.size();
    const auto due = static_cast<size_t>(seconds_between(start, SteadyClock::now()) * 16000);
    for (size_t n = first; n < due; ++n)
      played.push_back(n < reply_audio.size() ? float(reply_audio[n]) : 0.0f);
    std::vector<float> mic(played.size() - first, 0.0f);
    for (size_t i = 0; i < mic.size(); ++i) {
      const size_t n = first + i;
      for (size_t k = 0; k < room.size() && k <= n; ++k) mic[i] += room[k] * played[n - k];
      // The user's own voice, from `user_at` on, over the echo.
      if (n >= user_start && n - user_start < user.size()) mic[i] += user[n - user_start];
    }
    session.append_audio(to_pcm(mic));
    if (played.size() >= user_start + user.size() && rec.wait_done(reply, 0ms)) return;
  }
}

std::vector<Call> speech_started(Recorder& rec) {
  return of_kind(rec.calls(), Kind::SpeechStarted);
}

TEST_F(VoiceSessionEcho, WithEchoCancellationTheReplyPlaysOutOverItsOwnEcho) {
  Recorder& rec = recorder();
  auto session = open(rec, [](SessionSettings& s) {
    ASSERT_TRUE(s.front_end.echo_cancellation) << "on by default";
  });
  session->add_user_text("help", true);  // several sentences
  auto first = rec.wait_for(Kind::ResponseAudio, 20s);
  ASSERT_TRUE(first) << rec.describe();
  play_reply_into_microphone(*session, rec, first->response_id, 30s);
  auto done = rec.wait_done(first->response_id, 0ms);
  ASSERT_TRUE(done) << rec.describe();
  EXPECT_EQ(done->status, ResponseStatus::Completed) << rec.describe();
  EXPECT_TRUE(speech_started(rec).empty()) << "the assistant heard itself: " << rec.describe();
}

TEST_F(VoiceSessionEcho, TheUsersVoiceOverTheEchoInterruptsAndIsUnderstood) {
  Recorder& rec = recorder();
  auto session = open(rec);
  session->add_user_text("help", true);
  auto first = rec.wait_for(Kind::ResponseAudio, 20s);
  ASSERT_TRUE(first) << rec.describe();
  const auto question =
      concat(spoken(voices(), "what day is it today", kSpeaker, 100), silence_ms(1500));
  play_reply_into_microphone(*session, rec, first->response_id, 12s, question, 4000ms);
  auto done = rec.wait_done(first->response_id, 0ms);
  ASSERT_TRUE(done) << rec.describe();
  EXPECT_EQ(done->status, ResponseStatus::Cancelled) << rec.describe();
  const auto started = speech_started(rec);
  ASSERT_EQ(started.size(), 1u) << rec.describe();
  // Heard where the user's voice begins: 4 s into the microphone stream plus the silence the
  // synthesised question opens with. The canceller takes some of its first syllable.
  const int64_t onset = 4000 + first_audible_ms(question);
  EXPECT_GE(started[0].audio_ms, onset - 100);
  EXPECT_LE(started[0].audio_ms, onset + 200);
  auto transcript = rec.wait_for(Kind::TranscriptCompleted, 10s);
  ASSERT_TRUE(transcript) << rec.describe();
  // The recogniser hears speexdsp's output, which keeps the user's voice, though not every word
  // survives the echo (`tektra bench audio` measures the word error rate over 30 trials).
  EXPECT_LE(word_error_rate("what day is it today", transcript->text), 0.6) << transcript->text;
}

TEST_F(VoiceSessionEcho, WithoutItTheEchoInterruptsTheReply) {
  Recorder& rec = recorder();
  auto session = open(rec, [](SessionSettings& s) { s.front_end.echo_cancellation = false; });
  session->add_user_text("help", true);
  auto first = rec.wait_for(Kind::ResponseAudio, 20s);
  ASSERT_TRUE(first) << rec.describe();
  play_reply_into_microphone(*session, rec, first->response_id, 30s);
  auto done = rec.wait_done(first->response_id, 5s);
  ASSERT_TRUE(done) << rec.describe();
  EXPECT_EQ(done->status, ResponseStatus::Cancelled) << "the echo should have barged in";
  EXPECT_FALSE(speech_started(rec).empty());
}

}  // namespace
}  // namespace tektra::test
