// Typed errors that carry a stable machine-readable code next to the human message.
#pragma once

#include <stdexcept>
#include <string>

namespace tektra {

// Thrown at boundaries when input is invalid or an operation cannot proceed. `code` is a short
// snake_case identifier clients can branch on (e.g. "invalid_json", "unknown_voice").
class Error : public std::runtime_error {
 public:
  Error(std::string code, const std::string& message)
      : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

}  // namespace tektra
