// Checks every engine applies to what callers pass to SpeechSynthesizer::synthesize().
#pragma once

#include <string>

namespace tektra {

// Text as the engines should see it: ASCII control characters (NUL included, which would cut a C
// string short) become spaces. Throws Error("empty_text") when nothing but whitespace is left.
std::string speakable_text(const std::string& text);

// Throws Error("invalid_rate") unless kMinSpeakingRate <= rate <= kMaxSpeakingRate.
void require_valid_rate(double rate);

}  // namespace tektra
