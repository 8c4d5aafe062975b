// Tool descriptions, calls and results written into the conversation for templates without them.
#include "llm/tool_prompt.h"

namespace tektra::llm {
namespace {

using nlohmann::ordered_json;

std::string text_of(const ordered_json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string text;
  if (content.is_array())
    for (const auto& part : content)
      if (part.is_object() && part.contains("text") && part["text"].is_string()) {
        if (!text.empty()) text += '\n';
        text += part["text"].get_ref<const std::string&>();
      }
  return text;
}

std::string tool_instructions(const ordered_json& tools) {
  std::string s =
      "You may call one or more functions to help with the user's request. The functions are "
      "described in JSON schema inside <tools></tools>:\n<tools>";
  for (const auto& tool : tools) {
    s += '\n';
    s += tool.dump();
  }
  s += "\n</tools>\nTo call a function, write a JSON object with its name and arguments inside "
       "<tool_call></tool_call> tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": "
       "<args-json-object>}\n</tool_call>\nThe results come back inside "
       "<tool_response></tool_response>.";
  return s;
}

std::string call_text(const ordered_json& call) {
  const ordered_json& f = call.contains("function") ? call["function"] : call;
  ordered_json arguments = f.value("arguments", ordered_json::object());
  if (arguments.is_string()) {
    try {
      arguments = ordered_json::parse(arguments.get<std::string>());
    } catch (const ordered_json::exception&) {
      // Shown as the text it was.
    }
  }
  return "<tool_call>\n" +
         ordered_json{{"name", f.value("name", "")}, {"arguments", arguments}}.dump() +
         "\n</tool_call>";
}

}  // namespace

ChatTemplateInputs with_tools_in_prompt(ChatTemplateInputs inputs, const ChatTemplateCaps& caps) {
  const bool offered = inputs.tools.is_array() && !inputs.tools.empty();
  if (!offered || caps.tools) return inputs;
  ordered_json messages = ordered_json::array();
  const std::string instructions = tool_instructions(inputs.tools);
  auto& in = inputs.messages;
  const bool has_system = !in.empty() && in[0].value("role", "") == "system";
  if (has_system) {
    ordered_json system = in[0];
    // The tools first: they stay the same from turn to turn, while a system prompt's end often
    // changes (memories), so the engine can reuse the longest computed prefix.
    std::string content = instructions;
    content += "\n\n";
    content += text_of(system["content"]);
    system["content"] = std::move(content);
    messages.push_back(std::move(system));
  } else {
    messages.push_back({{"role", "system"}, {"content", instructions}});
  }
  for (size_t i = has_system ? 1 : 0; i < in.size(); ++i) {
    const ordered_json& m = in[i];
    const std::string role = m.value("role", "");
    if (role == "assistant" && m.contains("tool_calls") && m["tool_calls"].is_array()) {
      std::string text = text_of(m.value("content", ordered_json()));
      for (const auto& call : m["tool_calls"]) {
        if (!text.empty()) text += '\n';
        text += call_text(call);
      }
      messages.push_back({{"role", "assistant"}, {"content", text}});
    } else if (role == "tool") {
      // Consecutive results go back in one user turn, as Hermes templates do.
      std::string response = "<tool_response>\n";
      response += text_of(m.value("content", ordered_json()));
      response += "\n</tool_response>";
      if (!messages.empty() && messages.back()["role"] == "user" && i > 0 &&
          in[i - 1].value("role", "") == "tool") {
        auto& content = messages.back()["content"].get_ref<std::string&>();
        content += '\n';
        content += response;
      } else
        messages.push_back({{"role", "user"}, {"content", response}});
    } else {
      messages.push_back(m);
    }
  }
  inputs.messages = std::move(messages);
  inputs.tools = nullptr;
  return inputs;
}

ToolCallFormat offered_tool_call_format(const ChatTemplateCaps& caps, std::string_view source) {
  if (!caps.tools) return ToolCallFormat::Hermes;
  return detect_tool_call_format(source);
}

}  // namespace tektra::llm
