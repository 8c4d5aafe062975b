// Test speech helpers.
#include "support/speech.h"

#include "audio/resampler.h"

namespace tektra::test {

std::vector<int16_t> silence_ms(int ms, int rate) {
  return std::vector<int16_t>(static_cast<size_t>(rate) * ms / 1000, 0);
}

std::vector<int16_t> spoken(VoiceCatalog& voices, const std::string& text, const std::string& voice,
                            int lead_ms) {
  Speech s = voices.synthesize(text, voice, 1.0);
  std::vector<int16_t> out = silence_ms(lead_ms);
  auto pcm = resample(s.audio.samples, s.audio.sample_rate, 16000);
  out.insert(out.end(), pcm.begin(), pcm.end());
  return out;
}

}  // namespace tektra::test
