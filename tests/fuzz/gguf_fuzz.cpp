// libFuzzer target: arbitrary bytes as a GGUF file, through the parser, the model binder and the
// tokenizer loader. Every input must end in a tektra::Error or a loaded model, never a crash.
// Build and run with scripts/fuzz-gguf.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "llm/model.h"
#include "llm/tokenizer.h"
#include "nn/gguf.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tektra;
  try {
    nn::GgufFile file = nn::GgufFile::parse(std::vector<uint8_t>(data, data + size));
    for (const auto& m : file.metadata()) (void)m.value.describe();
    try {
      const llm::Tokenizer tokenizer = llm::Tokenizer::from_gguf(file);
      const auto tokens = tokenizer.encode("Hello, world! <|im_start|> 123", true, true);
      (void)tokenizer.decode(tokens);
    } catch (const Error&) {
    }
    (void)llm::Model::from_file(std::move(file));
  } catch (const Error&) {
  }
  return 0;
}
