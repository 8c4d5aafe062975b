// JsonAcceptor: RFC 8259 objects byte by byte, checked by hand and against nlohmann's parser.
#include "llm/json_acceptor.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>

namespace tektra::llm {
namespace {

// Whether every prefix of `text` is accepted and the whole completes the object.
bool valid(std::string_view text) {
  JsonAcceptor a;
  for (size_t i = 0; i < text.size(); ++i) {
    if (a.complete()) return false;
    if (!a.push(static_cast<uint8_t>(text[i]))) return false;
  }
  return a.complete();
}

bool parses_as_object(const std::string& text) {
  const auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return !parsed.is_discarded() && parsed.is_object();
}

// Whether `text` is accepted as a beginning of a document, complete or not.
bool prefix(std::string_view text) {
  JsonAcceptor a;
  return a.push(text);
}

TEST(JsonAcceptor, AcceptsObjectsOfEveryKindOfValue) {
  for (const char* text : {
           "{}",
           "{\"a\":1}",
           " \n\t\r{ \"a\" : 1 , \"b\" : [ ] }",
           "{\"a\":[1,-0,0,0.5,-0.0,1e5,1E+5,2e-0,-1.25e-3,10,123456789]}",
           "{\"t\":true,\"f\":false,\"n\":null,\"s\":\"\",\"o\":{},\"l\":[]}",
           "{\"deep\":{\"er\":[{\"x\":[[[]]]}]}}",
           "{\"\":\"\"}",
           "{\"a\":\"b\",\"a\":\"c\"}",  // duplicate keys are allowed by RFC 8259
           "{\"s\":\"quote \\\" backslash \\\\ slash \\/ \\b\\f\\n\\r\\t\"}",
           "{\"u\":\"\\u0000\\u001f\\u00e9\\u00E9\\uFFFF\\ud7ff\\ue000\"}",
           "{\"pair\":\"\\uD83D\\uDE00 \\udbff\\udfff \\uD800\\uDC00\"}",
           "{\"\\u0041key\\n\":1}",
           "{\"utf8\":\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xED\x9F\xBF \xEE\x80\x80 "
           "\xF4\x8F\xBF\xBF \x7F\"}",
       })
    EXPECT_TRUE(valid(text)) << text;
}

TEST(JsonAcceptor, TheTopLevelMustBeAnObject) {
  for (const char* text : {"[]", "\"x\"", "1", "-1", "true", "null", "}", "]", ",", "x"})
    EXPECT_FALSE(prefix(text)) << text;
}

TEST(JsonAcceptor, RefusesMalformedNumbers) {
  for (const char* text :
       {"{\"a\":01", "{\"a\":-01", "{\"a\":00", "{\"a\":1.}", "{\"a\":.5", "{\"a\":+1", "{\"a\":-}",
        "{\"a\":1e}", "{\"a\":1e+}", "{\"a\":1.e5", "{\"a\":- 1", "{\"a\":1.5.2", "{\"a\":1e5.5",
        "{\"a\":0x10", "{\"a\":NaN", "{\"a\":Infinity", "{\"a\":-Infinity", "{\"a\":1 2"})
    EXPECT_FALSE(prefix(text)) << text;
  // Numbers end only at a delimiter: "-" and "1." are fine so far, complete only with digits.
  EXPECT_TRUE(prefix("{\"a\":-"));
  EXPECT_TRUE(prefix("{\"a\":1."));
  EXPECT_TRUE(prefix("{\"a\":1e-"));
  EXPECT_TRUE(valid("{\"a\":-0}"));
  EXPECT_TRUE(valid("{\"a\":1e5}"));
  EXPECT_TRUE(valid("{\"a\":1E-05}"));
}

// Numbers stay below 1e308, within a double, so strict parsers (nlohmann here) read them all.
TEST(JsonAcceptor, NumbersStayWithinTheRangeOfADouble) {
  const std::string digits308 = "1" + std::string(307, '7');
  for (const std::string& text :
       {std::string("1e307"), std::string("9.99e307"), std::string("-9e307"), std::string("1e-999"),
        std::string("0.5e308"), std::string("-0.0000001e308"), std::string("12e306"),
        std::string("1E+0000307"), digits308, digits308 + ".5e0"}) {
    const std::string doc = "{\"a\":" + text + "}";
    EXPECT_TRUE(valid(doc)) << text;
    EXPECT_TRUE(parses_as_object(doc)) << text;
  }
  for (const std::string& text :
       {std::string("1e308"), std::string("1e309"), std::string("12e307"), std::string("-5e999"),
        digits308 + "0", digits308 + "e1", std::string("1234e6789")})
    EXPECT_FALSE(prefix("{\"a\":" + text)) << text;
}

TEST(JsonAcceptor, RefusesMalformedStructure) {
  for (const char* text :
       {"{a:1}",       "{'a':1}",           "{\"a\" 1}",    "{\"a\"::1}",   "{\"a\":1,}",
        "{,}",         "{\"a\":1 \"b\":2}", "{\"a\":[1,]}", "{\"a\":[,1]}", "{\"a\":[1}",
        "{\"a\":{]}",  "{\"a\":1]",         "{1:2}",        "{\"a\":tru}",  "{\"a\":trUe}",
        "{\"a\":nul}", "{\"a\":truex}",     "{\"a\":1}}",   "{\"a\":1} ",   "{\"a\":1}\n",
        "{}{}",        "{\"a\":}",          "{\"a\"}",      "{:1}"})
    EXPECT_FALSE(valid(text)) << text;
}

TEST(JsonAcceptor, RefusesMalformedStrings) {
  for (const char* text : {
           "{\"a\":\"\\x\"}",               // unknown escape
           "{\"a\":\"\\U0041\"}",           // escapes are case-sensitive
           "{\"a\":\"\\u12G4\"}",           // not hex
           "{\"a\":\"\\u12\"}",             // too few digits
           "{\"a\":\"tab\there\"}",         // raw control character
           "{\"a\":\"line\nbreak\"}",       // raw newline
           "{\"a\":\"\\uDC00\"}",           // a lone low surrogate
           "{\"a\":\"\\uD800\"}",           // a high surrogate without its low half
           "{\"a\":\"\\uD800x\"}",          //
           "{\"a\":\"\\uD800\\n\"}",        //
           "{\"a\":\"\\uD800\\u0041\"}",    // followed by something else
           "{\"a\":\"\\uD800\\uD800\"}",    // followed by another high surrogate
           "{\"a\":\"\xC0\x80\"}",          // overlong
           "{\"a\":\"\xC1\xBF\"}",          // overlong
           "{\"a\":\"\xE0\x9F\xBF\"}",      // overlong
           "{\"a\":\"\xF0\x8F\xBF\xBF\"}",  // overlong
           "{\"a\":\"\xED\xA0\x80\"}",      // an encoded surrogate
           "{\"a\":\"\xF4\x90\x80\x80\"}",  // beyond U+10FFFF
           "{\"a\":\"\xF5\x80\x80\x80\"}",  //
           "{\"a\":\"\xFF\"}",              //
           "{\"a\":\"\x80\"}",              // a continuation byte alone
           "{\"a\":\"\xC3\"}",              // a character cut short
           "{\"a\":\"\xE2\x82\"}",          //
           "{\"a\":\"\xC3\xA9\xA9\"}",      // one continuation too many
           "{\"\xC3\":1}",                  // keys are strings like any other
       })
    EXPECT_FALSE(valid(text)) << text;
}

TEST(JsonAcceptor, EveryPrefixOfADocumentIsAcceptedAndOnlyTheWholeIsComplete) {
  const std::string text =
      "{\"k\\u00e9y\": [1, -2.5e+3, {\"x\": null}], \"s\": \"\\uD83D\\uDE00 \xC3\xA9\"}";
  JsonAcceptor a;
  for (size_t i = 0; i < text.size(); ++i) {
    EXPECT_FALSE(a.complete()) << i;
    ASSERT_TRUE(a.push(static_cast<uint8_t>(text[i]))) << text.substr(0, i + 1);
  }
  EXPECT_TRUE(a.complete());
  EXPECT_EQ(a.depth(), 0);
}

TEST(JsonAcceptor, NothingFollowsTheCompleteObject) {
  JsonAcceptor a;
  ASSERT_TRUE(a.push("{}"));
  ASSERT_TRUE(a.complete());
  for (int c = 0; c < 256; ++c) EXPECT_FALSE(a.accepts(std::string(1, static_cast<char>(c)))) << c;
}

TEST(JsonAcceptor, AFailedAcceptorRefusesEverything) {
  JsonAcceptor a;
  EXPECT_FALSE(a.push("{]"));
  EXPECT_TRUE(a.failed());
  EXPECT_FALSE(a.push("}"));
  EXPECT_FALSE(a.accepts(" "));
  EXPECT_TRUE(a.failed());
}

TEST(JsonAcceptor, AcceptsDoesNotCommit) {
  JsonAcceptor a;
  ASSERT_TRUE(a.push("{\"a\":"));
  EXPECT_TRUE(a.accepts("1}"));
  EXPECT_FALSE(a.accepts("}"));
  EXPECT_FALSE(a.failed());
  EXPECT_FALSE(a.complete());
  EXPECT_TRUE(a.push("[true]}"));
  EXPECT_TRUE(a.complete());
}

TEST(JsonAcceptor, NestingIsBounded) {
  const int max = JsonAcceptor::kMaxDepth;
  std::string objects, arrays = "{\"a\":";
  for (int i = 1; i < max; ++i) objects += "{\"a\":";
  objects += "{";
  for (int i = 1; i < max; ++i) arrays += "[";
  JsonAcceptor a;
  ASSERT_TRUE(a.push(objects));
  EXPECT_EQ(a.depth(), max);
  EXPECT_TRUE(a.accepts("\"a\":1" + std::string(static_cast<size_t>(max), '}')));
  EXPECT_FALSE(a.accepts("\"a\":{"));
  EXPECT_FALSE(a.accepts("\"a\":["));
  JsonAcceptor b;
  ASSERT_TRUE(b.push(arrays));
  EXPECT_EQ(b.depth(), max);
  EXPECT_FALSE(b.accepts("["));
  EXPECT_FALSE(b.accepts("{"));
  EXPECT_TRUE(b.push(std::string(static_cast<size_t>(max - 1), ']') + "}"));
  EXPECT_TRUE(b.complete());
}

TEST(JsonAcceptor, RunsOfWhitespaceAreBounded) {
  const std::string most(JsonAcceptor::kMaxWhitespace, ' ');
  EXPECT_TRUE(valid(most + "{" + most + "\"a\"" + most + ":" + most + "[" + most + "1" + most +
                    "," + most + "2" + most + "]" + most + "}"));
  EXPECT_FALSE(prefix(most + " "));
  EXPECT_FALSE(prefix("{" + most + "\n"));
  EXPECT_FALSE(prefix("{\"a\":1" + most + "\t"));
  EXPECT_FALSE(prefix("{\"a\":[" + most + " \r"));
  // Whitespace inside a string is text, and any amount of it is fine.
  EXPECT_TRUE(valid("{\"a\":\"" + std::string(1000, ' ') + "\"}"));
}

// Random documents, valid and damaged by one byte: the acceptor completes exactly those nlohmann
// parses as an object (the documents stay within the acceptor's bounds).
class RandomJson {
 public:
  explicit RandomJson(uint64_t seed) : rng_(seed) {}

  std::string object() {
    std::string out;
    append_object(out, 0);
    return out;
  }

  std::string damaged(std::string text) {
    static constexpr std::string_view kBytes = "{}[]\":,.-+0123456789eEtrufalsn \n\\u\x80\xC3\xED";
    const size_t at = static_cast<size_t>(pick(static_cast<int>(text.size()) - 1));
    switch (pick(2)) {
      case 0:
        text.erase(at, 1);
        break;
      case 1:
        text.insert(at, 1, kBytes[static_cast<size_t>(pick(static_cast<int>(kBytes.size()) - 1))]);
        break;
      default:
        text[at] = kBytes[static_cast<size_t>(pick(static_cast<int>(kBytes.size()) - 1))];
        break;
    }
    return text;
  }

 private:
  int pick(int most) { return std::uniform_int_distribution<int>(0, most)(rng_); }

  // Each appends a random piece of JSON to `out`.
  void ws(std::string& out) {
    static constexpr std::string_view kWs[] = {"", "", "", " ", "\n  ", "\t", "\r\n"};
    out += kWs[static_cast<size_t>(pick(6))];
  }

  void string(std::string& out) {
    static constexpr std::string_view kParts[] = {"a",
                                                  "key",
                                                  " ",
                                                  "\\\"",
                                                  "\\\\",
                                                  "\\/",
                                                  "\\n",
                                                  "\\u00e9",
                                                  "\\uD83D\\uDE00",
                                                  "\xC3\xA9",
                                                  "\xE2\x82\xAC",
                                                  "\xF0\x9F\x98\x80",
                                                  "'",
                                                  "{",
                                                  "]"};
    out += '"';
    for (int n = pick(4); n > 0; --n) out += kParts[static_cast<size_t>(pick(14))];
    out += '"';
  }

  void number(std::string& out) {
    static constexpr std::string_view kNumbers[] = {
        "0", "-0", "7", "-12", "3.25", "0.001", "1e5", "-2E+10", "6.02e-23", "123456789"};
    out += kNumbers[static_cast<size_t>(pick(9))];
  }

  void append_object(std::string& out, int depth) {
    out += '{';
    ws(out);
    const int n = pick(depth > 4 ? 1 : 4);
    for (int i = 0; i < n; ++i) {
      if (i) {
        out += ',';
        ws(out);
      }
      string(out);
      ws(out);
      out += ':';
      ws(out);
      value(out, depth + 1);
      ws(out);
    }
    out += '}';
  }

  void value(std::string& out, int depth) {
    switch (pick(depth > 4 ? 5 : 7)) {
      case 0:
      case 1:
        return string(out);
      case 2:
      case 3:
        return number(out);
      case 4:
        out += pick(2) == 0 ? "true" : pick(1) ? "false" : "null";
        return;
      case 5:
        return append_object(out, depth);
      default: {
        out += '[';
        ws(out);
        const int n = pick(3);
        for (int i = 0; i < n; ++i) {
          if (i) {
            out += ',';
            ws(out);
          }
          value(out, depth + 1);
          ws(out);
        }
        out += ']';
      }
    }
  }

  std::mt19937_64 rng_;
};

TEST(JsonAcceptor, AgreesWithNlohmannOnRandomDocuments) {
  RandomJson random(20240611);
  int damaged_valid = 0, damaged_invalid = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::string text = random.object();
    ASSERT_TRUE(parses_as_object(text)) << text;
    ASSERT_TRUE(valid(text)) << text;
    const std::string bad = random.damaged(text);
    const bool ok = parses_as_object(bad);
    EXPECT_EQ(valid(bad), ok) << bad;
    (ok ? damaged_valid : damaged_invalid)++;
  }
  // Both kinds were exercised.
  EXPECT_GT(damaged_valid, 50);
  EXPECT_GT(damaged_invalid, 1000);
}

// Finishes the document `a` has read so far, greedily: the byte that closes the most, else the
// first byte accepted. Empty when it finds no ending.
std::optional<std::string> finish(JsonAcceptor a) {
  std::string out;
  for (int step = 0; step < 1000 && !a.complete(); ++step) {
    bool pushed = false;
    for (const uint8_t c : {'"', '}', ']', ':', '0'}) {
      if ((pushed = a.accepts(std::string(1, static_cast<char>(c))))) {
        a.push(c);
        out += static_cast<char>(c);
        break;
      }
    }
    for (int c = 0; c < 256 && !pushed; ++c) {
      if ((pushed = a.accepts(std::string(1, static_cast<char>(c))))) {
        a.push(static_cast<uint8_t>(c));
        out += static_cast<char>(c);
      }
    }
    if (!pushed) return std::nullopt;
  }
  if (!a.complete()) return std::nullopt;
  return out;
}

// What makes constrained sampling safe: whatever the acceptor has taken can still be finished,
// so a constrained generation never paints itself into a corner.
TEST(JsonAcceptor, EveryAcceptedPrefixCanBeFinished) {
  RandomJson random(7);
  int prefixes = 0;
  for (int i = 0; i < 400; ++i) {
    const std::string text = random.damaged(random.object());
    JsonAcceptor a;
    for (size_t n = 0; n <= text.size() && !a.failed(); ++n) {
      if (!a.complete()) {
        const auto rest = finish(a);
        ASSERT_TRUE(rest) << "no ending for: " << text.substr(0, n);
        EXPECT_TRUE(parses_as_object(text.substr(0, n) + *rest)) << text.substr(0, n) << *rest;
        ++prefixes;
      }
      if (n < text.size()) a.push(static_cast<uint8_t>(text[n]));
    }
  }
  EXPECT_GT(prefixes, 10000);
}

}  // namespace
}  // namespace tektra::llm
