// The flite engine: CMU's US English voices compiled into libflite (slt, kal, awb, rms).
#pragma once

#include <memory>

#include "tts/tts.h"

namespace tektra {

// Voices keep their native sample rate (kal 8 kHz, the others 16 kHz). Phoneme timings come from
// the utterance's Segment relation (ARPAbet, "pau" for silence) and are exact sample positions.
// Synthesis is lock-free and runs concurrently on any voices. The clustergen voices (slt, awb,
// rms) draw excitation noise from rand(), so their samples differ slightly from call to call;
// kal is deterministic.
std::unique_ptr<SpeechSynthesizer> create_flite_synthesizer();

}  // namespace tektra
