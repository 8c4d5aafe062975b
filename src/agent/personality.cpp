// Personality: config defaults, validated partial updates, persisted under one store setting.
#include "agent/personality.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>

#include "core/error.h"
#include "store/store.h"

namespace tektra {
namespace {

constexpr const char* kSettingKey = "personality";

struct Field {
  const char* name;
  std::string Personality::*member;
  size_t max_bytes;
};

constexpr std::array<Field, 4> kFields = {{{"name", &Personality::name, 64},
                                           {"style", &Personality::style, 200},
                                           {"verbosity", &Personality::verbosity, 16},
                                           {"persona", &Personality::persona, 4000}}};

void validate(const Personality& p, const char* code) {
  for (const auto& f : kFields)
    if ((p.*f.member).size() > f.max_bytes)
      throw Error(code, fmt::format("personality {} is longer than {} bytes", f.name, f.max_bytes));
  if (p.name.find_first_not_of(" \t\r\n") == std::string::npos)
    throw Error(code, "personality name must not be empty");
  if (p.verbosity != "brief" && p.verbosity != "normal" && p.verbosity != "detailed")
    throw Error(code, fmt::format("personality verbosity '{}' is not brief, normal or detailed",
                                  p.verbosity));
}

}  // namespace

nlohmann::json Personality::to_json() const {
  return {{"name", name}, {"style", style}, {"verbosity", verbosity}, {"persona", persona}};
}

Personality configured_personality(const AgentConfig& config) {
  Personality p{config.name, config.style, config.verbosity, config.persona};
  validate(p, "invalid_config");
  return p;
}

Personality with_changes(Personality base, const nlohmann::json& changes) {
  if (!changes.is_object()) throw Error("invalid_value", "personality must be a JSON object");
  for (const auto& [key, value] : changes.items()) {
    const auto* field =
        std::find_if(kFields.begin(), kFields.end(), [&](const Field& f) { return key == f.name; });
    if (field == kFields.end())
      throw Error("invalid_value", fmt::format("personality has no field \"{}\"", key));
    if (!value.is_string())
      throw Error("invalid_value", fmt::format("personality {} must be a string", key));
    base.*field->member = value.get<std::string>();
  }
  validate(base, "invalid_value");
  return base;
}

Personality current_personality(Store& store, const AgentConfig& config) {
  Personality base = configured_personality(config);
  std::optional<nlohmann::json> stored = store.setting(kSettingKey);
  if (!stored) return base;
  try {
    return with_changes(base, *stored);
  } catch (const Error& e) {
    spdlog::warn("ignoring the stored personality: {}", e.what());
    return base;
  }
}

Personality update_personality(Store& store, const AgentConfig& config,
                               const nlohmann::json& changes) {
  Personality base = current_personality(store, config);
  Personality updated = with_changes(base, changes);
  // Only what differs from config is stored, so a later config change still shows through.
  const Personality configured = configured_personality(config);
  nlohmann::json overrides = nlohmann::json::object();
  for (const auto& f : kFields)
    if (updated.*f.member != configured.*f.member) overrides[f.name] = updated.*f.member;
  store.put_setting(kSettingKey, overrides);
  return updated;
}

Personality reset_personality(Store& store, const AgentConfig& config) {
  store.delete_setting(kSettingKey);
  return configured_personality(config);
}

}  // namespace tektra
