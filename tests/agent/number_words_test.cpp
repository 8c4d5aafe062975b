// Spoken and written numbers: parsing slot values and spelling replies.
#include "agent/number_words.h"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

namespace tektra {
namespace {

std::optional<double> parse(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in(text);
  for (std::string w; in >> w;) words.push_back(w);
  return parse_number(words);
}

TEST(NumberWords, ParsesDigits) {
  EXPECT_EQ(parse("12"), 12);
  EXPECT_EQ(parse("2.5"), 2.5);
  EXPECT_EQ(parse("-3"), -3);
  EXPECT_EQ(parse("0"), 0);
  EXPECT_EQ(parse("12 7"), std::nullopt);
}

TEST(NumberWords, ParsesWordsUpToThousandsAndBeyond) {
  EXPECT_EQ(parse("zero"), 0);
  EXPECT_EQ(parse("seven"), 7);
  EXPECT_EQ(parse("twelve"), 12);
  EXPECT_EQ(parse("twenty"), 20);
  EXPECT_EQ(parse("twenty five"), 25);
  EXPECT_EQ(parse("one hundred"), 100);
  EXPECT_EQ(parse("a hundred"), 100);
  EXPECT_EQ(parse("one hundred and five"), 105);
  EXPECT_EQ(parse("one hundred five"), 105);
  EXPECT_EQ(parse("nine hundred ninety nine"), 999);
  EXPECT_EQ(parse("twelve hundred"), 1200);
  EXPECT_EQ(parse("a thousand"), 1000);
  EXPECT_EQ(parse("one thousand and five"), 1005);
  EXPECT_EQ(parse("two thousand three hundred and forty five"), 2345);
  EXPECT_EQ(parse("ninety nine thousand nine hundred and ninety nine"), 99999);
  EXPECT_EQ(parse("one hundred thousand"), 100000);
  EXPECT_EQ(parse("three million two hundred thousand"), 3200000);
  EXPECT_EQ(parse("one billion"), 1e9);
}

TEST(NumberWords, ParsesDecimalsAndSigns) {
  EXPECT_EQ(parse("two point five"), 2.5);
  EXPECT_EQ(parse("three point one four"), 3.14);
  EXPECT_EQ(parse("point five"), 0.5);
  EXPECT_EQ(parse("negative four"), -4);
  EXPECT_EQ(parse("minus twenty"), -20);
}

TEST(NumberWords, RejectsWordSequencesThatAreNotOneNumber) {
  for (const char* bad : {"",
                          "one two",
                          "twenty twenty",
                          "twelve five",
                          "hundred",
                          "thousand",
                          "a",
                          "and five",
                          "one hundred and",
                          "one hundred hundred",
                          "five thousand thousand",
                          "one thousand million",
                          "two point",
                          "two point twelve",
                          "a five",
                          "minus",
                          "point",
                          "five apples",
                          "zero five",
                          "twelve 7"}) {
    EXPECT_EQ(parse(bad), std::nullopt) << bad;
  }
}

TEST(NumberWords, SpellsIntegers) {
  EXPECT_EQ(number_to_words(0), "zero");
  EXPECT_EQ(number_to_words(7), "seven");
  EXPECT_EQ(number_to_words(21), "twenty-one");
  EXPECT_EQ(number_to_words(105), "one hundred and five");
  EXPECT_EQ(number_to_words(1005), "one thousand and five");
  EXPECT_EQ(number_to_words(2345), "two thousand three hundred and forty-five");
  EXPECT_EQ(number_to_words(-3), "minus three");
  EXPECT_EQ(number_to_words(1000000), "one million");
  EXPECT_EQ(number_to_words(INT64_MIN).substr(0, 15), "minus nine quin");
  EXPECT_EQ(number_to_words(INT64_MAX).substr(0, 16), "nine quintillion");
}

TEST(NumberWords, SpellingRoundTripsThroughTheParser) {
  for (int64_t n :
       {0, 1, 13, 40, 99, 100, 101, 999, 1000, 1001, 12345, 999999, 1000001, 70000017}) {
    std::string spelled = number_to_words(n);
    for (char& c : spelled) {
      if (c == '-') c = ' ';
    }
    EXPECT_EQ(parse(spelled), static_cast<double>(n)) << spelled;
  }
}

TEST(NumberWords, SpellsOrdinals) {
  EXPECT_EQ(ordinal_words(1), "first");
  EXPECT_EQ(ordinal_words(2), "second");
  EXPECT_EQ(ordinal_words(3), "third");
  EXPECT_EQ(ordinal_words(4), "fourth");
  EXPECT_EQ(ordinal_words(12), "twelfth");
  EXPECT_EQ(ordinal_words(14), "fourteenth");
  EXPECT_EQ(ordinal_words(20), "twentieth");
  EXPECT_EQ(ordinal_words(22), "twenty-second");
  EXPECT_EQ(ordinal_words(31), "thirty-first");
  EXPECT_EQ(ordinal_words(100), "one hundredth");
}

}  // namespace
}  // namespace tektra
