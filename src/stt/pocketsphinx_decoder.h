// One pocketsphinx decoder: owns a ps_decoder_t, runs utterances on it and reads the best path.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "stt/pocketsphinx_model.h"

struct ps_decoder_s;

namespace tektra {

// What a decoder searches. Grammar decoders also score every senone each frame (-compallsen) so
// their path scores are likelihood ratios against the best senone, which is what makes a grammar
// match measurable (grammar_fit.h); that costs ~4% of real time, cheap next to n-gram search.
// They start with no words but the model's fillers and install_grammar() adds the grammar's own:
// ~3 MB and ~10 ms to create instead of ~24 MB and ~90 ms with the whole 135k-word dictionary,
// which language-model decoders load.
enum class DecoderKind { grammar, language_model };

// How a decoder is fed, fixed for its lifetime: pocketsphinx 5prealpha sizes its feature buffers
// for the whole utterance in whole-utterance mode and keeps them, and a streaming utterance on
// such a decoder then reads past them (a crash under valgrind) and decodes differently.
enum class DecodeMode { streaming, whole_utterance };

// One entry of the best path, in pocketsphinx's own terms.
struct Segment {
  std::string word;          // dictionary spelling: "what(2)", "<sil>", "[NOISE]", "(NULL)"
  int first_frame = 0;       // frames from the start of the utterance
  int last_frame = 0;        // inclusive
  double acoustic_nats = 0;  // log likelihood ratio to the best senone (grammar decoders only)
  double posterior = 1;      // word posterior (n-gram decoders after end(); otherwise 1)
};

class PocketsphinxDecoder {
 public:
  // Loads the model (a language-model decoder takes ~0.2 s and ~97 MB: pool these). Throws
  // Error("engine_unavailable") with pocketsphinx's reason when it cannot.
  PocketsphinxDecoder(const PocketsphinxModel& model, DecoderKind kind, DecodeMode mode);
  ~PocketsphinxDecoder();
  PocketsphinxDecoder(const PocketsphinxDecoder&) = delete;
  PocketsphinxDecoder& operator=(const PocketsphinxDecoder&) = delete;

  ps_decoder_s* handle() { return decoder_.get(); }
  // Whether the decoder's own dictionary has this spelling ("what", "what(2)").
  bool knows(const std::string& spelling);
  double frame_seconds() const { return frame_seconds_; }

  // Streaming mode: start() opens an utterance whose frames count from 0, whose cepstral mean
  // starts at the model's prior and whose result does not depend on what this decoder decoded
  // before, so a pooled decoder gives the same result as a fresh one, bit for bit. An utterance
  // left open is ended first. Any chunk size; the result does not depend on it.
  void start();
  void process(std::span<const int16_t> pcm16k);
  void end();

  // Whole-utterance mode: the cepstral mean is measured over the utterance itself instead of
  // starting from the prior, which is clearly more accurate on real speech (see the measurements
  // in tests/stt) but needs all the audio.
  void decode_whole(std::span<const int16_t> pcm16k);

  // The words of the best path so far; nullopt when there is none or it has no words.
  std::optional<std::string> hypothesis();
  // The best path of the current or last utterance; empty when there is none (a grammar search
  // whose sentences all end later than the audio), fillers only for the empty sentence.
  std::vector<Segment> segments();

 private:
  void reset_feature_state();
  void settle();
  void open_utterance();
  void require(DecodeMode mode) const;
  void feed(std::span<const int16_t> pcm16k);

  struct Free {
    void operator()(ps_decoder_s* decoder) const;
  };
  DecoderKind kind_;
  DecodeMode mode_;
  std::unique_ptr<ps_decoder_s, Free> decoder_;
  std::vector<float> cepstral_mean_prior_;
  int configured_cmn_ = 0;
  double frame_seconds_ = 0.01;
  bool in_utterance_ = false;
  // Audio held back until it makes a whole analysis frame, see process().
  std::vector<int16_t> lead_in_;
  size_t lead_in_samples_ = 0;
  bool frames_started_ = false;
};

}  // namespace tektra
