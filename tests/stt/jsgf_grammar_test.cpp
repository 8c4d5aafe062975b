// Installing JSGF grammars into a real decoder: what is accepted and how rejections read.
#include "stt/jsgf_grammar.h"

#include <gtest/gtest.h>

#include <set>

#include "core/config.h"
#include "core/error.h"
#include "stt/pocketsphinx_model.h"
#include "stt_test_support.h"

namespace tektra {
namespace {

class JsgfGrammarTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    decoder_ = std::make_unique<PocketsphinxDecoder>(find_pocketsphinx_model(SttConfig{}.model_dir),
                                                     DecoderKind::grammar, DecodeMode::streaming);
  }
  static void TearDownTestSuite() { decoder_.reset(); }

  static std::string rejection(const std::string& jsgf) {
    try {
      install_grammar(*decoder_, jsgf);
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), "invalid_grammar");
      return error.what();
    }
    return "accepted";
  }

  static std::optional<std::string> decode(const std::vector<int16_t>& pcm) {
    decoder_->start();
    decoder_->process(pcm);
    decoder_->end();
    return decoder_->hypothesis();
  }

  static std::set<std::string> path_words() {
    std::set<std::string> words;
    for (const auto& segment : decoder_->segments()) words.insert(segment.word);
    return words;
  }

  static std::unique_ptr<PocketsphinxDecoder> decoder_;
};

std::unique_ptr<PocketsphinxDecoder> JsgfGrammarTest::decoder_;

TEST_F(JsgfGrammarTest, InstalledGrammarDecodesAndAlsoMatchesSilence) {
  TEKTRA_REQUIRE_FIXTURE("goforward.raw");
  install_grammar(*decoder_, test::kCommandGrammar);
  EXPECT_EQ(decode(test::speech("goforward.raw")),
            std::optional<std::string>("go forward ten meters"));
  // The empty path: silence is "nothing said" (a path of silence only), not the nearest command
  // and not "no path" (which the recognizer treats as speech outside the grammar).
  EXPECT_EQ(decode(std::vector<int16_t>(16000, 0)), std::nullopt);
  const auto words = path_words();
  EXPECT_TRUE(words.count("<sil>")) << ::testing::PrintToString(words);
  for (const auto& word : words) EXPECT_TRUE(word == "<sil>" || word == "(NULL)") << word;
}

TEST_F(JsgfGrammarTest, SyntaxErrorsNameTheOffendingToken) {
  EXPECT_EQ(rejection("#JSGF V1.0; grammar g; public <a> = go (forward | ;"),
            "JSGF does not parse: syntax error at token ';'");
  EXPECT_EQ(rejection("grammar g; public <a> = go;"),
            "JSGF does not parse: syntax error at token 'grammar'");
}

TEST_F(JsgfGrammarTest, UndefinedRuleIsRejected) {
  const std::string message = rejection("#JSGF V1.0; grammar g; public <a> = go <where>;");
  EXPECT_NE(message.find("<g.where>"), std::string::npos) << message;
}

TEST_F(JsgfGrammarTest, ExactlyOnePublicRuleIsRequired) {
  EXPECT_NE(rejection("#JSGF V1.0; grammar g; <a> = go;").find("no public rule"),
            std::string::npos);
  const std::string several =
      rejection("#JSGF V1.0; grammar g; public <a> = go; public <b> = stop;");
  EXPECT_NE(several.find("several public rules"), std::string::npos) << several;
  EXPECT_NE(several.find("<g.a>"), std::string::npos) << several;
}

TEST_F(JsgfGrammarTest, GrammarWithoutWordsIsRejected) {
  EXPECT_NE(rejection("#JSGF V1.0; grammar g; public <a> = <NULL>;").find("no words"),
            std::string::npos);
}

TEST_F(JsgfGrammarTest, EveryWordMissingFromTheDictionaryIsNamed) {
  const std::string message =
      rejection("#JSGF V1.0; grammar g; public <a> = go (zorblax | forward) | qwxzy now;");
  EXPECT_NE(message.find("zorblax"), std::string::npos) << message;
  EXPECT_NE(message.find("qwxzy"), std::string::npos) << message;
  EXPECT_EQ(message.find("forward"), std::string::npos) << message;
  // Dictionary words are lower case; upper-case grammar words are reported, not guessed at.
  EXPECT_NE(rejection("#JSGF V1.0; grammar g; public <a> = GO;").find("GO"), std::string::npos);
}

TEST_F(JsgfGrammarTest, MissingWordsChecksAgainstTheDictionary) {
  EXPECT_EQ(missing_words(*decoder_, {"lamp", "zorblax", "living", "qwxzy"}),
            (std::vector<std::string>{"zorblax", "qwxzy"}));
}

}  // namespace
}  // namespace tektra
