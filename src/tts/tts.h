// Text-to-speech: engines behind one interface, voices addressed by name across all engines.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "audio/audio_buffer.h"
#include "core/config.h"

namespace tektra {

struct Voice {
  std::string name;      // unique across engines, e.g. "slt", "kal", "en-us"
  std::string engine;    // "flite" or "espeak-ng"
  std::string language;  // BCP-47-ish, e.g. "en-US"
  std::string gender;    // "female", "male" or ""
  int sample_rate = 16000;
};

struct PhonemeTiming {
  std::string phoneme;  // engine's phone symbol (flite: CMU/ARPAbet lower-case, "pau" for silence)
  double start_s = 0;
  double end_s = 0;
};

struct Speech {
  AudioBuffer audio;  // mono
  std::vector<PhonemeTiming> phonemes;  // may be empty when the engine cannot report them
};

class SpeechSynthesizer {
 public:
  virtual ~SpeechSynthesizer() = default;
  virtual std::string name() const = 0;
  virtual std::vector<Voice> voices() const = 0;
  // Synthesises one piece of text (typically a sentence). Thread-safe. rate multiplies speed.
  // Throws Error("unknown_voice") for a voice this engine lacks, Error("empty_text") for blank text.
  virtual Speech synthesize(const std::string& text, const std::string& voice, double rate) = 0;
};

// All available engines together; voices resolve to the engine that owns them.
class VoiceCatalog {
 public:
  explicit VoiceCatalog(std::vector<std::unique_ptr<SpeechSynthesizer>> engines);
  std::vector<Voice> voices() const;
  bool has_voice(const std::string& voice) const;
  Speech synthesize(const std::string& text, const std::string& voice, double rate = 1.0);

 private:
  std::vector<std::unique_ptr<SpeechSynthesizer>> engines_;
};

// Throws Error("unknown_engine") for a name not in tts_engines().
std::unique_ptr<SpeechSynthesizer> create_synthesizer(const std::string& engine);
std::vector<std::string> tts_engines();
// Every engine that initialises on this machine.
VoiceCatalog create_voice_catalog();

// Splits streamed text into sentences as soon as each one is complete, so the first sentence can
// be spoken while the rest is still being produced.
class SentenceSplitter {
 public:
  std::vector<std::string> push(std::string_view text);  // complete sentences, trimmed
  std::string flush();                                   // whatever remains, trimmed

 private:
  std::string pending_;
};

}  // namespace tektra
