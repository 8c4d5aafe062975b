// ToolRegistry: registration checks, lookup, OpenAI export and validated calls.
#include "agent/tool_registry.h"

#include <fmt/format.h>
#include <algorithm>

#include "agent/json_schema.h"
#include "core/error.h"

namespace tektra {
namespace {

bool is_snake_case(std::string_view name) {
  return !name.empty() && name[0] >= 'a' && name[0] <= 'z' &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
         });
}

}  // namespace

void ToolRegistry::add(Tool tool) {
  if (!is_snake_case(tool.name)) {
    throw Error("invalid_tool",
                fmt::format("tool name \"{}\" must be lower_snake_case", tool.name));
  }
  if (find(tool.name))
    throw Error("invalid_tool", fmt::format("tool {} is already registered", tool.name));
  if (tool.description.empty())
    throw Error("invalid_tool", fmt::format("tool {} has no description", tool.name));
  if (!tool.run) throw Error("invalid_tool", fmt::format("tool {} has no run function", tool.name));
  if (auto problem = unsupported_schema(tool.parameters)) {
    throw Error("invalid_tool", fmt::format("tool {}: {}", tool.name, *problem));
  }
  tools_.push_back(std::move(tool));
}

const Tool* ToolRegistry::find(std::string_view name) const {
  auto it =
      std::find_if(tools_.begin(), tools_.end(), [&](const Tool& t) { return t.name == name; });
  return it == tools_.end() ? nullptr : &*it;
}

std::vector<const Tool*> ToolRegistry::list() const {
  std::vector<const Tool*> out;
  for (const auto& tool : tools_) out.push_back(&tool);
  return out;
}

nlohmann::json ToolRegistry::openai_tools() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& tool : tools_) {
    out.push_back({{"type", "function"},
                   {"function",
                    {{"name", tool.name},
                     {"description", tool.description},
                     {"parameters", tool.parameters}}}});
  }
  return out;
}

nlohmann::json ToolRegistry::call(std::string_view name, const nlohmann::json& args,
                                  const ToolContext& context) const {
  const Tool* tool = find(name);
  if (!tool) throw Error("unknown_tool", fmt::format("no tool named \"{}\"", name));
  const nlohmann::json& effective = args.is_null() ? nlohmann::json::object() : args;
  if (auto problem = schema_violation(tool->parameters, effective)) {
    throw Error("invalid_tool_arguments", fmt::format("{}: {}", tool->name, *problem));
  }
  return tool->run(effective, context);
}

}  // namespace tektra
