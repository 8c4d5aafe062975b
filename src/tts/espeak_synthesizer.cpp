// espeak-ng engine: one-time library start-up, the voice list, serialised synthesis with phoneme
// events.
#include "tts/espeak_synthesizer.h"

#include <espeak-ng/espeak_ng.h>
#include <espeak-ng/speak_lib.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>

#include "core/error.h"
#include "tts/synthesis_input.h"

namespace tektra {
namespace {

struct EspeakVoice {
  Voice voice;
  std::string identifier;  // espeak's voice file, e.g. "gmw/en-US"
};

// What one espeak_Synth call produced; espeak hands it back to the callback as user_data.
struct EspeakOutput {
  std::vector<int16_t> samples;
  // Start of each phoneme in samples. espeak's audio_position is the same instant truncated to
  // whole milliseconds, too coarse to tell the closing zero-length pause from a real one.
  std::vector<std::pair<std::string, int>> phoneme_starts;
  bool failed = false;
};

int collect_output(short* samples, int count, espeak_EVENT* events) {
  auto* output = static_cast<EspeakOutput*>(events->user_data);
  // Nothing may be thrown back through the C library; a failure stops synthesis instead.
  try {
    if (samples != nullptr && count > 0)
      output->samples.insert(output->samples.end(), samples, samples + count);
    for (const espeak_EVENT* event = events; event->type != espeakEVENT_LIST_TERMINATED; ++event) {
      if (event->type != espeakEVENT_PHONEME) continue;
      const char* mnemonic = event->id.string;
      output->phoneme_starts.emplace_back(
          std::string(mnemonic, strnlen(mnemonic, sizeof(event->id.string))), event->sample);
    }
    return 0;
  } catch (...) {
    output->failed = true;
    return 1;
  }
}

// "en-gb-x-rp" -> "en-GB-x-rp": region subtags upper-cased, private-use subtags left alone.
std::string bcp47_language(const std::string& code) {
  std::string result;
  bool first = true;
  bool private_use = false;
  size_t start = 0;
  while (start <= code.size()) {
    size_t end = code.find('-', start);
    if (end == std::string::npos) end = code.size();
    std::string subtag = code.substr(start, end - start);
    if (subtag.size() == 1) private_use = true;
    if (!first && !private_use && subtag.size() == 2 &&
        std::isalpha(static_cast<unsigned char>(subtag[0]))) {
      for (char& c : subtag) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    result += (first ? "" : "-") + subtag;
    first = false;
    start = end + 1;
  }
  return result;
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string gender_name(unsigned char gender) {
  if (gender == 1) return "male";
  if (gender == 2) return "female";
  return "";
}

// Every voice by its primary language, then each language that is only ever secondary (such as
// plain "en") pointing at the voice with the best (lowest) priority for it.
std::vector<EspeakVoice> list_voices(int sample_rate) {
  std::vector<EspeakVoice> voices;
  struct Candidate {
    int priority;
    size_t voice;
  };
  std::map<std::string, Candidate> secondary;
  const espeak_VOICE** listed = espeak_ListVoices(nullptr);
  for (size_t i = 0; listed != nullptr && listed[i] != nullptr; ++i) {
    const espeak_VOICE& listed_voice = *listed[i];
    if (listed_voice.languages == nullptr || listed_voice.identifier == nullptr) continue;
    // languages: [priority byte][name]\0 repeated, ended by a zero priority byte.
    std::vector<std::pair<int, std::string>> languages;
    for (const char* entry = listed_voice.languages; *entry != 0;
         entry += 2 + std::strlen(entry + 1)) {
      languages.emplace_back(static_cast<unsigned char>(*entry), lower(entry + 1));
    }
    if (languages.empty()) continue;
    const std::string& primary = languages.front().second;
    const auto taken = [&](const std::string& name) {
      return std::any_of(voices.begin(), voices.end(),
                         [&](const EspeakVoice& v) { return v.voice.name == name; });
    };
    // Two voices can share a primary language (Cantonese in Chinese characters and in Jyutping);
    // the later one is then named after its voice file ("yue-latn-jyutping").
    std::string name = primary;
    if (taken(name)) {
      const std::string identifier = listed_voice.identifier;
      name = lower(identifier.substr(identifier.rfind('/') + 1));
      if (taken(name)) continue;
    }
    for (const auto& [priority, language] : languages) {
      auto [it, inserted] = secondary.try_emplace(language, Candidate{priority, voices.size()});
      if (!inserted && priority < it->second.priority) it->second = {priority, voices.size()};
    }
    voices.push_back({Voice{name, "espeak-ng", bcp47_language(primary),
                            gender_name(listed_voice.gender), sample_rate},
                      listed_voice.identifier});
  }
  const size_t primaries = voices.size();
  for (const auto& [language, candidate] : secondary) {
    const bool is_primary =
        std::any_of(voices.begin(), voices.begin() + static_cast<std::ptrdiff_t>(primaries),
                    [&](const EspeakVoice& v) { return v.voice.name == language; });
    if (is_primary) continue;
    EspeakVoice alias = voices[candidate.voice];
    alias.voice.name = language;
    alias.voice.language = bcp47_language(language);
    voices.push_back(std::move(alias));
  }
  return voices;
}

// espeak-ng keeps one global synthesis state (current voice, parameters, output buffer, callback),
// so a single process-wide runtime owns it and every call into the library holds its mutex.
class EspeakRuntime {
 public:
  static EspeakRuntime& instance() {
    static EspeakRuntime runtime;
    if (!runtime.init_error_.empty()) throw Error("tts_init_failed", runtime.init_error_);
    return runtime;
  }

  const std::vector<EspeakVoice>& voices() const { return voices_; }

  EspeakOutput synthesize(const std::string& text, const std::string& identifier,
                          int words_per_minute) {
    EspeakOutput output;
    std::lock_guard lock(mutex_);
    if (loaded_identifier_ != identifier) {
      // Switching voices re-reads the language's dictionary, so it is skipped when unchanged.
      loaded_identifier_.clear();
      if (espeak_SetVoiceByName(identifier.c_str()) != EE_OK) {
        throw Error("synthesis_failed",
                    fmt::format("espeak-ng could not load voice '{}'", identifier));
      }
      loaded_identifier_ = identifier;
    }
    espeak_SetParameter(espeakRATE, words_per_minute, 0);
    const espeak_ERROR status = espeak_Synth(text.c_str(), text.size() + 1, 0, POS_CHARACTER, 0,
                                             espeakCHARS_UTF8 | espeakENDPAUSE, nullptr, &output);
    if (status != EE_OK || output.failed) {
      throw Error("synthesis_failed",
                  fmt::format("espeak-ng synthesis failed (status {})", static_cast<int>(status)));
    }
    return output;
  }

  int sample_rate() const { return sample_rate_; }

 private:
  EspeakRuntime() {
    espeak_ng_InitializePath(nullptr);
    const char* data_path = nullptr;
    espeak_Info(&data_path);
    if (data_path == nullptr ||
        !std::filesystem::exists(std::filesystem::path(data_path) / "phontab")) {
      init_error_ = fmt::format("espeak-ng data not found in '{}' (set ESPEAK_DATA_PATH)",
                                data_path == nullptr ? "" : data_path);
      return;
    }
    // espeak_Initialize is espeak_ng_Initialize plus espeak_ng_InitializeOutput with the given
    // mode, and the only way to turn phoneme events on. DONT_EXIT: it would otherwise exit() the
    // process on failure; then the sample rate stays 0.
    sample_rate_ = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, nullptr,
                                     espeakINITIALIZE_PHONEME_EVENTS | espeakINITIALIZE_DONT_EXIT);
    if (sample_rate_ <= 0) {
      init_error_ = fmt::format("espeak-ng failed to initialise from '{}'", data_path);
      return;
    }
    espeak_SetSynthCallback(collect_output);
    voices_ = list_voices(sample_rate_);
    if (voices_.empty()) init_error_ = fmt::format("espeak-ng found no voices in '{}'", data_path);
  }

  std::mutex mutex_;
  std::string init_error_;
  int sample_rate_ = 0;
  std::vector<EspeakVoice> voices_;
  std::string loaded_identifier_;
};

// Each phoneme runs until the next one starts; the last until the audio ends. espeak closes the
// text with a zero-length "_", which is dropped.
std::vector<PhonemeTiming> phoneme_timings(const std::vector<std::pair<std::string, int>>& starts,
                                           const AudioBuffer& audio) {
  const double duration_s = audio.duration_seconds();
  const auto seconds = [&](int sample) {
    return std::min(static_cast<double>(sample) / audio.sample_rate, duration_s);
  };
  std::vector<PhonemeTiming> timings;
  for (size_t i = 0; i < starts.size(); ++i) {
    const double start = seconds(starts[i].second);
    const double end = i + 1 < starts.size() ? seconds(starts[i + 1].second) : duration_s;
    if (end > start) timings.push_back({starts[i].first, start, end});
  }
  return timings;
}

class EspeakSynthesizer : public SpeechSynthesizer {
 public:
  EspeakSynthesizer() : runtime_(EspeakRuntime::instance()) {}

  std::string name() const override { return "espeak-ng"; }

  std::vector<Voice> voices() const override {
    std::vector<Voice> result;
    for (const EspeakVoice& voice : runtime_.voices()) result.push_back(voice.voice);
    return result;
  }

  Speech synthesize(const std::string& text, const std::string& voice, double rate) override {
    const EspeakVoice& selected = find_voice(voice);
    require_valid_rate(rate);
    const std::string clean = speakable_text(text);
    // espeak's rate is words per minute around a default of 175, within its supported range.
    const int words_per_minute = std::clamp(static_cast<int>(std::lround(espeakRATE_NORMAL * rate)),
                                            espeakRATE_MINIMUM, espeakRATE_MAXIMUM);
    EspeakOutput output = runtime_.synthesize(clean, selected.identifier, words_per_minute);

    Speech speech;
    speech.audio.sample_rate = runtime_.sample_rate();
    speech.audio.channels = 1;
    speech.audio.samples = std::move(output.samples);
    speech.phonemes = phoneme_timings(output.phoneme_starts, speech.audio);
    return speech;
  }

 private:
  const EspeakVoice& find_voice(const std::string& name) const {
    for (const EspeakVoice& voice : runtime_.voices()) {
      if (voice.voice.name == name) return voice;
    }
    std::string available;
    for (const EspeakVoice& voice : runtime_.voices()) {
      available += (available.empty() ? "" : ", ") + voice.voice.name;
    }
    throw Error("unknown_voice",
                fmt::format("espeak-ng has no voice '{}'; available: {}", name, available));
  }

  EspeakRuntime& runtime_;
};

}  // namespace

std::unique_ptr<SpeechSynthesizer> create_espeak_synthesizer() {
  return std::make_unique<EspeakSynthesizer>();
}

}  // namespace tektra
