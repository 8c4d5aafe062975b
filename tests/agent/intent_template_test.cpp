// Sentence-template files: every syntax element, and every error naming its file and line.
#include "agent/intent_template.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "agent_test_support.h"

namespace tektra {
namespace {

using Kind = TemplateExpr::Kind;

TemplateSet parse(const std::string& text) {
  TemplateSet set;
  set.add_file("test.ini", text);
  return set;
}

const TemplateExpr& first_sentence(const TemplateSet& set) {
  return set.intents().at(0).sentences.at(0).expr;
}

// A compact rendering of an expression to compare structure in one string.
std::string show(const TemplateExpr& e) {
  switch (e.kind) {
    case Kind::word:
      return e.text;
    case Kind::slot:
      return e.slot_type.empty() ? fmt::format("{{{}}}", e.text)
                                 : fmt::format("{{{}:{}}}", e.text, e.slot_type);
    case Kind::rule:
      return fmt::format("<{}>", e.text);
    case Kind::optional:
      return fmt::format("[{}]", show(e.children[0]));
    case Kind::sequence:
    case Kind::alternatives: {
      std::string out;
      for (const auto& c : e.children) {
        if (!out.empty()) out += e.kind == Kind::sequence ? " " : " | ";
        out += show(c);
      }
      return e.kind == Kind::sequence ? out : fmt::format("({})", out);
    }
  }
  return "?";
}

TEST(IntentTemplate, ParsesPlainWordsAndNormalisesThem) {
  auto set = parse("[GetTime]\nWhat's the TIME\n");
  ASSERT_EQ(set.intents().size(), 1u);
  EXPECT_EQ(set.intents()[0].name, "GetTime");
  EXPECT_EQ(show(first_sentence(set)), "what is the time");
  EXPECT_EQ(set.intents()[0].sentences[0].where.file, "test.ini");
  EXPECT_EQ(set.intents()[0].sentences[0].where.line, 2);
}

TEST(IntentTemplate, ParsesOptionalsAndNestedAlternatives) {
  auto set = parse("[A]\n(what is | tell me (the | a)) time [please | now]\n");
  EXPECT_EQ(show(first_sentence(set)), "(what is | tell me (the | a)) time [(please | now)]");
  auto top = parse("[A]\nhello | hi there\n");
  EXPECT_EQ(show(first_sentence(top)), "(hello | hi there)");
}

TEST(IntentTemplate, ParsesSlotsWithAndWithoutTypes) {
  auto set =
      parse("[A]\nset {a:number} {b:duration} { c : text } {d} {e:colour}\n[$colour]\nred\n");
  EXPECT_EQ(show(first_sentence(set)), "set {a:number} {b:duration} {c:text} {d} {e:colour}");
  const auto& items = first_sentence(set).children;
  EXPECT_EQ(set.resolve_slot_type(items[1]), "number");
  EXPECT_EQ(set.resolve_slot_type(items[2]), "duration");
  EXPECT_EQ(set.resolve_slot_type(items[3]), "text");
  EXPECT_EQ(set.resolve_slot_type(items[4]), "text");  // {d}: no [$d] list
  EXPECT_EQ(set.resolve_slot_type(items[5]), "list");
  auto untyped = parse("[A]\npick {colour}\n[$colour]\nred\n");
  EXPECT_EQ(untyped.resolve_slot_type(first_sentence(untyped).children[1]), "list");
}

TEST(IntentTemplate, ParsesRulesAnywhereAndRuleReferences) {
  auto set =
      parse("<polite> = [please | kindly]\n[A]\n<greet> there <polite>\n<greet> = (hi | hello)\n");
  ASSERT_EQ(set.rules().size(), 2u);
  EXPECT_EQ(show(set.rules().at("greet").expr), "(hi | hello)");
  EXPECT_EQ(set.rules().at("greet").where.line, 4);
  EXPECT_EQ(show(first_sentence(set)), "<greet> there <polite>");
  EXPECT_EQ(set.intents()[0].sentences.size(), 1u);  // the rule line is not a sentence
}

TEST(IntentTemplate, ParsesSlotListsWithReturnedValues) {
  auto set = parse("[$op]\nplus\nmultiplied by = times\nFavorite-Color = favourite colour\n");
  const auto& values = set.lists().at("op").values;
  ASSERT_EQ(values.size(), 3u);
  EXPECT_EQ(values[0].words, (std::vector<std::string>{"plus"}));
  EXPECT_EQ(values[0].value, "plus");
  EXPECT_EQ(values[1].words, (std::vector<std::string>{"multiplied", "by"}));
  EXPECT_EQ(values[1].value, "times");
  EXPECT_EQ(values[2].words, (std::vector<std::string>{"favourite", "colour"}));
}

TEST(IntentTemplate, IgnoresCommentsBlankLinesAndCarriageReturns) {
  auto set =
      parse("# leading comment\r\n\r\n[A]   # the intent\r\nhello # trailing\r\n   \r\n# done\r\n");
  ASSERT_EQ(set.intents()[0].sentences.size(), 1u);
  EXPECT_EQ(show(first_sentence(set)), "hello");
  EXPECT_EQ(set.intents()[0].sentences[0].text, "hello");
}

TEST(IntentTemplate, LinesStartingWithABracketAreSentencesUnlessAHeader) {
  auto set = parse("[A]\n[please] tell me the time\n");
  EXPECT_EQ(show(first_sentence(set)), "[please] tell me the time");
}

TEST(IntentTemplate, HyphenatedWordsSplit) {
  EXPECT_EQ(show(first_sentence(parse("[A]\nbye-bye\n"))), "bye bye");
}

TEST(IntentTemplate, OverrideReplacesSameNamesAndPutsNewIntentsFirst) {
  auto shipped = parse("[A]\nalpha\n[B]\nbravo\n<r> = x\n[$l]\none\n");
  auto user = parse("[B]\nbeta\n[C]\ncharlie\n<r> = y\n[$l]\ntwo\n");
  shipped.override_with(std::move(user));
  ASSERT_EQ(shipped.intents().size(), 3u);
  EXPECT_EQ(shipped.intents()[0].name, "C");
  EXPECT_EQ(shipped.intents()[1].name, "A");
  EXPECT_EQ(shipped.intents()[2].name, "B");
  EXPECT_EQ(show(shipped.intents()[2].sentences[0].expr), "beta");
  EXPECT_EQ(show(shipped.rules().at("r").expr), "y");
  EXPECT_EQ(shipped.lists().at("l").values.at(0).value, "two");
}

TEST(IntentTemplate, AFileWithAnErrorLeavesTheSetUnchanged) {
  TemplateSet set;
  set.add_file("good.ini", "[A]\nhello\n");
  EXPECT_EQ(test::thrown_code([&] { set.add_file("bad.ini", "[B]\nhi (\n"); }), "invalid_template");
  EXPECT_EQ(set.intents().size(), 1u);
}

// Each syntax error: the code, and a message naming the file and line and the problem.
struct ErrorCase {
  const char* text;
  const char* location;
  const char* problem;
};

class TemplateErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(TemplateErrors, NameFileLineAndProblem) {
  const ErrorCase& c = GetParam();
  auto error = test::thrown_error([&] { compile_templates(parse(c.text)); });
  ASSERT_TRUE(error) << c.text;
  EXPECT_EQ(error->code(), "invalid_template");
  std::string message = error->what();
  EXPECT_NE(message.find(c.location), std::string::npos) << message;
  EXPECT_NE(message.find(c.problem), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(
    IntentTemplate, TemplateErrors,
    ::testing::Values(
        ErrorCase{"hello\n", "test.ini:1:", "outside a section"},
        ErrorCase{"[A]\nwhat (is the time\n", "test.ini:2:", "unclosed '('"},
        ErrorCase{"[A]\nhi\nwhat [is the time\n", "test.ini:3:", "unclosed '['"},
        ErrorCase{"[A]\nset {name\n", "test.ini:2:", "unclosed '{'"},
        ErrorCase{"[A]\nsay <greeting\n", "test.ini:2:", "unclosed '<'"},
        ErrorCase{"[A]\nwhat is) it\n", "test.ini:2:", "unexpected ')'"},
        ErrorCase{"[A]\nwhat (is] it\n", "test.ini:2:", "does not match the open '('"},
        ErrorCase{"[A]\nhello }\n", "test.ini:2:", "unexpected '}'"},
        ErrorCase{"[A]\n(a | ) b\n", "test.ini:2:", "empty alternative"},
        ErrorCase{"[A]\nhello ()\n", "test.ini:2:", "empty alternative"},
        ErrorCase{"[A]\n| hello\n", "test.ini:2:", "empty alternative"},
        ErrorCase{"[A]\nset a timer for 5 minutes\n", "test.ini:2:", "write \"5\" as words"},
        ErrorCase{"[A]\nwhat @ time\n", "test.ini:2:", "unexpected '@'"},
        ErrorCase{"[A]\nset {} now\n", "test.ini:2:", "invalid slot name"},
        ErrorCase{"[A]\nset {9lives} now\n", "test.ini:2:", "invalid slot name"},
        ErrorCase{"[A]\nset {x:} now\n", "test.ini:2:", "invalid slot type"},
        ErrorCase{"[A]\nset {x:a b} now\n", "test.ini:2:", "invalid slot type"},
        ErrorCase{"[A]\nsay <> now\n", "test.ini:2:", "invalid rule name"},
        ErrorCase{"<a b> = hi\n", "test.ini:1:", "invalid rule name"},
        ErrorCase{"<x> =   \n", "test.ini:1:", "empty definition"},
        ErrorCase{"<duration> = soon\n", "test.ini:1:", "built in"},
        ErrorCase{"<x> = hi\n<x> = hello\n",
                  "test.ini:2:", "rule <x> is already defined at test.ini:1"},
        ErrorCase{"[A]\nhi\n[A]\nhello\n",
                  "test.ini:3:", "intent A is already defined at test.ini:1"},
        ErrorCase{"[$l]\na\n[$l]\nb\n",
                  "test.ini:3:", "slot list l is already defined at test.ini:1"},
        ErrorCase{"[A]\n[B]\nhello\n", "test.ini:1:", "intent [A] has no sentences"},
        ErrorCase{"[A]\nhi\n[B]\n# nothing\n", "test.ini:3:", "intent [B] has no sentences"},
        ErrorCase{"[$colour]\n[A]\nhi\n", "test.ini:1:", "slot list [$colour] has no values"},
        ErrorCase{"[$colour]\nred\n(blue | green)\n", "test.ini:3:", "may only contain words"},
        ErrorCase{"[$colour]\n= red\n", "test.ini:2:", "no words before '='"},
        ErrorCase{"[$colour]\nred =\n", "test.ini:2:", "nothing after '='"},
        ErrorCase{"[$number]\none\n", "test.ini:1:", "built-in slot type"},
        ErrorCase{"[A]\nsay <nothing>\n", "test.ini:2:", "unknown rule <nothing>"},
        ErrorCase{"[A]\nhi\n<r> = x <missing>\n", "test.ini:3:", "unknown rule <missing>"},
        ErrorCase{"[A]\npick {c:colour}\n", "test.ini:2:", "unknown slot type \"colour\""},
        ErrorCase{"<r> = a <r>\n[A]\nhi\n", "test.ini:1:", "rule <r> refers to itself"},
        ErrorCase{"<p> = a <q>\n<q> = b <p>\n[A]\n<p>\n", "test.ini:", "refers to itself"},
        ErrorCase{"[A]\nhello\n[please] [now]\n", "test.ini:3:", "can match empty input"},
        ErrorCase{"<opt> = [maybe]\n[A]\n<opt>\n", "test.ini:3:", "can match empty input"},
        ErrorCase{"[A]\n((((((((((((((((((((((((((((((((((deep))))))))))))))))))))))))))))))))))\n",
                  "test.ini:2:", "nested too deeply"}));

TEST(IntentTemplate, RulesThatMultiplyBeyondTheSizeLimitAreAnError) {
  // Each rule doubles the one below it: <r16> alone would inline 65536 words.
  std::string text = "<r0> = (a | b)\n";
  for (int i = 1; i <= 16; ++i) text += fmt::format("<r{}> = <r{}> <r{}>\n", i, i - 1, i - 1);
  text += "[A]\nhello\n[Big]\nsay <r16>\n";
  std::string message = test::thrown_message([&] { compile_templates(parse(text)); });
  EXPECT_NE(message.find("more than 10000 alternatives and words"), std::string::npos) << message;
  EXPECT_NE(message.find("test.ini:"), std::string::npos) << message;
}

TEST(IntentTemplate, ErrorsInTheSecondFileNameThatFile) {
  TemplateSet set;
  set.add_file("first.ini", "[A]\nhi\n");
  std::string message = test::thrown_message([&] { set.add_file("second.ini", "[A]\nhello\n"); });
  EXPECT_NE(message.find("second.ini:1: intent A is already defined at first.ini:1"),
            std::string::npos)
      << message;
}

TEST(IntentTemplate, LoadsADirectoryInNameOrder) {
  test::TempDir dir;
  dir.write("intents/b.ini", "[B]\nbravo\n");
  dir.write("intents/a.ini", "[A]\nalpha\n");
  dir.write("intents/notes.txt", "this is not a template");
  auto set = load_template_directory(dir.file("intents"));
  ASSERT_EQ(set.intents().size(), 2u);
  EXPECT_EQ(set.intents()[0].name, "A");
  EXPECT_EQ(set.intents()[1].name, "B");
  EXPECT_NE(set.intents()[1].where.file.find("b.ini"), std::string::npos);
}

TEST(IntentTemplate, MissingDirectoryIsEmptyButAFileIsAnError) {
  test::TempDir dir;
  EXPECT_TRUE(load_template_directory(dir.file("absent")).intents().empty());
  EXPECT_TRUE(load_template_directory("").intents().empty());
  auto file = dir.write("plain.ini", "[A]\nhi\n");
  EXPECT_EQ(test::thrown_code([&] { load_template_directory(file); }), "invalid_template");
}

TEST(IntentTemplate, DirectoryErrorsNameTheFilePath) {
  test::TempDir dir;
  dir.write("intents/broken.ini", "[A]\n\nhi (there\n");
  std::string message = test::thrown_message([&] { load_template_directory(dir.file("intents")); });
  EXPECT_NE(message.find("broken.ini:3: unclosed '('"), std::string::npos) << message;
}

TEST(IntentTemplate, ShippedTemplatesParseAndCompile) {
  ASSERT_FALSE(shipped_intent_files().empty());
  TemplateSet set = shipped_templates();
  CompiledTemplates compiled = compile_templates(set);
  EXPECT_GE(compiled.intents.size(), 14u);
  for (const char* intent : {"GetTime", "GetDate", "SetTimer", "CancelTimer", "CancelAllTimers",
                             "ListTimers", "TimerRemaining", "RememberFact", "RecallFact",
                             "Calculate", "Greeting", "Thanks", "Goodbye", "Help"}) {
    EXPECT_NE(std::find(compiled.intents.begin(), compiled.intents.end(), intent),
              compiled.intents.end())
        << intent;
  }
}

TEST(IntentTemplate, CompiledGraphsAreAcyclicWithOneArcPerAlternative) {
  auto compiled = compile_templates(parse("[A]\n(a | b | c) [d]\n"));
  ASSERT_EQ(compiled.sentences.size(), 1u);
  const SentenceGraph& g = compiled.sentences[0];
  EXPECT_EQ(g.node_count(), 3);  // start, accept, the point between the two items
  EXPECT_EQ(g.arcs.size(), 5u);  // a, b, c; d and the epsilon that skips it
  for (const auto& arc : g.arcs) EXPECT_NE(arc.target, g.start);
}

}  // namespace
}  // namespace tektra
