// Turning a decoder's best path into the spoken words of a Transcript.
#pragma once

#include <functional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stt/pocketsphinx_decoder.h"
#include "stt/stt.h"

namespace tektra {

// "what(2)" -> "what": the dictionary numbers alternate pronunciations of the same word.
std::string_view base_word(std::string_view word);

// The path without silence, noise and null-transition entries, with times in seconds (a word
// ends where its last frame does) and the confidence `confidence` gives each segment.
std::vector<WordTiming> spoken_words(std::span<const Segment> path,
                                     const std::set<std::string>& fillers, double frame_seconds,
                                     const std::function<double(const Segment&)>& confidence);

// Words separated by single spaces.
std::string words_text(const std::vector<WordTiming>& words);

// A hypothesis string normalised the same way (base words, no fillers, single spaces).
std::string hypothesis_text(std::string_view hypothesis, const std::set<std::string>& fillers);

}  // namespace tektra
