// Standard base64 (RFC 4648, with padding) as used by the Realtime protocol for audio.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tektra {

std::string base64_encode(std::span<const uint8_t> bytes);
// Returns nullopt for characters outside the alphabet, bad padding or a truncated final group.
std::optional<std::vector<uint8_t>> base64_decode(std::string_view text);

}  // namespace tektra
