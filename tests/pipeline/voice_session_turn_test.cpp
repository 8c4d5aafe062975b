// VoiceSession input side in-process: turn detection, partial and final transcripts, auto replies.
#include <gtest/gtest.h>

#include "pipeline/session_test_support.h"
#include "stt/word_error_rate.h"

namespace tektra::test {
namespace {

class VoiceSessionTurns : public VoiceSessionTest {};

TEST_F(VoiceSessionTurns, SpokenCommandProducesTheWholeTurnInOrder) {
  Recorder& rec = recorder();
  auto session = open(rec);
  auto speech = spoken(voices(), "what time is it", kSpeaker);
  feed(*session, speech);
  feed(*session, silence_ms(1000));

  auto done = rec.wait_for(Kind::ResponseDone, 30s);
  ASSERT_TRUE(done) << rec.describe();
  auto calls = rec.calls();
  SCOPED_TRACE(rec.describe());

  // Each step happens exactly once, in pipeline order.
  const Kind order[] = {Kind::SpeechStarted,       Kind::SpeechStopped,   Kind::InputCommitted,
                        Kind::TranscriptCompleted, Kind::ResponseStarted, Kind::ResponseText,
                        Kind::ResponseAudio,       Kind::ResponseDone};
  int previous = -1;
  for (Kind kind : order) {
    int at = index_of(calls, kind);
    ASSERT_GE(at, 0) << kind_name(kind);
    EXPECT_GT(at, previous) << kind_name(kind) << " out of order";
    previous = at;
  }
  for (Kind kind : {Kind::SpeechStarted, Kind::SpeechStopped, Kind::InputCommitted,
                    Kind::TranscriptCompleted, Kind::ResponseStarted, Kind::ResponseDone}) {
    EXPECT_EQ(of_kind(calls, kind).size(), 1u) << kind_name(kind);
  }
  EXPECT_TRUE(of_kind(calls, Kind::Error).empty());

  // The user item: one id throughout, onset and end where the speech actually is.
  const Call started = calls[static_cast<size_t>(index_of(calls, Kind::SpeechStarted))];
  const Call stopped = calls[static_cast<size_t>(index_of(calls, Kind::SpeechStopped))];
  int64_t onset = first_audible_ms(speech);
  int64_t end = last_audible_ms(speech);
  ASSERT_GT(onset, 300);  // the 300 ms lead plus the engine's own leading silence
  EXPECT_GE(started.audio_ms, 250) << "speech reported inside the 300 ms of digital silence";
  EXPECT_NEAR(static_cast<double>(started.audio_ms), static_cast<double>(onset), 200.0);
  EXPECT_GT(stopped.audio_ms, started.audio_ms);
  EXPECT_NEAR(static_cast<double>(stopped.audio_ms), static_cast<double>(end), 250.0);
  for (const auto& c : calls) {
    if (c.kind == Kind::SpeechStopped || c.kind == Kind::InputCommitted ||
        c.kind == Kind::TranscriptCompleted || c.kind == Kind::Partial) {
      EXPECT_EQ(c.item_id, started.item_id) << kind_name(c.kind);
    }
  }

  // The transcript: exact, from the intent grammar, with ordered word timings.
  const Call completed = *rec.wait_for(Kind::TranscriptCompleted, 0ms);
  EXPECT_EQ(completed.text, "what time is it");
  EXPECT_EQ(completed.transcript.search, "grammar");
  EXPECT_GT(completed.transcript.confidence, 0.0);
  EXPECT_LE(completed.transcript.confidence, 1.0);
  std::vector<std::string> heard;
  for (const auto& w : completed.transcript.words) heard.push_back(w.word);
  EXPECT_EQ(heard, words_of("what time is it"));
  for (size_t i = 0; i < completed.transcript.words.size(); ++i) {
    const auto& w = completed.transcript.words[i];
    EXPECT_LE(w.start_s, w.end_s) << w.word;
    EXPECT_GE(w.start_s, 0.0) << w.word;
    if (i > 0) {
      EXPECT_GT(w.start_s, completed.transcript.words[i - 1].start_s) << w.word;
    }
  }

  // The reply: one response id and item, text deltas that concatenate to the final text.
  const Call response = *rec.wait_for(Kind::ResponseStarted, 0ms);
  EXPECT_EQ(done->response_id, response.response_id);
  EXPECT_EQ(done->item_id, response.item_id);
  EXPECT_NE(response.item_id, started.item_id);
  EXPECT_EQ(done->status, ResponseStatus::Completed);
  auto texts = of_kind(calls, Kind::ResponseText, of_response(response.response_id));
  ASSERT_FALSE(texts.empty());
  EXPECT_FALSE(texts[0].text.empty());
  EXPECT_NE(texts[0].text.front(), ' ');
  EXPECT_EQ(texts[0].text.rfind("It", 0), 0u) << texts[0].text;
  EXPECT_EQ(done->text, response_text(calls, response.response_id));
  for (const auto& c : calls) {
    if (c.kind == Kind::ResponseText || c.kind == Kind::ResponseAudio) {
      EXPECT_EQ(c.response_id, response.response_id);
      EXPECT_EQ(c.item_id, response.item_id);
    }
  }

  // Audio: non-empty 100 ms pieces at the configured 24 kHz; the amount matches the sentences
  // spoken by the session's voice at 24 kHz, less at most the trimmed leading silence.
  size_t expected = 0;
  for (const auto& t : texts) {
    std::string sentence = t.text.front() == ' ' ? t.text.substr(1) : t.text;
    expected += full_samples(sentence, default_settings().voice, 24000);
  }
  auto audio = of_kind(calls, Kind::ResponseAudio);
  ASSERT_FALSE(audio.empty());
  for (const auto& a : audio) {
    EXPECT_FALSE(a.pcm.empty());
    EXPECT_LE(a.pcm.size(), 2400u);
  }
  size_t samples = audio_samples(calls, response.response_id);
  EXPECT_LE(samples, expected);
  EXPECT_GE(samples + 24000 * 35 / 100, expected) << "audio not at 24 kHz?";

  // tektra.intent for the reply item, and one tektra.latency with every stage.
  auto intent = rec.wait_event("tektra.intent", 0ms);
  ASSERT_TRUE(intent);
  EXPECT_EQ(intent->data.value("intent", ""), "GetTime");
  EXPECT_EQ(intent->data.value("item_id", ""), response.item_id);
  EXPECT_TRUE(intent->data.value("understood", false));
  auto latencies =
      of_kind(calls, Kind::Event, [](const Call& c) { return c.text == "tektra.latency"; });
  ASSERT_EQ(latencies.size(), 1u);
  const auto& latency = latencies[0].data;
  EXPECT_EQ(latency.value("item_id", ""), response.item_id);
  EXPECT_EQ(latency.value("response_id", ""), response.response_id);
  for (const char* field : {"vad_end_of_turn_ms", "stt_final_ms", "agent_ms", "tts_first_audio_ms",
                            "voice_to_voice_ms"}) {
    ASSERT_TRUE(latency.contains(field) && latency[field].is_number()) << field;
    EXPECT_GE(latency[field].get<double>(), 0.0) << field;
  }
  EXPECT_GT(latency["tts_first_audio_ms"].get<double>(), 0.0);
  EXPECT_GT(latency["voice_to_voice_ms"].get<double>(),
            latency["vad_end_of_turn_ms"].get<double>());
  EXPECT_LT(index_of(calls, Kind::Event, [](const Call& c) { return c.text == "tektra.latency"; }),
            index_of(calls, Kind::ResponseAudio));

  EXPECT_EQ(rec.overlapping_calls(), 0);
}

// Streams `speech` at real-time pace and checks the partials: delivered while the user speaks,
// each extending the last when it can, the final transcript continuing the last one.
void expect_live_partials(Recorder& rec, VoiceSession& session, const std::vector<int16_t>& speech,
                          const std::string& expected) {
  feed(session, speech, /*real_time=*/true);
  TimePoint speech_fed = SteadyClock::now();
  feed(session, silence_ms(1000), /*real_time=*/true);

  auto completed = rec.wait_for(Kind::TranscriptCompleted, 20s);
  ASSERT_TRUE(completed) << rec.describe();
  auto calls = rec.calls();
  SCOPED_TRACE(rec.describe());
  auto partials = of_kind(calls, Kind::Partial);
  ASSERT_GE(partials.size(), 2u);
  // Delivered during the utterance, not in a burst at its end.
  EXPECT_LT(partials.front().at, speech_fed);
  EXPECT_LT(index_of(calls, Kind::Partial), index_of(calls, Kind::SpeechStopped));
  std::string previous;
  for (const auto& p : partials) {
    EXPECT_EQ(p.item_id, completed->item_id);
    EXPECT_FALSE(p.text.empty());
    EXPECT_NE(p.text, previous) << "a partial repeated the previous one";
    // The delta extends the previous text whenever the new text does.
    if (!p.delta.empty() || p.text.rfind(previous, 0) == 0) {
      EXPECT_EQ(p.text, previous + p.delta);
    }
    previous = p.text;
  }
  EXPECT_EQ(completed->text, expected);
  auto last = words_of(partials.back().text);
  auto final_words = words_of(completed->text);
  EXPECT_TRUE(last.size() <= final_words.size() &&
              std::equal(last.begin(), last.end(), final_words.begin()))
      << "last partial '" << partials.back().text << "' vs final '" << completed->text << "'";
}

TEST_F(VoiceSessionTurns, PartialTranscriptsArriveWhileSpeaking) {
  Recorder& rec = recorder();
  auto session = open(rec, [](SessionSettings& s) { s.create_response = false; });
  auto speech = spoken(voices(), "what is 12 times 7", kSpeaker);
  ASSERT_GT(speech.size(), 16000u * 3 / 2);  // long enough for several partials
  expect_live_partials(rec, *session, speech, "what is twelve times seven");
}

TEST_F(VoiceSessionTurns, WithoutCreateResponseTheTranscriptWaitsForCreateResponse) {
  Recorder& rec = recorder();
  auto session = open(rec, [](SessionSettings& s) { s.create_response = false; });
  feed(*session, spoken(voices(), "what time is it", kSpeaker));
  feed(*session, silence_ms(1000));
  auto completed = rec.wait_for(Kind::TranscriptCompleted, 20s);
  ASSERT_TRUE(completed) << rec.describe();
  EXPECT_EQ(completed->text, "what time is it");
  // A reply would have started within the step that completed the transcript; after draining the
  // input side none has.
  session->drain();
  EXPECT_FALSE(rec.wait_for(Kind::ResponseStarted, 0ms)) << rec.describe();

  session->create_response("req-1");
  auto done = rec.wait_for(Kind::ResponseDone, 20s);
  ASSERT_TRUE(done) << rec.describe();
  EXPECT_EQ(done->status, ResponseStatus::Completed);
  EXPECT_EQ(done->text.rfind("It", 0), 0u) << done->text;
  auto intent = rec.wait_event("tektra.intent", 0ms);
  ASSERT_TRUE(intent);
  EXPECT_EQ(intent->data.value("intent", ""), "GetTime");
  EXPECT_TRUE(of_kind(rec.calls(), Kind::Error).empty()) << rec.describe();
}

TEST_F(VoiceSessionTurns, ConsecutiveSpokenTurnsAreEachAnswered) {
  Recorder& rec = recorder();
  auto session = open(rec);
  auto first = spoken(voices(), "what time is it", kSpeaker);
  feed(*session, first);
  feed(*session, silence_ms(1000));
  auto first_done = rec.wait_for(Kind::ResponseDone, 20s);
  ASSERT_TRUE(first_done) << rec.describe();
  auto second = spoken(voices(), "what day is it today", kSpeaker);
  feed(*session, second);
  feed(*session, silence_ms(1000));
  auto second_done = rec.wait_for(Kind::ResponseDone, 20s, [&](const Call& c) {
    return c.response_id != first_done->response_id;
  });
  ASSERT_TRUE(second_done) << rec.describe();
  auto calls = rec.calls();
  SCOPED_TRACE(rec.describe());
  auto transcripts = of_kind(calls, Kind::TranscriptCompleted);
  ASSERT_EQ(transcripts.size(), 2u);
  EXPECT_EQ(transcripts[0].text, "what time is it");
  EXPECT_EQ(transcripts[1].text, "what day is it today");
  EXPECT_NE(transcripts[0].item_id, transcripts[1].item_id);
  EXPECT_EQ(first_done->status, ResponseStatus::Completed);
  EXPECT_EQ(second_done->status, ResponseStatus::Completed);
  EXPECT_EQ(second_done->text.rfind("Today is", 0), 0u) << second_done->text;
  // Onsets are on one timeline: the second is where its speech is in the whole stream.
  auto starts = of_kind(calls, Kind::SpeechStarted);
  ASSERT_EQ(starts.size(), 2u);
  int64_t second_onset = static_cast<int64_t>(first.size() / 16) + 1000 + first_audible_ms(second);
  EXPECT_NEAR(static_cast<double>(starts[1].audio_ms), static_cast<double>(second_onset), 200.0);
  EXPECT_TRUE(of_kind(calls, Kind::Error).empty());
}

TEST_F(VoiceSessionTurns, SilenceAndLowNoiseStartNoSpeech) {
  Recorder& rec = recorder();
  auto session = open(rec);
  feed(*session, silence_ms(4000));
  feed(*session, noise_ms(4000, 30.0));   // about -60 dBFS
  feed(*session, noise_ms(4000, 100.0));  // about -50 dBFS
  session->drain();
  EXPECT_FALSE(rec.wait_for(Kind::SpeechStarted, 0ms)) << rec.describe();
  EXPECT_EQ(rec.size(), 0u) << rec.describe();
  // The session still hears speech afterwards.
  feed(*session, spoken(voices(), "what time is it", kSpeaker));
  feed(*session, silence_ms(1000));
  auto completed = rec.wait_for(Kind::TranscriptCompleted, 20s);
  ASSERT_TRUE(completed) << rec.describe();
  EXPECT_EQ(completed->text, "what time is it");
}

// clear_input() in the middle of an utterance drops it: the next utterance is transcribed alone
// and its onset is reported on the session's audio timeline.
TEST_F(VoiceSessionTurns, ClearInputMidUtteranceDropsThatAudio) {
  Recorder& rec = recorder();
  auto session = open(rec, [](SessionSettings& s) { s.create_response = false; });
  auto first = spoken(voices(), "set a timer for ten minutes", kSpeaker);
  // Cut just after the last word: no pause, so the turn is still open.
  first.resize(static_cast<size_t>(last_audible_ms(first) + 40) * 16);
  feed(*session, first);
  session->drain();
  auto started = rec.wait_for(Kind::SpeechStarted, 0ms);
  ASSERT_TRUE(started) << rec.describe();
  ASSERT_FALSE(rec.wait_for(Kind::SpeechStopped, 0ms)) << rec.describe();
  session->clear_input();
  ASSERT_TRUE(rec.wait_for(Kind::InputCleared, 10s));

  // A short pause, then a new question: the cleared words are not part of it.
  auto second = spoken(voices(), "what time is it", kSpeaker, 300);
  feed(*session, silence_ms(200));
  feed(*session, second);
  feed(*session, silence_ms(1000));
  auto completed = rec.wait_for(Kind::TranscriptCompleted, 20s);
  ASSERT_TRUE(completed) << rec.describe();
  EXPECT_EQ(completed->text, "what time is it") << rec.describe();
  auto starts = of_kind(rec.calls(), Kind::SpeechStarted);
  ASSERT_EQ(starts.size(), 2u) << rec.describe();
  int64_t expected_onset = static_cast<int64_t>(first.size() / 16) + 200 + first_audible_ms(second);
  EXPECT_NEAR(static_cast<double>(starts[1].audio_ms), static_cast<double>(expected_onset), 200.0)
      << "speech_started after clear_input is not on the session's audio timeline";
}

}  // namespace
}  // namespace tektra::test
