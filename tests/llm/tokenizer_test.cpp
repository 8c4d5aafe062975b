#include "llm/tokenizer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "llm/unicode.h"
#include "support/fixtures.h"
#include "support/thrown.h"

namespace tektra::llm {
namespace {

using test::fixture;
using test::thrown_code;

std::string read_file(const std::string& name) {
  std::ifstream in(fixture(name), std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Loading the larger vocabularies takes a moment: each is loaded once for all tests.
const Tokenizer& vocab(const std::string& name) {
  static std::map<std::string, Tokenizer> loaded;
  auto it = loaded.find(name);
  if (it == loaded.end()) {
    it = loaded.emplace(name, Tokenizer::from_gguf(nn::GgufFile::open(fixture(name)))).first;
  }
  return it->second;
}

bool is_valid_utf8(std::string_view text) {
  while (!text.empty()) {
    const Utf8Sequence seq = utf8_sequence(text);
    if (seq.status != Utf8Status::Complete) return false;
    text.remove_prefix(seq.length);
  }
  return true;
}

std::string utf8(char32_t cp) {
  std::string out;
  utf8_append(out, cp);
  return out;
}

// llama.cpp's test vectors (tests/test-tokenizer-0.cpp): inputs separated by
// "\n__ggml_vocab_test__\n", one line of token ids per input, tokenized without BOS/EOS and
// without parsing special tokens.
struct Vector {
  std::string input;
  std::vector<Token> expected;
};

std::vector<Vector> read_vectors(const std::string& out_name) {
  const std::string inputs = read_file("ggml-vocab-test.inp");
  const std::string separator = "\n__ggml_vocab_test__\n";
  std::vector<Vector> vectors;
  for (size_t pos = 0; pos < inputs.size();) {
    const size_t next = inputs.find(separator, pos);
    vectors.push_back({inputs.substr(pos, next - pos), {}});
    if (next == std::string::npos) break;
    pos = next + separator.size();
  }
  std::istringstream out(read_file(out_name));
  size_t i = 0;
  for (std::string line; std::getline(out, line); ++i) {
    if (i >= vectors.size()) break;
    std::istringstream ids(line);
    for (Token id; ids >> id;) vectors[i].expected.push_back(id);
  }
  EXPECT_EQ(i, vectors.size()) << out_name << " has a different number of lines than inputs";
  return vectors;
}

struct VocabCase {
  std::string gguf;
  std::string out;  // phi-3 shares llama-spm's expected ids (MANIFEST.tsv)
  bool cleans_spaces;
};

void PrintTo(const VocabCase& c, std::ostream* os) {
  *os << c.gguf;
}

class TokenizerVectors : public testing::TestWithParam<VocabCase> {};

TEST_P(TokenizerVectors, EveryLlamaCppTestVectorTokenizesExactly) {
  TEKTRA_REQUIRE_FIXTURE(GetParam().gguf);
  TEKTRA_REQUIRE_FIXTURE(GetParam().out);
  const Tokenizer& tok = vocab(GetParam().gguf);
  const std::vector<Vector> vectors = read_vectors(GetParam().out);
  ASSERT_EQ(vectors.size(), 46u);
  size_t passed = 0;
  for (const Vector& v : vectors) {
    const std::vector<Token> got = tok.encode(v.input, false, false);
    EXPECT_EQ(got, v.expected) << "input: \"" << v.input << "\"";
    passed += got == v.expected;
  }
  std::printf("%s: %zu/%zu vectors\n", GetParam().gguf.c_str(), passed, vectors.size());
}

// Decoding gives the input back, but for the clean-up of spaces before punctuation that GPT-2 and
// Llama 3 ask for (" ?" -> "?"), as in llama.cpp.
TEST_P(TokenizerVectors, DecodingTheVectorsGivesTheInputsBack) {
  TEKTRA_REQUIRE_FIXTURE(GetParam().gguf);
  TEKTRA_REQUIRE_FIXTURE(GetParam().out);
  const Tokenizer& tok = vocab(GetParam().gguf);
  size_t cleaned = 0;
  for (const Vector& v : read_vectors(GetParam().out)) {
    const std::string decoded = tok.decode(v.expected);
    if (GetParam().cleans_spaces && decoded != v.input) {
      EXPECT_TRUE(v.input.find(" ?") != std::string::npos ||
                  v.input.find(" '") != std::string::npos)
          << v.input;
      EXPECT_LT(decoded.size(), v.input.size());
      ++cleaned;
      continue;
    }
    EXPECT_EQ(decoded, v.input);
  }
  EXPECT_EQ(cleaned, GetParam().cleans_spaces ? 2u : 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Vocabularies, TokenizerVectors,
    testing::Values(VocabCase{"ggml-vocab-llama-spm.gguf", "ggml-vocab-llama-spm.gguf.out", false},
                    VocabCase{"ggml-vocab-phi-3.gguf", "ggml-vocab-llama-spm.gguf.out", false},
                    VocabCase{"ggml-vocab-gpt-2.gguf", "ggml-vocab-gpt-2.gguf.out", true},
                    VocabCase{"ggml-vocab-llama-bpe.gguf", "ggml-vocab-llama-bpe.gguf.out", true},
                    VocabCase{"ggml-vocab-qwen2.gguf", "ggml-vocab-qwen2.gguf.out", false}),
    [](const auto& info) {
      std::string name = info.param.gguf.substr(11, info.param.gguf.size() - 16);
      std::erase(name, '-');
      return name;
    });

class TokenizerRoundTrip : public testing::TestWithParam<std::string> {};

// llama.cpp's tests/test-tokenizer-1-*: every codepoint (but surrogates, the unassigned planes 4 to
// 13 and "▁" itself) decodes back to itself.
TEST_P(TokenizerRoundTrip, EveryCodepointDecodesToItself) {
  TEKTRA_REQUIRE_FIXTURE(GetParam());
  const Tokenizer& tok = vocab(GetParam());
  size_t failures = 0;
  for (char32_t cp = 0; cp < 0x110000 && failures < 10; ++cp) {
    if ((cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0x40000 && cp <= 0xE0000) || cp == 0x2581) {
      continue;
    }
    const std::string text = utf8(cp);
    const std::string decoded = tok.decode(tok.encode(text, false, true));
    if (decoded != text) {
      ADD_FAILURE() << "U+" << std::hex << static_cast<uint32_t>(cp) << " decodes to \"" << decoded
                    << "\"";
      ++failures;
    }
  }
}

// Every token's text tokenizes back to that text; for byte-level BPE only the tokens that are whole
// UTF-8 characters, as the others come back as U+FFFD.
TEST_P(TokenizerRoundTrip, EveryTokenTextTokenizesBackToItself) {
  TEKTRA_REQUIRE_FIXTURE(GetParam());
  const Tokenizer& tok = vocab(GetParam());
  const bool byte_level = tok.model() == "gpt2";
  size_t failures = 0;
  for (Token id = 0; id < tok.size() && failures < 10; ++id) {
    const std::vector<Token> one = {id};
    const std::string text = tok.decode(one);
    if (byte_level && !is_valid_utf8(text)) continue;
    const std::string again = tok.decode(tok.encode(text, false, true));
    if (again != text) {
      ADD_FAILURE() << "token " << id << " \"" << text << "\" comes back as \"" << again << "\"";
      ++failures;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Vocabularies, TokenizerRoundTrip,
                         testing::Values("ggml-vocab-llama-spm.gguf", "ggml-vocab-phi-3.gguf",
                                         "ggml-vocab-gpt-2.gguf", "ggml-vocab-llama-bpe.gguf",
                                         "ggml-vocab-qwen2.gguf"),
                         [](const auto& info) {
                           std::string name = info.param.substr(11, info.param.size() - 16);
                           std::erase(name, '-');
                           return name;
                         });

TEST(Tokenizer, AddsBosAsEachModelSays) {
  for (const char* name : {"ggml-vocab-qwen2.gguf", "ggml-vocab-llama-spm.gguf",
                           "ggml-vocab-llama-bpe.gguf", "ggml-vocab-gpt-2.gguf"}) {
    TEKTRA_REQUIRE_FIXTURE(name);
  }
  const Tokenizer& spm = vocab("ggml-vocab-llama-spm.gguf");
  EXPECT_TRUE(spm.adds_bos());
  EXPECT_EQ(spm.encode("Hello world", true, false), (std::vector<Token>{1, 15043, 3186}));
  EXPECT_EQ(spm.encode("", true, false), (std::vector<Token>{1}));
  EXPECT_EQ(spm.encode("", false, false), (std::vector<Token>{}));

  const Tokenizer& llama3 = vocab("ggml-vocab-llama-bpe.gguf");  // llama-bpe adds BOS
  EXPECT_TRUE(llama3.adds_bos());
  EXPECT_EQ(llama3.encode("Hello world", true, false), (std::vector<Token>{128000, 9906, 1917}));

  for (const char* name : {"ggml-vocab-qwen2.gguf", "ggml-vocab-gpt-2.gguf"}) {
    const Tokenizer& tok = vocab(name);
    EXPECT_FALSE(tok.adds_bos()) << name;
    EXPECT_EQ(tok.encode("Hello world", true, false), tok.encode("Hello world", false, false));
  }
}

TEST(Tokenizer, ParsesControlTokensOnlyWhenAsked) {
  TEKTRA_REQUIRE_FIXTURE("ggml-vocab-qwen2.gguf");
  const Tokenizer& tok = vocab("ggml-vocab-qwen2.gguf");
  const std::string text = "<|im_start|>user\nHi<|im_end|>\n";
  const std::vector<Token> parsed = tok.encode(text, false, true);
  ASSERT_GE(parsed.size(), 4u);
  EXPECT_EQ(parsed.front(), 151644);
  EXPECT_EQ(parsed[parsed.size() - 2], 151645);
  EXPECT_EQ(tok.encode("user\nHi", false, false),
            std::vector<Token>(parsed.begin() + 1, parsed.end() - 2));
  EXPECT_EQ(tok.decode(parsed), text);
  EXPECT_EQ(tok.decode(parsed, false), "user\nHi\n");

  const std::vector<Token> literal = tok.encode(text, false, false);
  EXPECT_EQ(std::count(literal.begin(), literal.end(), 151644), 0);
  EXPECT_EQ(std::count(literal.begin(), literal.end(), 151645), 0);
  EXPECT_EQ(tok.decode(literal), text);
}

TEST(Tokenizer, SentencePieceAddsASpaceAfterSpecialTokens) {
  TEKTRA_REQUIRE_FIXTURE("ggml-vocab-llama-spm.gguf");
  const Tokenizer& tok = vocab("ggml-vocab-llama-spm.gguf");
  EXPECT_EQ(tok.encode("<s>Hello", false, true), (std::vector<Token>{1, 15043}));
  EXPECT_EQ(tok.encode("Hello", false, false), (std::vector<Token>{15043}));
  // llama.cpp strips the prefix space from the first piece only, whatever that piece is.
  EXPECT_EQ(tok.decode(std::vector<Token>{15043}), "Hello");
  EXPECT_EQ(tok.decode(std::vector<Token>{1, 15043}), "<s> Hello");
}

TEST(Tokenizer, Phi3AddedTokensSwallowTheWhitespaceAfterThem) {
  TEKTRA_REQUIRE_FIXTURE("ggml-vocab-phi-3.gguf");
  const Tokenizer& tok = vocab("ggml-vocab-phi-3.gguf");
  EXPECT_EQ(tok.encode("<|user|>\nHi<|end|>", false, true),
            (std::vector<Token>{32010, 6324, 32007}));
}

TEST(Tokenizer, KnowsTheEndOfGenerationTokens) {
  for (const char* name :
       {"ggml-vocab-qwen2.gguf", "ggml-vocab-llama-bpe.gguf", "ggml-vocab-llama-spm.gguf"})
    TEKTRA_REQUIRE_FIXTURE(name);
  const Tokenizer& qwen = vocab("ggml-vocab-qwen2.gguf");
  EXPECT_EQ(qwen.eot(), 151645);  // <|im_end|>
  EXPECT_TRUE(qwen.is_end_of_generation(151643));
  EXPECT_TRUE(qwen.is_end_of_generation(151645));
  EXPECT_FALSE(qwen.is_end_of_generation(151644));
  EXPECT_EQ(qwen.model(), "gpt2");
  EXPECT_EQ(qwen.pre(), "qwen2");

  const Tokenizer& llama3 = vocab("ggml-vocab-llama-bpe.gguf");
  EXPECT_EQ(llama3.bos(), 128000);
  EXPECT_EQ(llama3.eos(), 128001);
  EXPECT_EQ(llama3.eot(), 128009);  // <|eot_id|>
  EXPECT_TRUE(llama3.is_end_of_generation(128001));
  EXPECT_TRUE(llama3.is_end_of_generation(128009));

  const Tokenizer& spm = vocab("ggml-vocab-llama-spm.gguf");
  EXPECT_EQ(spm.eot(), std::nullopt);
  EXPECT_TRUE(spm.is_end_of_generation(2));
  EXPECT_FALSE(spm.is_end_of_generation(1));
}

TEST(Tokenizer, PiecesAreBytes) {
  for (const char* name : {"ggml-vocab-llama-bpe.gguf", "ggml-vocab-llama-spm.gguf"}) {
    TEKTRA_REQUIRE_FIXTURE(name);
  }
  const Tokenizer& spm = vocab("ggml-vocab-llama-spm.gguf");
  EXPECT_EQ(spm.piece(13), "\n");  // <0x0A>
  EXPECT_EQ(spm.piece(15043), " Hello");
  EXPECT_EQ(spm.piece(1), "<s>");
  EXPECT_EQ(spm.piece(1, false), "");
  const Tokenizer& llama3 = vocab("ggml-vocab-llama-bpe.gguf");
  EXPECT_EQ(llama3.piece(22691), " Hello");  // "ĠHello"
  EXPECT_EQ(llama3.piece(198), "\n");        // "Ċ"
  EXPECT_EQ(thrown_code([&] { llama3.piece(llama3.size()); }), "invalid_token");
  EXPECT_EQ(thrown_code([&] { llama3.piece(-1); }), "invalid_token");
}

TEST(Tokenizer, CleansUpSpacesWhereTheModelDoes) {
  for (const char* name : {"ggml-vocab-qwen2.gguf", "ggml-vocab-gpt-2.gguf"}) {
    TEKTRA_REQUIRE_FIXTURE(name);
  }
  const std::string text = "Hello , world ! It 's here ' ok";
  const Tokenizer& gpt2 = vocab("ggml-vocab-gpt-2.gguf");
  EXPECT_EQ(gpt2.decode(gpt2.encode(text, false, false)), "Hello, world! It's here'ok");
  const Tokenizer& qwen = vocab("ggml-vocab-qwen2.gguf");
  EXPECT_EQ(qwen.decode(qwen.encode(text, false, false)), text);
}

TEST(Tokenizer, StoriesTokenizesOnceUponATime) {
  TEKTRA_REQUIRE_FIXTURE("stories260K.gguf");
  const Tokenizer& tok = vocab("stories260K.gguf");
  EXPECT_EQ(tok.size(), 512);
  EXPECT_EQ(tok.model(), "llama");
  const std::vector<Token> ids = tok.encode("Once upon a time", true, false);
  EXPECT_EQ(ids, (std::vector<Token>{1, 403, 407, 261, 378}));
  EXPECT_EQ(tok.decode(std::span(ids).subspan(1)), "Once upon a time");
}

TEST(Tokenizer, InvalidUtf8DoesNotBreakAnything) {
  for (const char* name : {"ggml-vocab-qwen2.gguf", "ggml-vocab-llama-spm.gguf",
                           "ggml-vocab-gpt-2.gguf", "ggml-vocab-llama-bpe.gguf"}) {
    TEKTRA_REQUIRE_FIXTURE(name);
  }
  const std::string text = "ok \xff\xfe \xe2\x82 \xc0\x80 \xed\xa0\x80 \xf5\x80\x80\x80 end\xe6";
  for (const char* name : {"ggml-vocab-llama-spm.gguf", "ggml-vocab-gpt-2.gguf",
                           "ggml-vocab-llama-bpe.gguf", "ggml-vocab-qwen2.gguf"}) {
    const Tokenizer& tok = vocab(name);
    const std::vector<Token> ids = tok.encode(text, true, true);
    ASSERT_FALSE(ids.empty()) << name;
    const std::string decoded = tok.decode(ids, false);
    EXPECT_NE(decoded.find("ok"), std::string::npos) << name;
    EXPECT_NE(decoded.find("end"), std::string::npos) << name;
  }
  // SentencePiece spells what no token covers as bytes; byte-level BPE tokenizes U+FFFD instead.
  const Tokenizer& spm = vocab("ggml-vocab-llama-spm.gguf");
  EXPECT_EQ(spm.decode(spm.encode("ok\xc0\x80\xed\xa0\x80\xe6", false, false)),
            "ok\xc0\x80\xed\xa0\x80\xe6");
  const Tokenizer& qwen = vocab("ggml-vocab-qwen2.gguf");
  EXPECT_EQ(qwen.decode(qwen.encode("a\xff", false, false)), "a\xEF\xBF\xBD");
}

TEST(TokenTextStream, ReleasesOnlyWholeCharacters) {
  for (const char* name :
       {"ggml-vocab-llama-bpe.gguf", "ggml-vocab-llama-spm.gguf", "ggml-vocab-qwen2.gguf"})
    TEKTRA_REQUIRE_FIXTURE(name);
  const std::string text = "Hi 🦙 and 😶‍🌫️, 我想在apple工作 — нещо ✅";
  for (const char* name :
       {"ggml-vocab-llama-spm.gguf", "ggml-vocab-llama-bpe.gguf", "ggml-vocab-qwen2.gguf"}) {
    const Tokenizer& tok = vocab(name);
    const std::vector<Token> ids = tok.encode(text, false, false);
    TokenTextStream stream(tok);
    std::string joined;
    std::string pieces;
    size_t held_back = 0;
    for (const Token id : ids) {
      const std::string chunk = stream.push(id);
      EXPECT_TRUE(is_valid_utf8(chunk)) << name << " token " << id;
      held_back += chunk.empty() && !tok.piece(id).empty();
      joined += chunk;
      pieces += tok.piece(id);
    }
    joined += stream.flush();
    EXPECT_EQ(joined, pieces) << name;
    EXPECT_GT(held_back, 0u) << name << ": the emoji should span tokens";
  }
}

TEST(TokenTextStream, ReplacesBytesThatNeverFormACharacter) {
  TEKTRA_REQUIRE_FIXTURE("ggml-vocab-llama-spm.gguf");
  const Tokenizer& tok = vocab("ggml-vocab-llama-spm.gguf");
  const Token e6 = 3 + 0xE6;  // <0xE6>: the first byte of a three-byte character
  TokenTextStream stream(tok);
  EXPECT_EQ(stream.push(e6), "");
  EXPECT_EQ(stream.push(3 + 'A'),
            "\xEF\xBF\xBD"
            "A");
  EXPECT_EQ(stream.push(e6), "");
  EXPECT_EQ(stream.flush(), "\xEF\xBF\xBD");
  EXPECT_EQ(stream.push(2), "");  // </s> is not rendered by default
  TokenTextStream rendering(tok, true);
  EXPECT_EQ(rendering.push(2), "</s>");
}

TEST(Tokenizer, RejectsUnknownModelsAndPreTokenizersByName) {
  const auto load = [](const nn::GgufWriter& w) {
    return Tokenizer::from_gguf(nn::GgufFile::parse(w.serialize()));
  };
  nn::GgufWriter w;
  w.set_strings("tokenizer.ggml.tokens", {"a", "b", "ab"});
  w.set("tokenizer.ggml.model", "bert");
  const auto bert = test::thrown_error([&] { load(w); });
  ASSERT_TRUE(bert.has_value());
  EXPECT_EQ(bert->code(), "unsupported_tokenizer");
  EXPECT_NE(std::string(bert->what()).find("\"bert\""), std::string::npos) << bert->what();

  w.set("tokenizer.ggml.model", "gpt2");
  w.set("tokenizer.ggml.pre", "klingon");
  const auto pre = test::thrown_error([&] { load(w); });
  ASSERT_TRUE(pre.has_value());
  EXPECT_EQ(pre->code(), "unsupported_tokenizer");
  EXPECT_NE(std::string(pre->what()).find("\"klingon\""), std::string::npos) << pre->what();

  w.set("tokenizer.ggml.pre", "qwen2");  // no merges
  EXPECT_EQ(thrown_code([&] { load(w); }), "invalid_tokenizer");
  w.set_strings("tokenizer.ggml.merges", {"a b"});
  const Tokenizer tiny = load(w);
  EXPECT_EQ(tiny.encode("ab", false, false), (std::vector<Token>{2}));

  nn::GgufWriter none;
  none.set("tokenizer.ggml.model", "llama");
  EXPECT_EQ(thrown_code([&] { load(none); }), "invalid_tokenizer");
}

// Not a timed test: reports how long a 100 KB text takes and checks it comes back whole.
TEST(Tokenizer, TokenizesALongText) {
  for (const char* name : {"ggml-vocab-llama-bpe.gguf", "ggml-vocab-llama-spm.gguf"}) {
    TEKTRA_REQUIRE_FIXTURE(name);
  }
  const std::string paragraph =
      "It was the best of times, it was the worst of times, it was the age of wisdom, it was the "
      "age of foolishness, it was the epoch of belief, it was the epoch of incredulity, it was "
      "the season of Light, it was the season of Darkness, it was the spring of hope, it was the "
      "winter of despair. We had everything before us, we had nothing before us; we were all "
      "going direct to Heaven, we were all going direct the other way. In 1775 there were 3,214 "
      "of them (\"so-called\") and they didn't know what they'd do.\n\n";
  std::string text;
  for (int i = 0; text.size() < 100 * 1024; ++i) text += std::to_string(i) + ". " + paragraph;
  for (const char* name : {"ggml-vocab-llama-bpe.gguf", "ggml-vocab-llama-spm.gguf"}) {
    const Tokenizer& tok = vocab(name);
    const auto start = std::chrono::steady_clock::now();
    const std::vector<Token> ids = tok.encode(text, false, false);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::printf("%s: %zu bytes -> %zu tokens in %.1f ms\n", name, text.size(), ids.size(), ms);
    EXPECT_EQ(tok.decode(ids), text) << name;
  }
}

}  // namespace
}  // namespace tektra::llm
