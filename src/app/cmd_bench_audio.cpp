// `tektra bench audio`: the microphone front-end of voice sessions measured on real speech from
// the fixtures: echo cancellation in a synthetic room, false barge-ins over minutes of replies,
// barge-in latency and recognition under double talk, noise suppression, and cost.
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <random>

#include "app/commands.h"
#include "audio/audio_front_end.h"
#include "audio/resampler.h"
#include "audio/synthetic_room.h"
#include "audio/wav.h"
#include "core/error.h"
#include "stt/stt.h"
#include "stt/word_error_rate.h"
#include "vad/vad.h"

namespace tektra {
namespace {

using std::chrono::microseconds;

constexpr size_t kChunk = 320;  // 20 ms, as clients send it
constexpr int kRate = kRoomRate;

struct Utterance {
  std::vector<int16_t> pcm;
  std::string text;
};

std::vector<int16_t> speech(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file)) {
    throw Error("io_error", file.string() + " not found (point --fixtures at ../shared/fixtures)");
  }
  return to_mono(read_wav(file), kRate).samples;
}

std::vector<float> floats(std::span<const int16_t> pcm) {
  return {pcm.begin(), pcm.end()};
}

// The replies: one speaker (JFK), looped to `seconds` with half-second pauses between.
std::vector<int16_t> replies(const std::filesystem::path& fixtures, double seconds) {
  const auto jfk = speech(fixtures / "jfk.wav");
  std::vector<int16_t> out;
  while (out.size() < static_cast<size_t>(seconds * kRate)) {
    out.insert(out.end(), jfk.begin(), jfk.end());
    out.insert(out.end(), kRate / 2, 0);
  }
  out.resize(static_cast<size_t>(seconds * kRate));
  return out;
}

// The user: other speakers, with what they say.
std::vector<Utterance> users(const std::filesystem::path& fixtures) {
  return {{speech(fixtures / "sense_and_sensibility_01_austen_64kb-0880.wav"),
           "he was not an ill disposed young man"},
          {speech(fixtures / "sense_and_sensibility_01_austen_64kb-0930.wav"),
           "he might even have been made amiable himself"},
          {to_mono(read_raw_pcm16(fixtures / "goforward.raw", kRate, 1), kRate).samples,
           "go forward ten meters"}};
}

// The echo of `reply` through a room `delay_ms` late, with a little microphone hiss.
std::vector<float> echo_of(std::span<const int16_t> reply, int delay_ms, uint32_t seed) {
  auto mic = convolve(floats(reply), room_impulse_response(delay_ms, 150, seed));
  std::mt19937 random(seed);
  std::normal_distribution<float> hiss(0, 3);
  for (auto& s : mic) s += hiss(random);
  return mic;
}

struct Heard {
  std::vector<int16_t> cleaned;     // what turn detection and recognition got
  std::vector<int64_t> started_ms;  // when each SpeechStarted was decided, in the stream
  std::vector<int64_t> onset_ms;    // and where it dated the speech's onset
  double seconds = 0;               // processing time
};

// A session's input side without the network: the reply plays from t0, the microphone arrives
// in 20 ms chunks in real time, and the front-end's output goes to turn detection as in
// VoiceSession (silenced while the echo is unresolved).
Heard listen(const FrontEndSettings& settings, const VadConfig& vad, std::span<const int16_t> reply,
             std::span<const int16_t> mic) {
  AudioFrontEnd front_end(settings);
  TurnDetector turns(create_vad(vad), TurnSettings::from(vad));
  const TimePoint t0 = SteadyClock::now();
  front_end.reference().play(reply, t0);
  Heard heard;
  const auto start = SteadyClock::now();
  for (size_t at = 0; at < mic.size(); at += kChunk) {
    const size_t n = std::min(kChunk, mic.size() - at);
    auto cleaned =
        front_end.process(mic.subspan(at, n), t0 + microseconds((at + n) * 1'000'000 / kRate));
    auto heard_now = front_end.for_recognition();
    if (front_end.echo_unresolved()) {
      std::fill(cleaned.begin(), cleaned.end(), int16_t{0});
      std::fill(heard_now.begin(), heard_now.end(), int16_t{0});
    }
    for (const auto& event : turns.push(cleaned)) {
      if (event.kind != TurnEvent::Kind::SpeechStarted) continue;
      heard.started_ms.push_back(turns.processed_ms());
      heard.onset_ms.push_back(event.audio_ms);
    }
    heard.cleaned.insert(heard.cleaned.end(), heard_now.begin(), heard_now.end());
  }
  heard.seconds = seconds_between(start, SteadyClock::now());
  return heard;
}

FrontEndSettings front_end_for(const std::string& engine, const std::string& noise = "off") {
  AudioConfig config;
  config.echo_canceller = engine;
  config.noise_suppression = noise;
  return front_end_settings(config);
}

// SNR of `out` against the clean speech it should be, after scaling the speech to fit it best
// (suppressors also change the level, which is no error) at the output's own delay (up to 30 ms:
// the suppressors' frames).
double scale_invariant_snr_db(std::span<const int16_t> clean, std::span<const int16_t> out) {
  double best = -1e9;
  for (size_t lag = 0; lag <= 480 && lag < out.size(); ++lag) {
    const size_t n = std::min(clean.size(), out.size() - lag);
    double dot = 0, clean_energy = 0, out_energy = 0;
    for (size_t i = 0; i < n; ++i) {
      dot += double(out[i + lag]) * clean[i];
      clean_energy += double(clean[i]) * clean[i];
      out_energy += double(out[i + lag]) * out[i + lag];
    }
    // With the best scale, signal = dot^2 / |clean|^2 and error = |out|^2 - signal.
    const double signal = dot * dot / std::max(1.0, clean_energy);
    const double error = std::max(1e-9, out_energy - signal);
    best = std::max(best, 10 * std::log10(std::max(1e-9, signal) / error));
  }
  return best;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

void bench_echo(const std::filesystem::path& fixtures, const VadConfig& vad) {
  fmt::print("\nEcho: the reply (jfk.wav) through a room (delay, 150 ms reverberation) at -4 dB\n");
  fmt::print("  {:<8} {:>8} {:>12} {:>16} {:>14}\n", "engine", "delay", "ERLE 2-11 s",
             "20 dB held from", "delay found");
  const auto reply = replies(fixtures, 11.0);
  for (const char* engine : {"webrtc", "speex"}) {
    for (int delay : {50, 150, 250}) {
      const auto mic = to_pcm(echo_of(reply, delay, 11));
      AudioFrontEnd front_end(front_end_for(engine));
      const TimePoint t0 = SteadyClock::now();
      front_end.reference().play(reply, t0);
      std::vector<int16_t> out;
      for (size_t at = 0; at < mic.size(); at += kChunk) {
        const size_t n = std::min(kChunk, mic.size() - at);
        const auto cleaned = front_end.process(std::span<const int16_t>(mic).subspan(at, n),
                                               t0 + microseconds((at + n) * 1'000'000 / kRate));
        out.insert(out.end(), cleaned.begin(), cleaned.end());
      }
      const double converged = convergence_s(mic, out, 20);
      fmt::print("  {:<8} {:>5} ms {:>9.1f} dB {:>14} {:>11.0f} ms\n", engine, delay,
                 erle_db(mic, out, 2.0, 11.0),
                 converged < 0 ? std::string("never") : fmt::format("{:.1f} s", converged),
                 front_end.echo_delay_ms().value_or(-1));
    }
  }

  fmt::print("\nFalse barge-ins: 5 minutes of replies, echo 150 ms late, no user speech ({} VAD)\n",
             vad.engine);
  const auto long_reply = replies(fixtures, 300.0);
  const auto long_mic = to_pcm(echo_of(long_reply, 150, 5));
  for (const char* engine : {"webrtc", "speex", "off"}) {
    const auto heard = listen(front_end_for(engine), vad, long_reply, long_mic);
    fmt::print("  {:<8} {:>4} false barge-ins; front-end + VAD real-time factor {:.4f}\n", engine,
               heard.started_ms.size(), heard.seconds / 300.0);
  }
}

void bench_double_talk(const std::filesystem::path& fixtures, const VadConfig& vad,
                       SpeechRecognizer& recognizer) {
  fmt::print(
      "\nDouble talk: another speaker over the echoed reply (echo 150 ms late), 30 trials\n");
  const auto reply = replies(fixtures, 60.0);
  const auto people = users(fixtures);
  fmt::print("  {:<8} {:>10} {:>14} {:>14} {:>10} {:>10}\n", "engine", "barge-ins", "within 250 ms",
             "latency p50", "WER", "WER clean");
  for (const char* engine : {"webrtc", "speex"}) {
    int barged = 0, quick = 0;
    std::vector<double> latencies;
    double wer = 0, wer_clean = 0;
    const int trials = 30;
    for (int trial = 0; trial < trials; ++trial) {
      const auto& user = people[static_cast<size_t>(trial) % people.size()];
      // Each trial joins the reply 3-8 s in, after the canceller has settled.
      const size_t from = static_cast<size_t>(trial) * kRate;
      const std::span<const int16_t> part =
          std::span<const int16_t>(reply).subspan(from, static_cast<size_t>(12 * kRate));
      auto mic = echo_of(part, 150, static_cast<uint32_t>(trial));
      const size_t user_at = static_cast<size_t>((3.0 + (trial % 6)) * kRate);
      for (size_t i = 0; i < user.pcm.size() && user_at + i < mic.size(); ++i)
        mic[user_at + i] += user.pcm[i];
      const auto mic_pcm = to_pcm(mic);
      const auto heard = listen(front_end_for(engine), vad, part, mic_pcm);
      // True onset: the first sample of the user's speech above -30 dBFS.
      size_t first = 0;
      while (first < user.pcm.size() && std::abs(user.pcm[first]) < 1000) ++first;
      const auto onset_ms = static_cast<int64_t>((user_at + first) * 1000 / kRate);
      const auto hit = std::find_if(heard.started_ms.begin(), heard.started_ms.end(),
                                    [&](int64_t ms) { return ms >= onset_ms - 200; });
      if (hit != heard.started_ms.end() && *hit < onset_ms + 2000) {
        ++barged;
        latencies.push_back(static_cast<double>(*hit - onset_ms));
        if (*hit - onset_ms <= 250) ++quick;
      }
      const size_t a = user_at, b = std::min(mic_pcm.size(), user_at + user.pcm.size() + kRate / 4);
      const std::span<const int16_t> cleaned(heard.cleaned);
      wer += word_error_rate(
          user.text,
          recognizer.recognize(cleaned.subspan(a, std::min(b, cleaned.size()) - a)).text);
      wer_clean += word_error_rate(user.text, recognizer.recognize(user.pcm).text);
    }
    fmt::print("  {:<8} {:>6} / {} {:>9} / {} {:>11.0f} ms {:>9.0f}% {:>9.0f}%\n", engine, barged,
               trials, quick, trials, percentile(latencies, 0.5), 100 * wer / trials,
               100 * wer_clean / trials);
  }
}

void bench_noise(const std::filesystem::path& fixtures, SpeechRecognizer& recognizer) {
  fmt::print("\nNoise: the user's speech at 5 dB SNR\n");
  const auto people = users(fixtures);
  // Babble: the replies' speaker, several copies offset, as a crowd behind the user.
  const auto crowd_source = replies(fixtures, 30.0);
  fmt::print("  {:<8} {:<10} {:>10} {:>10} {:>10}\n", "noise", "suppressor", "SNR gain", "WER",
             "WER clean");
  for (const char* kind : {"white", "babble"}) {
    for (const char* engine : {"off", "speex", "webrtc"}) {
      double gain = 0, wer = 0, wer_clean = 0;
      for (size_t u = 0; u < people.size(); ++u) {
        const auto& user = people[u];
        // Two seconds of noise alone first, as a session hears before anyone speaks: the
        // suppressors learn the noise from it.
        const size_t lead = 2 * kRate;
        const size_t n = lead + user.pcm.size();
        std::vector<float> noise(n, 0.0f);
        std::mt19937 random(static_cast<uint32_t>(u + 1));
        if (std::string(kind) == "white") {
          std::normal_distribution<float> white(0, 1);
          for (auto& s : noise) s = white(random);
        } else {
          for (int voice = 0; voice < 6; ++voice) {
            const size_t offset = random() % (crowd_source.size() - n);
            for (size_t i = 0; i < n; ++i) noise[i] += crowd_source[offset + i];
          }
        }
        const double speech_energy = energy(user.pcm);
        double noise_energy = 0;
        for (size_t i = lead; i < n; ++i) noise_energy += double(noise[i]) * noise[i];
        const auto scale =
            static_cast<float>(std::sqrt(speech_energy / noise_energy / std::pow(10.0, 0.5)));
        std::vector<float> noisy(n);
        for (size_t i = 0; i < n; ++i)
          noisy[i] = noise[i] * scale + (i >= lead ? float(user.pcm[i - lead]) : 0.0f);
        const auto mic = to_pcm(noisy);
        std::vector<int16_t> out = mic;
        if (std::string(engine) != "off") {
          FrontEndSettings settings;
          settings.echo_cancellation = false;
          settings.canceller.engine = engine;
          settings.canceller.noise_suppression = NoiseSuppression::high;
          out = AudioFrontEnd(settings).process(mic, SteadyClock::now());
        }
        out.erase(out.begin(), out.begin() + static_cast<ptrdiff_t>(lead));
        std::vector<int16_t> noisy_speech(mic.begin() + static_cast<ptrdiff_t>(lead), mic.end());
        gain +=
            scale_invariant_snr_db(user.pcm, out) - scale_invariant_snr_db(user.pcm, noisy_speech);
        wer += word_error_rate(user.text, recognizer.recognize(out).text);
        wer_clean += word_error_rate(user.text, recognizer.recognize(user.pcm).text);
      }
      const double count = static_cast<double>(people.size());
      fmt::print("  {:<8} {:<10} {:>7.1f} dB {:>9.0f}% {:>9.0f}%\n", kind, engine, gain / count,
                 100 * wer / count, 100 * wer_clean / count);
    }
  }
}

void bench_audio(const Config& config, const std::filesystem::path& fixtures,
                 const std::string& part) {
  const auto vad = choose_vad(config.vad, config.model_dir());
  fmt::print("tektra bench audio — fixtures {}, voice activity {}{}\n", fixtures.string(),
             vad.config.engine, vad.note.empty() ? "" : " (" + vad.note + ")");
  auto recognizer = create_recognizer(config.stt);
  if (part == "all" || part == "echo") bench_echo(fixtures, vad.config);
  if (part == "all" || part == "double-talk") bench_double_talk(fixtures, vad.config, *recognizer);
  if (part == "all" || part == "noise") bench_noise(fixtures, *recognizer);
}

}  // namespace

void add_bench_audio_command(CLI::App& bench, GlobalOptions& global) {
  auto* cmd = bench.add_subcommand(
      "audio", "echo cancellation, barge-in, noise suppression and cost on the fixtures' speech");
  auto fixtures = std::make_shared<std::string>("../shared/fixtures");
  auto part = std::make_shared<std::string>("all");
  cmd->add_option("--fixtures", *fixtures, "the shared fixtures directory");
  cmd->add_option("--part", *part, "all, echo, double-talk or noise")
      ->check(CLI::IsMember({"all", "echo", "double-talk", "noise"}));
  cmd->callback([&global, fixtures, part] { bench_audio(global.load(), *fixtures, *part); });
}

}  // namespace tektra
