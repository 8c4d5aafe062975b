// Speech-to-text: one interface, engines chosen by name. Input is 16 kHz mono 16-bit PCM.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/config.h"

namespace tektra {

struct WordTiming {
  std::string word;
  double start_s = 0;  // from the start of the utterance audio
  double end_s = 0;
  double confidence = 0;  // 0..1
};

struct Transcript {
  std::string text;  // lower-case words separated by single spaces; empty when nothing was heard
  std::vector<WordTiming> words;
  double confidence = 0;  // 0..1
  std::string search;     // which search produced it: "grammar" or "language_model"
};

// One utterance being recognised. Not thread-safe; use from one thread at a time.
// After finish(), accept() and finish() throw Error("invalid_state") and partial() returns the
// final text. Destroying a stream before finish() abandons the utterance.
class RecognitionStream {
 public:
  virtual ~RecognitionStream() = default;
  virtual void accept(std::span<const int16_t> pcm16k) = 0;  // any chunk size
  virtual std::string partial() = 0;                         // best hypothesis so far
  virtual Transcript finish() = 0;                           // ends the utterance
};

class SpeechRecognizer {
 public:
  virtual ~SpeechRecognizer() = default;
  virtual std::string name() const = 0;
  // Thread-safe; streams may run concurrently (the engine pools its decoders).
  virtual std::unique_ptr<RecognitionStream> start() = 0;
  // Replaces the JSGF grammar searched first (from the intent templates); empty disables it.
  // Throws Error("invalid_grammar") for a grammar the engine cannot use (the previous one stays).
  virtual void set_grammar(const std::string& jsgf) = 0;
  // The words among `words` a grammar cannot use because the engine has no pronunciation for
  // them, so a grammar generator can leave those templates out. Engines without a fixed
  // vocabulary (and test doubles) keep this default: every word is known.
  virtual std::vector<std::string> unknown_words(const std::vector<std::string>& /*words*/) {
    return {};
  }
  // Recognises a complete utterance. Engines that do better with all the audio in hand override
  // it (pocketsphinx then normalises features over the whole utterance: mean word error rate on
  // the test fixtures 0.25 instead of 0.44 streamed); the default streams it through start().
  virtual Transcript recognize(std::span<const int16_t> pcm16k);
};

// Throws Error("unknown_engine") for a name not in stt_engines(), Error("engine_unavailable")
// when its model files are missing.
std::unique_ptr<SpeechRecognizer> create_recognizer(const SttConfig& config);
std::vector<std::string> stt_engines();

// Recognises a whole buffer in one go (CLI, HTTP transcription endpoint): recognizer.recognize().
Transcript transcribe(SpeechRecognizer& recognizer, std::span<const int16_t> pcm16k);

}  // namespace tektra
