// The shared pronunciation dictionary: parsing like pocketsphinx, alternates in order, lookups.
#include "stt/pronunciation_dictionary.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "core/config.h"
#include "core/error.h"
#include "stt/pocketsphinx_model.h"

namespace tektra {

// For gtest's messages; found by argument-dependent lookup, so outside the anonymous namespace.
void PrintTo(const Pronunciation& p, std::ostream* out) {
  *out << p.spelling << " /" << p.phones << "/";
}

namespace {

class DictionaryFile : public ::testing::Test {
 protected:
  void TearDown() override { std::filesystem::remove(path_); }
  PronunciationDictionary load(const std::string& text) {
    std::ofstream(path_, std::ios::binary) << text;
    return PronunciationDictionary(path_);
  }
  const std::filesystem::path path_ = std::filesystem::temp_directory_path() /
                                      ("tektra-dict-test-" + std::to_string(::getpid()) + ".dict");
};

TEST_F(DictionaryFile, ParsesLinesAsPocketsphinxDoes) {
  const auto dictionary = load(
      "## a comment\n"
      ";; another\n"
      "\n"
      "go G OW\n"
      "read R IY D\n"
      "read(2)\tR  EH D \r\n"  // tabs, double blanks, CRLF
      "lonely\n"               // no phones: pocketsphinx skips it
      "  indented IH N\n"
      "Go G OW2\n");
  EXPECT_EQ(dictionary.pronunciations("read"),
            (std::vector<Pronunciation>{{"read", "R IY D"}, {"read(2)", "R EH D"}}));
  EXPECT_EQ(dictionary.pronunciations("go"), (std::vector<Pronunciation>{{"go", "G OW"}}));
  EXPECT_EQ(dictionary.pronunciations("Go"), (std::vector<Pronunciation>{{"Go", "G OW2"}}));
  EXPECT_EQ(dictionary.pronunciations("indented"),
            (std::vector<Pronunciation>{{"indented", "IH N"}}));
  EXPECT_TRUE(dictionary.pronunciations("lonely").empty());
  EXPECT_TRUE(dictionary.pronunciations("##").empty());
  EXPECT_FALSE(dictionary.contains("read(2)"));  // a spelling, not a word
  EXPECT_EQ(dictionary.size(), 4u);              // go, read, indented, Go
}

// Alternates keep file order wherever they sit: pocketsphinx numbers them in that order.
TEST_F(DictionaryFile, AlternatesKeepFileOrder) {
  const auto dictionary = load("the DH AH\nthem DH EH M\nthe(3) DH IH\nthe(2) DH IY\n");
  EXPECT_EQ(
      dictionary.pronunciations("the"),
      (std::vector<Pronunciation>{{"the", "DH AH"}, {"the(3)", "DH IH"}, {"the(2)", "DH IY"}}));
  EXPECT_EQ(dictionary.missing({"them", "then", "the", "thee"}),
            (std::vector<std::string>{"then", "thee"}));
}

TEST(PronunciationDictionary, MissingFileIsEngineUnavailable) {
  try {
    PronunciationDictionary dictionary("/nonexistent/tektra.dict");
    FAIL() << "expected engine_unavailable";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), "engine_unavailable");
  }
}

TEST(PronunciationDictionary, LoadsTheEnglishModelsDictionary) {
  const PronunciationDictionary dictionary(
      find_pocketsphinx_model(SttConfig{}.model_dir).dictionary);
  EXPECT_GT(dictionary.size(), 100000u);
  EXPECT_EQ(dictionary.pronunciations("what"),
            (std::vector<Pronunciation>{{"what", "W AH T"}, {"what(2)", "HH W AH T"}}));
  EXPECT_EQ(dictionary.missing({"go", "frobnicatezz", "forward", "GO"}),
            (std::vector<std::string>{"frobnicatezz", "GO"}));
}

}  // namespace
}  // namespace tektra
