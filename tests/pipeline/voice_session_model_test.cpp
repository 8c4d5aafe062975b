// A voice session whose agent has a language model: a spoken question no intent matches reaches
// the model, its reply is spoken sentence by sentence while it is still writing, and barge-in
// stops the model. The model is scripted at the engine boundary, paced like a real one.
#include <gtest/gtest.h>

#include "pipeline/session_test_support.h"
#include "support/scripted_chat_engine.h"

namespace tektra::test {
namespace {

// Short, because reply audio is paced in real time and the test waits for all of it.
constexpr const char* kStory =
    "A small dragon lived by the sea. It counted the boats every morning. One day it carried "
    "the sailors home.";

class VoiceSessionModel : public VoiceSessionTest {
 protected:
  // A session whose agent answers through `model`; the rest is the shared runtime's.
  std::shared_ptr<VoiceSession> open_with_model(Recorder& rec) {
    AgentConfig config = runtime().config().agent;
    agent_ = std::make_unique<Agent>(runtime().store(), runtime().services().bus, config, &model);
    SessionServices s = services();
    auto session =
        VoiceSession::create(SessionServices{*agent_, s.recognizer, s.voices, s.pool, s.replies,
                                             s.timers, s.bus, s.metrics, s.vad},
                             default_settings(), rec);
    sessions_.push_back(session);
    return session;
  }
  void TearDown() override {
    VoiceSessionTest::TearDown();
    agent_.reset();
  }

  ScriptedChatEngine model;
  std::unique_ptr<Agent> agent_;
};

TEST_F(VoiceSessionModel, ASpokenQuestionIsAnsweredByTheModelAndSpeechStartsBeforeItFinishes) {
  model.piece_delay = std::chrono::milliseconds(20);  // ~ 50 tokens/s, 26 pieces: ~0.5 s
  model.add(kStory);
  Recorder& rec = recorder();
  auto session = open_with_model(rec);
  feed(*session, spoken(voices(), "tell me a story about a dragon", kSpeaker));
  feed(*session, silence_ms(1000));
  auto done = rec.wait_for(Kind::ResponseDone, 60s);
  ASSERT_TRUE(done) << rec.describe();
  EXPECT_EQ(done->status, ResponseStatus::Completed);
  auto calls = rec.calls();
  EXPECT_EQ(model.calls(), 1u) << rec.describe();
  EXPECT_EQ(response_text(calls, done->response_id), kStory);

  auto intent = rec.wait_event("tektra.intent", 1s);
  ASSERT_TRUE(intent);
  EXPECT_EQ(intent->data["from_model"], true);
  auto timing = rec.wait_event("tektra.model_timing", 1s);
  ASSERT_TRUE(timing) << rec.describe();
  const double first_token = timing->data["model_first_token_ms"];
  const double first_audio = timing->data["first_audio_ms"];
  const double last_token = timing->data["model_last_token_ms"];
  EXPECT_LE(first_token, first_audio);
  EXPECT_LT(first_audio, last_token) << "the first sentence is spoken while the model writes";
  // Voice-to-voice counts the model's first sentence, not its whole reply.
  auto latency = rec.wait_event("tektra.latency", 1s);
  ASSERT_TRUE(latency);
  EXPECT_LT(latency->data["agent_ms"].get<double>(), last_token);
}

TEST_F(VoiceSessionModel, BargeInStopsTheModelWithinAToken) {
  model.piece_delay = std::chrono::milliseconds(40);
  model.piece_bytes = 4;
  std::string long_story;
  for (int i = 0; i < 20; ++i) long_story += kStory + std::string(" ");
  model.add(long_story);
  Recorder& rec = recorder();
  auto session = open_with_model(rec);
  session->add_user_text("tell me a very long story", /*respond=*/true);
  ASSERT_TRUE(rec.wait_for(Kind::ResponseAudio, 30s)) << rec.describe();
  const size_t written = model.pieces_streamed;
  session->cancel_response();
  auto done = rec.wait_for(Kind::ResponseDone, 5s);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, ResponseStatus::Cancelled);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_LE(model.pieces_streamed, written + 1) << "the model stops at its next token";
  const std::string conversation = session->conversation_id();
  ASSERT_FALSE(conversation.empty());
  auto messages = runtime().store().messages(conversation);
  ASSERT_GE(messages.size(), 2u);
  const Message& reply = messages.back();
  EXPECT_EQ(reply.role, "assistant");
  EXPECT_EQ(reply.meta["cancelled"], true);
  EXPECT_LT(reply.text.size(), long_story.size() / 2);
  EXPECT_TRUE(long_story.starts_with(reply.text));
}

}  // namespace
}  // namespace tektra::test
