// SpeexEchoCanceller over speexdsp (its echo state and, for the residual, its preprocessor).
#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>

#include <string>

#include "audio/echo_canceller.h"
#include "core/error.h"

namespace tektra {

struct SpeexEchoCanceller::State {
  SpeexEchoState* echo = nullptr;
  SpeexPreprocessState* residual = nullptr;
  ~State() {
    if (residual) speex_preprocess_state_destroy(residual);
    if (echo) speex_echo_state_destroy(echo);
  }
};

SpeexEchoCanceller::SpeexEchoCanceller(EchoCancellerSettings settings) : settings_(settings) {
  if (settings_.tail_ms < 10 || settings_.tail_ms > 2000)
    throw Error("invalid_value", "the echo tail must be 10 to 2000 ms");
  reset();
}

SpeexEchoCanceller::~SpeexEchoCanceller() = default;

void SpeexEchoCanceller::reset() {
  auto state = std::make_unique<State>();
  const int taps = kRate * settings_.tail_ms / 1000;
  state->echo = speex_echo_state_init(static_cast<int>(kFrame), taps);
  int rate = kRate;
  speex_echo_ctl(state->echo, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
  if (settings_.suppress_residual) {
    state->residual = speex_preprocess_state_init(static_cast<int>(kFrame), kRate);
    speex_preprocess_ctl(state->residual, SPEEX_PREPROCESS_SET_ECHO_STATE, state->echo);
  }
  state_ = std::move(state);
}

std::vector<int16_t> SpeexEchoCanceller::process(std::span<const int16_t> mic,
                                                 std::span<const int16_t> far_end) {
  if (mic.size() != kFrame || far_end.size() != kFrame)
    throw Error("invalid_audio",
                "echo cancellation takes 10 ms frames of " + std::to_string(kFrame) + " samples");
  std::vector<int16_t> out(kFrame);
  speex_echo_cancellation(state_->echo, mic.data(), far_end.data(), out.data());
  if (state_->residual) speex_preprocess_run(state_->residual, out.data());
  return out;
}

}  // namespace tektra
