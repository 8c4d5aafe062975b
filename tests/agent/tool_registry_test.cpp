// ToolRegistry: registration rules, OpenAI export, and argument validation against the schema.
#include "agent/tool_registry.h"

#include <gtest/gtest.h>

#include "agent/json_schema.h"
#include "agent/timer_service.h"
#include "agent/tools/builtin_tools.h"
#include "agent_test_support.h"

namespace tektra {
namespace {

using nlohmann::json;

// A tool that echoes its arguments, with a schema using every supported keyword.
Tool echo_tool() {
  return Tool{"echo",
              "Returns its arguments.",
              {{"type", "object"},
               {"properties",
                {{"text", {{"type", "string"}, {"minLength", 1}, {"maxLength", 5}}},
                 {"count", {{"type", "integer"}, {"minimum", 0}, {"maximum", 10}}},
                 {"ratio", {{"type", "number"}}},
                 {"loud", {{"type", "boolean"}}},
                 {"mode", {{"type", "string"}, {"enum", {"a", "b"}}}},
                 {"tags", {{"type", "array"}, {"items", {{"type", "string"}}}}},
                 {"inner",
                  {{"type", "object"},
                   {"properties", {{"x", {{"type", "number"}}}}},
                   {"required", {"x"}}}}}},
               {"required", {"text"}},
               {"additionalProperties", false}},
              [](const json& args, const ToolContext&) { return args; }};
}

class ToolRegistryTest : public ::testing::Test {
 protected:
  ToolRegistryTest() { registry.add(echo_tool()); }

  std::string violation(const json& args) {
    return test::thrown_message([&] { registry.call("echo", args, context); });
  }

  test::TempStore db;
  EventBus bus;
  TimerService timers{*db.store, bus};
  ToolContext context{"session", "", *db.store, timers};
  ToolRegistry registry;
};

TEST_F(ToolRegistryTest, CallsWithValidArguments) {
  json args = {{"text", "hi"}, {"count", 3},         {"ratio", 0.5},       {"loud", true},
               {"mode", "b"},  {"tags", {"x", "y"}}, {"inner", {{"x", 1}}}};
  EXPECT_EQ(registry.call("echo", args, context), args);
  EXPECT_EQ(registry.call("echo", {{"text", "h\xC3\xA9llo"}}, context)["text"],
            "h\xC3\xA9llo");  // 5 characters
  EXPECT_EQ(registry.call("echo", {{"text", "x"}, {"count", 4.0}}, context)["count"],
            4.0);  // integral float
}

TEST_F(ToolRegistryTest, RejectsEachKindOfBadArgument) {
  struct Case {
    json args;
    const char* message;
  };
  for (const Case& c : std::vector<Case>{
           {json::array(), "echo: arguments: must be an object"},
           {"text", "echo: arguments: must be an object"},
           {json::object(), "echo: text: is required"},
           {{{"text", 5}}, "echo: text: must be a string"},
           {{{"text", ""}}, "echo: text: must be at least 1 characters"},
           {{{"text", "toolong"}}, "echo: text: must be at most 5 characters"},
           {{{"text", "x"}, {"count", "3"}}, "echo: count: must be a number"},
           {{{"text", "x"}, {"count", 2.5}}, "echo: count: must be a whole number"},
           {{{"text", "x"}, {"count", -1}}, "echo: count: must be at least 0"},
           {{{"text", "x"}, {"count", 11}}, "echo: count: must be at most 10"},
           {{{"text", "x"}, {"ratio", std::numeric_limits<double>::infinity()}},
            "echo: ratio: must be a finite number"},
           {{{"text", "x"}, {"ratio", std::nan("")}}, "echo: ratio: must be a finite number"},
           {{{"text", "x"}, {"loud", "yes"}}, "echo: loud: must be true or false"},
           {{{"text", "x"}, {"mode", "c"}}, "echo: mode: must be one of [\"a\",\"b\"]"},
           {{{"text", "x"}, {"tags", "x"}}, "echo: tags: must be an array"},
           {{{"text", "x"}, {"tags", {"x", 1}}}, "echo: tags[1]: must be a string"},
           {{{"text", "x"}, {"inner", json::object()}}, "echo: inner.x: is required"},
           {{{"text", "x"}, {"inner", {{"x", "1"}}}}, "echo: inner.x: must be a number"},
           {{{"text", "x"}, {"colour", "red"}}, "echo: colour: is not a known argument"},
       }) {
    auto error = test::thrown_error([&] { registry.call("echo", c.args, context); });
    ASSERT_TRUE(error) << c.args.dump();
    EXPECT_EQ(error->code(), "invalid_tool_arguments") << c.args.dump();
    EXPECT_EQ(std::string(error->what()), c.message) << c.args.dump();
  }
}

TEST_F(ToolRegistryTest, NullArgumentsCountAsEmpty) {
  EXPECT_EQ(violation(nullptr), "echo: text: is required");
}

TEST_F(ToolRegistryTest, UnknownToolIsAnError) {
  EXPECT_EQ(test::thrown_code([&] { registry.call("nope", json::object(), context); }),
            "unknown_tool");
  EXPECT_EQ(registry.find("nope"), nullptr);
  ASSERT_NE(registry.find("echo"), nullptr);
}

TEST(ToolRegistry, RejectsBadToolDefinitions) {
  auto run = [](const json&, const ToolContext&) { return json(); };
  auto object = json{{"type", "object"}};
  struct Case {
    Tool tool;
    const char* message;
  };
  for (auto& c : std::vector<Case>{
           {Tool{"", "d", object, run}, "must be lower_snake_case"},
           {Tool{"Get-Time", "d", object, run}, "must be lower_snake_case"},
           {Tool{"t", "", object, run}, "has no description"},
           {Tool{"t", "d", object, nullptr}, "has no run function"},
           {Tool{"t", "d", json{{"type", "string"}}, run}, "\"type\": \"object\""},
           {Tool{"t", "d", json::array(), run}, "\"type\": \"object\""},
           {Tool{"t", "d", {{"type", "object"}, {"oneOf", json::array()}}, run},
            "unsupported schema keyword \"oneOf\""},
           {Tool{"t", "d", {{"type", "object"}, {"properties", {{"x", {{"type", "date"}}}}}}, run},
            "x: unsupported type \"date\""},
           {Tool{"t", "d", {{"type", "object"}, {"additionalProperties", true}}, run},
            "may only be false"},
           {Tool{"t", "d", {{"type", "object"}, {"required", "x"}}, run},
            "required must be an array"},
           {Tool{"t",
                 "d",
                 {{"type", "object"},
                  {"properties", {{"n", {{"type", "number"}, {"minimum", "0"}}}}}},
                 run},
            "n: minimum must be a number"},
       }) {
    ToolRegistry registry;
    auto error = test::thrown_error([&] { registry.add(c.tool); });
    ASSERT_TRUE(error) << c.message;
    EXPECT_EQ(error->code(), "invalid_tool");
    EXPECT_NE(std::string(error->what()).find(c.message), std::string::npos) << error->what();
  }
  ToolRegistry registry;
  registry.add(Tool{"t", "d", object, run});
  EXPECT_EQ(test::thrown_code([&] { registry.add(Tool{"t", "d", object, run}); }), "invalid_tool");
}

TEST(ToolRegistry, ExportsOpenAiToolsInOrder) {
  ToolRegistry registry;
  add_builtin_tools(registry);
  json tools = registry.openai_tools();
  ASSERT_TRUE(tools.is_array());
  std::vector<std::string> names;
  for (const auto& t : tools) {
    EXPECT_EQ(t["type"], "function");
    EXPECT_FALSE(t["function"]["description"].get<std::string>().empty());
    EXPECT_EQ(t["function"]["parameters"]["type"], "object");
    names.push_back(t["function"]["name"]);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"get_time", "get_date", "set_timer", "cancel_timer",
                                             "list_timers", "timer_remaining", "remember_fact",
                                             "recall_fact", "calculate"}));
  EXPECT_EQ(tools[2]["function"]["parameters"]["required"], json::array({"seconds"}));
  EXPECT_EQ(tools[8]["function"]["parameters"]["properties"]["op"]["enum"],
            json::array({"plus", "minus", "times", "divided by"}));
  EXPECT_EQ(registry.list().size(), 9u);
}

}  // namespace
}  // namespace tektra
