// Who the assistant is when a language model speaks for it: name, speaking style, how much it says
// and a free-text persona. Defaults come from config; changes made through the API persist in the
// store and override them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/config.h"

namespace tektra {

class Store;

struct Personality {
  std::string name;
  std::string style;      // "warm and direct"
  std::string verbosity;  // brief, normal or detailed
  std::string persona;    // free text for the system prompt

  nlohmann::json to_json() const;
  bool operator==(const Personality&) const = default;
};

// The personality config describes. Throws Error("invalid_config") for a bad verbosity or a field
// longer than its limit.
Personality configured_personality(const AgentConfig& config);

// `base` with the fields of `changes` ({"name"?, "style"?, "verbosity"?, "persona"?}) applied.
// Throws Error("invalid_value") naming the field for an unknown field, a value that is not a
// string, an empty name, a verbosity other than brief/normal/detailed, or a field past its length
// limit (name 64 bytes, style 200, persona 4000).
Personality with_changes(Personality base, const nlohmann::json& changes);

// The configured personality overlaid with the stored changes. A stored value that no longer
// validates is logged and ignored.
Personality current_personality(Store& store, const AgentConfig& config);
// Validates `changes` against the current personality, stores the result and returns it.
Personality update_personality(Store& store, const AgentConfig& config,
                               const nlohmann::json& changes);
// Forgets stored changes; returns the configured personality.
Personality reset_personality(Store& store, const AgentConfig& config);

}  // namespace tektra
