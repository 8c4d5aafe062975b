// `tektra transcribe` and `tektra say`: the speech engines from the command line.
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "agent/agent.h"
#include "app/commands.h"
#include "app/runtime.h"
#include "audio/resampler.h"
#include "audio/wav.h"
#include "core/error.h"
#include "stt/stt.h"
#include "tts/tts.h"

namespace tektra {

void add_transcribe_command(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand("transcribe",
                                 "speech to text from a WAV file (any rate/channels) or raw PCM");
  struct Options {
    std::string file;
    bool json = false;
    bool raw = false;
    int rate = 16000;
    int channels = 1;
    bool free_form = false;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("file", o->file, "audio file")->required();
  cmd->add_flag("--json", o->json, "print JSON with word timings");
  cmd->add_flag("--raw", o->raw, "the file is headerless 16-bit little-endian PCM");
  cmd->add_option("--rate", o->rate, "sample rate of raw PCM")->check(CLI::Range(1000, 384000));
  cmd->add_option("--channels", o->channels, "channels of raw PCM")->check(CLI::Range(1, 16));
  cmd->callback([&global, o] {
    Config config = global.load();
    AudioBuffer audio = o->raw || o->file.ends_with(".raw") || o->file.ends_with(".pcm")
                            ? read_raw_pcm16(o->file, o->rate, o->channels)
                            : read_wav(o->file);
    AudioBuffer mono = to_mono(audio, 16000);
    auto recognizer = create_recognizer(config.stt);
    if (config.stt.grammar_first)
      install_intent_grammar(*recognizer, load_intent_engine(config.agent).jsgf_grammar());
    Transcript t = transcribe(*recognizer, mono.samples);
    if (!o->json) {
      fmt::print("{}\n", t.text);
      return;
    }
    nlohmann::json words = nlohmann::json::array();
    for (const auto& w : t.words) {
      words.push_back(
          {{"word", w.word}, {"start", w.start_s}, {"end", w.end_s}, {"confidence", w.confidence}});
    }
    nlohmann::json out = {{"text", t.text},
                          {"words", words},
                          {"confidence", t.confidence},
                          {"search", t.search},
                          {"duration", audio.duration_seconds()}};
    fmt::print("{}\n", out.dump(2));
  });
}

void add_say_command(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand("say", "text to speech into a WAV file");
  struct Options {
    std::string text;
    std::string output;
    std::optional<std::string> voice;
    double rate = 1.0;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("text", o->text, "what to say")->required();
  cmd->add_option("-o,--output", o->output, "WAV file to write")->required();
  cmd->add_option("--voice", o->voice, "voice name (see `tektra doctor`)");
  cmd->add_option("--rate", o->rate, "speaking-rate multiplier")->check(CLI::Range(0.25, 4.0));
  cmd->callback([&global, o] {
    Config config = global.load();
    VoiceCatalog voices = create_voice_catalog();
    Speech speech = voices.synthesize(o->text, o->voice.value_or(config.tts.voice), o->rate);
    write_wav(o->output, speech.audio);
    fmt::print("wrote {} ({:.2f} s, {} Hz)\n", o->output, speech.audio.duration_seconds(),
               speech.audio.sample_rate);
  });
}

}  // namespace tektra
