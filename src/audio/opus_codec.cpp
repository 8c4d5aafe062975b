// Opus encoder and decoder over libopus.
#include "audio/opus_codec.h"

#include <opus/opus.h>

#include <string>

#include "core/error.h"

namespace tektra {
namespace {

constexpr int kMaxFrameSamples = 48000 * 120 / 1000;  // Opus's longest frame at its top rate
constexpr int kMaxPacketBytes = 1500;

void check_rate(int rate) {
  if (rate != 8000 && rate != 12000 && rate != 16000 && rate != 24000 && rate != 48000)
    throw Error("invalid_audio",
                "Opus takes 8, 12, 16, 24 or 48 kHz, not " + std::to_string(rate) + " Hz");
}

int frame_samples_for(int rate, int frame_ms) {
  if (frame_ms != 10 && frame_ms != 20 && frame_ms != 40 && frame_ms != 60)
    throw Error("invalid_audio",
                "Opus frames here are 10, 20, 40 or 60 ms, not " + std::to_string(frame_ms));
  return rate / 1000 * frame_ms;
}

[[noreturn]] void fail(const char* what, int code) {
  throw Error("invalid_audio", std::string(what) + ": " + opus_strerror(code));
}

}  // namespace

struct OpusEncoder::State {
  ::OpusEncoder* encoder = nullptr;
  ~State() { opus_encoder_destroy(encoder); }
};

struct OpusDecoder::State {
  ::OpusDecoder* decoder = nullptr;
  ~State() { opus_decoder_destroy(decoder); }
};

OpusEncoder::OpusEncoder(OpusSettings s)
    : state_(std::make_unique<State>()),
      frame_samples_(frame_samples_for(s.sample_rate, s.frame_ms)) {
  check_rate(s.sample_rate);
  if (s.bitrate < 6000 || s.bitrate > 510000)
    throw Error("invalid_audio", "Opus bitrates run from 6000 to 510000 bit/s");
  int error = OPUS_OK;
  state_->encoder = opus_encoder_create(
      s.sample_rate, 1, s.voip ? OPUS_APPLICATION_VOIP : OPUS_APPLICATION_AUDIO, &error);
  if (error != OPUS_OK) fail("cannot create an Opus encoder", error);
  opus_encoder_ctl(state_->encoder, OPUS_SET_BITRATE(s.bitrate));
  opus_encoder_ctl(state_->encoder, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
  if (s.expected_loss_pct > 0) {
    opus_encoder_ctl(state_->encoder, OPUS_SET_INBAND_FEC(1));
    opus_encoder_ctl(state_->encoder, OPUS_SET_PACKET_LOSS_PERC(s.expected_loss_pct));
  }
}

OpusEncoder::~OpusEncoder() = default;

std::vector<uint8_t> OpusEncoder::encode(std::span<const int16_t> frame) {
  if (static_cast<int>(frame.size()) != frame_samples_)
    throw Error("invalid_audio", "an Opus frame here is " + std::to_string(frame_samples_) +
                                     " samples, not " + std::to_string(frame.size()));
  std::vector<uint8_t> packet(kMaxPacketBytes);
  const int n = opus_encode(state_->encoder, frame.data(), frame_samples_, packet.data(),
                            static_cast<opus_int32>(packet.size()));
  if (n < 0) fail("Opus encoding failed", n);
  packet.resize(static_cast<size_t>(n));
  return packet;
}

OpusDecoder::OpusDecoder(int sample_rate, int frame_ms)
    : state_(std::make_unique<State>()), frame_samples_(frame_samples_for(sample_rate, frame_ms)) {
  check_rate(sample_rate);
  int error = OPUS_OK;
  state_->decoder = opus_decoder_create(sample_rate, 1, &error);
  if (error != OPUS_OK) fail("cannot create an Opus decoder", error);
}

OpusDecoder::~OpusDecoder() = default;

std::vector<int16_t> OpusDecoder::decode(std::span<const uint8_t> packet) {
  if (packet.empty()) throw Error("invalid_audio", "an empty Opus packet");
  std::vector<int16_t> pcm(kMaxFrameSamples);
  const int n = opus_decode(state_->decoder, packet.data(), static_cast<opus_int32>(packet.size()),
                            pcm.data(), kMaxFrameSamples, 0);
  if (n < 0) fail("not a valid Opus packet", n);
  pcm.resize(static_cast<size_t>(n));
  return pcm;
}

std::vector<int16_t> OpusDecoder::conceal(std::span<const uint8_t> next) {
  std::vector<int16_t> pcm(static_cast<size_t>(frame_samples_));
  const bool fec = !next.empty();
  const int n = opus_decode(state_->decoder, fec ? next.data() : nullptr,
                            fec ? static_cast<opus_int32>(next.size()) : 0, pcm.data(),
                            frame_samples_, fec ? 1 : 0);
  if (n < 0) fail("Opus concealment failed", n);
  pcm.resize(static_cast<size_t>(n));
  return pcm;
}

}  // namespace tektra
