// JsonConstraint over the real vocabularies of llama.cpp's test fixtures: the masked walk agrees
// with token-by-token checks, control tokens never pass, end-of-generation only at the end.
#include "llm/json_constraint.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "nn/gguf.h"
#include "support/fixtures.h"

namespace tektra::llm {
namespace {

using test::fixture;

class JsonConstraintVocab : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    TEKTRA_REQUIRE_FIXTURE(GetParam());
    static std::map<std::string, std::shared_ptr<const ConstraintVocab>> loaded;
    auto& vocab = loaded[GetParam()];
    if (!vocab)
      vocab = std::make_shared<const ConstraintVocab>(
          Tokenizer::from_gguf(nn::GgufFile::open(fixture(GetParam()))));
    vocab_ = vocab;
  }
  const Tokenizer& tokenizer() const { return vocab_->tokenizer(); }

  // A constraint that has read `text` (tokenized as the model would see it).
  JsonConstraint after(std::string_view text) {
    JsonConstraint c(vocab_);
    for (const Token t : tokenizer().encode(text, false, false)) {
      EXPECT_TRUE(c.allows(t)) << "token " << t << " of " << text;
      c.accept(t);
    }
    EXPECT_TRUE(c.acceptor().accepts("") && !c.acceptor().failed()) << text;
    return c;
  }

  std::shared_ptr<const ConstraintVocab> vocab_;
};

// Documents cut at every kind of state: structure, keys, strings, escapes, surrogate pairs,
// UTF-8, literals, numbers, a run of whitespace at its bound, and the complete object.
const char* const kPrefixes[] = {
    "",
    "{",
    "{\"",
    "{\"name",
    "{\"name\"",
    "{\"name\":",
    "{\"name\": [1",
    "{\"name\": [1, 2.5",
    "{\"name\": [1, 2.5e",
    "{\"name\": -",
    "{\"name\": 0",
    "{\"name\":\"x\\",
    "{\"name\":\"\\u00",
    "{\"name\":\"\\uD83D",
    "{\"name\":\"caf\xC3",
    "{\"name\":\"\xE2\x82",
    "{\"name\":tr",
    "{\"a\":{\"b\":[{}",
    "{                ",
    "{\"name\": \"Lily\"}",
};

// What a token's text does to the acceptor, checked on its own.
bool takes(const JsonAcceptor& a, const Tokenizer& tokenizer, Token t) {
  if (t >= tokenizer.size() || tokenizer.is_end_of_generation(t)) return false;
  const std::string_view bytes = tokenizer.piece(t, /*render_special=*/false);
  return !bytes.empty() && a.accepts(bytes);
}

TEST_P(JsonConstraintVocab, TheSharedPrefixWalkAgreesWithCheckingEachToken) {
  std::vector<uint8_t> allowed(static_cast<size_t>(tokenizer().size()) + 7);
  std::vector<JsonAcceptor> scratch(vocab_->longest() + 1);
  for (const char* prefix : kPrefixes) {
    JsonAcceptor a;
    ASSERT_TRUE(a.push(prefix)) << prefix;
    std::fill(allowed.begin(), allowed.end(), 0);
    vocab_->mark_accepted(a, allowed, scratch);
    int n_allowed = 0;
    for (Token t = 0; t < static_cast<Token>(allowed.size()); ++t) {
      const bool expected = takes(a, tokenizer(), t);
      ASSERT_EQ(allowed[static_cast<size_t>(t)], expected ? 1 : 0)
          << "token " << t << " \"" << tokenizer().piece(std::min(t, tokenizer().size() - 1))
          << "\" after \"" << prefix << "\"";
      n_allowed += expected;
    }
    if (!a.complete()) {
      EXPECT_GT(n_allowed, 0) << "nothing may follow \"" << prefix << "\"";
    }
  }
}

TEST_P(JsonConstraintVocab, FillAllowedAgreesWithAllows) {
  std::vector<uint8_t> allowed(static_cast<size_t>(tokenizer().size()) + 7, 2);
  for (const char* prefix : {"", "{\"a\":", "{\"name\": [1, 2.5", "{\"a\": \"Once upon",
                             "{\"a\":tr", "{\"a\": {\"b\": []}}"}) {
    JsonConstraint c = after(prefix);
    c.fill_allowed(allowed);
    for (Token t = 0; t < static_cast<Token>(allowed.size()); ++t) {
      ASSERT_EQ(allowed[static_cast<size_t>(t)] != 0, c.allows(t)) << t << " after " << prefix;
      if (!c.complete()) {
        ASSERT_EQ(c.allows(t), takes(c.acceptor(), tokenizer(), t)) << t;
      }
    }
  }
}

TEST_P(JsonConstraintVocab, EndOfGenerationOnlyOnceTheObjectIsComplete) {
  ASSERT_FALSE(vocab_->end_of_generation().empty());
  const Token eog = vocab_->end_of_generation().front();
  for (const char* prefix : {"", "{", "{\"a\":1", "{\"a\":{}"})
    EXPECT_FALSE(after(prefix).allows(eog));
  JsonConstraint done = after("{\"a\":{}}");
  EXPECT_TRUE(done.complete());
  EXPECT_TRUE(done.allows(eog));
  std::vector<uint8_t> allowed(static_cast<size_t>(tokenizer().size()));
  done.fill_allowed(allowed);
  for (Token t = 0; t < tokenizer().size(); ++t)
    EXPECT_EQ(allowed[static_cast<size_t>(t)] != 0, tokenizer().is_end_of_generation(t)) << t;
}

TEST_P(JsonConstraintVocab, ControlTokensNeverPassEvenInsideAString) {
  // Inside a string any printable text passes, so a control token's text ("<s>", "<|im_end|>")
  // would too: only its rendering as nothing keeps it out.
  JsonConstraint c = after("{\"text\": \"");
  int controls = 0;
  for (Token t = 0; t < tokenizer().size(); ++t) {
    if (tokenizer().is_end_of_generation(t) || !tokenizer().piece(t, false).empty()) continue;
    const std::string_view text = tokenizer().piece(t, /*render_special=*/true);
    if (text.empty()) continue;
    ++controls;
    EXPECT_FALSE(c.allows(t)) << text;
  }
  if (tokenizer().bos() != kNoToken) {
    EXPECT_FALSE(c.allows(tokenizer().bos()));
  }
  if (controls == 0) GTEST_SKIP() << "the vocabulary has no control tokens but end-of-generation";
}

INSTANTIATE_TEST_SUITE_P(Fixtures, JsonConstraintVocab,
                         ::testing::Values("ggml-vocab-llama-spm.gguf", "ggml-vocab-llama-bpe.gguf",
                                           "ggml-vocab-gpt-2.gguf", "ggml-vocab-qwen2.gguf",
                                           "ggml-vocab-phi-3.gguf"),
                         [](const auto& info) {
                           std::string name = info.param;
                           name = name.substr(11, name.size() - 16);  // ggml-vocab-X.gguf
                           for (char& ch : name)
                             if (ch == '-') ch = '_';
                           return name;
                         });

}  // namespace
}  // namespace tektra::llm
