// The espeak-ng engine: every language voice of the installed espeak-ng data.
#pragma once

#include <memory>

#include "tts/tts.h"

namespace tektra {

// Voices are named by their espeak language code ("en-us", "en-gb", "de", ...); a code that only
// appears as a secondary language of some voice ("en", "fr", "zh") is also offered, resolving to
// the voice espeak ranks best for it. Audio is 22050 Hz mono; phoneme timings use espeak's phoneme
// mnemonics ("_:" and "_" for pauses). espeak-ng has one global synthesis state, so calls from all
// synthesizers are serialised. Throws Error("tts_init_failed") when espeak-ng cannot start.
std::unique_ptr<SpeechSynthesizer> create_espeak_synthesizer();

}  // namespace tektra
