// make_id and random_u64: drawn from getrandom(2).
#include "core/ids.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "core/error.h"

namespace tektra {
namespace {

// getrandom rather than std::random_device: the standard does not promise the latter is a
// cryptographic source.
void fill_random(uint8_t* bytes, size_t size) {
  size_t filled = 0;
  while (filled < size) {
    ssize_t n = getrandom(bytes + filled, size - filled, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error("internal", std::string("getrandom failed: ") + std::strerror(errno));
    }
    filled += static_cast<size_t>(n);
  }
}

}  // namespace

uint64_t random_u64() {
  uint64_t value;
  fill_random(reinterpret_cast<uint8_t*>(&value), sizeof(value));
  return value;
}

std::string make_id(std::string_view prefix) {
  uint8_t bytes[16];
  fill_random(bytes, sizeof(bytes));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(prefix);
  id.reserve(prefix.size() + 2 * sizeof(bytes));
  for (uint8_t b : bytes) {
    id += kHex[b >> 4];
    id += kHex[b & 0xf];
  }
  return id;
}

}  // namespace tektra
