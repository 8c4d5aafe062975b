// make_id: identifiers drawn from getrandom(2).
#include "core/ids.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "core/error.h"

namespace tektra {

std::string make_id(std::string_view prefix) {
  // getrandom rather than std::random_device: the standard does not promise the latter is a
  // cryptographic source.
  uint8_t bytes[16];
  size_t filled = 0;
  while (filled < sizeof(bytes)) {
    ssize_t n = getrandom(bytes + filled, sizeof(bytes) - filled, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error("internal", std::string("getrandom failed: ") + std::strerror(errno));
    }
    filled += static_cast<size_t>(n);
  }
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
