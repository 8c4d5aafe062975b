// Reading a tokenizer from GGUF metadata: the vocabulary, merges, settings and special tokens,
// with the defaults llama.cpp gives each tokenizer model.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <string>

#include "llm/tokenizer_vocab.h"

namespace tektra::llm::detail {
namespace {

Error invalid(const std::string& message) {
  return Error("invalid_tokenizer", message);
}

// tokenizer.ggml.token_type: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte.
uint8_t attr_from_type(int64_t type) {
  switch (type) {
    case 1:
      return kAttrNormal;
    case 2:
      return kAttrUnknown;
    case 3:
      return kAttrControl;
    case 4:
      return kAttrUserDefined;
    case 6:
      return kAttrByte;
    default:  // unused or undefined: never produced by tokenizing, rendered as nothing
      return 0;
  }
}

// The token `key` names, or `fallback` when it names none in the vocabulary.
Token token_id(const nn::GgufFile& file, std::string_view key, Token fallback, size_t n_tokens) {
  if (fallback >= static_cast<Token>(n_tokens)) fallback = kNoToken;
  const auto id = file.get_int(key);
  if (!id || *id < 0 || *id >= static_cast<int64_t>(n_tokens)) return fallback;
  return static_cast<Token>(*id);
}

void read_tokens(Vocab& vocab, const nn::GgufFile& file) {
  const nn::GgufValue* tokens = file.find("tokenizer.ggml.tokens");
  if (!tokens) throw invalid("the file has no tokenizer.ggml.tokens");
  const std::vector<std::string_view> texts = tokens->strings();
  const size_t n = texts.size();

  vocab.scores.assign(n, 0.0f);
  if (const nn::GgufValue* scores = file.find("tokenizer.ggml.scores")) {
    std::vector<float> values = scores->floats();
    if (values.size() < n) throw invalid("tokenizer.ggml.scores is shorter than the vocabulary");
    values.resize(n);
    vocab.scores = std::move(values);
  }
  vocab.attrs.assign(n, kAttrNormal);
  if (const nn::GgufValue* types = file.find("tokenizer.ggml.token_type")) {
    const std::vector<int64_t> values = types->ints();
    if (values.size() < n) {
      throw invalid("tokenizer.ggml.token_type is shorter than the vocabulary");
    }
    for (size_t i = 0; i < n; ++i) vocab.attrs[i] = attr_from_type(values[i]);
  }

  vocab.texts.reserve(n);
  vocab.ids.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    std::string text(texts[i]);
    if (text.empty()) text = fmt::format("[EMPTY_{}]", i);
    if (!vocab.ids.emplace(text, static_cast<Token>(i)).second) {
      throw invalid(fmt::format("token {} repeats the text of an earlier token", i));
    }
    vocab.texts.push_back(std::move(text));
  }
}

void read_merges(Vocab& vocab, const nn::GgufFile& file) {
  const nn::GgufValue* merges = file.find("tokenizer.ggml.merges");
  if (!merges) throw invalid("the file has no tokenizer.ggml.merges");
  const std::vector<std::string_view> pairs = merges->strings();
  vocab.merge_ranks.reserve(pairs.size());
  for (size_t rank = 0; rank < pairs.size(); ++rank) {
    // "left right", split at the first space after the first byte; a later duplicate is ignored.
    if (pairs[rank].find(' ', 1) == std::string_view::npos) continue;
    vocab.merge_ranks.emplace(pairs[rank], static_cast<int32_t>(rank));
  }
}

// SentencePiece byte fallback: "<0x41>", else the byte itself, else the unknown token.
void find_byte_tokens(Vocab& vocab) {
  for (int b = 0; b < 256; ++b) {
    const auto hex = vocab.find(fmt::format("<0x{:02X}>", b));
    const auto raw = vocab.find(std::string(1, static_cast<char>(b)));
    vocab.byte_tokens[b] = hex ? *hex : raw ? *raw : vocab.unk;
  }
}

// What the token stands for when rendered with its control text (llama.cpp's token_to_piece).
std::string token_piece(const Vocab& vocab, Token id) {
  const uint8_t attr = vocab.attrs[id];
  const std::string& text = vocab.texts[id];
  if (attr & (kAttrUnknown | kAttrControl | kAttrUserDefined)) return text;
  if (attr & kAttrNormal) {
    return vocab.family == Family::SentencePiece ? spm_normal_piece(text) : bpe_normal_piece(text);
  }
  if (attr & kAttrByte) {  // "<0x0A>": the two hex digits, read as strtol would
    unsigned value = 0;
    const std::string_view digits =
        std::string_view(text).substr(std::min<size_t>(3, text.size()), 2);
    std::from_chars(digits.data(), digits.data() + digits.size(), value, 16);
    return std::string(1, static_cast<char>(value));
  }
  return "";
}

}  // namespace

Vocab load_vocab(const nn::GgufFile& file) {
  Vocab vocab;
  const auto model = file.get_string("tokenizer.ggml.model");
  if (!model) throw invalid("the file has no tokenizer.ggml.model");
  vocab.model = *model;
  vocab.pre = file.get_string("tokenizer.ggml.pre").value_or("");
  std::optional<BpeSettings> bpe;
  if (vocab.model == "gpt2") {
    bpe = bpe_settings(vocab.pre);
    if (!bpe) {
      throw Error("unsupported_tokenizer",
                  fmt::format("pre-tokenizer \"{}\" (tokenizer.ggml.pre) is not supported; "
                              "byte-level BPE supports the GPT-2, Llama 3 and Qwen2 families",
                              vocab.pre));
    }
  } else if (vocab.model != "llama") {
    throw Error("unsupported_tokenizer",
                fmt::format("tokenizer model \"{}\" (tokenizer.ggml.model) is not supported; "
                            "supported: \"llama\" (SentencePiece) and \"gpt2\" (byte-level BPE)",
                            vocab.model));
  }

  read_tokens(vocab, file);
  const size_t n = vocab.texts.size();
  if (bpe) {
    vocab.family = Family::BytePairEncoding;
    vocab.pre_tokenizer = bpe->pre_tokenizer;
    vocab.clean_spaces = bpe->clean_spaces;
    vocab.ignore_merges = bpe->ignore_merges;
    vocab.add_bos = bpe->add_bos;
    vocab.bos = token_id(file, "tokenizer.ggml.bos_token_id", 11, n);
    vocab.eos = token_id(file, "tokenizer.ggml.eos_token_id", 11, n);
    vocab.unk = token_id(file, "tokenizer.ggml.unknown_token_id", kNoToken, n);
    read_merges(vocab, file);
  } else {
    vocab.family = Family::SentencePiece;
    vocab.bos = token_id(file, "tokenizer.ggml.bos_token_id", 1, n);
    vocab.eos = token_id(file, "tokenizer.ggml.eos_token_id", 2, n);
    vocab.unk = token_id(file, "tokenizer.ggml.unknown_token_id", 0, n);
    vocab.add_bos = true;
    vocab.add_space_prefix = true;
    find_byte_tokens(vocab);
  }

  vocab.add_space_prefix =
      file.get_bool("tokenizer.ggml.add_space_prefix").value_or(vocab.add_space_prefix);
  vocab.add_bos = file.get_bool("tokenizer.ggml.add_bos_token").value_or(vocab.add_bos);
  vocab.add_eos = file.get_bool("tokenizer.ggml.add_eos_token").value_or(vocab.add_eos);
  if (vocab.add_bos && vocab.bos == kNoToken) throw invalid("BOS is to be added but there is none");
  if (vocab.add_eos && vocab.eos == kNoToken) throw invalid("EOS is to be added but there is none");

  resolve_special_tokens(vocab, file);
  vocab.pieces.reserve(n);
  for (Token id = 0; id < static_cast<Token>(n); ++id)
    vocab.pieces.push_back(token_piece(vocab, id));
  return vocab;
}

}  // namespace tektra::llm::detail
