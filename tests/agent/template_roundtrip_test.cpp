// Sentences generated from the shipped templates (as a grammar-constrained recognizer would output
// them: lower case, numbers as words) must match back to the intent that generated them.
#include <gtest/gtest.h>

#include <random>

#include "agent/intent_engine.h"
#include "agent/number_words.h"

namespace tektra {
namespace {

class SentenceGenerator {
 public:
  SentenceGenerator(const TemplateSet& set, uint32_t seed) : set_(set), rng_(seed) {}

  std::string sentence(const TemplateExpr& expr) {
    words_.clear();
    expand(expr);
    std::string out;
    for (const auto& w : words_) out += (out.empty() ? "" : " ") + w;
    return out;
  }

 private:
  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  void expand(const TemplateExpr& e) {
    using Kind = TemplateExpr::Kind;
    switch (e.kind) {
      case Kind::word:
        words_.push_back(e.text);
        break;
      case Kind::sequence:
        for (const auto& c : e.children) expand(c);
        break;
      case Kind::alternatives:
        expand(e.children[pick(e.children.size())]);
        break;
      case Kind::optional:
        if (pick(2) == 0) expand(e.children[0]);
        break;
      case Kind::rule:
        if (e.text == "duration") {
          duration();
        } else {
          expand(set_.rules().at(e.text).expr);
        }
        break;
      case Kind::slot:
        slot(e);
        break;
    }
  }

  void duration() {
    static const char* const kDurations[] = {"five minutes",
                                             "a minute",
                                             "an hour and a half",
                                             "ninety seconds",
                                             "two hours and ten minutes",
                                             "half an hour",
                                             "one hundred and five seconds",
                                             "a quarter of an hour"};
    say(kDurations[pick(std::size(kDurations))]);
  }

  void slot(const TemplateExpr& e) {
    std::string kind = set_.resolve_slot_type(e);
    if (kind == "number") {
      std::string spelled = number_to_words(static_cast<int64_t>(pick(1000000)));
      for (char& c : spelled) c = c == '-' ? ' ' : c;
      say(spelled);
    } else if (kind == "duration") {
      duration();
    } else {
      std::string list = kind == "list"               ? (e.slot_type.empty() ? e.text : e.slot_type)
                         : set_.lists().count(e.text) ? e.text
                                                      : "common_words";
      const auto& values = set_.lists().at(list).values;
      size_t count = kind == "text" && list == "common_words" ? 1 + pick(3) : 1;
      for (size_t i = 0; i < count; ++i) {
        for (const auto& w : values[pick(values.size())].words) words_.push_back(w);
      }
    }
  }

  void say(const std::string& phrase) {
    size_t start = 0;
    while (start < phrase.size()) {
      size_t end = phrase.find(' ', start);
      if (end == std::string::npos) end = phrase.size();
      words_.push_back(phrase.substr(start, end - start));
      start = end + 1;
    }
  }

  const TemplateSet& set_;
  std::mt19937 rng_;
  std::vector<std::string> words_;
};

TEST(TemplateRoundTrip, GeneratedSentencesMatchTheirIntent) {
  TemplateSet set = shipped_templates();
  IntentEngine engine(set, {"Tektra"});
  SentenceGenerator generate(set, 20240514);
  int checked = 0;
  for (int round = 0; round < 30; ++round) {
    for (const auto& intent : set.intents()) {
      for (const auto& sentence : intent.sentences) {
        std::string text = generate.sentence(sentence.expr);
        auto m = engine.match(text);
        ASSERT_TRUE(m) << intent.name << ": \"" << text << "\" from " << sentence.where.file << ":"
                       << sentence.where.line;
        EXPECT_EQ(m->intent, intent.name) << "\"" << text << "\" slots " << m->slots.dump();
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 1000);
}

}  // namespace
}  // namespace tektra
