// EchoReference: reply audio placed on the wall clock and read back for microphone audio.
#include "audio/echo_reference.h"

#include <gtest/gtest.h>

#include <numeric>

namespace tektra {
namespace {

using std::chrono::milliseconds;

std::vector<int16_t> ramp(int16_t from, size_t n) {
  std::vector<int16_t> out(n);
  std::iota(out.begin(), out.end(), from);
  return out;
}

TEST(EchoReference, ReadsWhatPlayedInTheMicrophonesTimeSpanAndSilenceAround) {
  EchoReference reference;
  const TimePoint t0 = SteadyClock::now();
  reference.play(ramp(1, 160), t0);                        // samples 0..159
  reference.play(ramp(1001, 160), t0 + milliseconds(20));  // samples 320..479

  std::vector<int16_t> out(640);
  reference.read(reference.position(t0 + milliseconds(30)) - 640, out);  // samples -160..479
  for (size_t i = 0; i < 160; ++i) EXPECT_EQ(out[i], 0) << i;
  for (size_t i = 0; i < 160; ++i) EXPECT_EQ(out[160 + i], 1 + static_cast<int>(i)) << i;
  for (size_t i = 0; i < 160; ++i) EXPECT_EQ(out[320 + i], 0) << i;
  for (size_t i = 0; i < 160; ++i) EXPECT_EQ(out[480 + i], 1001 + static_cast<int>(i)) << i;
}

TEST(EchoReference, NothingPlayedReadsSilence) {
  EchoReference reference;
  std::vector<int16_t> out(160, 7);
  reference.read(reference.position(SteadyClock::now()), out);
  EXPECT_EQ(out, std::vector<int16_t>(160, 0));
}

TEST(EchoReference, ANewReplyReplacesWhatWasQueuedForTheSameTime) {
  EchoReference reference;
  const TimePoint t0 = SteadyClock::now();
  reference.play(std::vector<int16_t>(1600, 5), t0);                    // 100 ms
  reference.play(std::vector<int16_t>(160, 9), t0 + milliseconds(50));  // cuts it at 50 ms
  std::vector<int16_t> out(1600);
  reference.read(reference.position(t0 + milliseconds(100)) - 1600, out);
  EXPECT_EQ(out[799], 5);
  EXPECT_EQ(out[800], 9);
  EXPECT_EQ(out[959], 9);
  EXPECT_EQ(out[960], 0) << "the first reply's tail does not play after the new one";
}

TEST(EchoReference, OldAudioIsForgotten) {
  EchoReference reference;
  const TimePoint t0 = SteadyClock::now();
  reference.play(std::vector<int16_t>(160, 5), t0);
  reference.play(std::vector<int16_t>(160, 6), t0 + std::chrono::seconds(10));
  std::vector<int16_t> out(160);
  reference.read(reference.position(t0 + milliseconds(10)) - 160, out);
  EXPECT_EQ(out, std::vector<int16_t>(160, 0));
}

}  // namespace
}  // namespace tektra
