// Tools for models whose chat template has no tool section (or no template at all: ChatML). The
// tools are described in the system message in the Hermes format small models know best, earlier
// calls are shown as <tool_call> text and their results as <tool_response> user messages, and the
// reply is read as Hermes. Templates that describe tools themselves are left alone.
#pragma once

#include "llm/chat_template.h"
#include "llm/tool_calls.h"

namespace tektra::llm {

// `inputs` as a template with `caps` can show it. Unchanged when no tools are offered or the
// template shows tools itself.
ChatTemplateInputs with_tools_in_prompt(ChatTemplateInputs inputs, const ChatTemplateCaps& caps);

// The syntax to read a reply in when tools were offered through a template with `caps` and
// `source`: the template's own family when it shows tools, else Hermes (what the prompt asked for).
ToolCallFormat offered_tool_call_format(const ChatTemplateCaps& caps, std::string_view source);

}  // namespace tektra::llm
