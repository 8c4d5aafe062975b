#include "llm/tool_calls.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <random>

#include "core/error.h"
#include "support/file_bytes.h"

namespace tektra::llm {
namespace {

using nlohmann::json;

const std::filesystem::path kDataDir =
    std::filesystem::path(__FILE__).parent_path() / "data" / "tool_calls";

std::string trimmed(std::string_view text) {
  const auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  return std::string(text.substr(begin, text.find_last_not_of(" \t\r\n") - begin + 1));
}

struct Case {
  std::string file;
  std::string output;
  ToolCallFormat format = ToolCallFormat::None;
  ParseOptions options;
  json expected;
};

std::vector<Case> load_cases() {
  const json doc = json::parse(test::file_bytes(kDataDir / "cases.json"));
  std::vector<Case> cases;
  for (const json& c : doc.at("cases")) {
    Case item;
    item.file = c.at("file");
    item.output = test::file_bytes(kDataDir / item.file);
    item.format = tool_call_format_from_name(c.at("format").get<std::string>()).value();
    item.options.reasoning_open = c.value("reasoning_open", false);
    item.expected = c;
    cases.push_back(std::move(item));
  }
  return cases;
}

const std::vector<Case>& cases() {
  static const std::vector<Case> all = load_cases();
  return all;
}

bool is_generated_id(const std::string& id) {
  return id.size() == 9 &&
         std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isalnum(c); });
}

// Whether `text` ends with a whole UTF-8 character.
bool ends_whole(std::string_view text) {
  for (size_t back = 1; back <= 4 && back <= text.size(); ++back) {
    const auto c = static_cast<unsigned char>(text[text.size() - back]);
    if ((c & 0xC0) == 0x80) continue;
    const size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : 4;
    return back >= length;
  }
  return true;
}

struct Streamed {
  std::vector<std::string> pushes;
  std::string flushed;
  ParsedReply reply;
};

Streamed stream(std::string_view output, ToolCallFormat format, size_t chunk,
                const ParseOptions& options = {}) {
  Streamed result;
  ToolCallStream s(format, options);
  for (size_t pos = 0; pos < output.size(); pos += chunk)
    result.pushes.push_back(s.push(output.substr(pos, chunk)));
  result.flushed = s.flush();
  result.reply = s.finish();
  return result;
}

// ---------------------------------------------------------------------------------------------
// Captured outputs (tests/llm/data/tool_calls, SOURCES.md)

TEST(ToolCallData, EveryFileParsesToItsExpectedReply) {
  ASSERT_FALSE(cases().empty());
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.file);
    const ParsedReply reply = parse_reply(c.output, c.format, c.options);
    const json& want = c.expected;

    const std::string content = want.value("content", "");
    if (content == "@file") {
      EXPECT_EQ(reply.content, trimmed(c.output));
    } else if (want.contains("content_starts_with")) {
      EXPECT_TRUE(reply.content.starts_with(want["content_starts_with"].get<std::string>()))
          << reply.content;
      EXPECT_TRUE(reply.content.ends_with(want["content_ends_with"].get<std::string>()))
          << reply.content;
    } else {
      EXPECT_EQ(reply.content, content);
    }
    if (want.contains("reasoning_starts_with")) {
      EXPECT_TRUE(reply.reasoning.starts_with(want["reasoning_starts_with"].get<std::string>()))
          << reply.reasoning;
      EXPECT_TRUE(reply.reasoning.ends_with(want["reasoning_ends_with"].get<std::string>()))
          << reply.reasoning;
    } else {
      EXPECT_EQ(reply.reasoning, want.value("reasoning", ""));
    }

    const json calls = want.value("calls", json::array());
    ASSERT_EQ(reply.tool_calls.size(), calls.size());
    for (size_t i = 0; i < calls.size(); ++i) {
      EXPECT_EQ(reply.tool_calls[i].name, calls[i]["name"]);
      EXPECT_EQ(reply.tool_calls[i].arguments, calls[i]["arguments"]);
      if (calls[i].contains("id"))
        EXPECT_EQ(reply.tool_calls[i].id, calls[i]["id"]);
      else
        EXPECT_TRUE(is_generated_id(reply.tool_calls[i].id)) << reply.tool_calls[i].id;
    }

    const json errors = want.value("errors", json::array());
    ASSERT_EQ(reply.errors.size(), errors.size()) << (reply.errors.empty() ? "" : reply.errors[0]);
    for (size_t i = 0; i < errors.size(); ++i)
      EXPECT_NE(reply.errors[i].find(errors[i].get<std::string>()), std::string::npos)
          << reply.errors[i];
  }
}

TEST(ToolCallData, ToolCallMarkersOfOtherFamiliesAreJustText) {
  // A model whose template has no tool calls keeps the whole reply as text.
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.file);
    const ParsedReply reply = parse_reply(c.output, ToolCallFormat::None);
    EXPECT_TRUE(reply.tool_calls.empty());
    EXPECT_TRUE(reply.errors.empty());
  }
}

TEST(ToolCallStream, ChunkedStreamsGiveTheSameReplyAndNeverReleaseCallText) {
  for (const Case& c : cases()) {
    const ParsedReply expected = parse_reply(c.output, c.format, c.options);
    for (const size_t chunk : {size_t{1}, size_t{3}, c.output.size()}) {
      SCOPED_TRACE(c.file + " in chunks of " + std::to_string(chunk));
      const Streamed s = stream(c.output, c.format, chunk, c.options);
      EXPECT_EQ(s.reply, expected);

      std::string released;
      for (const std::string& piece : s.pushes) {
        EXPECT_TRUE(ends_whole(piece)) << piece;
        released += piece;
      }
      // Released text is a prefix of the content, so it never holds reasoning or a call.
      EXPECT_TRUE(expected.content.starts_with(released)) << released;
      for (const char* marker : {"<tool_call>", "</tool_call>", "[TOOL_CALLS]", "[ARGS]",
                                 "<|python_tag|>", "<think>", "</think>", "[THINK]"})
        EXPECT_EQ(released.find(marker), std::string::npos) << marker;
      for (const ToolCall& call : expected.tool_calls)
        EXPECT_EQ(released.find("\"" + call.name + "\""), std::string::npos) << call.name;
      EXPECT_EQ(released + s.flushed, expected.content);
    }
  }
}

TEST(ToolCallStream, TextBeforeACallIsReleasedBeforeTheCallEnds) {
  const std::string output = test::file_bytes(kDataDir / "qwen25_14b_1m_untagged_call.txt");
  const size_t json_start = output.find('{');
  ToolCallStream s(ToolCallFormat::Hermes);
  const std::string early = s.push(output.substr(0, json_start + 20));
  EXPECT_TRUE(early.ends_with("Let's start with today's temperature.")) << early;
  EXPECT_EQ(s.push(output.substr(json_start + 20)), "");
  EXPECT_EQ(s.flush(), "");
  EXPECT_EQ(s.finish().tool_calls.size(), 1u);
}

TEST(ToolCallStream, PlainAnswersStreamWithoutWaitingForTheEnd) {
  for (const char* file : {"hermes3_plain_answer.txt", "llama32_plain_answer.txt",
                           "qwen3_8b_plain_answer.txt", "mistral_plain.txt"}) {
    SCOPED_TRACE(file);
    const std::string output = test::file_bytes(kDataDir / file);
    const ToolCallFormat format =
        std::string_view(file).starts_with("llama")     ? ToolCallFormat::Llama3Json
        : std::string_view(file).starts_with("mistral") ? ToolCallFormat::Mistral
                                                        : ToolCallFormat::Hermes;
    const Streamed s = stream(output, format, 1);
    EXPECT_EQ(s.flushed, "");  // everything was released by push()
  }
}

TEST(ToolCallStream, ReasoningIsNeverReleased) {
  const std::string output = test::file_bytes(kDataDir / "qwq32b_reasoning_open_call.txt");
  ParseOptions options;
  options.reasoning_open = true;
  const Streamed s = stream(output, ToolCallFormat::Hermes, 5, options);
  for (const std::string& piece : s.pushes) EXPECT_EQ(piece, "");
  EXPECT_FALSE(s.reply.reasoning.empty());

  const Streamed answer =
      stream("<think>\nShort.\n</think>\n\nIt is 4.", ToolCallFormat::Hermes, 1);
  std::string released;
  for (const std::string& piece : answer.pushes) released += piece;
  EXPECT_EQ(released, "It is 4.");
  EXPECT_EQ(answer.reply.reasoning, "Short.");
}

TEST(ToolCallStream, MarkerPrefixesAreHeldUntilDecided) {
  ToolCallStream s(ToolCallFormat::Hermes);
  EXPECT_EQ(s.push("Checking <tool_"), "Checking");
  EXPECT_EQ(s.push("call>\n{\"name\": \"get_weather\", "), "");
  EXPECT_EQ(s.push("\"arguments\": {}}\n</tool_call>"), "");
  EXPECT_EQ(s.flush(), "");
  EXPECT_EQ(s.finish().tool_calls.size(), 1u);

  ToolCallStream prose(ToolCallFormat::Hermes);
  EXPECT_EQ(prose.push("a <tool_"), "a");
  EXPECT_EQ(prose.push("tip> here"), " <tool_tip> here");
}

TEST(ToolCallStream, PushAfterTheEndIsAnError) {
  ToolCallStream s(ToolCallFormat::Hermes);
  s.push("Hi.");
  EXPECT_EQ(s.finish().content, "Hi.");
  EXPECT_THROW(s.push("more"), Error);
}

// Random replies built from marker fragments: the stream always agrees with parse_reply, its
// released text is a prefix of the content, and nothing throws.
TEST(ToolCallStream, AgreesWithParseReplyOnRandomReplies) {
  const std::vector<std::string> tokens = {"<tool_call>",
                                           "</tool_call>",
                                           "{",
                                           "}",
                                           "[",
                                           "]",
                                           "\"name\"",
                                           ": ",
                                           "\"f\"",
                                           ", ",
                                           "\"arguments\"",
                                           "\"parameters\"",
                                           "\n",
                                           " ",
                                           "Hello",
                                           "<think>",
                                           "</think>",
                                           "[TOOL_CALLS]",
                                           "[ARGS]",
                                           "[CALL_ID]",
                                           "<|python_tag|>",
                                           ";",
                                           "f.call(",
                                           "q=\"x\"",
                                           ")",
                                           "é",
                                           "[f(",
                                           "\"",
                                           "[THINK]",
                                           "[/THINK]",
                                           "\\",
                                           "<",
                                           "<tool",
                                           "[TOOL"};
  std::mt19937 rng(7);
  for (const ToolCallFormat format : {ToolCallFormat::None, ToolCallFormat::Hermes,
                                      ToolCallFormat::Llama3Json, ToolCallFormat::Mistral}) {
    for (int round = 0; round < 400; ++round) {
      std::string output;
      const int length = std::uniform_int_distribution<int>(0, 24)(rng);
      for (int i = 0; i < length; ++i)
        output += tokens[std::uniform_int_distribution<size_t>(0, tokens.size() - 1)(rng)];
      ParseOptions options;
      options.reasoning_open = round % 5 == 0;
      SCOPED_TRACE(std::string(tool_call_format_name(format)) + ": " + output);
      const ParsedReply expected = parse_reply(output, format, options);
      for (const size_t chunk : {size_t{1}, size_t{2}, size_t{7}}) {
        const Streamed s = stream(output, format, chunk, options);
        std::string released;
        for (const std::string& piece : s.pushes) released += piece;
        ASSERT_EQ(released + s.flushed, expected.content) << "chunk " << chunk;
        ASSERT_EQ(s.reply, expected);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Malformed calls: an error each, valid calls kept, never an exception

ParsedReply hermes(std::string_view output) {
  return parse_reply(output, ToolCallFormat::Hermes);
}

void expect_error(const ParsedReply& reply, std::string_view fragment) {
  ASSERT_EQ(reply.errors.size(), 1u);
  EXPECT_NE(reply.errors[0].find(fragment), std::string::npos) << reply.errors[0];
}

TEST(ToolCallErrors, BadJsonInsideToolCall) {
  const ParsedReply reply = hermes(
      "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": Paris}}\n</tool_call>");
  EXPECT_TRUE(reply.tool_calls.empty());
  expect_error(reply, "not valid JSON");
  EXPECT_EQ(reply.content, "");
}

TEST(ToolCallErrors, MissingOrEmptyName) {
  expect_error(hermes("<tool_call>\n{\"arguments\": {\"city\": \"Paris\"}}\n</tool_call>"),
               "no \"name\"");
  expect_error(hermes("<tool_call>{\"name\": \"\", \"arguments\": {}}</tool_call>"),
               "nonempty string");
  expect_error(hermes("<tool_call>{\"name\": 7, \"arguments\": {}}</tool_call>"),
               "nonempty string");
  expect_error(parse_reply("[TOOL_CALLS][{\"arguments\": {}}]", ToolCallFormat::Mistral),
               "no \"name\"");
}

TEST(ToolCallErrors, ArgumentsAsAJsonStringAreParsed) {
  const ParsedReply reply = hermes(
      "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": \"{\\\"city\\\": \\\"Paris\\\"}\"}\n"
      "</tool_call>");
  ASSERT_EQ(reply.tool_calls.size(), 1u);
  EXPECT_EQ(reply.tool_calls[0].arguments, json({{"city", "Paris"}}));
  EXPECT_TRUE(reply.errors.empty());

  EXPECT_EQ(hermes("<tool_call>{\"name\": \"now\", \"arguments\": \"\"}</tool_call>")
                .tool_calls.at(0)
                .arguments,
            json::object());
  EXPECT_EQ(hermes("<tool_call>{\"name\": \"now\", \"arguments\": null}</tool_call>")
                .tool_calls.at(0)
                .arguments,
            json::object());
  EXPECT_EQ(hermes("<tool_call>{\"name\": \"now\"}</tool_call>").tool_calls.at(0).arguments,
            json::object());
}

TEST(ToolCallErrors, ArgumentsThatAreNotAnObject) {
  expect_error(hermes("<tool_call>{\"name\": \"f\", \"arguments\": \"city=Paris\"}</tool_call>"),
               "string that is not valid JSON");
  expect_error(hermes("<tool_call>{\"name\": \"f\", \"arguments\": \"[1, 2]\"}</tool_call>"),
               "string holding an array");
  expect_error(hermes("<tool_call>{\"name\": \"f\", \"arguments\": [1, 2]}</tool_call>"),
               "not an array");
  expect_error(parse_reply("[TOOL_CALLS]f[ARGS][1]", ToolCallFormat::Mistral), "JSON object");
  expect_error(hermes("<tool_call>[1]</tool_call>"), "must be a JSON object");
}

TEST(ToolCallErrors, ArgumentsLooseBesideTheName) {
  const ParsedReply reply =
      hermes("<tool_call>{\"name\": \"set_timer\", \"minutes\": 10}</tool_call>");
  EXPECT_TRUE(reply.tool_calls.empty());
  expect_error(reply, "\"minutes\"");
}

TEST(ToolCallErrors, UnknownExtraFieldsBesideValidArgumentsAreIgnored) {
  const ParsedReply reply = hermes(
      "<tool_call>{\"name\": \"f\", \"arguments\": {\"a\": 1}, \"confidence\": 0.9, \"type\": "
      "\"function\"}</tool_call>");
  ASSERT_EQ(reply.tool_calls.size(), 1u);
  EXPECT_EQ(reply.tool_calls[0].arguments, json({{"a", 1}}));
  EXPECT_TRUE(reply.errors.empty());
}

TEST(ToolCallErrors, UnterminatedToolCall) {
  // Complete JSON without </tool_call> (the model stopped early): the call stands.
  const ParsedReply complete =
      hermes("<tool_call>\n{\"name\": \"f\", \"arguments\": {\"a\": 1}}\n");
  ASSERT_EQ(complete.tool_calls.size(), 1u);
  EXPECT_TRUE(complete.errors.empty());
  // Two blocks, the first never closed.
  EXPECT_EQ(hermes("<tool_call>{\"name\": \"f\", \"arguments\": {}}\n<tool_call>{\"name\": \"g\", "
                   "\"arguments\": {}}</tool_call>")
                .tool_calls.size(),
            2u);
  // Cut off inside the JSON.
  const ParsedReply cut = hermes("Sure.\n<tool_call>\n{\"name\": \"f\", \"arguments\": {\"a\": ");
  EXPECT_TRUE(cut.tool_calls.empty());
  expect_error(cut, "cut off");
  EXPECT_EQ(cut.content, "Sure.");
  expect_error(hermes("Sure.\n<tool_call>\n"), "cut off");
  expect_error(hermes("<tool_call></tool_call>"), "empty <tool_call>");
}

TEST(ToolCallErrors, TruncatedAtMaxTokensInEveryFormat) {
  expect_error(
      parse_reply("{\"name\": \"set_timer\", \"parameters\": {\"minu", ToolCallFormat::Llama3Json),
      "cut off");
  expect_error(parse_reply("<|python_tag|>{\"name\": \"set_timer\", \"parameters\": {",
                           ToolCallFormat::Llama3Json),
               "cut off");
  expect_error(parse_reply("<|python_tag|>", ToolCallFormat::Llama3Json), "cut off");
  expect_error(parse_reply("[get_weather(city='San", ToolCallFormat::Llama3Json), "cut off");
  expect_error(parse_reply("[TOOL_CALLS][{\"name\": \"set_timer\", \"arguments\": {\"minu",
                           ToolCallFormat::Mistral),
               "cut off");
  expect_error(parse_reply("[TOOL_CALLS]set_timer[ARGS]{\"minu", ToolCallFormat::Mistral),
               "cut off");
  expect_error(parse_reply("[TOOL_CALLS]set_timer[ARGS]", ToolCallFormat::Mistral), "cut off");
  expect_error(parse_reply("[TOOL_CALLS]", ToolCallFormat::Mistral), "cut off");
}

TEST(ToolCallErrors, ValidCallsSurviveABrokenNeighbour) {
  const ParsedReply reply = hermes(
      "<tool_call>{\"name\": \"f\", \"arguments\": {}}</tool_call>\n"
      "<tool_call>{\"name\": \"g\", \"arguments\": {oops}}</tool_call>\n"
      "<tool_call>{\"name\": \"h\", \"arguments\": {}}</tool_call>");
  ASSERT_EQ(reply.tool_calls.size(), 2u);
  EXPECT_EQ(reply.tool_calls[0].name, "f");
  EXPECT_EQ(reply.tool_calls[1].name, "h");
  EXPECT_EQ(reply.errors.size(), 1u);

  const ParsedReply mistral = parse_reply(
      "[TOOL_CALLS]f[ARGS]{\"a\": 1}[TOOL_CALLS]g[ARGS]{\"a\": }", ToolCallFormat::Mistral);
  ASSERT_EQ(mistral.tool_calls.size(), 1u);
  EXPECT_EQ(mistral.errors.size(), 1u);
}

TEST(ToolCallErrors, AnExtraClosingBraceIsForgiven) {
  const ParsedReply reply =
      hermes("<tool_call>\n{\"name\": \"f\", \"arguments\": {}}}\n</tool_call>");
  EXPECT_EQ(reply.tool_calls.size(), 1u);
  EXPECT_TRUE(reply.errors.empty());
  expect_error(hermes("<tool_call>{\"name\": \"f\", \"arguments\": {}} and more</tool_call>"),
               "unexpected text");
}

TEST(ToolCallErrors, GarbageAfterMarkers) {
  expect_error(parse_reply("[TOOL_CALLS] !!!", ToolCallFormat::Mistral), "[TOOL_CALLS] must be");
  expect_error(parse_reply("<|python_tag|>print('hi')", ToolCallFormat::Llama3Json),
               "code interpreter");
  expect_error(parse_reply("<|python_tag|>brave_search.call(query=)", ToolCallFormat::Llama3Json),
               "not a valid call");
}

TEST(ToolCallErrors, DeeplyNestedOrHugeInputDoesNotCrash) {
  const std::string deep(100000, '{');
  for (const ToolCallFormat format :
       {ToolCallFormat::Hermes, ToolCallFormat::Llama3Json, ToolCallFormat::Mistral}) {
    EXPECT_NO_THROW(parse_reply(deep, format));
    EXPECT_NO_THROW(parse_reply("<tool_call>" + deep, format));
    EXPECT_NO_THROW(parse_reply("[TOOL_CALLS]" + deep, format));
    EXPECT_NO_THROW(parse_reply("<|python_tag|>[f(a=" + std::string(5000, '[') + ")]", format));
  }
  std::string nested = "{\"name\": \"f\", \"arguments\": ";
  for (int i = 0; i < 2000; ++i) nested += "{\"a\": ";
  nested += "1" + std::string(2000, '}') + "}";
  EXPECT_EQ(parse_reply(nested, ToolCallFormat::Llama3Json).tool_calls.size(), 1u);
}

TEST(ToolCallErrors, EveryPrefixOfEveryCapturedOutputParses) {
  // Replies cut off at any byte (max_tokens): never a crash or an exception.
  for (const Case& c : cases())
    for (size_t length = 0; length <= c.output.size(); ++length)
      EXPECT_NO_THROW(
          parse_reply(std::string_view(c.output).substr(0, length), c.format, c.options))
          << c.file << " at " << length;
}

// ---------------------------------------------------------------------------------------------
// Text that is not a call

TEST(ToolCallText, ProseMentioningToolCallsStaysText) {
  for (const char* text : {
           "The tool_call field is optional.",
           "Wrap each call in a <tool_call> tag when you answer.",
           "Use <tool_call> and </tool_call> around JSON.",
           "A { brace at the end",
       }) {
    SCOPED_TRACE(text);
    const ParsedReply reply = hermes(text);
    EXPECT_TRUE(reply.tool_calls.empty());
    EXPECT_TRUE(reply.errors.empty());
  }
  EXPECT_EQ(hermes("The tool_call field is optional.").content, "The tool_call field is optional.");
  EXPECT_EQ(hermes("Wrap each call in a <tool_call> tag.").content,
            "Wrap each call in a <tool_call> tag.");
}

TEST(ToolCallText, JsonThatIsNotACallStaysText) {
  const std::string answer = "Here is the data:\n{\"a\": 1, \"b\": [2, 3]}\nAnything else?";
  EXPECT_EQ(hermes(answer).content, answer);
  EXPECT_EQ(hermes("{\"a\": 1}").content, "{\"a\": 1}");
  // A call-shaped object followed by more text is text too.
  const std::string example = "For example:\n{\"name\": \"f\", \"arguments\": {}}\nis a call.";
  EXPECT_EQ(hermes(example).content, example);
  EXPECT_TRUE(hermes(example).tool_calls.empty());
  // Llama: an object with a name but no parameters is an answer, not a call.
  const ParsedReply user = parse_reply("{\"name\": \"Alice\"}", ToolCallFormat::Llama3Json);
  EXPECT_TRUE(user.tool_calls.empty());
  EXPECT_EQ(user.content, "{\"name\": \"Alice\"}");
  // Inline JSON is never a call.
  EXPECT_EQ(
      parse_reply("Send {\"name\": \"f\", \"parameters\": {}}", ToolCallFormat::Llama3Json).content,
      "Send {\"name\": \"f\", \"parameters\": {}}");
  // Brackets that do not start a pythonic call.
  EXPECT_EQ(parse_reply("[1] is a footnote.", ToolCallFormat::Llama3Json).content,
            "[1] is a footnote.");
}

TEST(ToolCallText, TextAroundCalls) {
  const ParsedReply reply =
      parse_reply("Let me look.<|python_tag|>{\"name\": \"f\", \"parameters\": {}}",
                  ToolCallFormat::Llama3Json);
  EXPECT_EQ(reply.content, "Let me look.");
  EXPECT_EQ(reply.tool_calls.size(), 1u);

  const ParsedReply after = parse_reply(
      "[TOOL_CALLS][{\"name\": \"f\", \"arguments\": {}}] trailing", ToolCallFormat::Mistral);
  EXPECT_EQ(after.content, "trailing");
  EXPECT_EQ(after.tool_calls.size(), 1u);

  const ParsedReply hermes_both = hermes(
      "Checking both.\n<tool_call>\n{\"name\": \"f\", \"arguments\": {}}\n</tool_call>\nDone.");
  EXPECT_EQ(hermes_both.content, "Checking both.\n\nDone.");
}

TEST(ToolCallText, StrayReasoningTagsAreDropped) {
  EXPECT_EQ(hermes("Hello</think> there").content, "Hello there");
  EXPECT_EQ(parse_reply("Hi[/THINK] you", ToolCallFormat::Mistral).content, "Hi you");
}

TEST(ToolCallText, UnclosedReasoningIsAllReasoning) {
  const ParsedReply reply = hermes("<think>Still thinking when max_tokens hit");
  EXPECT_EQ(reply.reasoning, "Still thinking when max_tokens hit");
  EXPECT_EQ(reply.content, "");
}

// ---------------------------------------------------------------------------------------------
// Ids

TEST(ToolCallIds, GeneratedIdsAreDeterministicDistinctAndSeeded) {
  const std::string output = test::file_bytes(kDataDir / "qwen25_two_calls.txt");
  const ParsedReply a = hermes(output), b = hermes(output);
  ASSERT_EQ(a.tool_calls.size(), 2u);
  EXPECT_EQ(a.tool_calls[0].id, b.tool_calls[0].id);
  EXPECT_NE(a.tool_calls[0].id, a.tool_calls[1].id);
  EXPECT_TRUE(is_generated_id(a.tool_calls[0].id));
  ParseOptions seeded;
  seeded.id_seed = 42;
  EXPECT_NE(parse_reply(output, ToolCallFormat::Hermes, seeded).tool_calls[0].id,
            a.tool_calls[0].id);
}

TEST(ToolCallIds, TheModelsOwnIdIsKept) {
  EXPECT_EQ(parse_reply("[TOOL_CALLS][{\"name\": \"f\", \"arguments\": {}, \"id\": \"xyz987ABC\"}]",
                        ToolCallFormat::Mistral)
                .tool_calls.at(0)
                .id,
            "xyz987ABC");
}

// ---------------------------------------------------------------------------------------------
// Format detection

TEST(ToolCallFormat, DetectedFromTheRealTemplates) {
  const std::filesystem::path dir = std::filesystem::path(TEKTRA_FIXTURES_DIR) / "chat-templates";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "no fixtures at " << dir;
  const std::map<std::string, ToolCallFormat> expected = {
      {"Qwen-Qwen2.5-7B-Instruct", ToolCallFormat::Hermes},
      {"Qwen-Qwen3-0.6B", ToolCallFormat::Hermes},
      {"NousResearch-Hermes-3-Llama-3.1-8B-tool_use", ToolCallFormat::Hermes},
      {"HuggingFaceTB-SmolLM3-3B", ToolCallFormat::Hermes},
      {"meta-llama-Llama-3.1-8B-Instruct", ToolCallFormat::Llama3Json},
      {"meta-llama-Llama-3.2-3B-Instruct", ToolCallFormat::Llama3Json},
      {"mistralai-Mistral-Nemo-Instruct-2407", ToolCallFormat::Mistral},
      {"google-gemma-2-2b-it", ToolCallFormat::None},
      {"microsoft-Phi-3.5-mini-instruct", ToolCallFormat::None},
      {"ibm-granite-granite-3.3-2B-Instruct", ToolCallFormat::None},
      {"deepseek-ai-DeepSeek-R1-Distill-Qwen-32B", ToolCallFormat::None},
  };
  for (const auto& [name, format] : expected) {
    SCOPED_TRACE(name);
    const std::string text = test::file_bytes(dir / (name + ".jinja"));
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(detect_tool_call_format(text), format);
  }
}

TEST(ToolCallFormat, DetectedFromSnippets) {
  // Llama 3.x: the tool-result role, the system line, the built-in call tag.
  EXPECT_EQ(
      detect_tool_call_format(
          R"({{- "<|start_header_id|>ipython<|end_header_id|>\n\n" }}{{- message.content }})"),
      ToolCallFormat::Llama3Json);
  EXPECT_EQ(detect_tool_call_format(R"({{- "Environment: ipython\n" }})"),
            ToolCallFormat::Llama3Json);
  EXPECT_EQ(detect_tool_call_format(R"({{- "<|python_tag|>" + tool_call.name + ".call(" }})"),
            ToolCallFormat::Llama3Json);
  // Mistral v3 and v11+.
  EXPECT_EQ(detect_tool_call_format(R"({{- "[TOOL_CALLS][" }}{%- for tool_call in tool_calls %})"),
            ToolCallFormat::Mistral);
  EXPECT_EQ(detect_tool_call_format(R"({{- '[TOOL_CALLS]' }}{{- name + '[ARGS]' + arguments }})"),
            ToolCallFormat::Mistral);
  // ChatML and friends.
  EXPECT_EQ(detect_tool_call_format("{{- '<tool_call>\\n' }}"), ToolCallFormat::Hermes);
  EXPECT_EQ(detect_tool_call_format("{{ '<|im_start|>' + message.role }}"), ToolCallFormat::Hermes);
  EXPECT_EQ(detect_tool_call_format("{{ '<start_of_turn>' + role }}"), ToolCallFormat::None);
  EXPECT_EQ(detect_tool_call_format(""), ToolCallFormat::None);
}

TEST(ToolCallFormat, NamesRoundTrip) {
  for (const ToolCallFormat format : {ToolCallFormat::None, ToolCallFormat::Hermes,
                                      ToolCallFormat::Llama3Json, ToolCallFormat::Mistral})
    EXPECT_EQ(tool_call_format_from_name(tool_call_format_name(format)), format);
  EXPECT_EQ(tool_call_format_name(ToolCallFormat::Llama3Json), "llama3_json");
  EXPECT_FALSE(tool_call_format_from_name("chatml").has_value());
}

}  // namespace
}  // namespace tektra::llm
