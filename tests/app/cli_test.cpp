// The real tektra binary from the command line: version, chat, say, transcribe, doctor, config and
// its errors.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "app/cli_fixture.h"
#include "audio/wav.h"
#include "store/store.h"
#include "support/fixtures.h"
#include "support/temp_dir.h"

namespace tektra::test {
namespace {

using nlohmann::json;

TEST_F(Cli, Version) {
  ProcessResult r = tektra({"version"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("tektra ", 0), 0u) << r.out;
  EXPECT_GT(trim(r.out).size(), std::string("tektra ").size());
}

TEST_F(Cli, ChatOneShot) {
  ProcessResult r = tektra({"chat", "-m", "what is 12 times 7"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("84"), std::string::npos) << r.out;
}

TEST_F(Cli, ChatRepl) {
  ProcessResult r = tektra({"chat"}, "what is 12 times 7\nwhat is 2 plus 3\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  size_t first = r.out.find("84");
  ASSERT_NE(first, std::string::npos) << r.out;
  EXPECT_NE(r.out.find('5', first), std::string::npos) << r.out;
  // Both turns went into one stored conversation.
  auto store = open_sqlite_store(data_.path() / "tektra.db");
  auto conversations = store->conversations(10, 0);
  ASSERT_EQ(conversations.size(), 1u);
  auto messages = store->messages(conversations[0].id);
  ASSERT_EQ(messages.size(), 4u);
  EXPECT_EQ(messages[2].text, "what is 2 plus 3");
}

TEST_F(Cli, SayWritesAWav) {
  std::string wav = file("hello.wav");
  ProcessResult r = tektra({"say", "hello there", "-o", wav, "--voice", "kal"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("wrote"), std::string::npos) << r.out;
  AudioBuffer audio = read_wav(wav);
  EXPECT_EQ(audio.channels, 1);
  EXPECT_GT(audio.duration_seconds(), 0.3);
  int peak = 0;
  for (int16_t s : audio.samples) peak = std::max(peak, std::abs(static_cast<int>(s)));
  EXPECT_GT(peak, 1000) << "silent audio";

  ProcessResult bad = tektra({"say", "hello", "-o", file("x.wav"), "--voice", "nobody"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("nobody"), std::string::npos) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(file("x.wav")));
}

TEST_F(Cli, TranscribeWhatSayWrote) {
  std::string wav = file("question.wav");
  ASSERT_EQ(tektra({"say", "what time is it", "-o", wav}).exit_code, 0);

  ProcessResult text = tektra({"transcribe", wav});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(trim(text.out), "what time is it");

  ProcessResult js = tektra({"transcribe", "--json", wav});
  ASSERT_EQ(js.exit_code, 0) << js.err;
  json out = json::parse(js.out, nullptr, false);
  ASSERT_FALSE(out.is_discarded()) << js.out;
  EXPECT_EQ(out["text"], trim(text.out));
  ASSERT_EQ(out["words"].size(), 4u) << js.out;
  for (const auto& w : out["words"]) {
    EXPECT_TRUE(w["word"].is_string());
    EXPECT_LT(w["start"].get<double>(), w["end"].get<double>()) << w.dump();
  }
  EXPECT_GT(out["duration"].get<double>(), 0.5);
}

TEST_F(Cli, TranscribeOfANonWavFileFailsCleanly) {
  std::string notes = file("notes.wav");
  std::ofstream(notes) << "these are my notes, not audio\n";
  ProcessResult r = tektra({"transcribe", notes});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("WAV"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("terminate called"), std::string::npos) << r.err;

  ProcessResult missing = tektra({"transcribe", file("nothing-here.wav")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_FALSE(trim(missing.err).empty());
}

TEST_F(Cli, TranscribeRawPcmFixture) {
  TEKTRA_REQUIRE_FIXTURE("goforward.raw");
  ProcessResult r =
      tektra({"transcribe", fixture("goforward.raw").string(), "--raw", "--rate", "16000"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("forward"), std::string::npos) << r.out;
}

TEST_F(Cli, Doctor) {
  ProcessResult r = tektra({"doctor"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("pocketsphinx"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("slt"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(data_.path().string()), std::string::npos) << "doctor ignored --data-dir:\n"
                                                                  << r.out;
}

TEST_F(Cli, ConfigPrintsTomlWithOverridesApplied) {
  ProcessResult r = tektra({"config"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("[server]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("port = 8080"), std::string::npos) << r.out;

  ProcessResult env = tektra({"config"}, "", {{"TEKTRA_SERVER_PORT", "9123"}});
  EXPECT_EQ(env.exit_code, 0) << env.err;
  EXPECT_NE(env.out.find("port = 9123"), std::string::npos) << env.out;

  ProcessResult set = tektra({"config", "--set", "server.max_sessions=7"});
  EXPECT_EQ(set.exit_code, 0) << set.err;
  EXPECT_NE(set.out.find("max_sessions = 7"), std::string::npos) << set.out;
}

TEST_F(Cli, InvalidConfigFileNamesTheKey) {
  std::string bad_value = file("bad_value.toml");
  std::ofstream(bad_value) << "[server]\nport = \"abc\"\n";
  ProcessResult r = tektra({"config", "--config", bad_value});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("server.port"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("[server]"), std::string::npos)
      << "printed a configuration despite the error";

  std::string unknown = file("unknown_key.toml");
  std::ofstream(unknown) << "[server]\nprot = 9000\n";
  ProcessResult u = tektra({"config", "--config", unknown});
  EXPECT_EQ(u.exit_code, 1);
  EXPECT_NE(u.err.find("server.prot"), std::string::npos) << u.err;

  ProcessResult missing = tektra({"config", "--config", file("does_not_exist.toml")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("does_not_exist.toml"), std::string::npos) << missing.err;
}

TEST_F(Cli, InvalidEnvironmentValue) {
  ProcessResult r = tektra({"config"}, "", {{"TEKTRA_SERVER_PORT", "notanumber"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("TEKTRA_SERVER_PORT"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("notanumber"), std::string::npos) << r.err;

  ProcessResult serve =
      tektra({"serve", "--port", "0"}, "", {{"TEKTRA_SERVER_PORT", "notanumber"}});
  EXPECT_EQ(serve.exit_code, 1) << "serve must refuse a bad environment before it starts";
  EXPECT_NE(serve.err.find("TEKTRA_SERVER_PORT"), std::string::npos) << serve.err;
}

}  // namespace
}  // namespace tektra::test
