// `tektra bench voice`: utterances through the whole pipeline, in-process and over the socket;
// prints voice-to-voice latency, engine real-time factors, memory per session, and concurrency.
#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <fstream>
#include <thread>

#include "app/commands.h"
#include "app/runtime.h"
#include "audio/resampler.h"
#include "core/base64.h"
#include "core/clock.h"
#include "pipeline/voice_session.h"
#include "server/realtime_client.h"

namespace tektra {
namespace {

using namespace std::chrono_literals;
constexpr int kRate = 16000;
constexpr size_t kChunk = kRate / 50;  // 20 ms

// Commands end their turn after vad.command_silence_ms; other speech waits the full
// vad.silence_duration_ms and is decoded free-form, so the two are reported apart.
struct Phrase {
  const char* text;
  bool command;
};
const Phrase kPhrases[] = {
    {"what time is it", true},
    {"what is twelve times seven", true},
    {"set a timer for five minutes", true},
    {"what day is it today", true},
    {"remember that my favourite colour is blue", true},
    {"what is my favourite colour", true},
    {"hello", true},
    {"thank you", true},
    {"the weather was lovely by the sea last summer", false},
    {"please book a table for two at the restaurant", false},
};

struct Utterance {
  std::string text;
  bool command = true;
  std::vector<int16_t> pcm;  // 16 kHz, with leading silence
  size_t last_voiced = 0;    // index of the last sample of speech
};

std::vector<Utterance> make_utterances(VoiceCatalog& voices, const std::string& voice) {
  std::vector<Utterance> out;
  for (const Phrase& phrase : kPhrases) {
    Speech s = voices.synthesize(phrase.text, voice, 1.0);
    Utterance u;
    u.text = phrase.text;
    u.command = phrase.command;
    u.pcm.assign(kRate * 3 / 10, 0);
    auto speech = resample(s.audio.samples, s.audio.sample_rate, kRate);
    u.pcm.insert(u.pcm.end(), speech.begin(), speech.end());
    for (size_t i = u.pcm.size(); i-- > 0;) {
      if (std::abs(u.pcm[i]) > 300) {
        u.last_voiced = i;
        break;
      }
    }
    out.push_back(std::move(u));
  }
  return out;
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

long rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

// Records when things happen in one session.
class Recorder : public SessionObserver {
 public:
  void on_speech_started(const std::string&, int64_t) override {}
  void on_speech_stopped(const std::string&, int64_t) override {}
  void on_input_committed(const std::string&) override {}
  void on_input_cleared() override {}
  void on_transcript_partial(const std::string&, const std::string&, const std::string&) override {}
  void on_transcript_completed(const std::string&, const Transcript& t) override {
    std::lock_guard lock(mutex_);
    transcript_ = t.text;
  }
  void on_response_started(const ResponseInfo&) override {}
  void on_response_text(const ResponseInfo&, const std::string&) override {}
  void on_response_audio(const ResponseInfo&, std::span<const int16_t>) override {
    std::lock_guard lock(mutex_);
    if (!first_audio_) first_audio_ = SteadyClock::now();
  }
  void on_response_done(const ResponseInfo&, ResponseStatus, const std::string&) override {
    std::lock_guard lock(mutex_);
    done_ = true;
    changed_.notify_all();
  }
  void on_event(const std::string& type, const nlohmann::json& data) override {
    if (type != "tektra.model_timing") return;
    std::lock_guard lock(mutex_);
    model_timings_.push_back(data);
  }
  void on_error(const std::string& code, const std::string& message, const std::string&) override {
    fmt::print(stderr, "session error {}: {}\n", code, message);
  }

  void reset() {
    std::lock_guard lock(mutex_);
    first_audio_.reset();
    done_ = false;
    transcript_.clear();
  }
  bool done() {
    std::lock_guard lock(mutex_);
    return done_;
  }
  std::optional<TimePoint> first_audio() {
    std::lock_guard lock(mutex_);
    return first_audio_;
  }
  std::string transcript() {
    std::lock_guard lock(mutex_);
    return transcript_;
  }
  std::vector<nlohmann::json> model_timings() {
    std::lock_guard lock(mutex_);
    return model_timings_;
  }

 private:
  std::vector<nlohmann::json> model_timings_;  // every reply the model wrote, not reset
  std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<TimePoint> first_audio_;
  bool done_ = false;
  std::string transcript_;
};

// Streams one utterance in real time, then silence until the reply finishes (at most 2 minutes:
// a model's reply can be long). Returns the
// voice-to-voice latency in seconds (nullopt when no reply audio came).
template <typename Push, typename FirstAudio, typename Done>
std::optional<double> stream_utterance(const Utterance& u, Push push, FirstAudio first_audio,
                                       Done done) {
  std::vector<int16_t> silence(kChunk, 0);
  TimePoint start = SteadyClock::now();
  std::optional<TimePoint> last_voiced_sent;
  size_t sent = 0;
  for (size_t i = 0;; ++i) {
    std::this_thread::sleep_until(start + i * 20ms);
    if (sent < u.pcm.size()) {
      size_t n = std::min(kChunk, u.pcm.size() - sent);
      push(std::span<const int16_t>(u.pcm).subspan(sent, n));
      sent += n;
      if (!last_voiced_sent && sent > u.last_voiced) last_voiced_sent = SteadyClock::now();
    } else {
      push(std::span<const int16_t>(silence));
      if (done()) break;
      if (SteadyClock::now() - start > 120s) break;
    }
  }
  auto first = first_audio();
  if (!first || !last_voiced_sent) return std::nullopt;
  return seconds_between(*last_voiced_sent, *first);
}

SessionSettings default_settings(const Config& config, int output_rate) {
  SessionSettings settings = SessionSettings::from(config);
  settings.output_sample_rate = output_rate;
  return settings;
}

struct Latencies {
  std::vector<double> commands, other;
  std::vector<nlohmann::json> model_timings;  // "tektra.model_timing" of each model reply
  void add(const Latencies& more) {
    commands.insert(commands.end(), more.commands.begin(), more.commands.end());
    other.insert(other.end(), more.other.begin(), more.other.end());
    model_timings.insert(model_timings.end(), more.model_timings.begin(), more.model_timings.end());
  }
};

Latencies run_in_process(Runtime& runtime, const std::vector<Utterance>& utterances, int rounds,
                         int* misrecognised) {
  Recorder recorder;
  auto session = VoiceSession::create(runtime.services().session_services(),
                                      default_settings(runtime.config(), 24000), recorder);
  Latencies latencies;
  for (int r = 0; r < rounds; ++r) {
    for (const auto& u : utterances) {
      recorder.reset();
      auto v2v = stream_utterance(
          u,
          [&](std::span<const int16_t> pcm) {
            session->append_audio({pcm.begin(), pcm.end()});
          },
          [&] { return recorder.first_audio(); }, [&] { return recorder.done(); });
      if (v2v) (u.command ? latencies.commands : latencies.other).push_back(*v2v);
      if (u.command && recorder.transcript() != u.text && misrecognised) ++*misrecognised;
    }
  }
  session->close();
  latencies.model_timings = recorder.model_timings();
  return latencies;
}

Latencies run_over_socket(Runtime& runtime, const std::vector<Utterance>& utterances) {
  Server server(runtime.services());
  server.start();
  RealtimeClient client("127.0.0.1", server.port());
  client.wait_for("session.created", 5s);
  client.send({{"type", "session.update"},
               {"session",
                {{"audio", {{"input", {{"format", {{"type", "audio/pcm"}, {"rate", kRate}}}}}}}}}});
  client.wait_for("session.updated", 5s);
  Latencies latencies;
  for (const auto& u : utterances) {
    std::mutex m;
    std::optional<TimePoint> first;
    bool done = false;
    std::thread reader([&] {
      while (auto e = client.next(20s)) {
        std::string type = e->value("type", "");
        std::lock_guard lock(m);
        if (type == "response.output_audio.delta" && !first) first = SteadyClock::now();
        if (type == "response.done") {
          done = true;
          return;
        }
      }
    });
    auto v2v = stream_utterance(
        u,
        [&](std::span<const int16_t> pcm) {
          client.send({{"type", "input_audio_buffer.append"},
                       {"audio", base64_encode({reinterpret_cast<const uint8_t*>(pcm.data()),
                                                pcm.size() * 2})}});
        },
        [&] {
          std::lock_guard lock(m);
          return first;
        },
        [&] {
          std::lock_guard lock(m);
          return done;
        });
    reader.join();
    if (v2v) (u.command ? latencies.commands : latencies.other).push_back(*v2v);
  }
  client.close();
  server.stop();
  return latencies;
}

void print_latencies(const std::string& label, const Latencies& l, size_t commands, size_t other) {
  auto line = [&](const char* kind, const std::vector<double>& v, size_t expected) {
    fmt::print("  {:<26} {:<9} p50 {:5.0f} ms  p95 {:5.0f} ms  ({} of {} answered)\n", label, kind,
               percentile(v, 0.5) * 1000, percentile(v, 0.95) * 1000, v.size(), expected);
  };
  line("commands", l.commands, commands);
  line("other", l.other, other);
}

// With a model in the loop: when its first token, the first reply audio and its last token came,
// from the start of each reply.
void print_model_timings(const Latencies& l) {
  if (l.model_timings.empty()) return;
  auto column = [&](const char* key) {
    std::vector<double> v;
    for (const auto& t : l.model_timings) v.push_back(t.value(key, 0.0) / 1000.0);
    return v;
  };
  const auto first_token = column("model_first_token_ms");
  const auto first_audio = column("first_audio_ms");
  const auto last_token = column("model_last_token_ms");
  size_t early = 0;
  for (size_t i = 0; i < first_audio.size(); ++i) early += first_audio[i] < last_token[i];
  fmt::print("  model replies (from the start of each reply, p50 / p95):\n");
  for (const auto& [label, v] :
       {std::pair{"first token", first_token}, std::pair{"first audio out", first_audio},
        std::pair{"last token", last_token}})
    fmt::print("    {:<18} {:6.0f} / {:6.0f} ms\n", label, percentile(v, 0.5) * 1000,
               percentile(v, 0.95) * 1000);
  fmt::print("    audio started before the model finished in {} of {} replies\n", early,
             first_audio.size());
}

void bench_voice(const Config& base, int sessions, int rounds, bool socket) {
  Config config = base;
  config.data_dir =
      std::filesystem::temp_directory_path() / fmt::format("tektra-bench-{}", ::getpid());
  std::filesystem::remove_all(config.data_dir);
  long rss_start = rss_kib();
  Runtime runtime(config);
  const std::string speaker = runtime.voices().has_voice("awb") ? "awb" : config.tts.voice;
  auto utterances = make_utterances(runtime.voices(), speaker);

  fmt::print(
      "tektra bench voice — {} utterances spoken by '{}', replies by '{}', end-of-turn silence {} "
      "ms "
      "({} ms after a complete command)\n",
      utterances.size(), speaker, config.tts.voice, config.vad.silence_duration_ms,
      config.vad.command_silence_ms);
  if (runtime.chat_engine())
    fmt::print("language model {} answers what no intent matches ({} tokens at most)\n",
               runtime.chat_engine()->model_name(), config.agent.max_reply_tokens);
  fmt::print("\n");

  double audio_s = 0, stt_s = 0;
  for (const auto& u : utterances) {
    audio_s += static_cast<double>(u.pcm.size()) / kRate;
    auto t = SteadyClock::now();
    transcribe(runtime.recognizer(), u.pcm);
    stt_s += seconds_between(t, SteadyClock::now());
  }
  double tts_audio = 0, tts_s = 0, first_sentence = 0;
  for (const char* reply :
       {"It's ten past three.", "Twelve times seven is eighty-four.", "Timer set for five minutes.",
        "OK, I'll remember that your favourite colour is blue."}) {
    auto t = SteadyClock::now();
    Speech s = runtime.voices().synthesize(reply, config.tts.voice, 1.0);
    double took = seconds_between(t, SteadyClock::now());
    tts_s += took;
    first_sentence = std::max(first_sentence, took);
    tts_audio += s.audio.duration_seconds();
  }
  fmt::print("Engines\n");
  fmt::print("  {:<34} {:.3f}  ({:.1f} s of audio)\n", "STT real-time factor (whole utterances)",
             stt_s / audio_s, audio_s);
  fmt::print("  {:<34} {:.3f}  (slowest first sentence {:.0f} ms)\n\n", "TTS real-time factor",
             tts_s / tts_audio, first_sentence * 1000);

  const size_t commands = static_cast<size_t>(
      std::count_if(utterances.begin(), utterances.end(), [](const auto& u) { return u.command; }));
  const size_t other = utterances.size() - commands;
  const auto n = static_cast<size_t>(rounds);
  fmt::print("Voice-to-voice (last voiced input sample -> first reply audio out)\n");
  int misrecognised = 0;
  auto in_process = run_in_process(runtime, utterances, rounds, &misrecognised);
  print_latencies("in-process, 1 session", in_process, commands * n, other * n);
  print_model_timings(in_process);
  if (socket)
    print_latencies("WebSocket, 1 session", run_over_socket(runtime, utterances), commands, other);
  fmt::print("  commands transcribed differently from what was said: {} of {}\n\n", misrecognised,
             commands * n);

  if (sessions > 1) {
    long before = rss_kib();
    std::vector<Latencies> results(static_cast<size_t>(sessions));
    std::vector<std::thread> threads;
    for (int i = 0; i < sessions; ++i) {
      threads.emplace_back([&, i] {
        // Spread starts over three seconds, as independent callers would be.
        std::this_thread::sleep_for(std::chrono::milliseconds(3000 * i / sessions));
        results[static_cast<size_t>(i)] = run_in_process(runtime, utterances, 1, nullptr);
      });
    }
    std::atomic<bool> running{true};
    std::atomic<long> peak{before};
    std::thread sampler([&] {
      while (running) {
        peak = std::max(peak.load(), rss_kib());
        std::this_thread::sleep_for(100ms);
      }
    });
    for (auto& t : threads) t.join();
    running = false;
    sampler.join();
    Latencies all;
    for (const auto& r : results) all.add(r);
    fmt::print("Concurrency: {} sessions streaming in real time at once\n", sessions);
    print_latencies(fmt::format("in-process, {} sessions", sessions), all,
                    commands * static_cast<size_t>(sessions),
                    other * static_cast<size_t>(sessions));
    fmt::print(
        "  {:<34} {:.1f} MiB per session (peak RSS {:.0f} MiB, process start {:.0f} MiB)\n\n",
        "memory", static_cast<double>(peak.load() - before) / 1024.0 / sessions,
        peak.load() / 1024.0, rss_start / 1024.0);
  }
  std::filesystem::remove_all(config.data_dir);
}

}  // namespace

void add_bench_command(CLI::App& app, GlobalOptions& global) {
  auto* bench = app.add_subcommand("bench", "benchmarks that print their figures");
  bench->require_subcommand(1);
  auto* voice = bench->add_subcommand(
      "voice", "voice-to-voice latency, engine speed, memory and concurrency");
  struct Options {
    int sessions = 20;
    int rounds = 2;
    bool no_socket = false;
    std::string llm = "none";
    int reply_tokens = 48;
  };
  auto o = std::make_shared<Options>();
  voice->add_option("--sessions", o->sessions, "concurrent sessions for the load run (1 skips it)")
      ->check(CLI::Range(1, 200));
  voice->add_option("--rounds", o->rounds, "passes over the utterances in the single-session run")
      ->check(CLI::Range(1, 100));
  voice->add_flag("--no-socket", o->no_socket, "skip the WebSocket run");
  voice->add_option("--llm", o->llm,
                    "GGUF language model to answer what no intent matches (default: none)");
  voice
      ->add_option("--reply-tokens", o->reply_tokens,
                   "most tokens per model reply (a spoken reply is a sentence or two)")
      ->check(CLI::Range(16, 4096));
  voice->callback([&global, o] {
    Config config = global.load();
    config.llm.model = o->llm;
    config.agent.max_reply_tokens = o->reply_tokens;
    bench_voice(config, o->sessions, o->rounds, !o->no_socket);
  });
  add_bench_llm_command(*bench);
  add_bench_audio_command(*bench, global);
}

}  // namespace tektra
