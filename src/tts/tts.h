// Text-to-speech: engines behind one interface, voices addressed by name across all engines.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
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
  AudioBuffer audio;                    // mono
  std::vector<PhonemeTiming> phonemes;  // may be empty when the engine cannot report them
};

// The speaking rates every engine accepts (the range OpenAI's /v1/audio/speech "speed" allows);
// engines with a narrower native range clamp to it.
inline constexpr double kMinSpeakingRate = 0.25;
inline constexpr double kMaxSpeakingRate = 4.0;

class SpeechSynthesizer {
 public:
  virtual ~SpeechSynthesizer() = default;
  virtual std::string name() const = 0;
  virtual std::vector<Voice> voices() const = 0;
  // Synthesises one piece of text (typically a sentence). Thread-safe. rate multiplies speed.
  // Throws Error("unknown_voice") for a voice this engine lacks, Error("empty_text") for blank
  // text, Error("invalid_rate") for a rate outside [kMinSpeakingRate, kMaxSpeakingRate].
  virtual Speech synthesize(const std::string& text, const std::string& voice, double rate) = 0;
};

// All available engines together; voices resolve to the engine that owns them. When two engines
// offer the same voice name the earlier engine keeps it (and a warning is logged).
class VoiceCatalog {
 public:
  explicit VoiceCatalog(std::vector<std::unique_ptr<SpeechSynthesizer>> engines);
  std::vector<Voice> voices() const;
  bool has_voice(const std::string& voice) const;
  // Throws Error("unknown_voice") naming the available voices when `voice` is not one of them.
  void require_voice(const std::string& voice) const;
  // Throws Error("unknown_voice") naming every available voice, otherwise as the engine does.
  Speech synthesize(const std::string& text, const std::string& voice, double rate = 1.0);

 private:
  std::vector<std::unique_ptr<SpeechSynthesizer>> engines_;
  std::vector<Voice> voices_;
  std::map<std::string, SpeechSynthesizer*> engine_by_voice_;
};

// Throws Error("unknown_engine") for a name not in tts_engines().
std::unique_ptr<SpeechSynthesizer> create_synthesizer(const std::string& engine);
std::vector<std::string> tts_engines();
// Every engine that initialises on this machine.
VoiceCatalog create_voice_catalog();

// Splits streamed text into sentences as soon as each one is complete, so the first sentence can
// be spoken while the rest is still being produced. A sentence ends at a newline, or at . ! ? (or
// an ellipsis) followed by whitespace; decimals ("3.5"), common abbreviations ("Mr.", "e.g."),
// initials and list markers ("1.") do not end one. A sentence that runs past kLongestSentence
// bytes is cut at a clause mark or a space, so speech starts even when the text has no full stops.
// The result never depends on how the text was cut into pushes.
class SentenceSplitter {
 public:
  static constexpr std::size_t kLongestSentence = 200;

  std::vector<std::string> push(std::string_view text);  // complete sentences, trimmed, non-empty
  std::string flush();                                   // whatever remains, trimmed; resets

 private:
  std::string pending_;
  std::size_t scanned_ = 0;  // pending_ before this offset holds no sentence end
};

}  // namespace tektra
