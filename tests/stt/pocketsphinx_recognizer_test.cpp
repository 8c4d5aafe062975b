// The pocketsphinx recognizer on real speech: grammar first, fallback, streaming, pooling, errors.
#include "stt/pocketsphinx_recognizer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/error.h"
#include "stt/stt.h"
#include "stt/word_error_rate.h"
#include "stt_test_support.h"

namespace tektra {
namespace {

using test::kCommandGrammar;
using test::speech;

constexpr size_t kChunk = 320;  // 20 ms at 16 kHz, what the pipeline sends

Transcript stream_in_chunks(SpeechRecognizer& recognizer, const std::vector<int16_t>& pcm) {
  auto stream = recognizer.start();
  for (size_t at = 0; at < pcm.size(); at += kChunk) {
    stream->accept(std::span(pcm).subspan(at, std::min(kChunk, pcm.size() - at)));
  }
  return stream->finish();
}

std::vector<int16_t> concatenated(std::vector<int16_t> first, const std::vector<int16_t>& second) {
  first.insert(first.end(), second.begin(), second.end());
  return first;
}

void expect_valid_words(const Transcript& transcript, double duration_s) {
  double previous_end = 0;
  for (const auto& word : transcript.words) {
    EXPECT_GE(word.start_s, previous_end) << word.word;
    EXPECT_GT(word.end_s, word.start_s) << word.word;
    EXPECT_LE(word.end_s, duration_s + 0.011) << word.word;
    EXPECT_GE(word.confidence, 0.0) << word.word;
    EXPECT_LE(word.confidence, 1.0) << word.word;
    previous_end = word.end_s;
  }
  EXPECT_GE(transcript.confidence, 0.0);
  EXPECT_LE(transcript.confidence, 1.0);
}

// Recognizers load ~0.5 s of model each, so the suite shares two: with and without a grammar.
class PocketsphinxRecognizerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    language_model_ = std::make_unique<PocketsphinxRecognizer>(SttConfig{});
    grammar_ = std::make_unique<PocketsphinxRecognizer>(SttConfig{});
    grammar_->set_grammar(kCommandGrammar);
  }
  static void TearDownTestSuite() {
    language_model_.reset();
    grammar_.reset();
  }
  void SetUp() override {
    TEKTRA_REQUIRE_FIXTURE("goforward.raw");
    TEKTRA_REQUIRE_FIXTURE(test::kLibriVox0880);
  }

  static std::unique_ptr<PocketsphinxRecognizer> language_model_;
  static std::unique_ptr<PocketsphinxRecognizer> grammar_;
};

std::unique_ptr<PocketsphinxRecognizer> PocketsphinxRecognizerTest::language_model_;
std::unique_ptr<PocketsphinxRecognizer> PocketsphinxRecognizerTest::grammar_;

TEST_F(PocketsphinxRecognizerTest, LanguageModelDecodesGoForwardExactlyStreamedOrWhole) {
  const auto pcm = speech("goforward.raw");
  for (const Transcript& transcript :
       {stream_in_chunks(*language_model_, pcm), transcribe(*language_model_, pcm)}) {
    EXPECT_EQ(transcript.text, test::kGoForwardText);
    EXPECT_EQ(transcript.search, "language_model");
    ASSERT_EQ(transcript.words.size(), 4u);
    expect_valid_words(transcript, pcm.size() / 16000.0);
    EXPECT_GT(transcript.confidence, 0.5);  // mean word posterior, measured 0.76
  }
}

// Bounds sit just above what pocketsphinx 5prealpha's en-us model measures here (whole-utterance
// decoding: 3/8, 1/8 and 5/22 words wrong); the measurements test prints the numbers.
TEST_F(PocketsphinxRecognizerTest, LanguageModelWordErrorRatesOnReadSpeech) {
  TEKTRA_REQUIRE_FIXTURE(test::kLibriVox0930);
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  const struct {
    const char* fixture;
    const char* reference;
    double bound;
  } clips[] = {{test::kLibriVox0880, test::kLibriVox0880Text, 0.4},
               {test::kLibriVox0930, test::kLibriVox0930Text, 0.25},
               {"jfk.wav", test::kJfkText, 0.3}};
  for (const auto& clip : clips) {
    const Transcript transcript = transcribe(*language_model_, speech(clip.fixture));
    const double wer = word_error_rate(clip.reference, transcript.text);
    EXPECT_LE(wer, clip.bound) << clip.fixture << ": " << transcript.text;
    EXPECT_EQ(transcript.search, "language_model");
  }
}

TEST_F(PocketsphinxRecognizerTest, GrammarDecodesGoForwardExactlyWithWordTimes) {
  const auto pcm = speech("goforward.raw");
  const Transcript transcript = stream_in_chunks(*grammar_, pcm);
  EXPECT_EQ(transcript.text, test::kGoForwardText);
  EXPECT_EQ(transcript.search, "grammar");
  ASSERT_EQ(transcript.words.size(), 4u);
  const char* expected[] = {"go", "forward", "ten", "meters"};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(transcript.words[i].word, expected[i]);
    // The VAD puts the speech at 0.5-2.3 s.
    EXPECT_GE(transcript.words[i].start_s, 0.4);
    EXPECT_LE(transcript.words[i].end_s, 2.5);
  }
  expect_valid_words(transcript, pcm.size() / 16000.0);
  EXPECT_GE(transcript.confidence, SttConfig{}.grammar_min_confidence);
}

TEST_F(PocketsphinxRecognizerTest, GrammarDecodesAnotherSpeakerResampledFrom44kStereo) {
  TEKTRA_REQUIRE_FIXTURE("turn_on_the_living_room_lamp.wav");
  const auto pcm = speech("turn_on_the_living_room_lamp.wav");
  for (const Transcript& transcript :
       {stream_in_chunks(*grammar_, pcm), transcribe(*grammar_, pcm)}) {
    EXPECT_EQ(transcript.text, test::kLampText);
    EXPECT_EQ(transcript.search, "grammar");
    expect_valid_words(transcript, pcm.size() / 16000.0);
  }
}

// The fallback decodes the kept audio exactly as recognize() does without a grammar.
TEST_F(PocketsphinxRecognizerTest, OutOfGrammarSpeechFallsBackToTheLanguageModel) {
  const auto pcm = speech(test::kLibriVox0880);
  const Transcript streamed = stream_in_chunks(*grammar_, pcm);
  EXPECT_EQ(streamed.search, "language_model");
  EXPECT_EQ(streamed.text, transcribe(*language_model_, pcm).text);
  EXPECT_LE(word_error_rate(test::kLibriVox0880Text, streamed.text), 0.4) << streamed.text;
  expect_valid_words(streamed, pcm.size() / 16000.0);

  const Transcript whole = transcribe(*grammar_, pcm);
  EXPECT_EQ(whole.search, "language_model");
  EXPECT_EQ(whole.text, streamed.text);
}

// The grammar path ends after "meters" and pushes the sentence into silence; that silence scores
// like speech, so the utterance is not taken for the command.
TEST_F(PocketsphinxRecognizerTest, CommandFollowedBySentenceFallsBack) {
  const auto pcm = concatenated(speech("goforward.raw"), speech(test::kLibriVox0880));
  const Transcript transcript = stream_in_chunks(*grammar_, pcm);
  EXPECT_EQ(transcript.search, "language_model");
  EXPECT_EQ(transcript.text.rfind(test::kGoForwardText, 0), 0u) << transcript.text;
  EXPECT_GT(words_of(transcript.text).size(), 6u) << transcript.text;
}

// Whole-utterance decoding resizes pocketsphinx's buffers for good; a later streaming utterance
// on the same decoder read past them. Streams and recognize() therefore never share decoders.
TEST_F(PocketsphinxRecognizerTest, StreamsAfterWholeUtteranceDecodingAreUnaffected) {
  const auto pcm = concatenated(speech("goforward.raw"), speech(test::kLibriVox0880));
  const Transcript chunked = stream_in_chunks(*grammar_, pcm);
  EXPECT_EQ(transcribe(*grammar_, pcm).search, "language_model");
  EXPECT_EQ(transcribe(*language_model_, pcm).search, "language_model");
  for (PocketsphinxRecognizer* recognizer : {grammar_.get(), language_model_.get()}) {
    auto stream = recognizer->start();
    stream->accept(pcm);  // one call: the whole utterance
    const Transcript whole_chunk = stream->finish();
    if (recognizer == grammar_.get()) {
      EXPECT_EQ(whole_chunk.text, chunked.text);
    }
    EXPECT_FALSE(whole_chunk.text.empty());
  }
}

TEST_F(PocketsphinxRecognizerTest, PartialGrowsWhileFeedingTwentyMillisecondChunks) {
  const auto pcm = speech("goforward.raw");
  for (PocketsphinxRecognizer* recognizer : {grammar_.get(), language_model_.get()}) {
    auto stream = recognizer->start();
    EXPECT_EQ(stream->partial(), "");
    size_t first_nonempty_at = 0;
    std::string last_partial;
    for (size_t at = 0; at < pcm.size(); at += kChunk) {
      stream->accept(std::span(pcm).subspan(at, std::min(kChunk, pcm.size() - at)));
      last_partial = stream->partial();
      if (!last_partial.empty() && first_nonempty_at == 0) first_nonempty_at = at + kChunk;
    }
    EXPECT_GT(first_nonempty_at, 0u);
    EXPECT_LT(first_nonempty_at, 16000u * 3 / 2);  // "go" ends near 0.65 s
    EXPECT_EQ(last_partial.rfind("go forward", 0), 0u) << last_partial;
    const Transcript transcript = stream->finish();
    EXPECT_EQ(transcript.text, test::kGoForwardText);
    EXPECT_EQ(stream->partial(), transcript.text);
  }
}

TEST_F(PocketsphinxRecognizerTest, DigitalSilenceIsAnEmptyTranscript) {
  const std::vector<int16_t> silence(2 * 16000, 0);
  for (PocketsphinxRecognizer* recognizer : {grammar_.get(), language_model_.get()}) {
    for (const Transcript& transcript :
         {stream_in_chunks(*recognizer, silence), transcribe(*recognizer, silence)}) {
      EXPECT_EQ(transcript.text, "");
      EXPECT_TRUE(transcript.words.empty());
      EXPECT_EQ(transcript.search, recognizer == grammar_.get() ? "grammar" : "language_model");
    }
  }
}

TEST_F(PocketsphinxRecognizerTest, ConcurrentStreamsFromFourThreadsGiveTheSameResults) {
  const auto command = speech("goforward.raw");
  const auto sentence = speech(test::kLibriVox0880);
  const Transcript command_reference = stream_in_chunks(*grammar_, command);
  const Transcript sentence_reference = stream_in_chunks(*grammar_, sentence);
  const auto same = [](const Transcript& a, const Transcript& b) {
    if (a.text != b.text || a.search != b.search || a.words.size() != b.words.size()) return false;
    for (size_t i = 0; i < a.words.size(); ++i) {
      if (a.words[i].start_s != b.words[i].start_s || a.words[i].end_s != b.words[i].end_s ||
          a.words[i].confidence != b.words[i].confidence) {
        return false;
      }
    }
    return a.confidence == b.confidence;
  };
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 2; ++round) {
        // Half the threads start with the long fallback so streams overlap in every phase.
        const bool command_first = (t + round) % 2 == 0;
        const auto& first = command_first ? command : sentence;
        const auto& second = command_first ? sentence : command;
        const auto& first_reference = command_first ? command_reference : sentence_reference;
        const auto& second_reference = command_first ? sentence_reference : command_reference;
        if (!same(stream_in_chunks(*grammar_, first), first_reference)) ++mismatches;
        if (!same(stream_in_chunks(*grammar_, second), second_reference)) ++mismatches;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_EQ(command_reference.search, "grammar");
  EXPECT_EQ(sentence_reference.search, "language_model");
  // With fewer cores than threads, decoders beyond the idle bound are freed and made again.
  const auto created = grammar_->decoders_created();
  EXPECT_GE(created.grammar_streaming, 1u);
  EXPECT_GE(created.language_model_whole, 1u);
  const auto idle = grammar_->decoders_idle();
  EXPECT_LE(idle.grammar_streaming,
            std::min<size_t>(4, PocketsphinxRecognizer::max_idle_decoders()));
  EXPECT_LE(idle.language_model_whole,
            std::min<size_t>(4, PocketsphinxRecognizer::max_idle_decoders()));
}

TEST(PocketsphinxRecognizerPool, SequentialStreamsReuseOneDecoderOfEachKind) {
  TEKTRA_REQUIRE_FIXTURE("goforward.raw");
  TEKTRA_REQUIRE_FIXTURE(test::kLibriVox0880);
  PocketsphinxRecognizer recognizer{SttConfig{}};
  recognizer.set_grammar(kCommandGrammar);
  const auto command = speech("goforward.raw");
  const auto sentence = speech(test::kLibriVox0880);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(stream_in_chunks(recognizer, command).search, "grammar");
    EXPECT_EQ(stream_in_chunks(recognizer, sentence).search, "language_model");
  }
  {
    // An abandoned utterance must not spoil the decoder for the next stream.
    auto abandoned = recognizer.start();
    abandoned->accept(std::span(command).first(command.size() / 2));
  }
  EXPECT_EQ(stream_in_chunks(recognizer, command).text, test::kGoForwardText);
  const auto created = recognizer.decoders_created();
  EXPECT_EQ(created.grammar_streaming, 1u);
  EXPECT_EQ(created.language_model_whole, 1u);  // the fallback's
  EXPECT_EQ(created.grammar_whole, 1u);         // the whole-utterance re-check before falling back
  EXPECT_EQ(created.language_model_streaming, 0u);
}

TEST(PocketsphinxRecognizerGrammar, ChangeReachesNewStreamsWhileRunningOnesKeepTheirs) {
  TEKTRA_REQUIRE_FIXTURE("goforward.raw");
  PocketsphinxRecognizer recognizer{SttConfig{}};
  recognizer.set_grammar(kCommandGrammar);
  const auto pcm = speech("goforward.raw");
  auto before = recognizer.start();
  recognizer.set_grammar("#JSGF V1.0; grammar other; public <other> = what time is it | stop;");
  auto after = recognizer.start();
  before->accept(pcm);
  after->accept(pcm);
  const Transcript old_grammar = before->finish();
  const Transcript new_grammar = after->finish();
  EXPECT_EQ(old_grammar.search, "grammar");
  EXPECT_EQ(old_grammar.text, test::kGoForwardText);
  EXPECT_EQ(new_grammar.search, "language_model");
  EXPECT_EQ(new_grammar.text, test::kGoForwardText);

  recognizer.set_grammar("");
  EXPECT_EQ(transcribe(recognizer, pcm).search, "language_model");
}

// A grammar's decoders know only its words, so the new grammar gets new decoders.
TEST(PocketsphinxRecognizerGrammar, NewGrammarWithNewWordsDecodes) {
  TEKTRA_REQUIRE_FIXTURE("goforward.raw");
  PocketsphinxRecognizer recognizer{SttConfig{}};
  recognizer.set_grammar("#JSGF V1.0; grammar small; public <small> = what time is it | stop;");
  const auto pcm = speech("goforward.raw");
  EXPECT_EQ(stream_in_chunks(recognizer, pcm).search, "language_model");
  EXPECT_EQ(recognizer.decoders_created().grammar_streaming, 1u);
  recognizer.set_grammar(kCommandGrammar);
  // set_grammar() made the new grammar's first decoder; the stream borrows it.
  EXPECT_EQ(recognizer.decoders_created().grammar_streaming, 1u);
  EXPECT_EQ(recognizer.decoders_idle().grammar_streaming, 1u);
  const Transcript transcript = stream_in_chunks(recognizer, pcm);
  EXPECT_EQ(transcript.search, "grammar");
  EXPECT_EQ(transcript.text, test::kGoForwardText);
  EXPECT_EQ(transcribe(recognizer, pcm).search, "grammar");
  EXPECT_EQ(recognizer.decoders_created().grammar_streaming, 1u);
}

// A burst of concurrent streams needs a decoder each; afterwards only max_idle_decoders() stay.
TEST(PocketsphinxRecognizerPool, IdleDecodersAreBoundedAfterABurst) {
  PocketsphinxRecognizer recognizer{SttConfig{}};
  recognizer.set_grammar(kCommandGrammar);
  const size_t bound = PocketsphinxRecognizer::max_idle_decoders();
  const std::vector<int16_t> silence(3200, 0);
  {
    std::vector<std::unique_ptr<RecognitionStream>> burst;
    for (size_t i = 0; i < bound + 3; ++i) {
      burst.push_back(recognizer.start());
      burst.back()->accept(silence);
    }
    for (auto& stream : burst) EXPECT_EQ(stream->finish().text, "");
    EXPECT_EQ(recognizer.decoders_idle().grammar_streaming, bound);
  }
  EXPECT_EQ(recognizer.decoders_created().grammar_streaming, bound + 3);
  EXPECT_EQ(recognizer.decoders_idle().grammar_streaming, bound);
  EXPECT_LE(recognizer.decoders_idle().language_model_whole, bound);
}

TEST(PocketsphinxRecognizerGrammar, RejectedGrammarLeavesThePreviousOneInPlace) {
  TEKTRA_REQUIRE_FIXTURE("goforward.raw");
  PocketsphinxRecognizer recognizer{SttConfig{}};
  recognizer.set_grammar(kCommandGrammar);
  try {
    recognizer.set_grammar("#JSGF V1.0; grammar bad; public <bad> = go tektrazz | frobnicate now;");
    FAIL() << "expected invalid_grammar";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), "invalid_grammar");
    EXPECT_NE(std::string(error.what()).find("tektrazz"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("frobnicate"), std::string::npos) << error.what();
  }
  const Transcript transcript = transcribe(recognizer, speech("goforward.raw"));
  EXPECT_EQ(transcript.search, "grammar");
  EXPECT_EQ(transcript.text, test::kGoForwardText);
}

TEST(PocketsphinxRecognizerGrammar, ConfigCanTurnGrammarFirstOffOrDemandMoreConfidence) {
  TEKTRA_REQUIRE_FIXTURE("goforward.raw");
  const auto pcm = speech("goforward.raw");
  SttConfig off;
  off.grammar_first = false;
  PocketsphinxRecognizer without{off};
  without.set_grammar(kCommandGrammar);
  EXPECT_EQ(stream_in_chunks(without, pcm).search, "language_model");

  SttConfig strict;
  strict.grammar_min_confidence = 1.0;  // no fit reaches 1
  PocketsphinxRecognizer demanding{strict};
  demanding.set_grammar(kCommandGrammar);
  const Transcript transcript = stream_in_chunks(demanding, pcm);
  EXPECT_EQ(transcript.search, "language_model");
  EXPECT_EQ(transcript.text, test::kGoForwardText);
}

TEST(PocketsphinxRecognizerStream, MisuseAfterFinishIsAnError) {
  PocketsphinxRecognizer recognizer{SttConfig{}};
  auto stream = recognizer.start();
  const std::vector<int16_t> silence(1600, 0);
  stream->accept(silence);
  EXPECT_EQ(stream->finish().text, "");
  try {
    stream->accept(silence);
    FAIL() << "accept after finish";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), "invalid_state");
  }
  try {
    stream->finish();
    FAIL() << "finish twice";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), "invalid_state");
  }
}

TEST(PocketsphinxRecognizerWords, UnknownWordsAreTheOnesTheDictionaryLacks) {
  PocketsphinxRecognizer recognizer{SttConfig{}};
  EXPECT_EQ(recognizer.unknown_words({"go", "frobnicatezz", "forward", "tektrazz"}),
            (std::vector<std::string>{"frobnicatezz", "tektrazz"}));
  EXPECT_TRUE(recognizer.unknown_words({"turn", "on", "the", "lamp"}).empty());
}

}  // namespace
}  // namespace tektra
