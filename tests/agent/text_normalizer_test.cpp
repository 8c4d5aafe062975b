// Normalisation of typed and transcribed text into matcher tokens.
#include "agent/text_normalizer.h"

#include <gtest/gtest.h>

namespace tektra {
namespace {

std::string words(std::string_view text) {
  return normalized_phrase(text);
}

std::string surfaces(std::string_view text) {
  std::string out;
  for (const auto& t : normalize_text(text)) out += (out.empty() ? "" : "|") + t.surface;
  return out;
}

TEST(TextNormalizer, LowerCasesAndStripsPunctuation) {
  EXPECT_EQ(words("What TIME is it?!"), "what time is it");
  EXPECT_EQ(words("  hello,   world... (really)  "), "hello world really");
  EXPECT_EQ(words(""), "");
  EXPECT_EQ(words("?!."), "");
}

TEST(TextNormalizer, ExpandsContractions) {
  EXPECT_EQ(words("What's the time"), "what is the time");
  EXPECT_EQ(words("I'm done, don't you think? It'll be fine, we've won"),
            "i am done do not you think it will be fine we have won");
  EXPECT_EQ(words("can't won't cannot let's they're I'd"),
            "can not will not can not let us they are i would");
  EXPECT_EQ(words("What\xE2\x80\x99s up"), "what is up");  // typographic apostrophe
}

TEST(TextNormalizer, DropsPossessiveButKeepsItInTheSurface) {
  EXPECT_EQ(words("my wife's name"), "my wife name");
  EXPECT_EQ(surfaces("my Wife's name"), "my|Wife's|name");
  EXPECT_EQ(words("today's date"), "today date");
}

TEST(TextNormalizer, MapsAmericanSpellingToBritish) {
  EXPECT_EQ(words("my favorite color is gray"), "my favourite colour is grey");
  EXPECT_EQ(words("timer canceled"), "timer cancelled");
  // The surface keeps what the user wrote.
  EXPECT_EQ(surfaces("Favorite"), "Favorite");
}

TEST(TextNormalizer, KeepsNumbersWhole) {
  EXPECT_EQ(words("set a timer for 90 seconds"), "set a timer for 90 seconds");
  EXPECT_EQ(words("1,000,000 and 2.5 and 3."), "1000000 and 2.5 and 3");
  EXPECT_EQ(words("-3 plus 4"), "-3 plus 4");
  EXPECT_EQ(words("3rd of May at 5pm"), "3rd of may at 5pm");
  EXPECT_TRUE(is_numeric_literal("12"));
  EXPECT_TRUE(is_numeric_literal("-2.5"));
  EXPECT_FALSE(is_numeric_literal("2."));
  EXPECT_FALSE(is_numeric_literal("-"));
  EXPECT_FALSE(is_numeric_literal("1e5"));
}

TEST(TextNormalizer, SpellsArithmeticSymbols) {
  EXPECT_EQ(words("12*7"), "12 times 7");
  EXPECT_EQ(words("12 x 7"), "12 times 7");
  EXPECT_EQ(words("12/4"), "12 divided by 4");
  EXPECT_EQ(words("12+7"), "12 plus 7");
  EXPECT_EQ(words("12-7"), "12 minus 7");
  EXPECT_EQ(words("12 - -7"), "12 minus -7");
  EXPECT_EQ(words("6 \xC3\x97 7 \xC3\xB7 2"), "6 times 7 divided by 2");
  EXPECT_EQ(words("rock & roll"), "rock and roll");
  EXPECT_EQ(words("x marks the spot"), "x marks the spot");  // only between numbers
}

TEST(TextNormalizer, HyphensSplitWords) {
  EXPECT_EQ(words("twenty-five bye-bye"), "twenty five bye bye");
}

TEST(TextNormalizer, KeepsNonAsciiLettersInWords) {
  EXPECT_EQ(words("My name is Jos\xC3\xA9"), "my name is jos\xC3\xA9");
  EXPECT_EQ(surfaces("Jos\xC3\xA9!"), "Jos\xC3\xA9");
}

TEST(TextNormalizer, NormalizeWordForTemplates) {
  EXPECT_EQ(normalize_word("What's"), (std::vector<std::string>{"what", "is"}));
  EXPECT_EQ(normalize_word("Color"), (std::vector<std::string>{"colour"}));
  EXPECT_EQ(normalize_word("o'clock"), (std::vector<std::string>{"oclock"}));
  EXPECT_TRUE(normalize_word("'").empty());
}

}  // namespace
}  // namespace tektra
