// A tool: one action the assistant can take, invoked by an intent or by a language model's call.
#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

namespace tektra {

class Store;
class TimerService;

// Wall-clock time source; tests substitute a fixed instant.
using WallClock = std::function<std::chrono::system_clock::time_point()>;

inline std::chrono::system_clock::time_point system_wall_clock() {
  return std::chrono::system_clock::now();
}

// What a tool may touch while it runs. The references outlive the call.
struct ToolContext {
  std::string session_id;
  std::string conversation_id;
  Store& store;
  TimerService& timers;
  WallClock clock = system_wall_clock;
};

struct Tool {
  std::string name;  // lower_snake_case, unique in a registry
  std::string description;
  nlohmann::json parameters;  // JSON schema of the arguments object (see json_schema.h)
  // Returns a JSON result; throws Error with a specific code when the action cannot be done.
  std::function<nlohmann::json(const nlohmann::json& args, const ToolContext& context)> run;
};

}  // namespace tektra
