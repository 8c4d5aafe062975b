// Special tokens: which ones end a turn or the generation (named by metadata, or recognised by
// their text as llama.cpp does), and finding special-token texts in text to tokenize.
#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <string>

#include "llm/tokenizer_vocab.h"

namespace tektra::llm::detail {
namespace {

using Keys = std::initializer_list<std::string_view>;
using Texts = std::initializer_list<std::string_view>;

// Texts that identify a role when no metadata key names its token, most common first. (llama.cpp
// takes whichever its hash map yields first; a fixed order keeps ours deterministic.)
const Texts kEotTexts = {
    "<|eot_id|>",        "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
    "<|end_of_text|>",   "<EOT>",      "_<EOT>",  "[EOT]",         "<｜end▁of▁sentence｜>",
    "<end_of_utterance>"};
const Texts kFimPrefixTexts = {"<|fim_prefix|>",  "<fim-prefix>", "<fim_prefix>",
                               "<｜fim▁begin｜>", "<PRE>",        "▁<PRE>",
                               "<|code_prefix|>", "<|prefix|>"};
const Texts kFimSuffixTexts = {"<|fim_suffix|>",  "<fim-suffix>", "<fim_suffix>",
                               "<｜fim▁hole｜>",  "<SUF>",        "▁<SUF>",
                               "<|code_suffix|>", "<|suffix|>"};
const Texts kFimMiddleTexts = {"<|fim_middle|>", "<fim-middle>", "<fim_middle>",    "<｜fim▁end｜>",
                               "<MID>",          "▁<MID>",       "<|code_middle|>", "<|middle|>"};
const Texts kFimPadTexts = {"<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"};
const Texts kFimRepoTexts = {"<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"};
// Every token with one of these texts ends generation.
const Texts kEndOfGenerationTexts = {"<|eot_id|>",
                                     "<|im_end|>",
                                     "<|end|>",
                                     "<|return|>",
                                     "<|call|>",
                                     "<|flush|>",
                                     "<|calls|>",
                                     "<end_of_turn>",
                                     "<|endoftext|>",
                                     "</s>",
                                     "<|eom_id|>",
                                     "<EOT>",
                                     "_<EOT>",
                                     "[EOT]",
                                     "[EOS]",
                                     "<|end_of_text|>",
                                     "<end_of_utterance>",
                                     "<eos>",
                                     "<turn|>",
                                     "<|tool_response>",
                                     "<｜end▁of▁sentence｜>",
                                     "[e~["};

// The token the first present key names, else the first token with one of `texts`, which then
// becomes a control token (llama.cpp: "control-looking token ... was not control-type").
Token find_role(Vocab& vocab, const nn::GgufFile& file, Keys keys, Texts texts) {
  for (const auto key : keys) {
    const auto id = file.get_int(key);
    if (id && *id >= 0 && *id < static_cast<int64_t>(vocab.texts.size())) {
      return static_cast<Token>(*id);
    }
  }
  for (const auto text : texts) {
    if (const auto id = vocab.find(text)) {
      vocab.attrs[*id] |= kAttrControl;
      return *id;
    }
  }
  return kNoToken;
}

// Phi-3's added tokens swallow the whitespace after them (rstrip in its tokenizer.json); llama.cpp
// recognises the model by name.
void apply_phi3_rstrip(Vocab& vocab, const nn::GgufFile& file) {
  std::string name = file.get_string("general.name").value_or("");
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (name.find("phi-3") == std::string::npos && name.find("phi3") == std::string::npos) return;
  for (const Token id : vocab.special_tokens) vocab.attrs[id] |= kAttrRstrip;
  if (const auto id = vocab.find("</s>")) vocab.attrs[*id] |= kAttrRstrip;
  for (const auto text : {"<unk>", "<s>", "<|endoftext|>"}) {
    if (const auto id = vocab.find(text)) vocab.attrs[*id] &= ~kAttrRstrip;
  }
}

bool is_c_space(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}

}  // namespace

void resolve_special_tokens(Vocab& vocab, const nn::GgufFile& file) {
  vocab.eot = find_role(vocab, file, {"tokenizer.ggml.eot_token_id"}, kEotTexts);
  const Token eom = find_role(vocab, file, {"tokenizer.ggml.eom_token_id"}, {"<|eom_id|>"});
  // Fill-in-the-middle markers become control tokens; padding, repository and file separators
  // also end generation.
  find_role(vocab, file, {"tokenizer.ggml.prefix_token_id", "tokenizer.ggml.fim_pre_token_id"},
            kFimPrefixTexts);
  find_role(vocab, file, {"tokenizer.ggml.suffix_token_id", "tokenizer.ggml.fim_suf_token_id"},
            kFimSuffixTexts);
  find_role(vocab, file, {"tokenizer.ggml.middle_token_id", "tokenizer.ggml.fim_mid_token_id"},
            kFimMiddleTexts);
  std::vector<Token> eog = {
      find_role(vocab, file, {"tokenizer.ggml.fim_pad_token_id"}, kFimPadTexts),
      find_role(vocab, file, {"tokenizer.ggml.fim_rep_token_id"}, kFimRepoTexts),
      find_role(vocab, file, {"tokenizer.ggml.fim_sep_token_id"}, {"<|file_sep|>"}),
      vocab.eos,
      vocab.eot,
      eom,
  };
  for (const auto text : kEndOfGenerationTexts) {
    if (const auto id = vocab.find(text)) {
      vocab.attrs[*id] |= kAttrControl;
      eog.push_back(*id);
    }
  }
  std::erase(eog, kNoToken);
  std::sort(eog.begin(), eog.end());
  eog.erase(std::unique(eog.begin(), eog.end()), eog.end());
  vocab.end_of_generation = std::move(eog);

  for (Token id = 0; id < static_cast<Token>(vocab.texts.size()); ++id) {
    if (vocab.attrs[id] & (kAttrControl | kAttrUserDefined | kAttrUnknown)) {
      vocab.special_tokens.push_back(id);
    }
  }
  std::stable_sort(vocab.special_tokens.begin(), vocab.special_tokens.end(),
                   [&](Token a, Token b) { return vocab.texts[a].size() > vocab.texts[b].size(); });
  apply_phi3_rstrip(vocab, file);
}

// Each special token in turn, longest first, is cut out of the plain-text fragments left by the
// ones before it, leftmost occurrence first.
std::vector<Fragment> split_special_tokens(const Vocab& vocab, std::string_view text,
                                           bool parse_special) {
  std::vector<Fragment> fragments;
  if (!text.empty()) fragments.push_back({kNoToken, text});
  std::vector<Fragment> next;
  for (const Token id : vocab.special_tokens) {
    const uint8_t attr = vocab.attrs[id];
    // Without parse_special only user-defined tokens are recognised.
    if (!parse_special && (attr & (kAttrControl | kAttrUnknown))) continue;
    const std::string_view special = vocab.texts[id];
    next.clear();
    for (const Fragment& fragment : fragments) {
      if (fragment.token != kNoToken) {
        next.push_back(fragment);
        continue;
      }
      std::string_view rest = fragment.text;
      for (size_t match; (match = rest.find(special)) != std::string_view::npos;) {
        if (match > 0) next.push_back({kNoToken, rest.substr(0, match)});
        next.push_back({id, special});
        rest.remove_prefix(match + special.size());
        if (attr & kAttrRstrip) {
          while (!rest.empty() && is_c_space(rest.front())) rest.remove_prefix(1);
        }
      }
      if (!rest.empty()) next.push_back({kNoToken, rest});
    }
    fragments.swap(next);
  }
  return fragments;
}

}  // namespace tektra::llm::detail
