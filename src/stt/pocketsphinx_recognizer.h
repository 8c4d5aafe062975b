// The pocketsphinx engine: the intent grammar first, free-form n-gram decoding as fallback.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/config.h"
#include "stt/stt.h"

namespace tektra {

// Grammar first (when SttConfig::grammar_first and a grammar is set): a stream decodes with the
// grammar as audio arrives (~4% of real time) and keeps the audio. At finish() the grammar's
// best path is judged by its acoustic fit (grammar_fit.h); when the grammar found no sentence, or
// the fit's confidence is below SttConfig::grammar_min_confidence, the kept audio is decoded again
// with the n-gram language model (~15-35% of real time, paid at end of turn, only for speech the
// grammar does not cover, which then goes to the slower LLM path anyway). An utterance of silence
// or noise matches the grammar's empty path and comes back empty without the second decode.
// Without a grammar, streams decode with the language model directly.
//
// Decoders are pooled per kind and mode and reused, so a stream start only borrows one and
// settles it (a few ms, see pocketsphinx_decoder.h). A language-model decoder costs ~97 MB of
// heap and ~0.2 s to create. A grammar decoder knows only its grammar's words and searches the
// grammar with equivalent states merged (jsgf_grammar.h): for the intent grammar ~15 MB and
// ~30 ms, where loading the whole dictionary and the unmerged grammar took ~45 MB and ~150 ms.
// A grammar is compiled once, in set_grammar(), and its decoders belong to it: streams started
// before a change finish with the old grammar's decoders, which are then freed. Each pool keeps
// at most max_idle_decoders() decoders for reuse and frees those returned beyond that, so a
// burst of concurrent utterances does not pin its peak memory for good. The usual voice setup uses
// two pools: streaming grammar decoders, and whole-utterance language-model ones for the fallback.
class PocketsphinxRecognizer final : public SpeechRecognizer {
 public:
  // Loads one language-model decoder up front so a broken model fails here, not at the first
  // utterance. Throws Error("engine_unavailable") when the model is missing or does not load.
  explicit PocketsphinxRecognizer(const SttConfig& config);
  ~PocketsphinxRecognizer() override;

  std::string name() const override { return "pocketsphinx"; }
  std::unique_ptr<RecognitionStream> start() override;
  // Compiles the grammar before returning (Error("invalid_grammar"), see jsgf_grammar.h); streams
  // started afterwards use it, running ones keep theirs.
  void set_grammar(const std::string& jsgf) override;
  std::vector<std::string> unknown_words(const std::vector<std::string>& words) override;
  // Like a stream, but every decode sees the whole utterance (utterance-wide cepstral mean).
  Transcript recognize(std::span<const int16_t> pcm16k) override;

  // Decoders made so far, per kind and mode (pocketsphinx cannot mix streaming and
  // whole-utterance decoding on one decoder, see pocketsphinx_decoder.h).
  struct DecoderCounts {
    std::size_t grammar_streaming = 0;
    std::size_t grammar_whole = 0;
    std::size_t language_model_streaming = 0;
    std::size_t language_model_whole = 0;
  };
  DecoderCounts decoders_created() const;  // the current grammar's, for grammar decoders
  DecoderCounts decoders_idle() const;

  // Idle decoders kept per pool: the number of cores, about how many utterances can be decoded
  // at full speed at once. A burst of more concurrent streams gets a decoder each while it lasts
  // (a grammar one is created in ~30 ms); the extra ones are freed when the burst is over.
  static std::size_t max_idle_decoders();

  class Engine;

 private:
  std::shared_ptr<Engine> engine_;  // shared with streams, which may outlive the recognizer
};

}  // namespace tektra
