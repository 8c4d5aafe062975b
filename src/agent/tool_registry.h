// The set of tools the assistant can call, with argument validation and OpenAI-format export.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "agent/tool.h"

namespace tektra {

// Fill with add() before sharing; afterwards every member is const and safe from any thread.
class ToolRegistry {
 public:
  // Throws Error("invalid_tool") for a name that is not lower_snake_case or is already taken, a
  // missing description or run function, or a parameters schema json_schema.h cannot check.
  void add(Tool tool);

  const Tool* find(std::string_view name) const;  // nullptr when unknown
  std::vector<const Tool*> list() const;          // in the order added

  // [{"type": "function", "function": {"name", "description", "parameters"}}, ...] as the OpenAI
  // chat completions API takes it.
  nlohmann::json openai_tools() const;

  // Validates `args` (null counts as {}) against the tool's schema and runs it. Throws
  // Error("unknown_tool") or Error("invalid_tool_arguments", "set_timer: seconds: is required"),
  // and passes on whatever Error the tool itself throws.
  nlohmann::json call(std::string_view name, const nlohmann::json& args,
                      const ToolContext& context) const;

 private:
  std::vector<Tool> tools_;
};

}  // namespace tektra
