// flite engine: voice registration, synthesis with a per-utterance speaking rate, phoneme timings.
#include "tts/flite_synthesizer.h"

#include <flite/flite.h>
#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"
#include "tts/synthesis_input.h"

extern "C" {
cst_voice* register_cmu_us_slt(const char* voxdir);
cst_voice* register_cmu_us_kal(const char* voxdir);
cst_voice* register_cmu_us_awb(const char* voxdir);
cst_voice* register_cmu_us_rms(const char* voxdir);
}

namespace tektra {
namespace {

struct FliteVoice {
  Voice voice;
  cst_voice* handle = nullptr;
  // The voice's own duration_stretch (kal ships 1.1); the requested rate scales it.
  float base_stretch = 1.0f;
};

// flite voices are process-wide globals that register_cmu_us_*() creates without locking, so all
// synthesizers share one registration, done once (a function-local static is initialised exactly
// once even when threads race to it).
const std::vector<FliteVoice>& flite_voices() {
  static const std::vector<FliteVoice> voices = [] {
    flite_init();
    struct Spec {
      cst_voice* (*register_voice)(const char*);
      const char* language;
      const char* gender;
    };
    const Spec specs[] = {
        {register_cmu_us_slt, "en-US", "female"},
        {register_cmu_us_kal, "en-US", "male"},
        {register_cmu_us_awb, "en-GB-scotland", "male"},
        {register_cmu_us_rms, "en-US", "male"},
    };
    std::vector<FliteVoice> registered;
    for (const Spec& spec : specs) {
      cst_voice* handle = spec.register_voice(nullptr);
      if (handle == nullptr) throw Error("tts_init_failed", "flite could not register a voice");
      FliteVoice voice;
      voice.voice = Voice{handle->name, "flite", spec.language, spec.gender,
                          get_param_int(handle->features, "sample_rate", 16000)};
      voice.handle = handle;
      voice.base_stretch = get_param_float(handle->features, "duration_stretch", 1.0f);
      registered.push_back(std::move(voice));
    }
    return registered;
  }();
  return voices;
}

// flite's text analysis slows down quadratically with the length of a single token, so longer
// tokens (no real word comes close) are cut into pieces, keeping synthesis time linear.
constexpr size_t kMaxTokenBytes = 64;

std::string split_long_tokens(const std::string& text) {
  std::string result;
  result.reserve(text.size());
  size_t run = 0;
  for (char c : text) {
    const bool continuation = (static_cast<unsigned char>(c) & 0xc0) == 0x80;  // inside UTF-8
    if (c == ' ') {
      run = 0;
    } else if (++run > kMaxTokenBytes && !continuation) {
      result += ' ';
      run = 1;
    }
    result += c;
  }
  return result;
}

struct UtteranceDeleter {
  void operator()(cst_utterance* utterance) const { delete_utterance(utterance); }
};
using Utterance = std::unique_ptr<cst_utterance, UtteranceDeleter>;

AudioBuffer wave_audio(cst_utterance* utterance) {
  AudioBuffer audio;
  const cst_wave* wave = utt_wave(utterance);
  if (wave == nullptr) return audio;
  audio.sample_rate = wave->sample_rate;
  audio.channels = 1;  // every flite voice is mono; num_samples counts frames
  audio.samples.assign(wave->samples, wave->samples + wave->num_samples);
  return audio;
}

// Segment items carry their end time; each starts where the previous one ended. The diphone voice
// (kal) stops its audio in the middle of the final pause, so times are clipped to the audio.
std::vector<PhonemeTiming> segment_timings(cst_utterance* utterance, double duration_s) {
  std::vector<PhonemeTiming> timings;
  double start = 0;
  for (const cst_item* segment = relation_head(utt_relation(utterance, "Segment"));
       segment != nullptr; segment = item_next(segment)) {
    if (!item_feat_present(segment, "end")) continue;
    const double end = std::min<double>(item_feat_float(segment, "end"), duration_s);
    if (end > start) timings.push_back({item_feat_string(segment, "name"), start, end});
    start = std::max(start, end);
  }
  return timings;
}

class FliteSynthesizer : public SpeechSynthesizer {
 public:
  FliteSynthesizer() : voices_(flite_voices()) {}

  std::string name() const override { return "flite"; }

  std::vector<Voice> voices() const override {
    std::vector<Voice> result;
    for (const FliteVoice& voice : voices_) result.push_back(voice.voice);
    return result;
  }

  Speech synthesize(const std::string& text, const std::string& voice, double rate) override {
    const FliteVoice& selected = find_voice(voice);
    require_valid_rate(rate);
    const std::string clean = split_long_tokens(speakable_text(text));

    Utterance utterance(new_utterance());
    utt_set_input_text(utterance.get(), clean.c_str());
    utt_init(utterance.get(), selected.handle);
    // utt_init links the voice's features behind the utterance's own, so setting the stretch here
    // shadows the voice's value for this utterance only. The shared voice is never written, which
    // is what makes concurrent synthesis on one voice safe without a lock.
    utt_set_feat_float(utterance.get(), "duration_stretch",
                       static_cast<float>(selected.base_stretch / rate));
    if (utt_synth(utterance.get()) == nullptr) {
      throw Error("synthesis_failed",
                  fmt::format("flite could not synthesise with voice '{}'", voice));
    }

    Speech speech;
    speech.audio = wave_audio(utterance.get());
    speech.phonemes = segment_timings(utterance.get(), speech.audio.duration_seconds());
    return speech;
  }

 private:
  const FliteVoice& find_voice(const std::string& name) const {
    for (const FliteVoice& voice : voices_) {
      if (voice.voice.name == name) return voice;
    }
    std::string available;
    for (const FliteVoice& voice : voices_) {
      available += (available.empty() ? "" : ", ") + voice.voice.name;
    }
    throw Error("unknown_voice",
                fmt::format("flite has no voice '{}'; available: {}", name, available));
  }

  const std::vector<FliteVoice>& voices_;
};

}  // namespace

std::unique_ptr<SpeechSynthesizer> create_flite_synthesizer() {
  return std::make_unique<FliteSynthesizer>();
}

}  // namespace tektra
