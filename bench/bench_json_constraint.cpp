// The per-token cost of JSON-constrained sampling over real vocabularies (llama.cpp's vocab
// fixtures, 32k to 152k tokens), single-threaded, beside the cost of sampling itself:
//
//   Sample            an unconstrained draw (default settings: top-k 40, top-p, min-p)
//   Check             allows() on the sampled token: the whole cost of a step it accepts
//   Mask/<state>      fill_allowed(): the pass over the vocabulary when the token is refused
//   Refused/<state>   the step a refusal costs end to end: draw, check, mask, masked draw
//   Build             the ConstraintVocab, once per tokenizer
//
// States: "key" after '{' (few tokens fit: a first-byte refusal skips whole ranges), "value"
// after ':' (numbers, literals, strings, containers), "string" inside a string (nearly every
// token fits and is walked to its end). Run from the repository:
//   build/release/bench/bench_json_constraint [--benchmark_filter=llama_bpe]
#include <benchmark/benchmark.h>

#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "llm/json_constraint.h"
#include "llm/sampler.h"
#include "nn/gguf.h"

namespace tektra::llm {
namespace {

std::filesystem::path fixtures() {
  if (const char* env = std::getenv("TEKTRA_FIXTURES")) return env;
  return TEKTRA_FIXTURES_DIR;
}

std::shared_ptr<const ConstraintVocab> vocab(const std::string& name) {
  static std::map<std::string, std::shared_ptr<const ConstraintVocab>> loaded;
  auto& v = loaded[name];
  if (!v)
    v = std::make_shared<const ConstraintVocab>(
        Tokenizer::from_gguf(nn::GgufFile::open(fixtures() / ("ggml-vocab-" + name + ".gguf"))));
  return v;
}

// Model-like logits: normal noise with a few strong candidates.
std::vector<float> logits(size_t n) {
  std::mt19937 rng(7);
  std::normal_distribution<float> noise(0.0f, 2.0f);
  std::vector<float> out(n);
  for (float& x : out) x = noise(rng);
  for (size_t i = 0; i < 8; ++i) out[(i * 7919) % n] += 10.0f;
  return out;
}

JsonConstraint constraint_in(const std::shared_ptr<const ConstraintVocab>& v,
                             const std::string& state) {
  JsonConstraint c(v);
  const std::string text = state == "key"     ? "{"
                           : state == "value" ? "{\"name\": "
                                              : "{\"name\": \"Once upon a time";
  for (const Token t : v->tokenizer().encode(text, false, false)) c.accept(t);
  return c;
}

void Build(benchmark::State& state, const std::string& name) {
  const Tokenizer tokenizer = vocab(name)->tokenizer();
  for (auto _ : state) benchmark::DoNotOptimize(ConstraintVocab(tokenizer));
}

void Sample(benchmark::State& state, const std::string& name) {
  const auto n = static_cast<size_t>(vocab(name)->tokenizer().size());
  const auto l = logits(n);
  Sampler sampler({.seed = 1}, static_cast<int64_t>(n));
  for (auto _ : state) benchmark::DoNotOptimize(sampler.sample(l));
}

void Check(benchmark::State& state, const std::string& name) {
  const auto v = vocab(name);
  const JsonConstraint c = constraint_in(v, "string");
  const Token token = v->tokenizer().encode(" upon", false, false).back();
  for (auto _ : state) benchmark::DoNotOptimize(c.allows(token));
}

void Mask(benchmark::State& state, const std::string& name, const std::string& where) {
  const auto v = vocab(name);
  JsonConstraint c = constraint_in(v, where);
  std::vector<uint8_t> allowed(static_cast<size_t>(v->tokenizer().size()));
  for (auto _ : state) {
    c.fill_allowed(allowed);
    benchmark::DoNotOptimize(allowed.data());
  }
}

void Refused(benchmark::State& state, const std::string& name, const std::string& where) {
  const auto v = vocab(name);
  JsonConstraint c = constraint_in(v, where);
  const auto n = static_cast<size_t>(v->tokenizer().size());
  const auto l = logits(n);
  std::vector<uint8_t> allowed(n);
  Sampler sampler({.seed = 1}, static_cast<int64_t>(n));
  for (auto _ : state) {
    Token token = sampler.sample(l);
    benchmark::DoNotOptimize(c.allows(token));
    c.fill_allowed(allowed);
    token = sampler.sample(l, allowed);
    benchmark::DoNotOptimize(token);
  }
}

const bool registered = [] {
  for (const std::string name : {"llama-spm", "gpt-2", "llama-bpe", "qwen2"}) {
    if (!std::filesystem::exists(fixtures() / ("ggml-vocab-" + name + ".gguf"))) continue;
    std::string id = name;
    for (char& ch : id)
      if (ch == '-') ch = '_';
    benchmark::RegisterBenchmark(("Build/" + id).c_str(), Build, name)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("Sample/" + id).c_str(), Sample, name)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("Check/" + id).c_str(), Check, name);
    for (const std::string where : {"key", "value", "string"}) {
      benchmark::RegisterBenchmark(("Mask/" + id + "/" + where).c_str(), Mask, name, where)
          ->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark(("Refused/" + id + "/" + where).c_str(), Refused, name, where)
          ->Unit(benchmark::kMicrosecond);
    }
  }
  return true;
}();

}  // namespace
}  // namespace tektra::llm

BENCHMARK_MAIN();
