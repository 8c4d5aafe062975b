// Reads a TOML config file into flat "section.key" -> string pairs (toml++ kept to this one unit).
#include <fmt/format.h>

#include <toml++/toml.h>
#include <filesystem>
#include <map>
#include <string>

#include "core/error.h"

namespace tektra {

std::map<std::string, std::string> read_config_file(const std::filesystem::path& path) {
  toml::table table;
  try {
    table = toml::parse_file(path.string());
  } catch (const toml::parse_error& e) {
    throw Error("invalid_config", fmt::format("{}:{}:{}: {}", path.string(), e.source().begin.line,
                                              e.source().begin.column, e.description()));
  }
  std::map<std::string, std::string> flat;
  auto scalar = [&](const std::string& key, const toml::node& node) {
    if (auto s = node.value<std::string>()) {
      flat[key] = *s;
    } else if (auto b = node.value_exact<bool>()) {
      flat[key] = *b ? "true" : "false";
    } else if (auto i = node.value_exact<int64_t>()) {
      flat[key] = std::to_string(*i);
    } else if (auto d = node.value_exact<double>()) {
      flat[key] = fmt::format("{}", *d);
    } else {
      throw Error("invalid_config",
                  fmt::format("{}: {} must be a string, number or boolean", path.string(), key));
    }
  };
  for (const auto& [name, node] : table) {
    std::string key(name.str());
    if (const auto* section = node.as_table()) {
      for (const auto& [leaf, value] : *section) scalar(key + "." + std::string(leaf.str()), value);
    } else {
      scalar(key, node);
    }
  }
  return flat;
}

}  // namespace tektra
