// Speech for tests: synthesized at test time with the project's own TTS, resampled to 16 kHz.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tts/tts.h"

namespace tektra::test {

// `text` spoken by `voice`, as 16 kHz mono PCM with `lead_ms` of silence before it.
std::vector<int16_t> spoken(VoiceCatalog& voices, const std::string& text,
                            const std::string& voice = "kal", int lead_ms = 300);
std::vector<int16_t> silence_ms(int ms, int rate = 16000);

}  // namespace tektra::test
