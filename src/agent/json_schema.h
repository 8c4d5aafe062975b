// Checks tool arguments against the JSON Schema subset that tool definitions use.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace tektra {

// Supported keywords: type (object, string, number, integer, boolean, array), properties,
// required, additionalProperties (false only), enum, minimum, maximum, minLength, maxLength,
// items. Numbers must be finite; an integer may be written as 5.0.
// Returns nullopt when `value` conforms, else a message naming the offending field
// ("seconds: must be at least 1").
std::optional<std::string> schema_violation(const nlohmann::json& schema,
                                            const nlohmann::json& value);

// Nullopt when `schema` is an object schema using only the supported keywords, else the problem.
std::optional<std::string> unsupported_schema(const nlohmann::json& schema);

}  // namespace tektra
