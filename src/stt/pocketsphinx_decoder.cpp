// One pocketsphinx decoder: owns a ps_decoder_t, runs utterances on it and reads the best path.
#include "stt/pocketsphinx_decoder.h"

#include <pocketsphinx.h>
#include <sphinxbase/ckd_alloc.h>
#include <sphinxbase/cmn.h>
#include <sphinxbase/feat.h>

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "core/error.h"
#include "stt/sphinx_log.h"

namespace tektra {
namespace {

static_assert(std::is_same_v<mfcc_t, float>, "sphinxbase built with FIXED_POINT is not supported");

// Path scores of the FSG search are senone scores shifted right by pocketsphinx's internal
// SENSCR_SHIFT (10 bits), in the decoder's log base.
constexpr int kSenoneScoreShift = 10;

struct ConfigFree {
  void operator()(cmd_ln_t* config) const { cmd_ln_free_r(config); }
};

std::unique_ptr<cmd_ln_t, ConfigFree> make_config(const PocketsphinxModel& model,
                                                  DecoderKind kind) {
  std::vector<std::string> args = {
      "-hmm", model.acoustic_model.string(),
      // The front end's own VAD drops silent frames and then misplaces every word after a pause
      // (5prealpha shifts all segments by the last speech onset); turn detection is the VAD
      // stage's job anyway.
      "-remove_silence", "no"};
  if (kind == DecoderKind::grammar) {
    // pocketsphinx needs a main dictionary file; an empty one leaves the filler dictionary.
    args.insert(args.end(), {"-dict", "/dev/null", "-compallsen", "yes"});
  } else {
    args.insert(args.end(),
                {"-dict", model.dictionary.string(), "-lm", model.language_model.string()});
  }
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  return std::unique_ptr<cmd_ln_t, ConfigFree>(
      cmd_ln_parse_r(nullptr, ps_args(), static_cast<int32>(argv.size()), argv.data(), TRUE));
}

// 150 ms of fixed low-level noise (a linear congruential sequence, about -50 dBFS): 14 frames,
// more than the 7-frame history plus the ~3 frames a disturbance takes to die out (measured: 12
// frames suffice, 10 do not).
const std::vector<int16_t>& settling_noise() {
  static const std::vector<int16_t> noise = [] {
    std::vector<int16_t> samples(2400);
    uint32_t state = 12345;
    for (auto& sample : samples) {
      state = state * 1664525u + 1013904223u;
      sample = static_cast<int16_t>(static_cast<int32_t>(state >> 16) % 200 - 100);
    }
    return samples;
  }();
  return noise;
}

}  // namespace

void PocketsphinxDecoder::Free::operator()(ps_decoder_s* decoder) const {
  ps_free(decoder);
}

PocketsphinxDecoder::PocketsphinxDecoder(const PocketsphinxModel& model, DecoderKind kind,
                                         DecodeMode mode)
    : kind_(kind), mode_(mode) {
  sphinx::quiet_logging();
  sphinx::ErrorCapture errors;
  auto config = make_config(model, kind);
  if (config) decoder_.reset(ps_init(config.get()));
  if (!decoder_) {
    throw Error("engine_unavailable", "pocketsphinx could not load the model in " +
                                          model.acoustic_model.parent_path().string() + ": " +
                                          (errors.any() ? errors.messages() : "unknown error"));
  }
  cmd_ln_t* settings = ps_get_config(handle());
  frame_seconds_ = 1.0 / cmd_ln_int32_r(settings, "-frate");
  // One analysis window plus one frame shift: enough for the front end to emit a frame.
  const double samples_per_second = cmd_ln_float32_r(settings, "-samprate");
  lead_in_samples_ =
      static_cast<size_t>(std::ceil(cmd_ln_float32_r(settings, "-wlen") * samples_per_second +
                                    frame_seconds_ * samples_per_second));
  lead_in_.reserve(lead_in_samples_ * 2);
  feat_t* features = ps_get_feat(handle());
  configured_cmn_ = features->cmn;
  if (features->cmn_struct != nullptr) {
    cepstral_mean_prior_.resize(features->cmn_struct->veclen);
    cmn_live_get(features->cmn_struct, cepstral_mean_prior_.data());
  }
}

PocketsphinxDecoder::~PocketsphinxDecoder() = default;

bool PocketsphinxDecoder::knows(const std::string& spelling) {
  char* phones = ps_lookup_word(handle(), spelling.c_str());
  ckd_free(phones);
  return phones != nullptr;
}

// sphinxbase keeps the running cepstral mean and switches batch CMN to live CMN for good the first
// time it sees a partial utterance; both would make a result depend on the decoder's history.
void PocketsphinxDecoder::reset_feature_state() {
  feat_t* features = ps_get_feat(handle());
  features->cmn = static_cast<cmn_type_t>(configured_cmn_);
  if (features->cmn_struct != nullptr) {
    cmn_live_set(features->cmn_struct, cepstral_mean_prior_.data());
  }
}

void PocketsphinxDecoder::require(DecodeMode mode) const {
  if (mode_ != mode) {
    throw Error("invalid_state", mode == DecodeMode::streaming
                                     ? "streaming on a whole-utterance decoder"
                                     : "whole-utterance decoding on a streaming decoder");
  }
}

// The acoustic model picks each frame's best Gaussians starting from the previous frame's picks
// (a 7-frame history), and its integer scores tie often enough that the first three frames of a
// streamed utterance come out slightly different depending on how the previous one ended.
// Streaming the same short noise first leaves every decoder in the same state; whole-utterance
// decoding measured history-free without it. Costs ~14 frames of decoding per utterance.
void PocketsphinxDecoder::settle() {
  const std::span<const int16_t> noise = settling_noise();
  reset_feature_state();
  bool ok = ps_start_stream(handle()) >= 0 && ps_start_utt(handle()) >= 0;
  for (size_t at = 0; ok && at < noise.size(); at += 320) {  // as a stream is fed
    ok = ps_process_raw(handle(), noise.data() + at, std::min<size_t>(320, noise.size() - at),
                        FALSE, FALSE) >= 0;
  }
  if (!ok || ps_end_utt(handle()) < 0) {
    throw Error("stt_failed", "pocketsphinx could not start an utterance");
  }
}

void PocketsphinxDecoder::open_utterance() {
  if (in_utterance_) end();
  if (mode_ == DecodeMode::streaming) settle();
  reset_feature_state();
  // A new stream restarts frame numbering and the front end's noise estimate.
  if (ps_start_stream(handle()) < 0 || ps_start_utt(handle()) < 0) {
    throw Error("stt_failed", "pocketsphinx could not start an utterance");
  }
  in_utterance_ = true;
  frames_started_ = false;
  lead_in_.clear();
}

void PocketsphinxDecoder::start() {
  require(DecodeMode::streaming);
  open_utterance();
}

// A first call that brings more frames than pocketsphinx's feature buffer holds (~12) starts the
// utterance differently, so large chunks go in 100 ms pieces: results then do not depend on how
// the caller chunks the audio.
void PocketsphinxDecoder::feed(std::span<const int16_t> pcm16k) {
  constexpr size_t kMaxSamplesPerCall = 1600;
  for (size_t at = 0; at < pcm16k.size(); at += kMaxSamplesPerCall) {
    const auto piece = pcm16k.subspan(at, std::min(kMaxSamplesPerCall, pcm16k.size() - at));
    if (ps_process_raw(handle(), piece.data(), piece.size(), FALSE, FALSE) < 0) {
      throw Error("stt_failed", "pocketsphinx failed to decode audio");
    }
  }
}

// pocketsphinx pads the first frame's delta window with copies of that frame only if its first
// call yields a frame; a 20 ms chunk is shorter than the 25.6 ms analysis window, and the window
// would then hold the end of whatever was decoded before. Holding back the first 36 ms keeps the
// padding right whatever the chunk size.
void PocketsphinxDecoder::process(std::span<const int16_t> pcm16k) {
  require(DecodeMode::streaming);
  if (!in_utterance_) throw Error("invalid_state", "process() outside an utterance");
  if (pcm16k.empty()) return;
  if (frames_started_) {
    feed(pcm16k);
    return;
  }
  lead_in_.insert(lead_in_.end(), pcm16k.begin(), pcm16k.end());
  if (lead_in_.size() < lead_in_samples_) return;
  frames_started_ = true;
  feed(lead_in_);
  lead_in_.clear();
}

void PocketsphinxDecoder::end() {
  if (!in_utterance_) throw Error("invalid_state", "end() outside an utterance");
  if (!lead_in_.empty()) {  // an utterance shorter than one frame
    feed(lead_in_);
    lead_in_.clear();
  }
  in_utterance_ = false;
  if (ps_end_utt(handle()) < 0) {
    throw Error("stt_failed", "pocketsphinx failed to end an utterance");
  }
}

void PocketsphinxDecoder::decode_whole(std::span<const int16_t> pcm16k) {
  require(DecodeMode::whole_utterance);
  open_utterance();
  if (!pcm16k.empty() &&
      ps_process_raw(handle(), pcm16k.data(), pcm16k.size(), FALSE, /*full_utt=*/TRUE) < 0) {
    end();
    throw Error("stt_failed", "pocketsphinx failed to decode audio");
  }
  end();
}

std::optional<std::string> PocketsphinxDecoder::hypothesis() {
  int32 score = 0;
  const char* text = ps_get_hyp(handle(), &score);
  if (text == nullptr) return std::nullopt;
  return std::string(text);
}

std::vector<Segment> PocketsphinxDecoder::segments() {
  logmath_t* logmath = ps_get_logmath(handle());
  const double nats_per_score_unit =
      std::ldexp(std::log(logmath_get_base(logmath)), kSenoneScoreShift);
  std::vector<Segment> path;
  for (ps_seg_t* it = ps_seg_iter(handle()); it != nullptr; it = ps_seg_next(it)) {
    Segment segment;
    segment.word = ps_seg_word(it);
    ps_seg_frames(it, &segment.first_frame, &segment.last_frame);
    int32 acoustic = 0, language = 0, backoff = 0;
    const int32 log_posterior = ps_seg_prob(it, &acoustic, &language, &backoff);
    if (kind_ == DecoderKind::grammar) {
      segment.acoustic_nats = acoustic * nats_per_score_unit;
    } else {
      segment.posterior = std::clamp(logmath_exp(logmath, log_posterior), 0.0, 1.0);
    }
    path.push_back(std::move(segment));
  }
  return path;
}

}  // namespace tektra
