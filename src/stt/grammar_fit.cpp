// How well a grammar's best path explains an utterance, and so whether to trust the grammar.
#include "stt/grammar_fit.h"

#include <cmath>

namespace tektra {
namespace {

constexpr double kMidpointNatsPerFrame = -5.7;
constexpr double kLogisticWidthNats = 0.5;
constexpr const char* kNullTransition = "(NULL)";

int frame_count(const Segment& segment) {
  return segment.last_frame - segment.first_frame + 1;
}

}  // namespace

double fit_confidence(double nats_per_frame) {
  return 1.0 / (1.0 + std::exp(-(nats_per_frame - kMidpointNatsPerFrame) / kLogisticWidthNats));
}

double segment_confidence(const Segment& segment) {
  const int frames = frame_count(segment);
  return frames > 0 ? fit_confidence(segment.acoustic_nats / frames) : 0.0;
}

GrammarFit grammar_fit(std::span<const Segment> path, const std::set<std::string>& fillers) {
  GrammarFit fit;
  double nats = 0;
  for (const Segment& segment : path) {
    const int frames = frame_count(segment);
    if (segment.word == kNullTransition || frames <= 0) continue;
    const bool is_word = fillers.count(segment.word) == 0;
    if (is_word || segment.acoustic_nats < kUnexplainedSilence * frames) {
      fit.speech_frames += frames;
      nats += segment.acoustic_nats;
    }
  }
  if (fit.speech_frames > 0) {
    fit.nats_per_frame = nats / fit.speech_frames;
    fit.confidence = fit_confidence(fit.nats_per_frame);
  }
  return fit;
}

}  // namespace tektra
