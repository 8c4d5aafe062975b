// Measures and prints what the pocketsphinx engine costs and how well it does on real speech.
// Real-time factors, end-of-turn cost, memory per decoder, WER per search and the grammar fit per
// clip; timings are printed, never asserted; the grammar-fit calibration the fallback relies on is.
#include <gtest/gtest.h>

#include <malloc.h>
#include <chrono>
#include <cmath>
#include <cstdio>

#include <string>

#include "core/config.h"
#include "stt/grammar_fit.h"
#include "stt/jsgf_grammar.h"
#include "stt/pocketsphinx_model.h"
#include "stt/pocketsphinx_recognizer.h"
#include "stt/pronunciation_dictionary.h"
#include "stt/word_error_rate.h"
#include "stt_test_support.h"

namespace tektra {
namespace {

using Clock = std::chrono::steady_clock;
using test::speech;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Heap bytes in use (glibc). Resident-set deltas would mostly show memory that earlier tests
// freed being reused; model files pocketsphinx maps read-only are shared page cache anyway.
double heap_megabytes() {
  const struct mallinfo2 info = mallinfo2();
  return static_cast<double>(info.uordblks + info.hblkhd) / (1024.0 * 1024.0);
}

struct Clip {
  std::string name;
  std::vector<int16_t> pcm;
  std::string reference;
  bool in_command_grammar;
  double seconds() const { return pcm.size() / 16000.0; }
};

std::vector<int16_t> slice(const std::vector<int16_t>& pcm, double from_s, double to_s) {
  const auto from = static_cast<size_t>(from_s * 16000);
  const auto to = std::min(pcm.size(), static_cast<size_t>(to_s * 16000));
  return {pcm.begin() + static_cast<long>(from), pcm.begin() + static_cast<long>(to)};
}

std::vector<Clip> clips() {
  for (const char* name : {"goforward.raw", "turn_on_the_living_room_lamp.wav", "vosk-test.wav",
                           test::kLibriVox0880, test::kLibriVox0930, "jfk.wav"}) {
    if (!std::filesystem::exists(test::fixture(name))) return {};
  }
  const auto vosk = speech("vosk-test.wav");
  auto command_then_sentence = speech("goforward.raw");
  const auto sentence = speech(test::kLibriVox0880);
  command_then_sentence.insert(command_then_sentence.end(), sentence.begin(), sentence.end());
  return {
      {"goforward", speech("goforward.raw"), test::kGoForwardText, true},
      {"lamp (44k stereo)", speech("turn_on_the_living_room_lamp.wav"), test::kLampText, true},
      // The three digit strings of the telephone recording, cut at its VAD segments +-0.3 s.
      {"vosk digits 1", slice(vosk, 0.6, 3.0), "one zero zero zero one", true},
      {"vosk digits 2", slice(vosk, 3.7, 5.3), "nine oh two one oh", true},
      {"vosk digits 3", slice(vosk, 6.0, 8.3), "zero one eight zero three", true},
      {"librivox 0880", speech(test::kLibriVox0880), test::kLibriVox0880Text, false},
      {"librivox 0930", speech(test::kLibriVox0930), test::kLibriVox0930Text, false},
      {"jfk", speech("jfk.wav"), test::kJfkText, false},
      {"goforward+0880", command_then_sentence,
       std::string(test::kGoForwardText) + " " + test::kLibriVox0880Text, false},
  };
}

// The test command grammar plus five-digit strings, so the telephone clips are in it too.
const std::string kCommandsAndDigits = R"(#JSGF V1.0;
grammar commands;
<number> = one | two | three | four | five | six | seven | eight | nine | ten | twenty;
<digit> = zero | oh | one | two | three | four | five | six | seven | eight | nine;
<device> = light | lamp | radio | tv | living room lamp | kitchen light;
public <command> = go (forward | back | left | right) [<number> (meters | steps)]
                 | turn (on | off) the <device>
                 | what time is it
                 | set a timer for <number> (minutes | seconds)
                 | stop | cancel | pause | resume
                 | play some music
                 | <digit> <digit> <digit> <digit> <digit>;
)";

// Every reference sentence as its own alternative: grammar decoding where it does apply.
std::string sentences_grammar(const std::vector<Clip>& all) {
  std::string jsgf = "#JSGF V1.0;\ngrammar sentences;\npublic <sentence> = ";
  for (size_t i = 0; i < all.size(); ++i) jsgf += (i ? " | " : "") + all[i].reference;
  return jsgf + ";\n";
}

struct StreamRun {
  Transcript transcript;
  double feed_s = 0;    // accept() over the whole clip in 20 ms chunks
  double finish_s = 0;  // finish(): the end-of-turn cost
};

StreamRun run_stream(SpeechRecognizer& recognizer, const std::vector<int16_t>& pcm) {
  StreamRun run;
  auto stream = recognizer.start();
  const auto fed = Clock::now();
  for (size_t at = 0; at < pcm.size(); at += 320) {
    stream->accept(std::span(pcm).subspan(at, std::min<size_t>(320, pcm.size() - at)));
  }
  run.feed_s = seconds_since(fed);
  const auto finished = Clock::now();
  run.transcript = stream->finish();
  run.finish_s = seconds_since(finished);
  return run;
}

TEST(SttMeasurements, GrammarFitSeparatesInGrammarFromOtherSpeech) {
  const auto all = clips();
  if (all.empty()) GTEST_SKIP() << "speech fixtures missing";
  const PocketsphinxModel model = find_pocketsphinx_model(SttConfig{}.model_dir);
  PocketsphinxDecoder decoder(model, DecoderKind::grammar, DecodeMode::streaming);
  PocketsphinxDecoder whole_decoder(model, DecoderKind::grammar, DecodeMode::whole_utterance);
  const CompiledGrammar grammar =
      compile_grammar(kCommandsAndDigits, PronunciationDictionary(model.dictionary));
  install_grammar(decoder, grammar);
  install_grammar(whole_decoder, grammar);
  std::printf("\nGrammar fit with the command grammar (streamed; threshold %.1f nats/frame):\n",
              -5.7 - 0.5 * std::log(4.0));
  std::printf("  %-18s %-4s %8s %6s %6s | %8s %6s | %s\n", "clip", "in?", "nats/fr", "frames",
              "conf", "whole", "conf", "grammar path (streamed)");
  for (const Clip& clip : all) {
    decoder.start();
    decoder.process(clip.pcm);
    decoder.end();
    const GrammarFit streamed = grammar_fit(decoder.segments(), model.filler_words);
    const std::string path = decoder.hypothesis().value_or("(none)");
    whole_decoder.decode_whole(clip.pcm);  // what recognize() does
    const GrammarFit whole = grammar_fit(whole_decoder.segments(), model.filler_words);
    std::printf("  %-18s %-4s %8.2f %6d %6.3f | %8.2f %6.3f | %s\n", clip.name.c_str(),
                clip.in_command_grammar ? "yes" : "no", streamed.nats_per_frame,
                streamed.speech_frames, streamed.confidence, whole.nats_per_frame, whole.confidence,
                path.c_str());
    // The calibration in grammar_fit.h: a margin of ~1 nat/frame on either side of the threshold.
    for (const GrammarFit& fit : {streamed, whole}) {
      if (clip.in_command_grammar) {
        EXPECT_GT(fit.nats_per_frame, -5.3) << clip.name;
      } else {
        EXPECT_LT(fit.nats_per_frame, -6.5) << clip.name;
      }
    }
  }
}

TEST(SttMeasurements, RealTimeFactorsEndOfTurnCostAndWordErrorRates) {
  const auto all = clips();
  if (all.empty()) GTEST_SKIP() << "speech fixtures missing";
  PocketsphinxRecognizer language_model{SttConfig{}};
  PocketsphinxRecognizer commands{SttConfig{}};
  commands.set_grammar(kCommandsAndDigits);
  PocketsphinxRecognizer sentences{SttConfig{}};
  sentences.set_grammar(sentences_grammar(all));
  const auto compile_start = Clock::now();
  commands.set_grammar(kCommandsAndDigits);  // the dictionary is loaded now
  std::printf("\nset_grammar() with the command grammar (compiling, first decoder): %.2f ms\n",
              seconds_since(compile_start) * 1000);

  std::printf(
      "\nPer clip. RTF = accept() time / audio time (20 ms chunks); finish = finish() in ms, the\n"
      "end-of-turn cost (for the grammar it includes the fallback decode when there is one).\n");
  std::printf("  %-17s %5s | %-24s | %-10s | %-26s | %-26s\n", "", "", "LM streamed", "LM whole",
              "command grammar streamed", "sentence grammar streamed");
  std::printf("  %-17s %5s | %5s %6s %5s %5s | %5s %4s | %5s %6s %-4s %5s | %5s %6s %-4s %5s\n",
              "clip", "sec", "RTF", "finish", "WER", "conf", "RTF", "WER", "RTF", "finish", "srch",
              "WER", "RTF", "finish", "srch", "WER");
  double wer_sum[4] = {0, 0, 0, 0};
  const auto search = [](const Transcript& t) { return t.search == "grammar" ? "gram" : "LM"; };
  for (const Clip& clip : all) {
    const StreamRun lm = run_stream(language_model, clip.pcm);
    const auto whole_start = Clock::now();
    const Transcript whole = transcribe(language_model, clip.pcm);
    const double whole_s = seconds_since(whole_start);
    const StreamRun command = run_stream(commands, clip.pcm);
    const StreamRun sentence = run_stream(sentences, clip.pcm);
    const double wer[4] = {word_error_rate(clip.reference, lm.transcript.text),
                           word_error_rate(clip.reference, whole.text),
                           word_error_rate(clip.reference, command.transcript.text),
                           word_error_rate(clip.reference, sentence.transcript.text)};
    for (int i = 0; i < 4; ++i) wer_sum[i] += wer[i];
    const double t = clip.seconds();
    std::printf(
        "  %-17s %5.2f | %5.3f %6.0f %5.2f %5.2f | %5.3f %4.2f | %5.3f %6.0f %-4s %5.2f | %5.3f "
        "%6.0f %-4s %5.2f\n",
        clip.name.c_str(), t, lm.feed_s / t, lm.finish_s * 1000, wer[0], lm.transcript.confidence,
        whole_s / t, wer[1], command.feed_s / t, command.finish_s * 1000,
        search(command.transcript), wer[2], sentence.feed_s / t, sentence.finish_s * 1000,
        search(sentence.transcript), wer[3]);
    std::printf("      LM streamed: %s\n      LM whole:    %s\n      commands:    %s\n",
                lm.transcript.text.c_str(), whole.text.c_str(), command.transcript.text.c_str());
    EXPECT_EQ(command.transcript.search, clip.in_command_grammar ? "grammar" : "language_model")
        << clip.name;
  }
  const double n = static_cast<double>(all.size());
  std::printf("  mean WER: LM streamed %.3f, LM whole %.3f, command grammar %.3f, sentences %.3f\n",
              wer_sum[0] / n, wer_sum[1] / n, wer_sum[2] / n, wer_sum[3] / n);
  EXPECT_LT(wer_sum[1], wer_sum[0]);  // whole-utterance normalisation is the better decode
}

TEST(SttMeasurements, DecoderCreationAndMemory) {
  const PocketsphinxModel model = find_pocketsphinx_model(SttConfig{}.model_dir);
  double before = heap_megabytes();
  auto start = Clock::now();
  const PronunciationDictionary dictionary(model.dictionary);
  std::printf("\n  pronunciation dictionary (shared): loaded in %.0f ms, heap +%.1f MB\n",
              seconds_since(start) * 1000, heap_megabytes() - before);
  for (const DecoderKind kind : {DecoderKind::grammar, DecoderKind::language_model}) {
    std::vector<std::unique_ptr<PocketsphinxDecoder>> decoders;
    for (int i = 0; i < 2; ++i) {
      before = heap_megabytes();
      start = Clock::now();
      decoders.push_back(std::make_unique<PocketsphinxDecoder>(model, kind, DecodeMode::streaming));
      std::printf("  %s decoder #%d: created in %.0f ms, heap +%.1f MB\n",
                  kind == DecoderKind::grammar ? "grammar       " : "language model", i + 1,
                  seconds_since(start) * 1000, heap_megabytes() - before);
    }
    EXPECT_EQ(decoders.size(), 2u);
  }
  // What installing a grammar adds to a grammar decoder; compiling happens once per grammar.
  const struct {
    const char* name;
    const char* jsgf;
    bool merged;
  } grammars[] = {{"command grammar", test::kCommandGrammar, true},
                  {"rule-reusing grammar, unmerged", test::kRuleReusingGrammar, false},
                  {"rule-reusing grammar, merged", test::kRuleReusingGrammar, true}};
  for (const auto& grammar : grammars) {
    start = Clock::now();
    const CompiledGrammar compiled =
        grammar.merged ? compile_grammar(grammar.jsgf, dictionary)
                       : CompiledGrammar(jsgf_word_graph(grammar.jsgf), dictionary);
    const double compile_ms = seconds_since(start) * 1000;
    PocketsphinxDecoder decoder(model, DecoderKind::grammar, DecodeMode::streaming);
    before = heap_megabytes();
    start = Clock::now();
    install_grammar(decoder, compiled);
    std::printf(
        "  %-31s %4d states %5zu word arcs: compiled in %.1f ms, installed in %.1f ms, "
        "heap +%.2f MB\n",
        grammar.name, compiled.graph().states, compiled.graph().word_arcs(), compile_ms,
        seconds_since(start) * 1000, heap_megabytes() - before);
  }
  PocketsphinxRecognizer with_grammar{SttConfig{}};
  with_grammar.set_grammar(test::kCommandGrammar);
  PocketsphinxRecognizer without_grammar{SttConfig{}};
  for (PocketsphinxRecognizer* recognizer : {&with_grammar, &without_grammar}) {
    recognizer->start()->finish();  // warm: the pool now holds a decoder
    constexpr int kStarts = 50;
    double starting_s = 0;
    for (int i = 0; i < kStarts; ++i) {
      start = Clock::now();
      auto stream = recognizer->start();
      starting_s += seconds_since(start);
      stream->finish();
    }
    std::printf("  stream start from a warm pool (%s): %.2f ms\n",
                recognizer == &with_grammar ? "grammar" : "language model",
                starting_s * 1000 / kStarts);
  }
  EXPECT_EQ(with_grammar.decoders_created().grammar_streaming, 1u);
  EXPECT_EQ(without_grammar.decoders_created().language_model_streaming, 1u);
}

}  // namespace
}  // namespace tektra
