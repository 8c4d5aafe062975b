// Runs the real tektra binary with a private HOME and data directory.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "app/child_process.h"
#include "support/temp_dir.h"

namespace tektra::test {

class Cli : public ::testing::Test {
 protected:
  // Runs tektra with HOME in a temp dir (so no user configuration is read) and its data in another.
  ProcessResult tektra(std::vector<std::string> args, const std::string& input = "",
                       std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), TEKTRA_BINARY);
    args.insert(args.end(), {"--data-dir", data_.path().string()});
    env["HOME"] = home_.path().string();
    ProcessResult r = run_process(args, env, input);
    EXPECT_FALSE(r.timed_out) << "tektra did not finish";
    EXPECT_TRUE(r.exited) << "tektra died of signal " << r.signal << "\nstderr: " << r.err;
    return r;
  }
  std::string file(const std::string& name) { return (work_.path() / name).string(); }

  TempDir home_, data_, work_;
};

inline std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace tektra::test
