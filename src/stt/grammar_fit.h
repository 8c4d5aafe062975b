// How well a grammar's best path explains an utterance, and so whether to trust the grammar.
#pragma once

#include <set>
#include <span>
#include <string>

#include "stt/pocketsphinx_decoder.h"

namespace tektra {

// A grammar search always returns the nearest sentence of the grammar, however far the speech
// was from it, and its posteriors are ~1 because a small grammar has few competitors. What tells
// a real match is the acoustic fit: with every senone scored each frame, a path's acoustic score
// is the log likelihood ratio of the path's states to the best state of that frame, i.e. how
// much better some unconstrained phone sequence would explain the audio.
//
// Measured on real speech with the en-us model (tests/stt/stt_measurements_test.cpp prints it),
// in nats per frame over the frames that carry speech, streamed or decoded whole:
//   in the grammar (goforward, living-room lamp, three telephone digit strings)   -3.1 .. -4.3
//   not in it (two LibriVox sentences, JFK, a command followed by a sentence)     -7.1 .. -9.9
// A grammar path that ends before the speech does pushes the rest into silence, which then
// scores like unexplained speech: silence worse than kUnexplainedSilence counts as speech.
struct GrammarFit {
  int speech_frames = 0;      // word frames plus silence/filler frames that scored like speech
  double nats_per_frame = 0;  // mean acoustic log likelihood ratio over those frames
  double confidence = 0;      // fit_confidence(nats_per_frame); 0 when no speech frames
};

// Genuine pauses score -0.6 .. -2.0 nats per frame, speech forced into silence -2 .. -9.
constexpr double kUnexplainedSilence = -4.1;

// Maps nats per frame to 0..1 with a logistic centred between the two measured groups
// (-5.7 nats, 0.5 wide): in-grammar utterances get 0.94 or more, the others 0.06 or less, and
// SttConfig's default grammar_min_confidence of 0.5 rejects below -5.7 nats per frame.
double fit_confidence(double nats_per_frame);

// Fillers name the silence and noise words (<sil>, [NOISE]...); "(NULL)" segments are skipped.
GrammarFit grammar_fit(std::span<const Segment> path, const std::set<std::string>& fillers);

// The fit of a single segment (used for per-word confidence).
double segment_confidence(const Segment& segment);

}  // namespace tektra
