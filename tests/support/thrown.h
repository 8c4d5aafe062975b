// Capturing the tektra::Error a call throws, so tests can assert on its code.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "core/error.h"

namespace tektra::test {

// The tektra::Error `f` threw, or nullopt when it returned normally. Other exception types
// propagate and fail the test.
template <typename F>
std::optional<Error> thrown_error(F&& f) {
  try {
    std::forward<F>(f)();
  } catch (const Error& e) {
    return e;
  }
  return std::nullopt;
}

// The error code `f` threw, or "(no error)" so a missing throw reads clearly in the failure.
template <typename F>
std::string thrown_code(F&& f) {
  auto error = thrown_error(std::forward<F>(f));
  return error ? error->code() : "(no error)";
}

}  // namespace tektra::test
