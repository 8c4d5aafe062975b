// VoiceSession requests in-process: manual turns, typed input, request errors, settings, truncation
// and the pacing of reply audio.
#include <gtest/gtest.h>

#include "core/error.h"
#include "pipeline/session_test_support.h"

namespace tektra::test {
namespace {

class VoiceSessionRequests : public VoiceSessionTest {};

Filter code(const std::string& c) {
  return [c](const Call& call) { return call.text == c; };
}

TEST_F(VoiceSessionRequests, ManualTurnsCommitAndRespondOnRequest) {
  Recorder& rec = recorder();
  auto session = open(rec, [](SessionSettings& s) { s.server_vad = false; });
  feed(*session, spoken(voices(), "what time is it", kSpeaker));
  feed(*session, silence_ms(300));
  session->commit_input("req-commit");
  session->create_response("req-create");

  auto completed = rec.wait_for(Kind::TranscriptCompleted, 20s);
  ASSERT_TRUE(completed) << rec.describe();
  EXPECT_EQ(completed->text, "what time is it");
  auto done = rec.wait_for(Kind::ResponseDone, 20s);
  ASSERT_TRUE(done) << rec.describe();
  EXPECT_EQ(done->status, ResponseStatus::Completed);
  EXPECT_EQ(done->text.rfind("It", 0), 0u) << done->text;
  auto calls = rec.calls();
  auto committed = of_kind(calls, Kind::InputCommitted);
  ASSERT_EQ(committed.size(), 1u);
  EXPECT_EQ(committed[0].item_id, completed->item_id);
  EXPECT_LT(index_of(calls, Kind::InputCommitted), index_of(calls, Kind::TranscriptCompleted));
  EXPECT_LT(index_of(calls, Kind::TranscriptCompleted), index_of(calls, Kind::ResponseStarted));
  EXPECT_TRUE(of_kind(calls, Kind::SpeechStarted).empty()) << "no server VAD in manual mode";
  EXPECT_TRUE(of_kind(calls, Kind::Error).empty()) << rec.describe();
  EXPECT_GT(audio_samples(calls, done->response_id), 0u);
}

TEST_F(VoiceSessionRequests, ManualCommitOfAnEmptyBufferIsAnErrorWithTheRequestId) {
  Recorder& rec = recorder();
  auto session = open(rec, [](SessionSettings& s) { s.server_vad = false; });
  session->commit_input("req-empty");
  auto error = rec.wait_for(Kind::Error, 10s);
  ASSERT_TRUE(error) << rec.describe();
  EXPECT_EQ(error->text, "input_audio_buffer_commit_empty");
  EXPECT_EQ(error->request_id, "req-empty");
  EXPECT_FALSE(error->message.empty());
  session->drain();
  EXPECT_FALSE(rec.wait_for(Kind::InputCommitted, 0ms));
}

TEST_F(VoiceSessionRequests, ManualClearDropsTheBufferedAudio) {
  Recorder& rec = recorder();
  auto session = open(rec, [](SessionSettings& s) { s.server_vad = false; });
  feed(*session, spoken(voices(), "what time is it", kSpeaker));
  session->clear_input();
  session->commit_input("req-after-clear");
  auto error = rec.wait_for(Kind::Error, 10s);
  ASSERT_TRUE(error) << rec.describe();
  EXPECT_EQ(error->text, "input_audio_buffer_commit_empty");
  EXPECT_EQ(error->request_id, "req-after-clear");
  auto calls = rec.calls();
  EXPECT_EQ(of_kind(calls, Kind::InputCleared).size(), 1u);
  EXPECT_LT(index_of(calls, Kind::InputCleared), index_of(calls, Kind::Error));

  // Audio appended after the clear is all that a commit transcribes.
  feed(*session, spoken(voices(), "what day is it today", kSpeaker));
  session->commit_input("req-2");
  auto completed = rec.wait_for(Kind::TranscriptCompleted, 20s);
  ASSERT_TRUE(completed) << rec.describe();
  EXPECT_EQ(completed->text, "what day is it today");
}

TEST_F(VoiceSessionRequests, TypedTextWithRespondGetsAnAnswer) {
  Recorder& rec = recorder();
  auto session = open(rec);
  session->add_user_text("what is 12 times 7", true);
  auto done = rec.wait_for(Kind::ResponseDone, 20s);
  ASSERT_TRUE(done) << rec.describe();
  EXPECT_EQ(done->status, ResponseStatus::Completed);
  EXPECT_NE(done->text.find("84"), std::string::npos) << done->text;
  EXPECT_EQ(done->text, response_text(rec.calls(), done->response_id));
  EXPECT_GT(audio_samples(rec.calls(), done->response_id), 0u);
  // Typed input is not a spoken turn.
  EXPECT_FALSE(rec.wait_for(Kind::TranscriptCompleted, 0ms));
  EXPECT_FALSE(rec.wait_for(Kind::Error, 0ms)) << rec.describe();

  // Text without respond is only remembered until a response is asked for.
  session->add_user_text("what is 2 plus 3", false);
  session->drain();
  EXPECT_EQ(of_kind(rec.calls(), Kind::ResponseStarted).size(), 1u);
  session->create_response();
  auto second = rec.wait_for(Kind::ResponseDone, 20s,
                             [&](const Call& c) { return c.response_id != done->response_id; });
  ASSERT_TRUE(second) << rec.describe();
  EXPECT_NE(second->text.find("5"), std::string::npos) << second->text;
}

TEST_F(VoiceSessionRequests, RequestsWithNothingToActOnReportErrorsWithTheirIds) {
  Recorder& rec = recorder();
  auto session = open(rec);
  session->create_response("req-nothing");
  session->cancel_response("req-cancel");
  ASSERT_TRUE(rec.wait_until([](const auto& calls) { return calls.size() >= 2; }, 10s))
      << rec.describe();
  auto calls = rec.calls();
  ASSERT_EQ(calls.size(), 2u) << rec.describe();
  EXPECT_EQ(calls[0].kind, Kind::Error);
  EXPECT_EQ(calls[0].text, "no_user_input");
  EXPECT_EQ(calls[0].request_id, "req-nothing");
  EXPECT_EQ(calls[1].kind, Kind::Error);
  EXPECT_EQ(calls[1].text, "response_cancel_not_active");
  EXPECT_EQ(calls[1].request_id, "req-cancel");

  // Once the input has been answered there is nothing left to answer or cancel.
  session->add_user_text("what is 12 times 7", true);
  auto done = rec.wait_for(Kind::ResponseDone, 20s);
  ASSERT_TRUE(done) << rec.describe();
  size_t mark = rec.size();
  session->create_response("req-again");
  session->cancel_response("req-late-cancel");
  auto again = rec.wait_for(Kind::Error, 10s, code("no_user_input"), mark);
  ASSERT_TRUE(again) << rec.describe();
  EXPECT_EQ(again->request_id, "req-again");
  auto late = rec.wait_for(Kind::Error, 10s, code("response_cancel_not_active"), mark);
  ASSERT_TRUE(late) << rec.describe();
  EXPECT_EQ(late->request_id, "req-late-cancel");
}

TEST_F(VoiceSessionRequests, CancelResponseStopsTheReply) {
  Recorder& rec = recorder();
  auto session = open(rec);
  session->add_user_text("help", true);
  auto audio = rec.wait_for(Kind::ResponseAudio, 20s);
  ASSERT_TRUE(audio) << rec.describe();
  session->cancel_response("req-cancel");
  auto done = rec.wait_done(audio->response_id, 10s);
  ASSERT_TRUE(done) << rec.describe();
  EXPECT_EQ(done->status, ResponseStatus::Cancelled);
  // The final text is what had been released when it stopped.
  EXPECT_EQ(done->text, response_text(rec.calls(), audio->response_id));
  EXPECT_FALSE(rec.wait_for(Kind::Error, 0ms)) << rec.describe();
  // Nothing more of it arrives (its audio would be due within a second of the cancel).
  size_t mark = rec.size();
  EXPECT_FALSE(rec.wait_for(Kind::ResponseAudio, 1500ms, {}, mark)) << rec.describe();
}

TEST_F(VoiceSessionRequests, UpdateWithAnUnknownVoiceThrowsAndChangesNothing) {
  Recorder& rec = recorder();
  auto session = open(rec);
  SessionSettings before = session->settings();
  SessionSettings bad = before;
  bad.voice = "no-such-voice";
  bad.output_sample_rate = 8000;
  bad.instructions = "be brief";
  bad.create_response = !before.create_response;
  try {
    session->update(bad);
    FAIL() << "update accepted an unknown voice";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "unknown_voice");
    EXPECT_NE(std::string(e.what()).find("no-such-voice"), std::string::npos) << e.what();
  }
  SessionSettings after = session->settings();
  EXPECT_EQ(after.voice, before.voice);
  EXPECT_EQ(after.output_sample_rate, before.output_sample_rate);
  EXPECT_EQ(after.instructions, before.instructions);
  EXPECT_EQ(after.create_response, before.create_response);
  EXPECT_EQ(after.server_vad, before.server_vad);
}

TEST_F(VoiceSessionRequests, UpdateChangesTheVoiceAndOutputRateOfLaterReplies) {
  ASSERT_TRUE(voices().has_voice("kal"));
  Recorder& rec = recorder();
  auto session = open(rec);
  const std::string question = "what is 12 times 7";
  session->add_user_text(question, true);
  auto first = rec.wait_for(Kind::ResponseDone, 20s);
  ASSERT_TRUE(first) << rec.describe();
  ASSERT_EQ(first->status, ResponseStatus::Completed);

  SessionSettings settings = session->settings();
  settings.voice = "kal";
  settings.output_sample_rate = 8000;
  session->update(settings);
  EXPECT_EQ(session->settings().voice, "kal");
  EXPECT_EQ(session->settings().output_sample_rate, 8000);
  session->add_user_text(question, true);
  auto second = rec.wait_for(Kind::ResponseDone, 20s,
                             [&](const Call& c) { return c.response_id != first->response_id; });
  ASSERT_TRUE(second) << rec.describe();
  ASSERT_EQ(second->status, ResponseStatus::Completed);
  ASSERT_EQ(second->text, first->text);

  auto calls = rec.calls();
  size_t at24k = audio_samples(calls, first->response_id);
  size_t at8k = audio_samples(calls, second->response_id);
  EXPECT_LT(at8k, at24k);
  // Each matches its voice and rate, less at most ~300 ms of trimmed leading silence.
  size_t full24k = full_samples(first->text, default_settings().voice, 24000);
  size_t full8k = full_samples(second->text, "kal", 8000);
  EXPECT_LE(at24k, full24k);
  EXPECT_GE(at24k + 24000 * 35 / 100, full24k);
  EXPECT_LE(at8k, full8k);
  EXPECT_GE(at8k + 8000 * 35 / 100, full8k);
  for (const auto& a : of_kind(calls, Kind::ResponseAudio, of_response(second->response_id)))
    EXPECT_LE(a.pcm.size(), 800u) << "100 ms pieces at 8 kHz";
}

TEST_F(VoiceSessionRequests, TruncateReportsHeardTextAndRejectsUnknownItems) {
  Recorder& rec = recorder();
  auto session = open(rec);
  session->add_user_text("help", true);
  auto done = rec.wait_for(Kind::ResponseDone, 60s);
  ASSERT_TRUE(done) << rec.describe();
  ASSERT_EQ(done->status, ResponseStatus::Completed);
  EXPECT_EQ(session->truncate(done->item_id, 0), std::optional<std::string>(""));
  EXPECT_EQ(session->truncate("item_unknown", 0), std::nullopt);
  EXPECT_EQ(session->truncate("item_unknown", 5000), std::nullopt);
  // Everything was heard by the end of the audio; part of it a moment after it began.
  size_t samples = audio_samples(rec.calls(), done->response_id);
  EXPECT_EQ(session->truncate(done->item_id, static_cast<int64_t>(samples / 24) + 1000),
            std::optional<std::string>(done->text));
  auto partly = session->truncate(done->item_id, 500);
  ASSERT_TRUE(partly);
  EXPECT_FALSE(partly->empty());
  EXPECT_LT(partly->size(), done->text.size());
  EXPECT_EQ(done->text.rfind(*partly, 0), 0u) << *partly;
}

TEST_F(VoiceSessionRequests, ReplyAudioIsPacedNotBurst) {
  Recorder& rec = recorder();
  auto session = open(rec);
  session->add_user_text("help", true);
  auto done = rec.wait_for(Kind::ResponseDone, 60s);
  ASSERT_TRUE(done) << rec.describe();
  ASSERT_EQ(done->status, ResponseStatus::Completed);
  auto audio = of_kind(rec.calls(), Kind::ResponseAudio, of_response(done->response_id));
  ASSERT_FALSE(audio.empty());
  constexpr double kRate = 24000.0;
  const double lead = std::chrono::duration<double>(services().playback_lead).count();
  const double slack = 0.25;
  double duration = 0;
  for (const auto& a : audio) duration += static_cast<double>(a.pcm.size()) / kRate;
  ASSERT_GT(duration, 3.0) << "the help reply should be several seconds long";

  // Spread over the audio's own duration, less the permitted lead and the last piece.
  double spread = seconds_between(audio.front().at, audio.back().at);
  EXPECT_GE(spread, duration - lead - 0.1 - slack) << "audio " << duration << " s";
  // And at no point further ahead of real time than the playback lead (plus one piece).
  double sent = 0;
  for (const auto& a : audio) {
    sent += static_cast<double>(a.pcm.size()) / kRate;
    double elapsed = seconds_between(audio.front().at, a.at);
    EXPECT_LE(sent, elapsed + lead + 0.1 + slack) << "ran ahead at " << elapsed << " s";
  }
  // Completion is reported with the last piece, not before it.
  EXPECT_GE(done->at, audio.back().at);
}

}  // namespace
}  // namespace tektra::test
