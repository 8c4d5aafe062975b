// Helpers shared by the store tests: a throwaway directory and catching a tektra::Error.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

#include "core/error.h"

namespace tektra::test {

// A fresh directory under the system temp dir, removed with everything in it when the test ends.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tektra-store-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path file(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Runs `f` and returns the tektra::Error it threw, or nullopt when it returned normally. Other
// exception types propagate and fail the test, since the store promises tektra::Error only.
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
