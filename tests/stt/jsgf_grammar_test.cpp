// Compiling JSGF grammars and installing them into real decoders: what is accepted, how
// rejections read, what a grammar decoder's dictionary holds, and that merging changes nothing.
#include "stt/jsgf_grammar.h"

#include <gtest/gtest.h>

#include <fstream>
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
    model_ = std::make_unique<PocketsphinxModel>(find_pocketsphinx_model(SttConfig{}.model_dir));
    dictionary_ = std::make_unique<PronunciationDictionary>(model_->dictionary);
    decoder_ = new_decoder();
  }
  static void TearDownTestSuite() {
    decoder_.reset();
    dictionary_.reset();
    model_.reset();
  }

  static std::unique_ptr<PocketsphinxDecoder> new_decoder() {
    return std::make_unique<PocketsphinxDecoder>(*model_, DecoderKind::grammar,
                                                 DecodeMode::streaming);
  }

  static CompiledGrammar compile(const std::string& jsgf) {
    return compile_grammar(jsgf, *dictionary_);
  }

  static std::string rejection(const std::string& jsgf) {
    try {
      compile(jsgf);
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), "invalid_grammar");
      return error.what();
    }
    return "accepted";
  }

  static std::vector<Segment> decode(PocketsphinxDecoder& decoder,
                                     const std::vector<int16_t>& pcm) {
    decoder.start();
    decoder.process(pcm);
    decoder.end();
    return decoder.segments();
  }

  static std::optional<std::string> hypothesis(const std::vector<int16_t>& pcm) {
    decode(*decoder_, pcm);
    return decoder_->hypothesis();
  }

  // Every spelling in the dictionary file, alternates included.
  static std::vector<std::string> dictionary_spellings() {
    std::ifstream in(model_->dictionary);
    std::vector<std::string> spellings;
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) spellings.push_back(line.substr(0, line.find_first_of(" \t")));
    }
    return spellings;
  }

  static std::set<std::string> spellings_of(const CompiledGrammar& grammar) {
    std::set<std::string> spellings;
    for (const auto& pronunciation : grammar.pronunciations()) {
      spellings.insert(pronunciation.spelling);
    }
    return spellings;
  }

  static std::unique_ptr<PocketsphinxModel> model_;
  static std::unique_ptr<PronunciationDictionary> dictionary_;
  static std::unique_ptr<PocketsphinxDecoder> decoder_;
};

std::unique_ptr<PocketsphinxModel> JsgfGrammarTest::model_;
std::unique_ptr<PronunciationDictionary> JsgfGrammarTest::dictionary_;
std::unique_ptr<PocketsphinxDecoder> JsgfGrammarTest::decoder_;

TEST_F(JsgfGrammarTest, InstalledGrammarDecodesAndAlsoMatchesSilence) {
  TEKTRA_REQUIRE_FIXTURE("goforward.raw");
  install_grammar(*decoder_, compile(test::kCommandGrammar));
  EXPECT_EQ(hypothesis(test::speech("goforward.raw")),
            std::optional<std::string>("go forward ten meters"));
  // The empty path: silence is "nothing said" (a path of silence only), not the nearest command
  // and not "no path" (which the recognizer treats as speech outside the grammar).
  EXPECT_EQ(hypothesis(std::vector<int16_t>(16000, 0)), std::nullopt);
  std::set<std::string> words;
  for (const auto& segment : decoder_->segments()) words.insert(segment.word);
  EXPECT_TRUE(words.count("<sil>")) << ::testing::PrintToString(words);
  for (const auto& word : words) EXPECT_TRUE(word == "<sil>" || word == "(NULL)") << word;
}

// The whole dictionary file checked against the decoder, not just a sample.
TEST_F(JsgfGrammarTest, FreshGrammarDecoderKnowsExactlyTheGrammarsWords) {
  const auto decoder = new_decoder();
  EXPECT_FALSE(decoder->knows("go"));
  const CompiledGrammar grammar = compile(test::kCommandGrammar);
  install_grammar(*decoder, grammar);
  const auto expected = spellings_of(grammar);
  EXPECT_TRUE(expected.count("the(2)"));  // alternates come along
  size_t known = 0;
  for (const auto& spelling : dictionary_spellings()) {
    const bool in_grammar = expected.count(spelling) > 0;
    EXPECT_EQ(decoder->knows(spelling), in_grammar) << spelling;
    known += in_grammar;
  }
  EXPECT_EQ(known, expected.size());
}

// pocketsphinx cannot remove words: a second grammar's words are added to the first's.
TEST_F(JsgfGrammarTest, LaterGrammarWithNewWordsDecodes) {
  TEKTRA_REQUIRE_FIXTURE("goforward.raw");
  const auto decoder = new_decoder();
  install_grammar(*decoder, compile("#JSGF V1.0; grammar g; public <a> = what time is it;"));
  EXPECT_FALSE(decoder->knows("forward"));
  install_grammar(*decoder, compile(test::kCommandGrammar));
  decode(*decoder, test::speech("goforward.raw"));
  EXPECT_EQ(decoder->hypothesis(), std::optional<std::string>(test::kGoForwardText));
  EXPECT_TRUE(decoder->knows("forward"));
}

// The merged grammar is smaller and its search gives the unmerged one's path bit for bit:
// words, frames and acoustic scores.
TEST_F(JsgfGrammarTest, MergedGrammarDecodesExactlyAsTheUnmergedOne) {
  for (const char* name : {"goforward.raw", "turn_on_the_living_room_lamp.wav", "vosk-test.wav",
                           test::kLibriVox0880}) {
    TEKTRA_REQUIRE_FIXTURE(name);
  }
  const CompiledGrammar unmerged(jsgf_word_graph(test::kRuleReusingGrammar), *dictionary_);
  const CompiledGrammar merged = compile(test::kRuleReusingGrammar);
  EXPECT_LT(merged.graph().states, unmerged.graph().states * 3 / 4);
  EXPECT_LT(merged.graph().word_arcs(), unmerged.graph().word_arcs() * 3 / 4);
  const auto plain = new_decoder();
  const auto reduced = new_decoder();
  install_grammar(*plain, unmerged);
  install_grammar(*reduced, merged);
  for (const char* name : {"goforward.raw", "turn_on_the_living_room_lamp.wav", "vosk-test.wav",
                           test::kLibriVox0880}) {
    const auto pcm = test::speech(name);
    const auto expected = decode(*plain, pcm);
    const auto actual = decode(*reduced, pcm);
    ASSERT_EQ(actual.size(), expected.size()) << name;
    for (size_t i = 0; i < actual.size(); ++i) {
      EXPECT_EQ(actual[i].word, expected[i].word) << name;
      EXPECT_EQ(actual[i].first_frame, expected[i].first_frame) << name << " " << actual[i].word;
      EXPECT_EQ(actual[i].last_frame, expected[i].last_frame) << name << " " << actual[i].word;
      EXPECT_EQ(actual[i].acoustic_nats, expected[i].acoustic_nats)
          << name << " " << actual[i].word;
    }
  }
  decode(*reduced, test::speech("goforward.raw"));
  EXPECT_EQ(reduced->hypothesis(), std::optional<std::string>(test::kGoForwardText));
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

// Weighted alternatives keep their (log) weights through compiling and merging.
TEST_F(JsgfGrammarTest, WeightsSurviveCompiling) {
  const CompiledGrammar grammar =
      compile("#JSGF V1.0; grammar g; public <a> = /10/ go forward | /1/ go back;");
  std::set<int> weights;
  for (const WordArc& arc : grammar.graph().arcs) weights.insert(arc.log_weight);
  EXPECT_TRUE(weights.count(0));
  EXPECT_GT(*weights.rbegin(), 0);  // log 10
}

}  // namespace
}  // namespace tektra
