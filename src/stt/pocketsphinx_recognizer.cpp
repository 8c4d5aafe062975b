// The pocketsphinx engine: the intent grammar first, free-form n-gram decoding as fallback.
#include "stt/pocketsphinx_recognizer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <mutex>
#include <numeric>
#include <optional>
#include <thread>

#include "core/error.h"
#include "stt/decoder_pool.h"
#include "stt/grammar_fit.h"
#include "stt/jsgf_grammar.h"
#include "stt/path_words.h"
#include "stt/pocketsphinx_decoder.h"
#include "stt/pocketsphinx_model.h"
#include "stt/pronunciation_dictionary.h"

namespace tektra {
namespace {

constexpr const char* kGrammarSearch = "grammar";
constexpr const char* kLanguageModelSearch = "language_model";
constexpr size_t kReservedUtteranceSamples = 8 * 16000;  // typical turns never reallocate

using Pool = DecoderPool<PocketsphinxDecoder>;
using Lease = Pool::Lease;

// A grammar compiled once, with the decoders that search it (each knows only the grammar's
// words). Streams share it for as long as they hold one of its decoders, so the decoders of a
// replaced grammar are freed when its last stream is done; none is ever reloaded.
struct ActiveGrammar {
  ActiveGrammar(CompiledGrammar grammar, PocketsphinxModel files, std::size_t max_idle)
      : compiled(std::move(grammar)),
        model(std::move(files)),
        streaming(factory(DecodeMode::streaming), max_idle),
        whole_utterance(factory(DecodeMode::whole_utterance), max_idle) {}
  ActiveGrammar(const ActiveGrammar&) = delete;
  ActiveGrammar& operator=(const ActiveGrammar&) = delete;

  const CompiledGrammar compiled;
  const PocketsphinxModel model;
  Pool streaming;
  Pool whole_utterance;

 private:
  Pool::Factory factory(DecodeMode mode) {
    return [this, mode] {
      auto decoder = std::make_unique<PocketsphinxDecoder>(model, DecoderKind::grammar, mode);
      install_grammar(*decoder, compiled);
      return decoder;
    };
  }
};

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
        dictionary_(model_.dictionary),
        language_model_streaming_(language_model_factory(DecodeMode::streaming),
                                  PocketsphinxRecognizer::max_idle_decoders()),
        language_model_whole_(language_model_factory(DecodeMode::whole_utterance),
                              PocketsphinxRecognizer::max_idle_decoders()) {}

  const std::set<std::string>& fillers() const { return model_.filler_words; }
  const PronunciationDictionary& dictionary() const { return dictionary_; }
  Pool& language_model_decoders(DecodeMode mode) {
    return mode == DecodeMode::streaming ? language_model_streaming_ : language_model_whole_;
  }

  // The grammar a new utterance should search first, or null for language-model decoding.
  std::shared_ptr<ActiveGrammar> grammar() const {
    if (!config_.grammar_first) return nullptr;
    std::lock_guard lock(mutex_);
    return grammar_;
  }

  // Creating the new grammar's first decoder before switching checks that pocketsphinx takes
  // the grammar (a failure leaves the previous one in place) and has it ready for the next
  // stream. Compiling the intent grammar takes ~15 ms, its decoder ~30 ms.
  void set_grammar(const std::string& jsgf) {
    std::shared_ptr<ActiveGrammar> active;
    if (!jsgf.empty()) {
      active = std::make_shared<ActiveGrammar>(compile_grammar(jsgf, dictionary_), model_,
                                               PocketsphinxRecognizer::max_idle_decoders());
      active->streaming.acquire();
    }
    std::lock_guard lock(mutex_);
    grammar_.swap(active);  // the old grammar is released after the lock: freeing takes a while
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

  // `grammar` first (if any), judged on the whole utterance; the language model when the grammar
  // does not explain the speech.
  Transcript recognize_whole(std::span<const int16_t> pcm16k, ActiveGrammar* grammar) {
    if (is_digital_silence(pcm16k)) {
      return Transcript{{}, {}, 0, grammar ? kGrammarSearch : kLanguageModelSearch};
    }
    if (grammar) {
      auto lease = grammar->whole_utterance.acquire();
      lease->decode_whole(pcm16k);
      auto transcript = grammar_transcript(*lease);
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
  Pool::Factory language_model_factory(DecodeMode mode) {
    return [this, mode] {
      return std::make_unique<PocketsphinxDecoder>(model_, DecoderKind::language_model, mode);
    };
  }

  SttConfig config_;
  PocketsphinxModel model_;
  PronunciationDictionary dictionary_;
  Pool language_model_streaming_;
  Pool language_model_whole_;
  mutable std::mutex mutex_;
  std::shared_ptr<ActiveGrammar> grammar_;
};

namespace {

class PocketsphinxStream final : public RecognitionStream {
 public:
  using Engine = PocketsphinxRecognizer::Engine;

  explicit PocketsphinxStream(std::shared_ptr<Engine> engine)
      : engine_(std::move(engine)), grammar_(engine_->grammar()) {
    if (grammar_) {
      decoder_ = grammar_->streaming.acquire();
      audio_.reserve(kReservedUtteranceSamples);
    } else {
      decoder_ = engine_->language_model_decoders(DecodeMode::streaming).acquire();
    }
    decoder_->start();
  }

  // An abandoned utterance is ended here, by whoever drops the stream, rather than by the next
  // stream to borrow the decoder, whose start must stay cheap.
  ~PocketsphinxStream() override {
    if (finished_) return;
    try {
      decoder_->end();
    } catch (const Error& error) {
      spdlog::warn("stt: ending an abandoned utterance failed: {}", error.what());
    }
  }

  void accept(std::span<const int16_t> pcm16k) override {
    if (finished_) throw Error("invalid_state", "accept() after finish()");
    decoder_->process(pcm16k);
    if (grammar_) audio_.insert(audio_.end(), pcm16k.begin(), pcm16k.end());
  }

  std::string partial() override {
    if (finished_) return final_text_;
    const auto hypothesis = decoder_->hypothesis();
    return hypothesis ? hypothesis_text(*hypothesis, engine_->fillers()) : "";
  }

  Transcript finish() override {
    if (finished_) throw Error("invalid_state", "finish() called twice");
    finished_ = true;
    decoder_->end();
    Transcript transcript = grammar_ ? finish_grammar() : finish_language_model();
    final_text_ = transcript.text;
    return transcript;
  }

 private:
  Transcript finish_grammar() {
    auto transcript = engine_->grammar_transcript(*decoder_);
    decoder_.reset();  // back to the pool before the slow path
    if (transcript) return *transcript;
    // Live cepstral normalisation starts from a guess, so the streamed pass can misjudge an
    // utterance the grammar does explain; the whole-utterance pass (with this stream's grammar,
    // even if it has been replaced since) normalises over all of it and falls back to the
    // language model itself.
    Transcript fallback = engine_->recognize_whole(audio_, grammar_.get());
    audio_ = {};
    return fallback;
  }

  Transcript finish_language_model() {
    Transcript transcript = engine_->language_model_transcript(*decoder_);
    decoder_.reset();
    return transcript;
  }

  // Declared in this order so the lease goes back before the grammar owning its pool can go.
  std::shared_ptr<Engine> engine_;
  std::shared_ptr<ActiveGrammar> grammar_;  // null: language-model decoding
  Lease decoder_;
  std::vector<int16_t> audio_;  // the utterance so far, for the fallback decode (grammar streams)
  bool finished_ = false;
  std::string final_text_;
};

// Counts decoders of the current grammar (none without one) and of the language model.
PocketsphinxRecognizer::DecoderCounts count_decoders(PocketsphinxRecognizer::Engine& engine,
                                                     std::size_t (Pool::*count)() const) {
  PocketsphinxRecognizer::DecoderCounts counts;
  if (const auto grammar = engine.grammar()) {
    counts.grammar_streaming = (grammar->streaming.*count)();
    counts.grammar_whole = (grammar->whole_utterance.*count)();
  }
  counts.language_model_streaming =
      (engine.language_model_decoders(DecodeMode::streaming).*count)();
  counts.language_model_whole =
      (engine.language_model_decoders(DecodeMode::whole_utterance).*count)();
  return counts;
}

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

std::vector<std::string> PocketsphinxRecognizer::unknown_words(
    const std::vector<std::string>& words) {
  return engine_->dictionary().missing(words);
}

Transcript PocketsphinxRecognizer::recognize(std::span<const int16_t> pcm16k) {
  return engine_->recognize_whole(pcm16k, engine_->grammar().get());
}

std::size_t PocketsphinxRecognizer::max_idle_decoders() {
  return std::max(1u, std::thread::hardware_concurrency());
}

PocketsphinxRecognizer::DecoderCounts PocketsphinxRecognizer::decoders_created() const {
  return count_decoders(*engine_, &Pool::created);
}

PocketsphinxRecognizer::DecoderCounts PocketsphinxRecognizer::decoders_idle() const {
  return count_decoders(*engine_, &Pool::idle);
}

}  // namespace tektra
