// Unguessable, URL-safe identifiers with a readable prefix ("conv_", "sess_", "item_", "resp_").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tektra {

// `prefix` followed by 128 bits from the kernel's CSPRNG as 32 lower-case hex characters. Ids are
// what stands between a client and someone else's conversation, so they must not be predictable.
std::string make_id(std::string_view prefix);

// 64 bits from the kernel's CSPRNG (random seeds).
uint64_t random_u64();

}  // namespace tektra
