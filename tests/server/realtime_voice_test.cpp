// The voice loop over a real WebSocket: speech in, transcript, intent, spoken reply, barge-in.
#include <gtest/gtest.h>

#include "server/realtime_test_util.h"
#include "support/fixtures.h"
#include "support/speech.h"
#include "support/test_server.h"

namespace tektra::test {
namespace {

class RealtimeVoice : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new TestServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  VoiceCatalog& voices() { return server_->runtime().voices(); }
  uint16_t port() { return server_->port(); }
  static TestServer* server_;
};
TestServer* RealtimeVoice::server_ = nullptr;

TEST_F(RealtimeVoice, SpokenQuestionGetsTranscriptIntentAndSpokenAnswer) {
  RealtimeClient client("127.0.0.1", port());
  use_16k_input(client);
  stream_pcm16k(client, spoken(voices(), "what time is it"));
  stream_pcm16k(client, silence_ms(1000));

  auto started = client.wait_for("input_audio_buffer.speech_started", 5s);
  ASSERT_TRUE(started);
  EXPECT_GE(started->value("audio_start_ms", -1), 150);
  auto completed = client.wait_for("conversation.item.input_audio_transcription.completed", 10s);
  ASSERT_TRUE(completed);
  EXPECT_EQ(completed->value("transcript", ""), "what time is it");
  auto intent = client.wait_for("tektra.intent", 10s);
  ASSERT_TRUE(intent);
  EXPECT_EQ((*intent)["intent"], "GetTime");
  auto done = client.wait_for("response.done", 15s);
  ASSERT_TRUE(done);
  EXPECT_EQ((*done)["response"]["status"], "completed");
  std::string response_id = (*done)["response"]["id"];

  // Default output is PCM16 at 24 kHz: a short sentence is well over half a second of audio.
  EXPECT_GT(audio_samples(client, response_id), 24000u / 2);
  std::string transcript;
  for (const auto& e : events_of(client, "response.output_audio_transcript.delta"))
    transcript += e["delta"].get<std::string>();
  EXPECT_NE(transcript.find("It"), std::string::npos) << transcript;
  EXPECT_EQ((*done)["response"]["output"][0]["content"][0]["transcript"], transcript);

  auto latency = events_of(client, "tektra.latency");
  ASSERT_EQ(latency.size(), 1u);
  EXPECT_GT(latency[0]["voice_to_voice_ms"].get<double>(), 0);
  for (const char* order :
       {"input_audio_buffer.speech_stopped", "input_audio_buffer.committed", "response.created"}) {
    EXPECT_EQ(events_of(client, order).size(), 1u) << order;
  }
}

TEST_F(RealtimeVoice, TypedMessageGetsSpokenAnswer) {
  RealtimeClient client("127.0.0.1", port());
  ASSERT_TRUE(client.wait_for("session.created", 10s));
  client.send(user_text_event("what is 12 times 7"));
  client.send({{"type", "response.create"}});
  auto done = client.wait_for("response.done", 15s);
  ASSERT_TRUE(done);
  std::string text;
  for (const auto& e : events_of(client, "response.output_text.delta"))
    text += e["delta"].get<std::string>();
  EXPECT_NE(text.find("84"), std::string::npos) << text;
  EXPECT_GT(audio_samples(client, (*done)["response"]["id"]), 0u);
}

TEST_F(RealtimeVoice, BargeInCancelsTheReplyAndStopsItsAudio) {
  RealtimeClient client("127.0.0.1", port());
  use_16k_input(client);
  // This client hears no echo (a headset), so it turns the server's canceller off: with it on,
  // speech in the first 1.5 s of a session's first reply is taken for echo (docs/audio.md).
  client.send(
      {{"type", "session.update"}, {"session", {{"tektra", {{"echo_cancellation", false}}}}}});
  ASSERT_TRUE(client.wait_for("session.updated", 10s));
  // "help" produces a reply several sentences long, so it is still playing when the user speaks.
  client.send(user_text_event("help"));
  client.send({{"type", "response.create"}});
  auto first_audio = client.wait_for("response.output_audio.delta", 10s);
  ASSERT_TRUE(first_audio);
  std::string response_id = (*first_audio)["response_id"];

  stream_pcm16k(client, spoken(voices(), "what day is it today", "kal", 100));
  stream_pcm16k(client, silence_ms(1000));
  ASSERT_TRUE(client.wait_for("response.done", 10s));
  // Let anything still in flight arrive, then check the order of events for the first response.
  client.wait_for("never", 2s);
  auto history = client.history();
  int started_at = -1, cancelled_at = -1, last_audio_at = -1;
  for (int i = 0; i < static_cast<int>(history.size()); ++i) {
    const auto& e = history[static_cast<size_t>(i)];
    std::string type = e.value("type", "");
    if (type == "input_audio_buffer.speech_started" && started_at < 0) started_at = i;
    if (type == "response.done" && e["response"]["id"] == response_id) {
      EXPECT_EQ(e["response"]["status"], "cancelled");
      cancelled_at = i;
    }
    if (type == "response.output_audio.delta" && e["response_id"] == response_id) last_audio_at = i;
  }
  ASSERT_GE(started_at, 0);
  ASSERT_GT(cancelled_at, started_at);
  EXPECT_LT(last_audio_at, cancelled_at)
      << "audio of a cancelled response arrived after response.done";
  // The interrupted reply is cut short: far less audio than the whole help text.
  EXPECT_LT(audio_samples(client, response_id), 24000u * 8);
  // The user's new question is answered afterwards.
  auto transcripts = events_of(client, "conversation.item.input_audio_transcription.completed");
  ASSERT_FALSE(transcripts.empty());
  EXPECT_EQ(transcripts.back()["transcript"], "what day is it today");
}

TEST_F(RealtimeVoice, TruncateReportsWhatWasHeard) {
  RealtimeClient client("127.0.0.1", port());
  ASSERT_TRUE(client.wait_for("session.created", 10s));
  client.send(user_text_event("help"));
  client.send({{"type", "response.create"}});
  auto done = client.wait_for("response.done", 30s);
  ASSERT_TRUE(done);
  std::string item_id = (*done)["response"]["output"][0]["id"];
  client.send({{"type", "conversation.item.truncate"},
               {"item_id", item_id},
               {"content_index", 0},
               {"audio_end_ms", 0}});
  auto truncated = client.wait_for("conversation.item.truncated", 5s);
  ASSERT_TRUE(truncated);
  EXPECT_EQ((*truncated)["transcript"], "");
  client.send({{"type", "conversation.item.truncate"},
               {"item_id", item_id},
               {"content_index", 0},
               {"audio_end_ms", 1500}});
  truncated = client.wait_for("conversation.item.truncated", 5s);
  ASSERT_TRUE(truncated);
  std::string heard = (*truncated)["transcript"];
  EXPECT_FALSE(heard.empty());
  EXPECT_LT(heard.size(),
            (*done)["response"]["output"][0]["content"][0]["transcript"].get<std::string>().size());
}

TEST_F(RealtimeVoice, ManualTurnsWithMuLawAudio) {
  RealtimeClient client("127.0.0.1", port());
  ASSERT_TRUE(client.wait_for("session.created", 10s));
  client.send({{"type", "session.update"},
               {"session",
                {{"input_audio_format", "g711_ulaw"},
                 {"output_audio_format", "g711_ulaw"},
                 {"turn_detection", nullptr}}}});
  auto updated = client.wait_for("session.updated", 5s);
  ASSERT_TRUE(updated);
  EXPECT_TRUE((*updated)["session"]["turn_detection"].is_null());
  EXPECT_EQ((*updated)["session"]["output_audio_format"], "g711_ulaw");

  auto pcm8k = resample(spoken(voices(), "what time is it"), 16000, 8000);
  auto ulaw = encode_audio(pcm8k, AudioEncoding::Mulaw);
  for (size_t pos = 0; pos < ulaw.size(); pos += 160) {
    size_t n = std::min<size_t>(160, ulaw.size() - pos);
    client.send(
        {{"type", "input_audio_buffer.append"}, {"audio", base64_encode({ulaw.data() + pos, n})}});
  }
  client.send({{"type", "input_audio_buffer.commit"}});
  client.send({{"type", "response.create"}});
  auto completed = client.wait_for("conversation.item.input_audio_transcription.completed", 10s);
  ASSERT_TRUE(completed);
  EXPECT_EQ((*completed)["transcript"], "what time is it");
  auto done = client.wait_for("response.done", 15s);
  ASSERT_TRUE(done);
  // mu-law is one byte per sample at 8 kHz.
  size_t bytes = 0;
  for (const auto& e : events_of(client, "response.output_audio.delta"))
    bytes += base64_decode(e["delta"].get<std::string>())->size();
  EXPECT_GT(bytes, 8000u / 2);
  EXPECT_TRUE(events_of(client, "input_audio_buffer.speech_started").empty())
      << "no server VAD in manual mode";
}

TEST_F(RealtimeVoice, TimerFiresOnTheSessionThatSetIt) {
  RealtimeClient client("127.0.0.1", port());
  ASSERT_TRUE(client.wait_for("session.created", 10s));
  client.send(user_text_event("set a timer for 2 seconds"));
  client.send({{"type", "response.create"}});
  ASSERT_TRUE(client.wait_for("response.done", 15s));
  auto fired = client.wait_for("tektra.timer.fired", 10s);
  ASSERT_TRUE(fired);
  auto announcement = client.wait_for("response.done", 15s);
  ASSERT_TRUE(announcement);
  std::string said = (*announcement)["response"]["output"][0]["content"][0]["transcript"];
  EXPECT_NE(said.find("timer"), std::string::npos) << said;
}

TEST_F(RealtimeVoice, RealSpeechFromFixturesIsTranscribed) {
  TEKTRA_REQUIRE_FIXTURE("turn_on_the_living_room_lamp.wav");
  RealtimeClient client("127.0.0.1", port());
  ASSERT_TRUE(client.wait_for("session.created", 10s));  // default input: PCM16 at 24 kHz
  AudioBuffer wav = read_wav(fixture("turn_on_the_living_room_lamp.wav"));
  auto pcm24k = to_mono(wav, 24000).samples;
  pcm24k.insert(pcm24k.end(), 24000, 0);
  auto start = std::chrono::steady_clock::now();
  for (size_t pos = 0, i = 0; pos < pcm24k.size(); pos += 480, ++i) {
    std::this_thread::sleep_until(start + i * 20ms);
    client.send(append_event(
        std::span<const int16_t>(pcm24k).subspan(pos, std::min<size_t>(480, pcm24k.size() - pos))));
  }
  auto completed = client.wait_for("conversation.item.input_audio_transcription.completed", 10s);
  ASSERT_TRUE(completed);
  std::string transcript = (*completed)["transcript"];
  // Not an intent Tektra has; the free-form decoder must still hear some of the words.
  int hits = 0;
  for (const char* w : {"turn", "on", "the", "living", "room", "lamp"})
    hits += transcript.find(w) != std::string::npos;
  EXPECT_GE(hits, 3) << transcript;
  auto done = client.wait_for("response.done", 15s);
  ASSERT_TRUE(done);
}

}  // namespace
}  // namespace tektra::test
