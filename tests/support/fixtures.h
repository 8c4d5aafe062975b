// Locating shared test fixtures (../shared/fixtures); tests that need one skip loudly without it.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace tektra::test {

inline std::filesystem::path fixtures_dir() {
  if (const char* env = std::getenv("TEKTRA_FIXTURES")) return env;
  return TEKTRA_FIXTURES_DIR;
}

inline std::filesystem::path fixture(const std::string& name) {
  return fixtures_dir() / name;
}

}  // namespace tektra::test

// Skips the current test with a clear message when a shared fixture is missing.
#define TEKTRA_REQUIRE_FIXTURE(name)                                                 \
  do {                                                                               \
    if (!std::filesystem::exists(::tektra::test::fixture(name))) {                   \
      GTEST_SKIP() << "fixture " << ::tektra::test::fixture(name).string()           \
                   << " not found (needs ../shared/fixtures beside the repository)"; \
    }                                                                                \
  } while (0)
