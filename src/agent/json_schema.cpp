// JSON Schema subset validation for tool arguments.
#include "agent/json_schema.h"

#include <fmt/format.h>
#include <array>
#include <cmath>
#include <string_view>

namespace tektra {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 6> kTypes{"object",  "string",  "number",
                                                 "integer", "boolean", "array"};
constexpr std::array<std::string_view, 14> kKeywords{
    "type",      "properties", "required", "additionalProperties", "enum",  "minimum", "maximum",
    "minLength", "maxLength",  "items",    "description",          "title", "default", "examples"};

std::string field(const std::string& path) {
  return path.empty() ? "arguments" : path;
}

std::string child(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

size_t utf8_length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::optional<std::string> check_range(const json& schema, double v, const std::string& path) {
  if (schema.contains("minimum") && v < schema["minimum"].get<double>()) {
    return fmt::format("{}: must be at least {}", field(path), schema["minimum"].dump());
  }
  if (schema.contains("maximum") && v > schema["maximum"].get<double>()) {
    return fmt::format("{}: must be at most {}", field(path), schema["maximum"].dump());
  }
  return std::nullopt;
}

std::optional<std::string> check(const json& schema, const json& value, const std::string& path) {
  if (schema.contains("enum")) {
    bool found = false;
    for (const auto& allowed : schema["enum"]) found = found || allowed == value;
    if (!found) return fmt::format("{}: must be one of {}", field(path), schema["enum"].dump());
  }
  std::string type = schema.value("type", "");
  if (type == "object") {
    if (!value.is_object()) return fmt::format("{}: must be an object", field(path));
    json properties = schema.value("properties", json::object());
    for (const auto& name : schema.value("required", json::array())) {
      std::string key = name.get<std::string>();
      if (!value.contains(key)) return fmt::format("{}: is required", child(path, key));
    }
    bool closed =
        schema.contains("additionalProperties") && schema["additionalProperties"] == false;
    for (const auto& [key, item] : value.items()) {
      if (properties.contains(key)) {
        if (auto problem = check(properties[key], item, child(path, key))) return problem;
      } else if (closed) {
        return fmt::format("{}: is not a known argument", child(path, key));
      }
    }
  } else if (type == "string") {
    if (!value.is_string()) return fmt::format("{}: must be a string", field(path));
    size_t length = utf8_length(value.get_ref<const std::string&>());
    if (schema.contains("minLength") && length < schema["minLength"].get<size_t>()) {
      return fmt::format("{}: must be at least {} characters", field(path),
                         schema["minLength"].dump());
    }
    if (schema.contains("maxLength") && length > schema["maxLength"].get<size_t>()) {
      return fmt::format("{}: must be at most {} characters", field(path),
                         schema["maxLength"].dump());
    }
  } else if (type == "number" || type == "integer") {
    if (!value.is_number()) return fmt::format("{}: must be a number", field(path));
    double v = value.get<double>();
    if (!std::isfinite(v)) return fmt::format("{}: must be a finite number", field(path));
    if (type == "integer" && v != std::floor(v)) {
      return fmt::format("{}: must be a whole number", field(path));
    }
    return check_range(schema, v, path);
  } else if (type == "boolean") {
    if (!value.is_boolean()) return fmt::format("{}: must be true or false", field(path));
  } else if (type == "array") {
    if (!value.is_array()) return fmt::format("{}: must be an array", field(path));
    if (schema.contains("items")) {
      for (size_t i = 0; i < value.size(); ++i) {
        if (auto problem =
                check(schema["items"], value[i], fmt::format("{}[{}]", field(path), i))) {
          return problem;
        }
      }
    }
  }
  return std::nullopt;
}

std::optional<std::string> unsupported(const json& schema, const std::string& path) {
  if (!schema.is_object()) return fmt::format("{}: a schema must be an object", field(path));
  for (const auto& [key, item] : schema.items()) {
    bool known = false;
    for (auto k : kKeywords) known = known || key == k;
    if (!known) return fmt::format("{}: unsupported schema keyword \"{}\"", field(path), key);
  }
  if (schema.contains("type")) {
    bool known = false;
    for (auto t : kTypes) known = known || schema["type"] == std::string(t);
    if (!known) return fmt::format("{}: unsupported type {}", field(path), schema["type"].dump());
  }
  if (schema.contains("additionalProperties") && schema["additionalProperties"] != false) {
    return fmt::format("{}: additionalProperties may only be false", field(path));
  }
  for (const char* bound : {"minimum", "maximum"}) {
    if (schema.contains(bound) && !schema[bound].is_number()) {
      return fmt::format("{}: {} must be a number", field(path), bound);
    }
  }
  for (const char* bound : {"minLength", "maxLength"}) {
    if (schema.contains(bound) &&
        !(schema[bound].is_number_integer() && schema[bound].get<int64_t>() >= 0)) {
      return fmt::format("{}: {} must be a non-negative integer", field(path), bound);
    }
  }
  if (schema.contains("enum") && !schema["enum"].is_array()) {
    return fmt::format("{}: enum must be an array", field(path));
  }
  if (schema.contains("required")) {
    if (!schema["required"].is_array())
      return fmt::format("{}: required must be an array", field(path));
    for (const auto& name : schema["required"]) {
      if (!name.is_string()) return fmt::format("{}: required must list names", field(path));
    }
  }
  if (schema.contains("properties")) {
    if (!schema["properties"].is_object()) {
      return fmt::format("{}: properties must be an object", field(path));
    }
    for (const auto& [key, item] : schema["properties"].items()) {
      if (auto problem = unsupported(item, child(path, key))) return problem;
    }
  }
  if (schema.contains("items")) return unsupported(schema["items"], field(path) + "[]");
  return std::nullopt;
}

}  // namespace

std::optional<std::string> schema_violation(const json& schema, const json& value) {
  return check(schema, value, "");
}

std::optional<std::string> unsupported_schema(const json& schema) {
  if (!schema.is_object() || schema.value("type", "") != "object") {
    return std::string("parameters must be a schema with \"type\": \"object\"");
  }
  return unsupported(schema, "");
}

}  // namespace tektra
