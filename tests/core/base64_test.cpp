#include "core/base64.h"

#include <gtest/gtest.h>

namespace tektra {
namespace {

std::vector<uint8_t> bytes(std::string_view s) {
  return {s.begin(), s.end()};
}

TEST(Base64, EncodesRfc4648Vectors) {
  EXPECT_EQ(base64_encode(bytes("")), "");
  EXPECT_EQ(base64_encode(bytes("f")), "Zg==");
  EXPECT_EQ(base64_encode(bytes("fo")), "Zm8=");
  EXPECT_EQ(base64_encode(bytes("foo")), "Zm9v");
  EXPECT_EQ(base64_encode(bytes("foobar")), "Zm9vYmFy");
}

TEST(Base64, RoundTripsAllByteValues) {
  std::vector<uint8_t> all(256);
  for (int i = 0; i < 256; ++i) all[i] = static_cast<uint8_t>(i);
  for (size_t n = 0; n < all.size(); n += 37) {
    std::vector<uint8_t> part(all.begin(), all.begin() + n);
    EXPECT_EQ(base64_decode(base64_encode(part)), part);
  }
}

TEST(Base64, RejectsInvalidInput) {
  EXPECT_FALSE(base64_decode("Zg="));       // truncated group
  EXPECT_FALSE(base64_decode("Z!=="));      // outside alphabet
  EXPECT_FALSE(base64_decode("Zg==Zm8="));  // padding in the middle
  EXPECT_FALSE(base64_decode("=Zg="));
  EXPECT_TRUE(base64_decode("Zm8="));
}

}  // namespace
}  // namespace tektra
