// One pocketsphinx decoder: modes, utterance boundaries, and results independent of history.
#include "stt/pocketsphinx_decoder.h"

#include <gtest/gtest.h>

#include "core/config.h"
#include "core/error.h"
#include "stt/jsgf_grammar.h"
#include "stt_test_support.h"

namespace tektra {
namespace {

bool same_path(const std::vector<Segment>& a, const std::vector<Segment>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].word != b[i].word || a[i].first_frame != b[i].first_frame ||
        a[i].last_frame != b[i].last_frame || a[i].acoustic_nats != b[i].acoustic_nats ||
        a[i].posterior != b[i].posterior) {
      return false;
    }
  }
  return true;
}

class PocketsphinxDecoderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    model_ = std::make_unique<PocketsphinxModel>(find_pocketsphinx_model(SttConfig{}.model_dir));
  }
  static void TearDownTestSuite() { model_.reset(); }
  void SetUp() override {
    TEKTRA_REQUIRE_FIXTURE("goforward.raw");
    TEKTRA_REQUIRE_FIXTURE(test::kLibriVox0880);
  }

  static std::vector<Segment> stream(PocketsphinxDecoder& decoder, const std::vector<int16_t>& pcm,
                                     size_t chunk) {
    decoder.start();
    for (size_t at = 0; at < pcm.size(); at += chunk) {
      decoder.process(std::span(pcm).subspan(at, std::min(chunk, pcm.size() - at)));
    }
    decoder.end();
    return decoder.segments();
  }

  static std::unique_ptr<PocketsphinxModel> model_;
};

std::unique_ptr<PocketsphinxModel> PocketsphinxDecoderTest::model_;

TEST_F(PocketsphinxDecoderTest, ModeIsFixedAtConstruction) {
  PocketsphinxDecoder streaming(*model_, DecoderKind::grammar, DecodeMode::streaming);
  PocketsphinxDecoder whole(*model_, DecoderKind::grammar, DecodeMode::whole_utterance);
  const std::vector<int16_t> pcm(1600, 0);
  try {
    streaming.decode_whole(pcm);
    FAIL() << "whole-utterance decoding on a streaming decoder";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), "invalid_state");
  }
  EXPECT_THROW(whole.start(), Error);
  EXPECT_THROW(streaming.process(pcm), Error);  // no utterance open
  EXPECT_THROW(streaming.end(), Error);
}

// Same audio, same path, bit for bit: whatever the decoder decoded before (a fresh one included)
// and however the audio is chunked.
TEST_F(PocketsphinxDecoderTest, StreamedResultIgnoresHistoryAndChunking) {
  const auto command = test::speech("goforward.raw");
  const auto sentence = test::speech(test::kLibriVox0880);
  for (const DecoderKind kind : {DecoderKind::grammar, DecoderKind::language_model}) {
    PocketsphinxDecoder fresh(*model_, kind, DecodeMode::streaming);
    PocketsphinxDecoder used(*model_, kind, DecodeMode::streaming);
    if (kind == DecoderKind::grammar) {
      const CompiledGrammar grammar =
          compile_grammar(test::kCommandGrammar, PronunciationDictionary(model_->dictionary));
      install_grammar(fresh, grammar);
      install_grammar(used, grammar);
    }
    const auto first = stream(fresh, command, 320);
    ASSERT_FALSE(first.empty());
    EXPECT_EQ(first.front().first_frame, 0);
    stream(used, sentence, 320);
    EXPECT_TRUE(same_path(stream(used, command, 320), first));
    stream(used, sentence, 4000);
    EXPECT_TRUE(same_path(stream(used, command, command.size()), first));  // one call
    EXPECT_TRUE(same_path(stream(used, command, 7), first));               // odd sizes
  }
}

TEST_F(PocketsphinxDecoderTest, WholeUtteranceResultIgnoresHistory) {
  PocketsphinxDecoder decoder(*model_, DecoderKind::language_model, DecodeMode::whole_utterance);
  const auto command = test::speech("goforward.raw");
  decoder.decode_whole(command);
  const auto first = decoder.segments();
  ASSERT_FALSE(first.empty());
  decoder.decode_whole(test::speech(test::kLibriVox0880));  // longer: buffers grow
  decoder.decode_whole(command);
  EXPECT_TRUE(same_path(decoder.segments(), first));
  EXPECT_EQ(decoder.hypothesis(), std::optional<std::string>(test::kGoForwardText));
}

TEST_F(PocketsphinxDecoderTest, LanguageModelSegmentsCarryPosteriors) {
  PocketsphinxDecoder decoder(*model_, DecoderKind::language_model, DecodeMode::whole_utterance);
  decoder.decode_whole(test::speech("goforward.raw"));
  double lowest = 1;
  for (const auto& segment : decoder.segments()) {
    EXPECT_GE(segment.posterior, 0.0);
    EXPECT_LE(segment.posterior, 1.0);
    lowest = std::min(lowest, segment.posterior);
  }
  EXPECT_LT(lowest, 1.0);  // real posteriors, not the placeholder
}

}  // namespace
}  // namespace tektra
