// remember_fact: store something the user said about themselves, across restarts.
#include "agent/text_normalizer.h"
#include "agent/tools/builtin_tools.h"
#include "core/error.h"

namespace tektra {

Tool remember_fact_tool() {
  return Tool{"remember_fact",
              "Remember a fact the user tells you, such as key \"my favourite colour\" with value "
              "\"blue\". "
              "Keys are phrased from the user's point of view.",
              {{"type", "object"},
               {"properties",
                {{"key",
                  {{"type", "string"},
                   {"minLength", 1},
                   {"maxLength", 200},
                   {"description", "What the fact is about"}}},
                 {"value",
                  {{"type", "string"},
                   {"minLength", 1},
                   {"maxLength", 1000},
                   {"description", "The fact"}}}}},
               {"required", {"key", "value"}},
               {"additionalProperties", false}},
              [](const nlohmann::json& args, const ToolContext& context) -> nlohmann::json {
                // Keyed by normalised words so "My favorite color" and "my favourite colour" are
                // one fact.
                std::string key = normalized_phrase(args["key"].get<std::string>());
                if (key.empty())
                  throw Error("invalid_tool_arguments", "remember_fact: key: has no words");
                std::string value = args["value"].get<std::string>();
                context.store.put_fact(key, value);
                return {{"key", key}, {"value", value}};
              }};
}

}  // namespace tektra
