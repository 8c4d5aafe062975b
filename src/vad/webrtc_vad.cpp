// WebRtcVad: RAII wrapper over the C VAD that libwebrtc-audio-processing exports without a header.
#include "vad/webrtc_vad.h"

#include <fmt/format.h>

#include "core/error.h"

// The library installs no header for its VAD, so the exported C functions are declared here
// (signatures checked against the 0.3 library's disassembly).
extern "C" {
typedef struct WebRtcVadInst VadInst;
VadInst* WebRtcVad_Create();
void WebRtcVad_Free(VadInst* handle);
int WebRtcVad_Init(VadInst* handle);
int WebRtcVad_set_mode(VadInst* handle, int mode);
// WebRtcVad_Process() validates its arguments and then returns this function's result clamped
// to 0/1. Unclamped, the result tells the detector's own decision (1) apart from the 6-14
// frames of hangover it adds after any speech (2 + frames left): that hangover alone turns a
// 60 ms burst of noise into 160 ms of "speech" (mode 2), enough to start a turn. The arguments
// are always valid here: a successfully initialized handle and 160 samples at 16 kHz.
int WebRtcVad_CalcVad16khz(VadInst* handle, const int16_t* frame, size_t frame_length);
}

namespace tektra {
namespace {

constexpr size_t kFrameSamples = 160;  // 10 ms at 16 kHz

}  // namespace

void WebRtcVad::Free::operator()(WebRtcVadInst* handle) const {
  WebRtcVad_Free(handle);
}

WebRtcVad::WebRtcVad(int aggressiveness) : aggressiveness_(aggressiveness) {
  if (aggressiveness < 0 || aggressiveness > 3) {
    throw Error("invalid_config",
                fmt::format("WebRTC VAD aggressiveness must be 0..3, got {}", aggressiveness));
  }
  handle_.reset(WebRtcVad_Create());
  if (!handle_) throw Error("vad_failed", "cannot allocate the WebRTC VAD");
  initialize();
}

void WebRtcVad::initialize() {
  // Init also resets the mode to the library default, so the mode is set after it every time.
  if (WebRtcVad_Init(handle_.get()) != 0 ||
      WebRtcVad_set_mode(handle_.get(), aggressiveness_) != 0) {
    throw Error("vad_failed", "cannot initialize the WebRTC VAD");
  }
}

float WebRtcVad::speech_probability(std::span<const int16_t> frame) {
  if (frame.size() != kFrameSamples) {
    throw Error("invalid_audio", fmt::format("the WebRTC VAD takes {} samples per frame, got {}",
                                             kFrameSamples, frame.size()));
  }
  int decision = WebRtcVad_CalcVad16khz(handle_.get(), frame.data(), frame.size());
  if (decision < 0) throw Error("vad_failed", "the WebRTC VAD rejected a frame");
  return decision == 1 ? 1.0f : 0.0f;
}

void WebRtcVad::reset() {
  initialize();
}

}  // namespace tektra
