// The vocabulary behind a Tokenizer, shared by the tokenizer families (internal to src/llm).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "llm/pretokenize.h"
#include "llm/tokenizer.h"

namespace tektra::llm::detail {

// Token attributes: tokenizer.ggml.token_type, plus what llama.cpp infers from token texts.
enum TokenAttr : uint8_t {
  kAttrNormal = 1 << 0,
  kAttrUnknown = 1 << 1,
  kAttrControl = 1 << 2,
  kAttrUserDefined = 1 << 3,
  kAttrByte = 1 << 4,
  kAttrRstrip = 1 << 5,  // whitespace after the token is dropped when it is found in text
};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using StringIndex = std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>>;

enum class Family { SentencePiece, BytePairEncoding };

struct Vocab {
  std::string model;  // tokenizer.ggml.model
  std::string pre;    // tokenizer.ggml.pre
  Family family = Family::SentencePiece;
  PreTokenizer pre_tokenizer = PreTokenizer::Gpt2;  // byte-level BPE only

  std::vector<std::string> texts;        // tokenizer.ggml.tokens
  std::vector<float> scores;             // SentencePiece merge priorities
  std::vector<uint8_t> attrs;            // TokenAttr bits
  std::vector<std::string> pieces;       // the bytes each token stands for (control: its text)
  StringIndex ids;                       // text -> token
  StringIndex merge_ranks;               // "left right" -> rank (BPE)
  std::array<Token, 256> byte_tokens{};  // SentencePiece byte fallback ("<0x41>")
  std::vector<Token> special_tokens;     // found in text before tokenizing, longest first

  Token bos = kNoToken;
  Token eos = kNoToken;
  Token eot = kNoToken;
  Token unk = kNoToken;
  std::vector<Token> end_of_generation;  // sorted

  bool add_bos = false;
  bool add_eos = false;
  bool add_space_prefix = false;  // SentencePiece: a space before text that starts a fragment
  bool ignore_merges = false;     // BPE: a word that is a token is taken whole
  bool clean_spaces = false;      // decode: " ," -> "," and the like

  std::optional<Token> find(std::string_view text) const {
    const auto it = ids.find(text);
    if (it == ids.end()) return std::nullopt;
    return it->second;
  }
};

// Loading (tokenizer_load.cpp). Throws as Tokenizer::from_gguf documents.
Vocab load_vocab(const nn::GgufFile& file);

// Special tokens (tokenizer_special.cpp).
// Finds EOT, FIM and end-of-generation tokens the way llama.cpp does (metadata, then well-known
// texts), marks them control, and orders the tokens to look for in text.
void resolve_special_tokens(Vocab& vocab, const nn::GgufFile& file);
// `text` cut into stretches of plain text and special tokens found in it.
struct Fragment {
  Token token;  // kNoToken for plain text
  std::string_view text;
};
std::vector<Fragment> split_special_tokens(const Vocab& vocab, std::string_view text,
                                           bool parse_special);

// SentencePiece-style tokenization (tokenizer_spm.cpp): appends the tokens of one fragment, with
// a space before it when space_prefix.
void spm_encode(const Vocab& vocab, std::string_view text, bool space_prefix,
                std::vector<Token>& out);
// The bytes a normal SentencePiece token stands for: "▁" back to " ".
std::string spm_normal_piece(std::string_view text);

// Byte-level BPE (tokenizer_bpe.cpp).
struct BpeSettings {
  PreTokenizer pre_tokenizer;
  bool clean_spaces;
  bool ignore_merges;
  bool add_bos;
};
// The BPE settings llama.cpp gives tokenizer.ggml.pre, or nullopt when it is not supported.
std::optional<BpeSettings> bpe_settings(std::string_view pre);
void bpe_encode(const Vocab& vocab, std::string_view text, std::vector<Token>& out);
// The bytes a normal byte-level token stands for: "Ġ" back to " " and so on.
std::string bpe_normal_piece(std::string_view text);

}  // namespace tektra::llm::detail
