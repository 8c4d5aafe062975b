// Word error rate: (substitutions + deletions + insertions) / reference words, comparing
// lower-cased words without punctuation.
#pragma once

#include <string>
#include <vector>

namespace tektra {

std::vector<std::string> words_of(const std::string& text);
// 0 for a perfect match; 1 for an empty hypothesis; may exceed 1 with insertions. An empty
// reference gives 0 for an empty hypothesis and 1 otherwise.
double word_error_rate(const std::string& reference, const std::string& hypothesis);

}  // namespace tektra
