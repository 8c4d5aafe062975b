// Finding the parts of a pocketsphinx model on disk, and saying what is missing.
#include "stt/pocketsphinx_model.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"

namespace tektra {
namespace {

namespace fs = std::filesystem;

class ModelDirectory : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() /
        ("tektra-stt-model-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const fs::path& relative, const std::string& content = "x") {
    fs::create_directories((dir_ / relative).parent_path());
    std::ofstream(dir_ / relative) << content;
  }
  void write_acoustic_model(const std::string& name) {
    for (const char* file : {"mdef", "means", "variances", "transition_matrices"}) {
      write(fs::path(name) / file);
    }
    write(fs::path(name) / "noisedict", "<s> SIL\n</s> SIL\n<sil> SIL\n[NOISE] +NSN+\n\n");
  }
  std::string error_message() {
    try {
      find_pocketsphinx_model(dir_);
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), "engine_unavailable");
      return error.what();
    }
    return "no error";
  }

  fs::path dir_;
};

TEST_F(ModelDirectory, FindsTheDebianLayoutAndSkipsThePhoneticLanguageModel) {
  write_acoustic_model("en-us");
  write("cmudict-en-us.dict");
  write("en-us-phone.lm.bin");
  write("en-us.lm.bin");
  const PocketsphinxModel model = find_pocketsphinx_model(dir_);
  EXPECT_EQ(model.acoustic_model, dir_ / "en-us");
  EXPECT_EQ(model.dictionary, dir_ / "cmudict-en-us.dict");
  EXPECT_EQ(model.language_model, dir_ / "en-us.lm.bin");
  EXPECT_EQ(model.filler_words, (std::set<std::string>{"<s>", "</s>", "<sil>", "[NOISE]"}));
}

TEST_F(ModelDirectory, NamesEveryMissingPart) {
  write("en-us.lm.bin");
  write("en-us/mdef");  // an acoustic model needs more than its mdef
  const std::string message = error_message();
  EXPECT_NE(message.find("acoustic model"), std::string::npos) << message;
  EXPECT_NE(message.find("dictionary"), std::string::npos) << message;
  EXPECT_EQ(message.find("language model"), std::string::npos) << message;
  EXPECT_NE(message.find("pocketsphinx-en-us"), std::string::npos) << message;
}

TEST_F(ModelDirectory, MissingDirectoryIsEngineUnavailable) {
  dir_ /= "absent";
  EXPECT_NE(error_message().find("does not exist"), std::string::npos);
}

TEST(InstalledModel, DebianPackageIsComplete) {
  const fs::path dir = "/usr/share/pocketsphinx/model/en-us";
  if (!fs::exists(dir)) GTEST_SKIP() << "pocketsphinx-en-us is not installed";
  const PocketsphinxModel model = find_pocketsphinx_model(dir);
  EXPECT_EQ(model.language_model.filename(), "en-us.lm.bin");
  EXPECT_TRUE(model.filler_words.count("<sil>"));
  EXPECT_TRUE(model.filler_words.count("[NOISE]"));
}

}  // namespace
}  // namespace tektra
