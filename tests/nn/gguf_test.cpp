#include "nn/gguf.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "support/fixtures.h"
#include "support/temp_dir.h"
#include "support/thrown.h"

namespace tektra::nn {
namespace {

using test::thrown_code;

GgufWriter sample_writer() {
  GgufWriter w;
  w.set("general.architecture", "llama");
  w.set("test.u32", uint32_t{7});
  w.set("test.i32", int32_t{-3});
  w.set("test.u64", uint64_t{1} << 40);
  w.set("test.f32", 0.5f);
  w.set("test.bool", true);
  w.set_strings("test.strings", {"a", "", "ünïcödé"});
  w.set_floats("test.floats", {1.5f, -2.0f});
  w.set_ints("test.ints", {1, -1, 1 << 30});
  std::vector<uint8_t> data(4 * 3 * 2);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i);
  w.add_tensor("weights", {4, 3}, TensorType::F16, data);
  w.add_tensor("bias", {32}, TensorType::Q8_0, std::vector<uint8_t>(34, 1));
  return w;
}

TEST(Gguf, WriterOutputReadsBackWithEveryType) {
  GgufFile f = GgufFile::parse(sample_writer().serialize());
  EXPECT_EQ(f.version(), 3u);
  EXPECT_EQ(f.get_string("general.architecture"), "llama");
  EXPECT_EQ(f.get_int("test.u32"), 7);
  EXPECT_EQ(f.get_int("test.i32"), -3);
  EXPECT_EQ(f.get_int("test.u64"), int64_t{1} << 40);
  EXPECT_EQ(f.get_float("test.f32"), 0.5);
  EXPECT_EQ(f.get_bool("test.bool"), true);
  EXPECT_EQ(f.find("test.strings")->strings(), (std::vector<std::string_view>{"a", "", "ünïcödé"}));
  EXPECT_EQ(f.find("test.floats")->floats(), (std::vector<float>{1.5f, -2.0f}));
  EXPECT_EQ(f.find("test.ints")->ints(), (std::vector<int64_t>{1, -1, 1 << 30}));
  EXPECT_FALSE(f.get_int("absent").has_value());

  ASSERT_EQ(f.tensors().size(), 2u);
  const GgufTensor* w = f.tensor("weights");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->shape, (std::vector<int64_t>{4, 3}));
  EXPECT_EQ(w->type, TensorType::F16);
  EXPECT_EQ(w->bytes, 24u);
  EXPECT_EQ(w->data[5], 5);
  const GgufTensor* b = f.tensor("bias");
  EXPECT_EQ(b->offset % f.alignment(), 0u);
  EXPECT_EQ((b->data - w->data) % 32, 0);
  EXPECT_EQ(b->data[33], 1);
}

TEST(Gguf, CopiedValuesAreIdentical) {
  GgufFile original = GgufFile::parse(sample_writer().serialize());
  GgufWriter copy;
  for (const auto& m : original.metadata()) copy.copy(m.key, m.value);
  GgufFile again = GgufFile::parse(copy.serialize());
  ASSERT_EQ(again.metadata().size(), original.metadata().size());
  for (const auto& m : original.metadata())
    EXPECT_EQ(again.find(m.key)->describe(100), m.value.describe(100)) << m.key;
}

TEST(Gguf, WrongTypeNamesTheKey) {
  GgufFile f = GgufFile::parse(sample_writer().serialize());
  try {
    f.get_int("general.architecture");
    FAIL() << "no error";
  } catch (const GgufError& e) {
    EXPECT_NE(std::string(e.what()).find("general.architecture"), std::string::npos) << e.what();
  }
}

TEST(Gguf, EveryTruncationIsAClearError) {
  const auto bytes = sample_writer().serialize();
  // The padding after the last tensor is optional; everything before its end is required.
  const GgufFile whole = GgufFile::parse(bytes);
  const GgufTensor& last = whole.tensors().back();
  const size_t required = whole.data_offset() + last.offset + last.bytes;
  for (size_t n = 0; n < required; ++n) {
    std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_EQ(thrown_code([&] { GgufFile::parse(prefix); }), "invalid_gguf") << "length " << n;
  }
}

// Random corruption must never crash or read out of bounds (run under ASan to see the latter).
TEST(Gguf, CorruptedFilesNeverCrash) {
  const auto bytes = sample_writer().serialize();
  std::mt19937 rng(1234);
  int parsed = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    auto mutated = bytes;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < flips; ++i) mutated[rng() % mutated.size()] = static_cast<uint8_t>(rng());
    try {
      GgufFile f = GgufFile::parse(mutated);
      for (const auto& m : f.metadata()) (void)m.value.describe();
      ++parsed;
    } catch (const GgufError&) {
    }
  }
  EXPECT_GT(parsed, 0);  // some flips land in tensor data and keep the file valid
}

std::vector<uint8_t> header(uint32_t magic, uint32_t version) {
  std::vector<uint8_t> out(24, 0);
  std::memcpy(out.data(), &magic, 4);
  std::memcpy(out.data() + 4, &version, 4);
  return out;
}

TEST(Gguf, RejectsOtherFormatsAndVersions) {
  EXPECT_EQ(thrown_code([] { GgufFile::parse({'g', 'g', 'm', 'l', 0, 0, 0, 0}); }), "invalid_gguf");
  EXPECT_EQ(thrown_code([] { GgufFile::parse(header(0x46554747, 1)); }), "unsupported_gguf");
  EXPECT_EQ(thrown_code([] { GgufFile::parse(header(0x46554747, 4)); }), "unsupported_gguf");
  EXPECT_EQ(thrown_code([] { GgufFile::parse(header(0x47475546, 3)); }), "unsupported_gguf");
  EXPECT_NO_THROW(GgufFile::parse(header(0x46554747, 2)));
}

// Patches the raw type id of the first tensor in a one-tensor file.
TEST(Gguf, UnknownTensorTypeIsUnsupported) {
  GgufWriter w;
  w.add_tensor("t", {32}, TensorType::F32, std::vector<uint8_t>(128));
  auto bytes = w.serialize();
  // header 24 + name (8 + 1) + n_dims 4 + dim 8 = 45: the type id follows.
  const uint32_t bogus = 99;
  std::memcpy(bytes.data() + 45, &bogus, 4);
  EXPECT_EQ(thrown_code([&] { GgufFile::parse(bytes); }), "unsupported_gguf");
}

TEST(Gguf, WriterRejectsMismatchedData) {
  GgufWriter w;
  EXPECT_EQ(
      thrown_code([&] { w.add_tensor("t", {32}, TensorType::Q8_0, std::vector<uint8_t>(33)); }),
      "invalid_gguf");
  EXPECT_EQ(
      thrown_code([&] { w.add_tensor("t", {31}, TensorType::Q8_0, std::vector<uint8_t>(34)); }),
      "invalid_gguf");
}

TEST(Gguf, OpenMapsFilesAndExplainsMissingOnes) {
  test::TempDir dir;
  sample_writer().write(dir.file("m.gguf"));
  GgufFile f = GgufFile::open(dir.file("m.gguf"));
  EXPECT_EQ(f.tensors().size(), 2u);
  EXPECT_EQ(thrown_code([&] { GgufFile::open(dir.file("absent.gguf")); }), "model_not_found");
  dir.write("empty.gguf", "");
  EXPECT_EQ(thrown_code([&] { GgufFile::open(dir.file("empty.gguf")); }), "invalid_gguf");
}

TEST(Gguf, ReadsTheStoriesModel) {
  TEKTRA_REQUIRE_FIXTURE("stories260K.gguf");
  GgufFile f = GgufFile::open(test::fixture("stories260K.gguf"));
  EXPECT_EQ(f.get_string("general.architecture"), "llama");
  EXPECT_EQ(f.tensors().size(), 48u);
  EXPECT_EQ(f.get_int("llama.embedding_length"), 64);
  EXPECT_EQ(f.find("tokenizer.ggml.tokens")->size(), 512u);
  const GgufTensor* embd = f.tensor("token_embd.weight");
  ASSERT_NE(embd, nullptr);
  EXPECT_EQ(embd->shape, (std::vector<int64_t>{64, 512}));
}

TEST(Gguf, ReadsVocabularyOnlyFiles) {
  for (const char* name : {"ggml-vocab-llama-spm.gguf", "ggml-vocab-gpt-2.gguf",
                           "ggml-vocab-llama-bpe.gguf", "ggml-vocab-qwen2.gguf"}) {
    TEKTRA_REQUIRE_FIXTURE(name);
    GgufFile f = GgufFile::open(test::fixture(name));
    EXPECT_TRUE(f.tensors().empty()) << name;
    EXPECT_GT(f.find("tokenizer.ggml.tokens")->size(), 30000u) << name;
  }
}

}  // namespace
}  // namespace tektra::nn
