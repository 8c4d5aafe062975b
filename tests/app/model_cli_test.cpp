// `tektra generate`, `tektra model info | tokenize | synth` and `tektra bench llm` as a user runs
// them.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "app/cli_fixture.h"
#include "support/fixtures.h"

namespace tektra::test {
namespace {

TEST_F(Cli, GenerateStreamsTheGreedyContinuation) {
  TEKTRA_REQUIRE_FIXTURE("stories260K.gguf");
  ProcessResult r = tektra({"generate", "-m", fixture("stories260K.gguf").string(), "-p",
                            "Once upon a time", "-n", "40", "--temp", "0", "--threads", "2"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("Once upon a time, there was a little girl named Lily. She loved to play "
                        "outside in the park.",
                        0),
            0u)
      << r.out;
  EXPECT_NE(r.err.find("generated: 40 tokens"), std::string::npos) << r.err;
}

TEST_F(Cli, ModelInfoDescribesTheModel) {
  TEKTRA_REQUIRE_FIXTURE("stories260K.gguf");
  ProcessResult r = tektra({"model", "info", fixture("stories260K.gguf").string(), "--tensors"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const char* expected :
       {"GGUF v3", "48 tensors", "llama: 5 layers, embedding 64", "8 heads (4 key/value)",
        "tokenizer:    llama", "512 tokens", "blk.4.ffn_down.weight", "chat template: (none)"})
    EXPECT_NE(r.out.find(expected), std::string::npos) << expected << "\n" << r.out;
}

TEST_F(Cli, ModelInfoShowsTheChatTemplate) {
  TEKTRA_REQUIRE_FIXTURE("ggml-vocab-qwen2.gguf");
  ProcessResult r = tektra({"model", "info", fixture("ggml-vocab-qwen2.gguf").string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("<|im_start|>"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("tokenizer:    gpt2 (pre qwen2)"), std::string::npos) << r.out;
}

TEST_F(Cli, TokenizePrintsAJsonArray) {
  TEKTRA_REQUIRE_FIXTURE("stories260K.gguf");
  ProcessResult r =
      tektra({"model", "tokenize", "-m", fixture("stories260K.gguf").string(), "Once upon a time"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out), nlohmann::json({1, 403, 407, 261, 378}));
}

TEST_F(Cli, SynthesizedModelsLoadAndGenerate) {
  const std::string path = file("tiny.gguf");
  ProcessResult synth = tektra(
      {"model", "synth", "--arch", "qwen3", "--preset", "tiny", "--type", "q4_K", "-o", path});
  ASSERT_EQ(synth.exit_code, 0) << synth.err;
  ProcessResult info = tektra({"model", "info", path});
  EXPECT_NE(info.out.find("qwen3: 2 layers, embedding 256"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("q4_K"), std::string::npos) << info.out;
  ProcessResult gen = tektra({"generate", "-m", path, "-p", "hi", "-n", "8", "--seed", "1"});
  EXPECT_EQ(gen.exit_code, 0) << gen.err;
  EXPECT_NE(gen.err.find("generated: 8 tokens"), std::string::npos) << gen.err;
  ProcessResult bench = tektra({"bench", "llm", "-m", path, "-p", "32", "-n", "8", "-r", "1"});
  EXPECT_EQ(bench.exit_code, 0) << bench.err;
  for (const char* expected : {"prefill: 32 tokens", "decode:  8 tokens", "peak RSS", "bound:"})
    EXPECT_NE(bench.out.find(expected), std::string::npos) << expected << "\n" << bench.out;
}

TEST_F(Cli, BadModelsAreClearErrors) {
  const std::string junk = file("junk.gguf");
  std::ofstream(junk) << "this is not a model";
  ProcessResult r = tektra({"model", "info", junk});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not a GGUF file"), std::string::npos) << r.err;
  r = tektra({"generate", "-m", file("absent.gguf"), "-p", "x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("model_not_found"), std::string::npos) << r.err;
  r = tektra({"model", "synth", "--type", "q2_K", "-o", file("x.gguf")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot synthesize q2_K"), std::string::npos) << r.err;
  r = tektra({"generate", "-m", file("absent.gguf"), "-p", "x", "--repeat-penalty", "0"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--repeat-penalty"), std::string::npos) << r.err;
  TEKTRA_REQUIRE_FIXTURE("ggml-vocab-gpt-2.gguf");
  r = tektra({"generate", "-m", fixture("ggml-vocab-gpt-2.gguf").string(), "-p", "x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("architecture"), std::string::npos) << r.err;
}

TEST_F(Cli, DoctorSaysWhichModelsRun) {
  const auto models = data_.path() / "models";
  std::filesystem::create_directories(models);
  ProcessResult synth =
      tektra({"model", "synth", "--type", "q8_0", "-o", (models / "a.gguf").string()});
  ASSERT_EQ(synth.exit_code, 0) << synth.err;
  std::ofstream(models / "b.gguf") << "GGUF but not really";
  ProcessResult r = tektra({"doctor"});
  EXPECT_NE(r.out.find("ok       GGUF model             a.gguf: llama, 2 layers, embedding 256"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("b.gguf: cannot run:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("no chat template (ChatML)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("answers what no intent matches with " + (models / "a.gguf").string() +
                       ", and serves it at /v1/chat/completions"),
            std::string::npos)
      << r.out;
}

TEST_F(Cli, DoctorSaysWhetherTheRemoteModelAnswers) {
  ProcessResult r = tektra({"doctor", "--set", "llm.url=http://127.0.0.1:1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("MISSING  remote model           http://127.0.0.1:1: cannot connect"),
            std::string::npos)
      << r.out;
  r = tektra({"doctor", "--set", "llm.url=https://example.org"});
  EXPECT_NE(r.out.find("https is not supported"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace tektra::test
