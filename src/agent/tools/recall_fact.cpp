// recall_fact: look up something the user asked to be remembered.
#include "agent/text_normalizer.h"
#include "agent/tools/builtin_tools.h"

namespace tektra {

Tool recall_fact_tool() {
  return Tool{"recall_fact",
              "Recall a fact the user asked you to remember, by its key (\"my favourite colour\"). "
              "Returns known=false when nothing is stored.",
              {{"type", "object"},
               {"properties",
                {{"key",
                  {{"type", "string"},
                   {"minLength", 1},
                   {"maxLength", 200},
                   {"description", "What the fact is about"}}}}},
               {"required", {"key"}},
               {"additionalProperties", false}},
              [](const nlohmann::json& args, const ToolContext& context) -> nlohmann::json {
                std::string key = normalized_phrase(args["key"].get<std::string>());
                auto fact = key.empty() ? std::nullopt : context.store.fact(key);
                if (!fact) return {{"key", key}, {"known", false}, {"value", nullptr}};
                return {{"key", key}, {"known", true}, {"value", fact->value}};
              }};
}

}  // namespace tektra
