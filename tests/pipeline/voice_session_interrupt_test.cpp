// VoiceSession while a reply is running, in-process: barge-in, close(), timer announcements and
// inputs that arrive before a reply has read its own.
#include <gtest/gtest.h>

#include "pipeline/session_test_support.h"

namespace tektra::test {
namespace {

class VoiceSessionInterruptions : public VoiceSessionTest {};

// Two responses' [started, done] spans in call order do not overlap.
void expect_no_overlapping_responses(const std::vector<Call>& calls) {
  std::string active;
  for (const auto& c : calls) {
    if (c.kind == Kind::ResponseStarted) {
      EXPECT_EQ(active, "") << c.response_id << " started while " << active << " was running";
      active = c.response_id;
    } else if (c.kind == Kind::ResponseDone && c.response_id == active) {
      active.clear();
    } else if (c.kind == Kind::ResponseText || c.kind == Kind::ResponseAudio) {
      EXPECT_EQ(c.response_id, active) << kind_name(c.kind) << " outside its response";
    }
  }
}

TEST_F(VoiceSessionInterruptions, BargeInCancelsTheReplyInTheSameStep) {
  Recorder& rec = recorder();
  auto session = open(rec);
  // "help" is several sentences long, so it is still playing when the user speaks.
  session->add_user_text("help", true);
  auto first_audio = rec.wait_for(Kind::ResponseAudio, 20s);
  ASSERT_TRUE(first_audio) << rec.describe();
  const std::string reply = first_audio->response_id;

  feed(*session, spoken(voices(), "what day is it today", kSpeaker, 100), /*real_time=*/true);
  feed(*session, silence_ms(1000), /*real_time=*/true);
  auto cancelled = rec.wait_done(reply, 10s);
  ASSERT_TRUE(cancelled) << rec.describe();
  EXPECT_EQ(cancelled->status, ResponseStatus::Cancelled);
  auto answer =
      rec.wait_for(Kind::ResponseDone, 20s, [&](const Call& c) { return c.response_id != reply; });
  ASSERT_TRUE(answer) << rec.describe();
  EXPECT_EQ(answer->status, ResponseStatus::Completed);

  auto calls = rec.calls();
  SCOPED_TRACE(rec.describe());
  int started = index_of(calls, Kind::SpeechStarted);
  int done = index_of(calls, Kind::ResponseDone, of_response(reply));
  ASSERT_GE(started, 0);
  ASSERT_GT(done, started) << "the reply ended before the user spoke; the test proves nothing";
  // Nothing but partial transcripts between the user's speech and the cancellation.
  for (int i = started + 1; i < done; ++i) {
    EXPECT_EQ(calls[static_cast<size_t>(i)].kind, Kind::Partial)
        << "call " << i << " (" << kind_name(calls[static_cast<size_t>(i)].kind)
        << ") between speech_started and the cancellation";
  }
  // Nothing of the cancelled reply after it.
  EXPECT_LT(last_index_of(calls, Kind::ResponseAudio, of_response(reply)), done);
  EXPECT_LT(last_index_of(calls, Kind::ResponseText, of_response(reply)), done);
  EXPECT_EQ(cancelled->text, response_text(calls, reply));
  // Cut short: far less than the whole help text.
  EXPECT_LT(audio_samples(calls, reply), 24000u * 4);
  // The question is heard and answered.
  auto transcript = rec.wait_for(Kind::TranscriptCompleted, 0ms);
  ASSERT_TRUE(transcript);
  EXPECT_EQ(transcript->text, "what day is it today");
  expect_no_overlapping_responses(calls);
}

TEST_F(VoiceSessionInterruptions, WithoutInterruptResponseTheReplyPlaysOut) {
  Recorder& rec = recorder();
  auto session = open(rec, [](SessionSettings& s) { s.interrupt_response = false; });
  session->add_user_text("help", true);
  auto first_audio = rec.wait_for(Kind::ResponseAudio, 20s);
  ASSERT_TRUE(first_audio) << rec.describe();
  const std::string reply = first_audio->response_id;

  feed(*session, spoken(voices(), "what day is it today", kSpeaker, 100), /*real_time=*/true);
  feed(*session, silence_ms(1000), /*real_time=*/true);
  auto transcript = rec.wait_for(Kind::TranscriptCompleted, 20s);
  ASSERT_TRUE(transcript) << rec.describe();
  EXPECT_EQ(transcript->text, "what day is it today");
  auto done = rec.wait_done(reply, 60s);
  ASSERT_TRUE(done) << rec.describe();
  EXPECT_EQ(done->status, ResponseStatus::Completed) << rec.describe();

  auto calls = rec.calls();
  ASSERT_LT(index_of(calls, Kind::SpeechStarted), index_of(calls, Kind::ResponseDone))
      << "the reply ended before the user spoke; the test proves nothing";
  // The whole reply was delivered.
  size_t expected = 0;
  for (const auto& t : of_kind(calls, Kind::ResponseText, of_response(reply))) {
    std::string sentence = t.text.front() == ' ' ? t.text.substr(1) : t.text;
    expected += full_samples(sentence, default_settings().voice, 24000);
  }
  EXPECT_EQ(done->text, response_text(calls, reply));
  EXPECT_GE(audio_samples(calls, reply) + 24000 * 35 / 100, expected);
  EXPECT_TRUE(of_kind(calls, Kind::ResponseDone, [](const Call& c) {
                return c.status == ResponseStatus::Cancelled;
              }).empty());
  expect_no_overlapping_responses(calls);
}

// With interrupt_response off the user's question waits for the reply instead of cutting it off,
// and is answered once the reply is over; the user never asked for anything to fail.
TEST_F(VoiceSessionInterruptions, WithoutInterruptResponseTheQuestionIsAnsweredAfterTheReply) {
  Recorder& rec = recorder();
  auto session = open(rec, [](SessionSettings& s) { s.interrupt_response = false; });
  session->add_user_text("help", true);
  auto first_audio = rec.wait_for(Kind::ResponseAudio, 20s);
  ASSERT_TRUE(first_audio) << rec.describe();
  const std::string reply = first_audio->response_id;
  feed(*session, spoken(voices(), "what day is it today", kSpeaker, 100), /*real_time=*/true);
  feed(*session, silence_ms(1000), /*real_time=*/true);
  auto transcript = rec.wait_for(Kind::TranscriptCompleted, 20s);
  ASSERT_TRUE(transcript) << rec.describe();
  ASSERT_EQ(transcript->text, "what day is it today");
  auto done = rec.wait_done(reply, 60s);
  ASSERT_TRUE(done) << rec.describe();
  ASSERT_LT(index_of(rec.calls(), Kind::TranscriptCompleted),
            index_of(rec.calls(), Kind::ResponseDone))
      << "the reply ended before the question; the test proves nothing";

  auto answer =
      rec.wait_for(Kind::ResponseDone, 20s, [&](const Call& c) { return c.response_id != reply; });
  auto calls = rec.calls();
  SCOPED_TRACE(rec.describe());
  EXPECT_TRUE(of_kind(calls, Kind::Error).empty()) << "an error for a request nobody made";
  ASSERT_TRUE(answer) << "the user's question was never answered";
  EXPECT_EQ(answer->status, ResponseStatus::Completed);
  EXPECT_EQ(answer->text.rfind("Today is", 0), 0u) << answer->text;
  expect_no_overlapping_responses(calls);
}

// Once a response is reported done (here: cancelled before its agent step finished), nothing
// more about it reaches the observer.
TEST_F(VoiceSessionInterruptions, NothingAboutACancelledResponseFollowsItsDone) {
  Recorder& rec = recorder();
  auto session = open(rec);
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(testing::Message() << "round " << round);
    size_t mark = rec.size();
    session->add_user_text("help", true);
    session->cancel_response("req-cancel");
    auto started = rec.wait_for(Kind::ResponseStarted, 20s, {}, mark);
    ASSERT_TRUE(started) << rec.describe();
    auto cancelled = rec.wait_done(started->response_id, 20s);
    ASSERT_TRUE(cancelled) << rec.describe();
    EXPECT_EQ(cancelled->status, ResponseStatus::Cancelled);
    // A later reply, run on the same pool after the cancelled one, marks the end of its work.
    session->add_user_text("what is 12 times 7", true);
    auto next = rec.wait_for(
        Kind::ResponseDone, 20s,
        [&](const Call& c) { return c.response_id != started->response_id; }, mark);
    ASSERT_TRUE(next) << rec.describe();
    auto calls = rec.calls();
    int done_at = index_of(calls, Kind::ResponseDone, of_response(started->response_id), mark);
    for (size_t i = static_cast<size_t>(done_at) + 1; i < calls.size(); ++i) {
      const Call& c = calls[i];
      bool about_it = c.response_id == started->response_id ||
                      (c.kind == Kind::Event && c.data.value("item_id", "") == started->item_id);
      EXPECT_FALSE(about_it) << "call " << i << " (" << kind_name(c.kind) << " " << c.text
                             << ") after the response was done\n"
                             << rec.describe();
    }
  }
}

// Where close() lands in the life of a reply.
enum class ClosePoint {
  AtOnce,
  ResponseStarted,
  FirstAudio,
  SecondSentence,
  MidUtterance,
  EndOfTurn
};

TEST_F(VoiceSessionInterruptions, CloseSilencesTheObserverAtAnyPoint) {
  const ClosePoint points[] = {ClosePoint::AtOnce,       ClosePoint::ResponseStarted,
                               ClosePoint::FirstAudio,   ClosePoint::SecondSentence,
                               ClosePoint::MidUtterance, ClosePoint::EndOfTurn};
  auto speech = spoken(voices(), "what time is it", kSpeaker);
  for (int round = 0; round < 2; ++round) {
    for (ClosePoint point : points) {
      SCOPED_TRACE(testing::Message() << "round " << round << " point " << static_cast<int>(point));
      auto rec = std::make_unique<Recorder>();
      auto session = VoiceSession::create(services(), default_settings(), *rec);
      switch (point) {
        case ClosePoint::AtOnce:
          session->add_user_text("help", true);
          break;
        case ClosePoint::ResponseStarted:
          session->add_user_text("help", true);
          ASSERT_TRUE(rec->wait_for(Kind::ResponseStarted, 20s)) << rec->describe();
          break;
        case ClosePoint::FirstAudio:
          session->add_user_text("help", true);
          ASSERT_TRUE(rec->wait_for(Kind::ResponseAudio, 20s)) << rec->describe();
          break;
        case ClosePoint::SecondSentence:
          session->add_user_text("help", true);
          ASSERT_TRUE(rec->wait_until(
              [](const auto& calls) { return of_kind(calls, Kind::ResponseText).size() >= 2; },
              30s))
              << rec->describe();
          break;
        case ClosePoint::MidUtterance:
          feed(*session, std::span<const int16_t>(speech).first(speech.size() * 2 / 3));
          ASSERT_TRUE(rec->wait_for(Kind::SpeechStarted, 20s)) << rec->describe();
          break;
        case ClosePoint::EndOfTurn:
          feed(*session, speech);
          feed(*session, silence_ms(1000));
          ASSERT_TRUE(rec->wait_for(Kind::SpeechStopped, 20s)) << rec->describe();
          break;
      }
      session->close();
      rec->seal();
      size_t at_close = rec->size();
      EXPECT_EQ(rec->overlapping_calls(), 0);
      // Requests after close are ignored quietly.
      session->add_user_text("what time is it", true);
      session->append_audio(silence_ms(100));
      session->cancel_response("late");
      session->close();
      if (round == 0) {
        // Keep the observer and watch: queued work and paced audio would arrive within this.
        EXPECT_FALSE(
            rec->wait_until([&](const auto& calls) { return calls.size() > at_close; }, 1500ms))
            << rec->describe();
        EXPECT_EQ(rec->late_calls(), 0);
      }
      // Round 1 destroys the observer at once, as a transport does when its connection ends.
      rec.reset();
      session.reset();
    }
  }
}

TEST_F(VoiceSessionInterruptions, TimerSetByTextFiresAndIsAnnounced) {
  Recorder& rec = recorder();
  auto session = open(rec);
  session->add_user_text("set a timer for 1 second", true);
  auto fired = rec.wait_event("tektra.timer.fired", 20s);
  ASSERT_TRUE(fired) << rec.describe();
  auto calls = rec.calls();
  auto first = of_kind(calls, Kind::ResponseStarted);
  ASSERT_FALSE(first.empty());
  const std::string set_reply = first[0].response_id;
  auto announcement = rec.wait_for(Kind::ResponseDone, 20s, [&](const Call& c) {
    return c.response_id != set_reply && c.status == ResponseStatus::Completed;
  });
  ASSERT_TRUE(announcement) << rec.describe();
  EXPECT_NE(announcement->text.find("timer"), std::string::npos) << announcement->text;
  EXPECT_EQ(announcement->text, fired->data.value("message", ""));
  EXPECT_DOUBLE_EQ(fired->data.value("duration_s", 0.0), 1.0);

  calls = rec.calls();
  SCOPED_TRACE(rec.describe());
  auto set_done = rec.wait_done(set_reply, 0ms);
  ASSERT_TRUE(set_done);
  EXPECT_EQ(set_done->status, ResponseStatus::Completed);
  EXPECT_GT(audio_samples(calls, announcement->response_id), 0u);
  EXPECT_LT(
      index_of(calls, Kind::Event, [](const Call& c) { return c.text == "tektra.timer.fired"; }),
      index_of(calls, Kind::ResponseStarted, of_response(announcement->response_id)));
  EXPECT_TRUE(of_kind(calls, Kind::Error).empty());
  expect_no_overlapping_responses(calls);
}

TEST_F(VoiceSessionInterruptions, TimerAnnouncementWaitsForTheReplyInProgress) {
  Recorder& rec = recorder();
  auto session = open(rec);
  session->add_user_text("set a timer for 3 seconds", true);
  auto set_done = rec.wait_for(Kind::ResponseDone, 20s);
  ASSERT_TRUE(set_done) << rec.describe();
  ASSERT_FALSE(rec.wait_event("tektra.timer.fired", 0ms)) << "fired before the long reply began";
  // A long reply that is still playing when the timer fires.
  size_t mark = rec.size();
  session->add_user_text("help", true);
  auto help = rec.wait_for(Kind::ResponseStarted, 20s, {}, mark);
  ASSERT_TRUE(help) << rec.describe();
  auto fired = rec.wait_event("tektra.timer.fired", 20s);
  ASSERT_TRUE(fired) << rec.describe();
  auto help_done = rec.wait_done(help->response_id, 60s);
  ASSERT_TRUE(help_done) << rec.describe();
  auto announcement = rec.wait_for(Kind::ResponseDone, 20s, [&](const Call& c) {
    return c.response_id != help->response_id && c.response_id != set_done->response_id;
  });
  ASSERT_TRUE(announcement) << rec.describe();

  auto calls = rec.calls();
  SCOPED_TRACE(rec.describe());
  int fired_at =
      index_of(calls, Kind::Event, [](const Call& c) { return c.text == "tektra.timer.fired"; });
  int help_done_at = index_of(calls, Kind::ResponseDone, of_response(help->response_id));
  ASSERT_LT(fired_at, help_done_at) << "the help reply was over before the timer fired";
  // The reply was not cut short and the announcement came after it, whole.
  EXPECT_EQ(help_done->status, ResponseStatus::Completed);
  EXPECT_EQ(announcement->status, ResponseStatus::Completed);
  EXPECT_EQ(announcement->text, fired->data.value("message", ""));
  EXPECT_NE(announcement->text.find("timer"), std::string::npos) << announcement->text;
  EXPECT_GT(index_of(calls, Kind::ResponseStarted, of_response(announcement->response_id)),
            help_done_at);
  EXPECT_TRUE(of_kind(calls, Kind::Error).empty());
  expect_no_overlapping_responses(calls);
}

// A timer that fires while the user is asking something: the announcement is made and the
// question is still answered.
TEST_F(VoiceSessionInterruptions, TimerFiringWhileTheUserSpeaksDoesNotLoseTheQuestion) {
  Recorder& rec = recorder();
  auto session = open(rec);
  session->add_user_text("set a timer for 3 seconds", true);
  auto set_done = rec.wait_for(Kind::ResponseDone, 20s);
  ASSERT_TRUE(set_done) << rec.describe();
  ASSERT_FALSE(rec.wait_event("tektra.timer.fired", 0ms)) << rec.describe();
  // About 2.5 s of speech starting now: the timer fires in the middle of it.
  auto speech = spoken(voices(), "what is 12 times 7", kSpeaker, 300);
  feed(*session, speech, /*real_time=*/true);
  feed(*session, silence_ms(1000), /*real_time=*/true);
  ASSERT_TRUE(rec.wait_event("tektra.timer.fired", 20s)) << rec.describe();
  auto transcript = rec.wait_for(Kind::TranscriptCompleted, 20s);
  ASSERT_TRUE(transcript) << rec.describe();
  ASSERT_EQ(transcript->text, "what is twelve times seven");
  {
    auto calls = rec.calls();
    int fired_at =
        index_of(calls, Kind::Event, [](const Call& c) { return c.text == "tektra.timer.fired"; });
    ASSERT_GT(fired_at, index_of(calls, Kind::SpeechStarted)) << rec.describe();
    ASSERT_LT(fired_at, index_of(calls, Kind::TranscriptCompleted))
        << "the timer fired after the question; the test proves nothing\n"
        << rec.describe();
  }
  auto announced = rec.wait_for(Kind::ResponseDone, 30s, [](const Call& c) {
    return c.status == ResponseStatus::Completed &&
           c.text.find("timer is done") != std::string::npos;
  });
  auto answer = rec.wait_for(Kind::ResponseDone, 15s,
                             [](const Call& c) { return c.text.find("84") != std::string::npos; });
  auto calls = rec.calls();
  SCOPED_TRACE(rec.describe());
  EXPECT_TRUE(answer) << "the question asked while the timer fired was never answered";
  EXPECT_TRUE(announced) << "the timer was never announced";
  EXPECT_TRUE(of_kind(calls, Kind::Error).empty()) << "an error for a request nobody made";
  expect_no_overlapping_responses(calls);
}

// A reply answers the input it was created for, even when more input arrives before the reply
// has started working on it.
TEST_F(VoiceSessionInterruptions, ReplyAnswersTheInputItWasCreatedFor) {
  Recorder& rec = recorder();
  auto session = open(rec);
  for (int round = 0; round < 6; ++round) {
    SCOPED_TRACE(testing::Message() << "round " << round);
    size_t mark = rec.size();
    session->add_user_text("what is 12 times 7", true);
    session->add_user_text("what time is it", false);  // for a later response
    auto intent = rec.wait_event("tektra.intent", 20s, mark);
    ASSERT_TRUE(intent) << rec.describe();
    EXPECT_EQ(intent->data.value("intent", ""), "Calculate") << rec.describe();
    auto started = rec.wait_for(Kind::ResponseStarted, 0ms, {}, mark);
    ASSERT_TRUE(started);
    session->cancel_response();
    ASSERT_TRUE(rec.wait_done(started->response_id, 20s)) << rec.describe();
    session->drain();
  }
}

}  // namespace
}  // namespace tektra::test
