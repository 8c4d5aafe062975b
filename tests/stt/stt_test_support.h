// Shared helpers for the speech-to-text tests: real speech fixtures, a command grammar, WER.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "audio/resampler.h"
#include "audio/wav.h"
#include "support/fixtures.h"

namespace tektra::test {

// A fixture as 16 kHz mono PCM (goforward.raw is headerless; WAVs are converted if needed).
inline std::vector<int16_t> speech(const std::string& name) {
  const auto path = fixture(name);
  if (path.extension() == ".raw") return read_raw_pcm16(path, 16000, 1).samples;
  return to_mono(read_wav(path), 16000).samples;
}

inline const char* const kLibriVox0880 = "sense_and_sensibility_01_austen_64kb-0880.wav";
inline const char* const kLibriVox0930 = "sense_and_sensibility_01_austen_64kb-0930.wav";

// References from MANIFEST.tsv / TRANSCRIPTS.tsv, lower case without punctuation.
inline const char* const kGoForwardText = "go forward ten meters";
inline const char* const kLibriVox0880Text = "he was not an ill disposed young man";
inline const char* const kLibriVox0930Text = "he might even have been made amiable himself";
inline const char* const kJfkText =
    "and so my fellow americans ask not what your country can do for you ask what you can do for "
    "your country";
inline const char* const kLampText = "turn on the living room lamp";

// What an intent engine might generate from a handful of command templates.
inline const char* const kCommandGrammar = R"(#JSGF V1.0;
grammar commands;
<number> = one | two | three | four | five | six | seven | eight | nine | ten | twenty;
<device> = light | lamp | radio | tv | living room lamp | kitchen light;
public <command> = go (forward | back | left | right) [<number> (meters | steps)]
                 | turn (on | off) the <device>
                 | what time is it
                 | set a timer for <number> (minutes | seconds)
                 | stop | cancel | pause | resume
                 | play some music;
)";

// Rules used in several places, as in the grammars Tektra generates from intent templates: their
// copies are what merging equivalent states saves (grammar_graph.h).
inline const char* const kRuleReusingGrammar = R"(#JSGF V1.0;
grammar reusing;
<digit> = zero | oh | one | two | three | four | five | six | seven | eight | nine;
<number> = <digit> | ten | twenty [<digit>];
<unit> = meters | steps | minutes | seconds;
<amount> = <number> <unit> [and <number> <unit>];
<place> = living room | kitchen | bedroom;
public <command> = go (forward | back | left | right) [<amount>]
                 | turn (on | off) the [<place>] (lamp | light)
                 | set a timer for <amount>
                 | remind me in <amount>
                 | [call] <digit> <digit> <digit> <digit> <digit>;
)";

}  // namespace tektra::test
