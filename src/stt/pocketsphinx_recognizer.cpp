// The pocketsphinx engine: the intent grammar first, free-form n-gram decoding as fallback.
#include "stt/pocketsphinx_recognizer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <numeric>
#include <optional>

#include "core/error.h"
#include "stt/decoder_pool.h"
#include "stt/grammar_fit.h"
#include "stt/jsgf_grammar.h"
#include "stt/path_words.h"
#include "stt/pocketsphinx_decoder.h"
#include "stt/pocketsphinx_model.h"

namespace tektra {
namespace {

constexpr const char* kGrammarSearch = "grammar";
constexpr const char* kLanguageModelSearch = "language_model";
constexpr size_t kReservedUtteranceSamples = 8 * 16000;  // typical turns never reallocate

struct ActiveGrammar {
  std::string jsgf;
  std::uint64_t generation = 0;
};

// A grammar decoder remembers which grammar it holds, so a grammar change reaches idle decoders
// lazily, when a stream next borrows one (compiling a grammar takes well under a millisecond).
struct GrammarDecoder {
  GrammarDecoder(const PocketsphinxModel& model, DecodeMode mode)
      : decoder(model, DecoderKind::grammar, mode) {}
  PocketsphinxDecoder decoder;
  std::uint64_t generation = 0;
};

using GrammarPool = DecoderPool<GrammarDecoder>;
using LanguageModelPool = DecoderPool<PocketsphinxDecoder>;
using GrammarLease = GrammarPool::Lease;
using LanguageModelLease = LanguageModelPool::Lease;

// All-zero audio has no spectrum to take the log of, and pocketsphinx's utterance-wide cepstral
// mean over no usable frame divides by zero (the n-gram search then heard "in" in 2 s of zeros).
bool is_digital_silence(std::span<const int16_t> pcm) {
  return std::all_of(pcm.begin(), pcm.end(), [](int16_t sample) { return sample == 0; });
}

}  // namespace

class PocketsphinxRecognizer::Engine {
 public:
  explicit Engine(const SttConfig& config)
      : config_(config),
        model_(find_pocketsphinx_model(config.model_dir)),
        grammar_streaming_(grammar_factory(DecodeMode::streaming)),
        grammar_whole_(grammar_factory(DecodeMode::whole_utterance)),
        language_model_streaming_(language_model_factory(DecodeMode::streaming)),
        language_model_whole_(language_model_factory(DecodeMode::whole_utterance)) {}

  const std::set<std::string>& fillers() const { return model_.filler_words; }
  GrammarPool& grammar_decoders(DecodeMode mode) {
    return mode == DecodeMode::streaming ? grammar_streaming_ : grammar_whole_;
  }
  LanguageModelPool& language_model_decoders(DecodeMode mode) {
    return mode == DecodeMode::streaming ? language_model_streaming_ : language_model_whole_;
  }

  // The grammar a new utterance should search first, or null for language-model decoding.
  std::shared_ptr<const ActiveGrammar> grammar() const {
    if (!config_.grammar_first) return nullptr;
    std::lock_guard lock(mutex_);
    return grammar_;
  }

  void set_grammar(const std::string& jsgf) {
    if (jsgf.empty()) {
      {
        std::lock_guard lock(mutex_);
        grammar_ = nullptr;
      }
      grammar_streaming_.release_idle();
      grammar_whole_.release_idle();
      return;
    }
    // Compiled on a borrowed (streaming, the common kind) decoder first: that checks the words
    // against the dictionary, and a failure leaves every decoder with the grammar it had.
    auto lease = grammar_streaming_.acquire();
    install_grammar(lease->decoder, jsgf);
    std::lock_guard lock(mutex_);
    grammar_ = std::make_shared<const ActiveGrammar>(ActiveGrammar{jsgf, ++last_generation_});
    lease->generation = last_generation_;
  }

  GrammarLease borrow_grammar_decoder(const ActiveGrammar& grammar, DecodeMode mode) {
    auto lease = grammar_decoders(mode).acquire();
    if (lease->generation != grammar.generation) {
      install_grammar(lease->decoder, grammar.jsgf);
      lease->generation = grammar.generation;
    }
    return lease;
  }

  // Judges a finished grammar utterance: the transcript when the grammar explains the speech
  // (or there was none), nullopt when the language model should decode it instead.
  std::optional<Transcript> grammar_transcript(PocketsphinxDecoder& decoder) const {
    // No path at all when no sentence of the grammar (not even the empty one) reaches its end.
    const std::vector<Segment> path = decoder.segments();
    if (path.empty()) return std::nullopt;
    const GrammarFit fit = grammar_fit(path, fillers());
    if (fit.speech_frames == 0) return Transcript{{}, {}, 0, kGrammarSearch};
    if (fit.confidence < config_.grammar_min_confidence) return std::nullopt;
    Transcript transcript;
    transcript.words = spoken_words(path, fillers(), decoder.frame_seconds(), segment_confidence);
    if (transcript.words.empty()) return std::nullopt;  // only speech the grammar put in silence
    transcript.text = words_text(transcript.words);
    transcript.confidence = fit.confidence;
    transcript.search = kGrammarSearch;
    return transcript;
  }

  Transcript language_model_transcript(PocketsphinxDecoder& decoder) const {
    Transcript transcript;
    transcript.search = kLanguageModelSearch;
    transcript.words = spoken_words(decoder.segments(), fillers(), decoder.frame_seconds(),
                                    [](const Segment& segment) { return segment.posterior; });
    transcript.text = words_text(transcript.words);
    if (!transcript.words.empty()) {
      const double sum = std::accumulate(
          transcript.words.begin(), transcript.words.end(), 0.0,
          [](double total, const WordTiming& word) { return total + word.confidence; });
      transcript.confidence = sum / static_cast<double>(transcript.words.size());
    }
    return transcript;
  }

  // Grammar first, judged on the whole utterance; the language model when the grammar does not
  // explain the speech.
  Transcript recognize_whole(std::span<const int16_t> pcm16k) {
    const auto current = grammar();
    if (is_digital_silence(pcm16k)) {
      return Transcript{{}, {}, 0, current ? kGrammarSearch : kLanguageModelSearch};
    }
    if (current) {
      auto lease = borrow_grammar_decoder(*current, DecodeMode::whole_utterance);
      lease->decoder.decode_whole(pcm16k);
      auto transcript = grammar_transcript(lease->decoder);
      lease.reset();
      if (transcript) return *transcript;
    }
    return decode_with_language_model(pcm16k);
  }

  Transcript decode_with_language_model(std::span<const int16_t> pcm) {
    if (is_digital_silence(pcm)) return Transcript{{}, {}, 0, kLanguageModelSearch};
    auto decoder = language_model_whole_.acquire();
    decoder->decode_whole(pcm);
    return language_model_transcript(*decoder);
  }

 private:
  GrammarPool::Factory grammar_factory(DecodeMode mode) {
    return [this, mode] { return std::make_unique<GrammarDecoder>(model_, mode); };
  }
  LanguageModelPool::Factory language_model_factory(DecodeMode mode) {
    return [this, mode] {
      return std::make_unique<PocketsphinxDecoder>(model_, DecoderKind::language_model, mode);
    };
  }

  SttConfig config_;
  PocketsphinxModel model_;
  GrammarPool grammar_streaming_;
  GrammarPool grammar_whole_;
  LanguageModelPool language_model_streaming_;
  LanguageModelPool language_model_whole_;
  mutable std::mutex mutex_;
  std::shared_ptr<const ActiveGrammar> grammar_;
  std::uint64_t last_generation_ = 0;
};

namespace {

class PocketsphinxStream final : public RecognitionStream {
 public:
  using Engine = PocketsphinxRecognizer::Engine;

  explicit PocketsphinxStream(std::shared_ptr<Engine> engine) : engine_(std::move(engine)) {
    if (const auto grammar = engine_->grammar()) {
      grammar_ = engine_->borrow_grammar_decoder(*grammar, DecodeMode::streaming);
      grammar_->decoder.start();
      audio_.reserve(kReservedUtteranceSamples);
    } else {
      language_model_ = engine_->language_model_decoders(DecodeMode::streaming).acquire();
      language_model_->start();
    }
  }

  // An abandoned utterance is ended here, by whoever drops the stream, rather than by the next
  // stream to borrow the decoder, whose start must stay cheap.
  ~PocketsphinxStream() override {
    if (finished_) return;
    try {
      decoder().end();
    } catch (const Error& error) {
      spdlog::warn("stt: ending an abandoned utterance failed: {}", error.what());
    }
  }

  void accept(std::span<const int16_t> pcm16k) override {
    if (finished_) throw Error("invalid_state", "accept() after finish()");
    decoder().process(pcm16k);
    if (grammar_) audio_.insert(audio_.end(), pcm16k.begin(), pcm16k.end());
  }

  std::string partial() override {
    if (finished_) return final_text_;
    const auto hypothesis = decoder().hypothesis();
    return hypothesis ? hypothesis_text(*hypothesis, engine_->fillers()) : "";
  }

  Transcript finish() override {
    if (finished_) throw Error("invalid_state", "finish() called twice");
    finished_ = true;
    decoder().end();
    Transcript transcript = grammar_ ? finish_grammar() : finish_language_model();
    final_text_ = transcript.text;
    return transcript;
  }

 private:
  PocketsphinxDecoder& decoder() { return grammar_ ? grammar_->decoder : *language_model_; }

  Transcript finish_grammar() {
    auto transcript = engine_->grammar_transcript(grammar_->decoder);
    grammar_.reset();  // back to the pool before the slow path
    if (transcript) return *transcript;
    // Live cepstral normalisation starts from a guess, so the streamed pass can misjudge an
    // utterance the grammar does explain; the whole-utterance pass normalises over all of it and
    // falls back to the language model itself.
    Transcript fallback = engine_->recognize_whole(audio_);
    audio_ = {};
    return fallback;
  }

  Transcript finish_language_model() {
    Transcript transcript = engine_->language_model_transcript(*language_model_);
    language_model_.reset();
    return transcript;
  }

  std::shared_ptr<Engine> engine_;
  GrammarLease grammar_;
  LanguageModelLease language_model_;
  std::vector<int16_t> audio_;  // the utterance so far, for the fallback decode (grammar streams)
  bool finished_ = false;
  std::string final_text_;
};

}  // namespace

// The whole-utterance language-model decoder serves both the fallback and recognize(); loading
// it now checks the model. The other kinds are created on first use.
PocketsphinxRecognizer::PocketsphinxRecognizer(const SttConfig& config)
    : engine_(std::make_shared<Engine>(config)) {
  engine_->language_model_decoders(DecodeMode::whole_utterance).acquire();
}

PocketsphinxRecognizer::~PocketsphinxRecognizer() = default;

std::unique_ptr<RecognitionStream> PocketsphinxRecognizer::start() {
  return std::make_unique<PocketsphinxStream>(engine_);
}

void PocketsphinxRecognizer::set_grammar(const std::string& jsgf) {
  engine_->set_grammar(jsgf);
}

// Any decoder holds the dictionary; a streaming grammar one is what set_grammar() needs next.
std::vector<std::string> PocketsphinxRecognizer::unknown_words(
    const std::vector<std::string>& words) {
  auto decoder = engine_->grammar_decoders(DecodeMode::streaming).acquire();
  return missing_words(decoder->decoder, words);
}

Transcript PocketsphinxRecognizer::recognize(std::span<const int16_t> pcm16k) {
  return engine_->recognize_whole(pcm16k);
}

PocketsphinxRecognizer::DecoderCounts PocketsphinxRecognizer::decoders_created() const {
  return {engine_->grammar_decoders(DecodeMode::streaming).created(),
          engine_->grammar_decoders(DecodeMode::whole_utterance).created(),
          engine_->language_model_decoders(DecodeMode::streaming).created(),
          engine_->language_model_decoders(DecodeMode::whole_utterance).created()};
}

}  // namespace tektra
