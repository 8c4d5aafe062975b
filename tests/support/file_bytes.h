// A whole file's bytes, for tests that read fixtures or damage copies of them.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace tektra::test {

// Empty when the file cannot be read.
inline std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace tektra::test
