// Generation end to end on the real trained stories260K model, and on synthesized models.
#include "llm/generator.h"

#include <gtest/gtest.h>

#include "llm/synth.h"
#include "support/fixtures.h"
#include "support/temp_dir.h"

namespace tektra::llm {
namespace {

// llama.cpp's greedy continuation of "Once upon a time" with stories260K.gguf: 200 tokens from
// llama-simple (argmax sampler, 2 threads; identical with an f16 or f32 KV cache).
constexpr std::string_view kStoriesContinuation =
    ", there was a little girl named Lily. She loved to play outside in the park. One day, she "
    "saw a big, red ball. She wanted to play with it, but it was too high.\nLily's mom said, "
    "\"Lily, let's go to the park.\" Lily was sad and didn't know what to do. She said, \"I want "
    "to play with your ball, but I can't find it.\"\nLily was sad and didn't know what to do. She "
    "said, \"I'm sorry, Lily. I didn't know what to do.\"\nLily didn't want to help her mom, so "
    "she said, \"I";

GenerateOptions greedy(int max_tokens) {
  GenerateOptions o;
  o.max_tokens = max_tokens;
  o.sampling.temperature = 0;
  return o;
}

class Stories : public ::testing::Test {
 protected:
  void SetUp() override {
    TEKTRA_REQUIRE_FIXTURE("stories260K.gguf");
    model_ = Model::load(test::fixture("stories260K.gguf"));
    tokenizer_ = std::make_unique<Tokenizer>(Tokenizer::from_gguf(model_->file()));
    prompt_ = tokenizer_->encode("Once upon a time", true, false);
  }
  Generation run(Context& ctx, const GenerateOptions& o, const TextCallback& cb = {},
                 const CancellationToken& cancel = {}) {
    return generate(ctx, *tokenizer_, prompt_, o, cb, cancel);
  }
  std::shared_ptr<const Model> model_;
  std::unique_ptr<Tokenizer> tokenizer_;
  std::vector<Token> prompt_;
};

TEST_F(Stories, GreedyContinuationMatchesLlamaCpp) {
  EXPECT_EQ(prompt_, (std::vector<Token>{1, 403, 407, 261, 378}));
  for (int threads : {1, 2}) {
    Context ctx(model_, {.n_ctx = 256, .threads = threads});
    std::string streamed;
    const Generation g = run(ctx, greedy(200), [&](std::string_view t) {
      streamed += t;
      return true;
    });
    EXPECT_EQ(g.text, kStoriesContinuation) << threads << " threads";
    EXPECT_EQ(streamed, g.text);
    EXPECT_EQ(g.tokens.size(), 200u);
    EXPECT_EQ(g.finish, FinishReason::Length);
    EXPECT_EQ(g.prompt_tokens, 5);
  }
}

TEST_F(Stories, StopStringEndsBeforeItAndIsNeverStreamed) {
  Context ctx(model_, {.n_ctx = 256});
  GenerateOptions o = greedy(200);
  o.stop = {"the park", "unused"};
  std::string streamed;
  const Generation g = run(ctx, o, [&](std::string_view t) {
    streamed += t;
    return true;
  });
  EXPECT_EQ(g.text, ", there was a little girl named Lily. She loved to play outside in ");
  EXPECT_EQ(streamed, g.text);
  EXPECT_EQ(g.finish, FinishReason::Stop);
}

TEST_F(Stories, CancellationStopsWithinOneToken) {
  Context ctx(model_, {.n_ctx = 256});
  CancellationToken cancel;
  int pieces = 0;
  const Generation g = run(
      ctx, greedy(200),
      [&](std::string_view) {
        if (++pieces == 3) cancel.cancel();
        return true;
      },
      cancel);
  EXPECT_EQ(g.finish, FinishReason::Cancelled);
  EXPECT_EQ(g.tokens.size(), 3u);

  const Generation refused = run(ctx, greedy(200), [](std::string_view) { return false; });
  EXPECT_EQ(refused.finish, FinishReason::Cancelled);
  EXPECT_EQ(refused.tokens.size(), 1u);
}

TEST_F(Stories, SeededSamplingIsReproducible) {
  GenerateOptions o;
  o.max_tokens = 40;
  o.sampling.temperature = 1.0f;
  o.sampling.seed = 7;
  Context a(model_, {.n_ctx = 256}), b(model_, {.n_ctx = 256});
  const Generation first = run(a, o);
  EXPECT_EQ(run(b, o).text, first.text);
  o.sampling.seed = 8;
  Context c(model_, {.n_ctx = 256});
  EXPECT_NE(run(c, o).text, first.text);
  EXPECT_EQ(first.seed, 7u);
}

TEST_F(Stories, ExtendingThePromptReusesTheCache) {
  Context ctx(model_, {.n_ctx = 256});
  const Generation first = run(ctx, greedy(20));
  std::vector<Token> longer = prompt_;
  longer.insert(longer.end(), first.tokens.begin(), first.tokens.end());
  const Generation second = generate(ctx, *tokenizer_, longer, greedy(20));
  EXPECT_EQ(second.cached_tokens, static_cast<int>(longer.size()) - 1);

  Context fresh(model_, {.n_ctx = 256});
  EXPECT_EQ(generate(fresh, *tokenizer_, longer, greedy(20)).text, second.text);
}

TEST_F(Stories, GeneratesPastTheContextByShifting) {
  Context ctx(model_, {.n_ctx = 32});
  const Generation g = run(ctx, greedy(100));
  EXPECT_EQ(g.tokens.size(), 100u);
  EXPECT_LE(ctx.n_past(), 32);
}

TEST_F(Stories, ZeroTokensGeneratesNothing) {
  Context ctx(model_, {.n_ctx = 64});
  const Generation g = run(ctx, greedy(0));
  EXPECT_TRUE(g.text.empty());
  EXPECT_EQ(g.finish, FinishReason::Length);
}

class GenerateErrors : public ::testing::Test {
 protected:
  // The error code generate() throws for `prompt` in a context of 8 positions.
  std::string error_for(const std::vector<Token>& prompt) {
    Context ctx(model_, {.n_ctx = 8});
    try {
      generate(ctx, tokenizer_, prompt, greedy(4));
    } catch (const Error& e) {
      return e.code();
    }
    return "(no error)";
  }
  test::TempDir dir_;
  std::shared_ptr<const Model> model_ = [this] {
    synthesize_model({}, dir_.file("m.gguf"));
    return Model::load(dir_.file("m.gguf"));
  }();
  Tokenizer tokenizer_ = Tokenizer::from_gguf(model_->file());
};

TEST_F(GenerateErrors, PromptLongerThanTheContext) {
  EXPECT_EQ(error_for(tokenizer_.encode("a prompt of more than eight bytes", true, false)),
            "context_full");
}

TEST_F(GenerateErrors, EmptyPrompt) {
  EXPECT_EQ(error_for({}), "empty_prompt");
}

}  // namespace
}  // namespace tektra::llm
