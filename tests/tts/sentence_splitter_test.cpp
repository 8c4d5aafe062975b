// SentenceSplitter: where streamed text is cut into sentences, independent of chunking.
#include <gtest/gtest.h>

#include <random>

#include "tts/tts.h"

namespace tektra {
namespace {

using Sentences = std::vector<std::string>;

// Every sentence the splitter produces for `text` pushed in pieces of `piece` bytes, flush last.
Sentences split(std::string_view text, size_t piece) {
  SentenceSplitter splitter;
  Sentences sentences;
  for (size_t pos = 0; pos < text.size(); pos += piece) {
    for (std::string& s : splitter.push(text.substr(pos, piece))) sentences.push_back(std::move(s));
  }
  std::string rest = splitter.flush();
  if (!rest.empty()) sentences.push_back(std::move(rest));
  return sentences;
}

Sentences split(std::string_view text) {
  return split(text, text.size() + 1);
}

TEST(SentenceSplitter, EmitsASentenceOnceWhitespaceFollowsItsEnd) {
  SentenceSplitter splitter;
  EXPECT_EQ(splitter.push("Hello there."), Sentences{});  // could still become "there.com"
  EXPECT_EQ(splitter.push(" How"), Sentences{"Hello there."});
  EXPECT_EQ(splitter.push(" are you? I am"), Sentences{"How are you?"});
  EXPECT_EQ(splitter.push(" fine! "), Sentences{"I am fine!"});
  EXPECT_EQ(splitter.flush(), "");
}

TEST(SentenceSplitter, NewlineEndsASentence) {
  EXPECT_EQ(split("Shopping list\n- milk\n\n- bread"),
            (Sentences{"Shopping list", "- milk", "- bread"}));
  SentenceSplitter splitter;
  EXPECT_EQ(splitter.push("A heading\n"), Sentences{"A heading"});
}

TEST(SentenceSplitter, FlushReturnsTheTrimmedRemainderAndResets) {
  SentenceSplitter splitter;
  EXPECT_EQ(splitter.push("  One. Two"), Sentences{"One."});
  EXPECT_EQ(splitter.flush(), "Two");
  EXPECT_EQ(splitter.flush(), "");
  EXPECT_EQ(splitter.push("Three. "), Sentences{"Three."});
  EXPECT_EQ(splitter.push(" \n\t "), Sentences{});
  EXPECT_EQ(splitter.flush(), "");
}

TEST(SentenceSplitter, DoesNotSplitNumbersTimesOrAddresses) {
  EXPECT_EQ(split("It is 3.5 degrees at 3:45 today. Pay $3.50 at example.com now."),
            (Sentences{"It is 3.5 degrees at 3:45 today.", "Pay $3.50 at example.com now."}));
  EXPECT_EQ(split("Version 1.2.3 is out. Update"), (Sentences{"Version 1.2.3 is out.", "Update"}));
}

TEST(SentenceSplitter, KeepsTitlesAndLatinShorthandsInsideTheSentence) {
  EXPECT_EQ(split("Mr. and Mrs. Smith met Dr. Jones on Main St. yesterday. They talked."),
            (Sentences{"Mr. and Mrs. Smith met Dr. Jones on Main St. yesterday.", "They talked."}));
  EXPECT_EQ(split("Bring fruit, e.g. Apples, i.e. Red ones vs. Green ones. Thanks."),
            (Sentences{"Bring fruit, e.g. Apples, i.e. Red ones vs. Green ones.", "Thanks."}));
  EXPECT_EQ(split("Ask (Dr. Who) first. Then me."),
            (Sentences{"Ask (Dr. Who) first.", "Then me."}));
}

TEST(SentenceSplitter, AmbiguousAbbreviationsEndOnlyBeforeACapital) {
  EXPECT_EQ(split("Buy apples, pears, etc. and milk. Done."),
            (Sentences{"Buy apples, pears, etc. and milk.", "Done."}));
  EXPECT_EQ(split("Buy apples, pears, etc. Then rest."),
            (Sentences{"Buy apples, pears, etc.", "Then rest."}));
  EXPECT_EQ(split("Meet at 5 p.m. on Monday. Or at 6 p.m. Bring food."),
            (Sentences{"Meet at 5 p.m. on Monday.", "Or at 6 p.m.", "Bring food."}));
  EXPECT_EQ(split("See no. 5 below."), (Sentences{"See no. 5 below."}));
}

TEST(SentenceSplitter, EllipsisContinuesBeforeLowerCase) {
  EXPECT_EQ(split("I was thinking... maybe not. Well... I agree."),
            (Sentences{"I was thinking... maybe not.", "Well...", "I agree."}));
  EXPECT_EQ(split("Wait\xe2\x80\xa6 what? Hmm\xe2\x80\xa6 Okay."),
            (Sentences{"Wait\xe2\x80\xa6 what?", "Hmm\xe2\x80\xa6", "Okay."}));
  // Undecided until the next word arrives; flush settles it.
  SentenceSplitter splitter;
  EXPECT_EQ(splitter.push("So... "), Sentences{});
  EXPECT_EQ(splitter.flush(), "So...");
  EXPECT_EQ(split("So...\nNext"), (Sentences{"So...", "Next"}));
}

TEST(SentenceSplitter, KeepsInitialsAndListMarkersTogether) {
  EXPECT_EQ(split("J. R. R. Tolkien wrote it. Read it."),
            (Sentences{"J. R. R. Tolkien wrote it.", "Read it."}));
  EXPECT_EQ(split("1. Buy milk.\n2. Call mom.\nI have 3. You have 4."),
            (Sentences{"1. Buy milk.", "2. Call mom.", "I have 3.", "You have 4."}));
}

TEST(SentenceSplitter, IncludesClosingQuotesAndBrackets) {
  EXPECT_EQ(split("He said \"Stop!\" Then he left. (It was late.) Fine?!"),
            (Sentences{"He said \"Stop!\"", "Then he left.", "(It was late.)", "Fine?!"}));
  EXPECT_EQ(split("She said \xe2\x80\x9cyes.\xe2\x80\x9d We went."),
            (Sentences{"She said \xe2\x80\x9cyes.\xe2\x80\x9d", "We went."}));
}

TEST(SentenceSplitter, SplitsFullWidthPunctuationWithoutSpaces) {
  EXPECT_EQ(
      split("\xe4\xbd\xa0\xe5\xa5\xbd\xe3\x80\x82\xe5\x86\x8d\xe8\xa7\x81\xef\xbc\x81"),
      (Sentences{"\xe4\xbd\xa0\xe5\xa5\xbd\xe3\x80\x82", "\xe5\x86\x8d\xe8\xa7\x81\xef\xbc\x81"}));
}

TEST(SentenceSplitter, IgnoresBlankInput) {
  EXPECT_EQ(split(""), Sentences{});
  EXPECT_EQ(split("   \n\n \t "), Sentences{});
  SentenceSplitter splitter;
  EXPECT_EQ(splitter.push(""), Sentences{});
  EXPECT_EQ(splitter.flush(), "");
}

TEST(SentenceSplitter, AnyChunkingGivesTheSameSentences) {
  const std::string text =
      "Hi! Mr. Smith paid $3.50 at 3:45 p.m. on Friday... then left. Wait\xe2\x80\xa6 Really?! "
      "He said \"never.\" 1. First item\n2. Second, e.g. this. \xe4\xbd\xa0\xe5\xa5\xbd\xe3\x80\x82"
      "\xe5\x86\x8d\xe8\xa7\x81 The end. \xf0\x9f\x98\x80 Emoji. Done";
  const Sentences whole = split(text);
  EXPECT_EQ(whole,
            (Sentences{"Hi!", "Mr. Smith paid $3.50 at 3:45 p.m. on Friday... then left.",
                       "Wait\xe2\x80\xa6", "Really?!", "He said \"never.\"", "1. First item",
                       "2. Second, e.g. this.", "\xe4\xbd\xa0\xe5\xa5\xbd\xe3\x80\x82",
                       "\xe5\x86\x8d\xe8\xa7\x81 The end.", "\xf0\x9f\x98\x80 Emoji.", "Done"}));
  for (size_t piece = 1; piece <= 8; ++piece) EXPECT_EQ(split(text, piece), whole) << piece;
  // Random cuts, including inside multi-byte characters.
  std::mt19937 random(42);
  for (int round = 0; round < 200; ++round) {
    SentenceSplitter splitter;
    Sentences sentences;
    for (size_t pos = 0; pos < text.size();) {
      const size_t piece = 1 + random() % 12;
      for (std::string& s : splitter.push(std::string_view(text).substr(pos, piece))) {
        sentences.push_back(std::move(s));
      }
      pos += piece;
    }
    sentences.push_back(splitter.flush());
    EXPECT_EQ(sentences, whole) << "round " << round;
  }
}

TEST(SentenceSplitter, EmitsEarlySentencesOfALongStreamPromptly) {
  // 10 kB arriving a character at a time: each sentence comes out when the next one starts.
  SentenceSplitter splitter;
  const std::string sentence = "This is sentence number forty-two of a long answer. ";
  size_t emitted = 0;
  for (int i = 0; i < 200; ++i) {
    for (char c : sentence) emitted += splitter.push(std::string_view(&c, 1)).size();
    EXPECT_EQ(emitted, static_cast<size_t>(i + 1));
  }
  EXPECT_EQ(splitter.flush(), "");
}

TEST(SentenceSplitter, CutsARunOnSentenceAtAClauseMarkOrSpace) {
  // A model that writes no full stops still gets spoken early, a clause at a time.
  std::string clause = "and then the little robot walked along the quiet road, ";
  std::string text;
  for (int i = 0; i < 12; ++i) text += clause;
  const Sentences whole = split(text);
  ASSERT_GT(whole.size(), 3u);
  for (size_t i = 0; i + 1 < whole.size(); ++i) {
    EXPECT_LE(whole[i].size(), SentenceSplitter::kLongestSentence);
    EXPECT_EQ(whole[i].back(), ',') << whole[i];
  }
  for (size_t piece : {1, 2, 7, 64}) EXPECT_EQ(split(text, piece), whole) << piece;

  std::string words;  // no clause marks: cut at a space
  while (words.size() < 700) words += "word ";
  for (const auto& s : split(words)) {
    EXPECT_LE(s.size(), SentenceSplitter::kLongestSentence);
    EXPECT_EQ(s.find("wor "), std::string::npos);  // never inside a word
  }
  EXPECT_EQ(split(words, 3), split(words));

  // A real sentence end inside the limit still wins over the cut.
  EXPECT_EQ(split("Short one. " + words).front(), "Short one.");
}

TEST(SentenceSplitter, OddBytesNeverBreakIt) {
  std::string every_byte;
  for (int c = 0; c < 256; ++c) every_byte.push_back(static_cast<char>(c));
  const std::string text = every_byte + ". Next. \xe2\x80" + every_byte + "\xe2";
  const Sentences whole = split(text);
  EXPECT_FALSE(whole.empty());
  EXPECT_EQ(split(text, 1), whole);
  EXPECT_EQ(split(text, 3), whole);
}

}  // namespace
}  // namespace tektra
