// Validation and clean-up of synthesis requests shared by the engines.
#include "tts/synthesis_input.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"
#include "tts/tts.h"

namespace tektra {

namespace {

bool is_ascii_control(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7f;
}

}  // namespace

std::string speakable_text(const std::string& text) {
  std::string clean = text;
  std::replace_if(clean.begin(), clean.end(), is_ascii_control, ' ');
  if (clean.find_first_not_of(' ') == std::string::npos) {
    throw Error("empty_text", "nothing to speak: the text is empty or only whitespace");
  }
  return clean;
}

void require_valid_rate(double rate) {
  // Written so that NaN fails too.
  if (!(rate >= kMinSpeakingRate && rate <= kMaxSpeakingRate)) {
    throw Error("invalid_rate", fmt::format("speaking rate must be between {} and {}, got {}",
                                            kMinSpeakingRate, kMaxSpeakingRate, rate));
  }
}

}  // namespace tektra
