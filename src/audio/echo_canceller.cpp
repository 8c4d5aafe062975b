// The echo canceller factory and the checks both engines share.
#include "audio/echo_canceller.h"

#include "core/error.h"

namespace tektra {

void validate(const EchoCancellerSettings& settings) {
  if (settings.engine != "speex" && settings.engine != "webrtc")
    throw Error("unknown_engine",
                "unknown echo canceller \"" + settings.engine + "\" (speex or webrtc)");
  if (settings.tail_ms < 10 || settings.tail_ms > 2000)
    throw Error("invalid_value", "the echo tail must be 10 to 2000 ms");
  if (settings.max_delay_ms < 10 || settings.max_delay_ms > 2000)
    throw Error("invalid_value", "the echo delay search window must be 10 to 2000 ms");
}

std::unique_ptr<EchoCanceller> create_echo_canceller(const EchoCancellerSettings& settings) {
  validate(settings);
  if (settings.engine == "webrtc") return std::make_unique<WebRtcEchoCanceller>(settings);
  return std::make_unique<SpeexEchoCanceller>(settings);
}

}  // namespace tektra
