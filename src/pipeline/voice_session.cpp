// VoiceSession: the per-session stage graph (turns, STT, agent, TTS, paced output, barge-in).
#include "pipeline/voice_session.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "audio/resampler.h"
#include "core/error.h"
#include "core/ids.h"

namespace tektra {
namespace {

constexpr int kInputRate = 16000;
constexpr double kAudioChunkSeconds = 0.1;  // reply audio is delivered in 100 ms pieces
constexpr int64_t kPartialEverySamples = kInputRate / 4;
constexpr size_t kSpokenItemsKept = 16;

int64_t ms_to_samples(int64_t ms) {
  return ms * kInputRate / 1000;
}

// Samples of near-silence before the first audible one, less a 30 ms cushion.
size_t leading_silence(std::span<const int16_t> pcm, int rate) {
  constexpr int kAudible = 300;
  size_t first = 0;
  while (first < pcm.size() && std::abs(pcm[first]) < kAudible) ++first;
  if (first == pcm.size()) return 0;
  size_t cushion = static_cast<size_t>(rate) * 30 / 1000;
  return first > cushion ? first - cushion : 0;
}

SteadyClock::duration seconds(double s) {
  return std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(s));
}

}  // namespace

const char* to_string(ResponseStatus status) {
  switch (status) {
    case ResponseStatus::Completed:
      return "completed";
    case ResponseStatus::Cancelled:
      return "cancelled";
    case ResponseStatus::Failed:
      return "failed";
  }
  return "failed";
}

struct VoiceSession::Response {
  ResponseInfo info;
  CancellationToken cancel;
  std::optional<TurnTiming> turn;
  std::optional<std::string> announcement;
  std::string input;  // the user text it answers, taken when it starts
  std::string voice;
  double rate = 1.0;
  int output_rate = 24000;
  TimePoint started = SteadyClock::now();
  std::optional<TimePoint> first_text;  // the agent's first words
  double tts_first_s = 0;
  // From `started`, when a language model answered; first_audio_s once audio went out.
  double model_first_token_s = -1;
  double model_last_token_s = -1;
  double first_audio_s = -1;
  // Pacing, touched only by the response's own task: audio at `offset` is due at
  // anchor + offset - playback_lead.
  TimePoint anchor;
  double scheduled_s = 0;
  bool any_audio = false;
  // Guarded by the session mutex:
  bool done = false;
  bool first_audio_reported = false;
  std::string spoken;  // sentences released to the client so far
};

SessionSettings SessionSettings::from(const Config& config) {
  SessionSettings settings;
  settings.voice = config.tts.voice;
  settings.speaking_rate = config.tts.rate;
  settings.turn = TurnSettings::from(config.vad);
  settings.front_end = front_end_settings(config.audio);
  return settings;
}

std::shared_ptr<VoiceSession> VoiceSession::create(SessionServices services,
                                                   SessionSettings settings,
                                                   SessionObserver& observer,
                                                   std::string conversation_id) {
  std::shared_ptr<VoiceSession> session(
      new VoiceSession(services, std::move(settings), observer, std::move(conversation_id)));
  std::weak_ptr<VoiceSession> weak = session;
  session->bus_subscription_ = services.bus.subscribe([weak](const Event& e) {
    if (auto self = weak.lock()) self->on_bus_event(e);
  });
  return session;
}

VoiceSession::VoiceSession(SessionServices services, SessionSettings settings,
                           SessionObserver& observer, std::string conversation_id)
    : services_(services),
      observer_(observer),
      id_(make_id("sess_")),
      executor_(services.pool),
      settings_(std::move(settings)),
      conversation_id_(std::move(conversation_id)) {
  turn_ = std::make_unique<TurnDetector>(create_vad(services_.vad), settings_.turn);
  front_end_ = std::make_unique<AudioFrontEnd>(settings_.front_end);
}

VoiceSession::~VoiceSession() {
  close();
}

void VoiceSession::close() {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    closed_ = true;
    if (active_response_) active_response_->cancel.cancel();
  }
  services_.bus.unsubscribe(bus_subscription_);
  executor_.shutdown();
}

void VoiceSession::post(std::function<void(VoiceSession&)> task) {
  executor_.post([self = shared_from_this(), task = std::move(task)] { task(*self); });
}

std::string VoiceSession::conversation_id() const {
  std::lock_guard lock(mutex_);
  return conversation_id_;
}

SessionSettings VoiceSession::settings() const {
  std::lock_guard lock(mutex_);
  return settings_;
}

void VoiceSession::update(const SessionSettings& settings) {
  services_.voices.require_voice(settings.voice);
  validate(settings.front_end.canceller);
  {
    std::lock_guard lock(mutex_);
    settings_ = settings;
  }
  post([settings](VoiceSession& s) {
    s.turn_->set_settings(settings.turn);
    s.front_end_->update(settings.front_end);
  });
}

void VoiceSession::append_audio(std::vector<int16_t> pcm16k) {
  post([chunk = std::move(pcm16k)](VoiceSession& s) { s.process_audio(chunk); });
}

void VoiceSession::drain() {
  executor_.drain();
}

void VoiceSession::process_audio(const std::vector<int16_t>& input) {
  // Turn detection (barge-in) and recognition hear the microphone without the reply's echo, each
  // from the canceller that suits it. Until the canceller has found the echo's delay, audio heard
  // while the reply plays is taken as silence: half duplex at the start of a session's first reply.
  std::vector<int16_t> chunk = front_end_->process(input, SteadyClock::now());
  std::vector<int16_t> heard = front_end_->for_recognition();
  if (front_end_->echo_unresolved()) {
    std::fill(chunk.begin(), chunk.end(), int16_t{0});
    std::fill(heard.begin(), heard.end(), int16_t{0});
  }
  const SessionSettings s = settings();
  if (!s.server_vad) {
    manual_buffer_.insert(manual_buffer_.end(), heard.begin(), heard.end());
    return;
  }
  history_.insert(history_.end(), heard.begin(), heard.end());
  samples_in_ += static_cast<int64_t>(chunk.size());
  bool was_streaming = stream_ != nullptr;
  for (const auto& event : turn_->push(chunk)) {
    if (event.kind == TurnEvent::Kind::SpeechStarted) {
      begin_user_turn(event.audio_ms);
    } else {
      end_user_turn(event.audio_ms, turn_->processed_ms());
    }
  }
  // A stream opened during this chunk was already fed from the history, this chunk included.
  if (stream_ && was_streaming) feed_stream(heard);
  if (stream_) end_turn_early_on_command(s.turn);

  if (!stream_) {
    int64_t keep = ms_to_samples(s.turn.prefix_padding_ms + s.turn.min_speech_ms + 500);
    if (static_cast<int64_t>(history_.size()) > 2 * keep) {
      int64_t drop = static_cast<int64_t>(history_.size()) - keep;
      history_.erase(history_.begin(), history_.begin() + drop);
      history_start_sample_ += drop;
    }
  }
}

void VoiceSession::feed_stream(std::span<const int16_t> pcm) {
  stream_->accept(pcm);
  if (samples_in_ - last_partial_sample_ < kPartialEverySamples) return;
  last_partial_sample_ = samples_in_;
  std::string text = stream_->partial();
  if (text.empty() || text == last_partial_) return;
  std::string delta = text.rfind(last_partial_, 0) == 0 ? text.substr(last_partial_.size()) : "";
  last_partial_ = text;
  notify([&](SessionObserver& o) { o.on_transcript_partial(user_item_, delta, text); });
}

void VoiceSession::end_turn_early_on_command(const TurnSettings& turn) {
  int64_t quiet = turn_->trailing_silence_ms();
  if (quiet == 0) {
    command_checked_ = false;
    return;
  }
  if (command_checked_ || quiet < turn.command_silence_ms ||
      turn.command_silence_ms >= turn.silence_duration_ms)
    return;
  command_checked_ = true;  // once per pause
  // A pause after words that already form a whole command ("what time is it") is the end of the
  // turn: waiting out the full hangover would only add latency.
  std::string text = stream_->partial();
  if (text.empty() || !services_.agent.intents().match(text)) return;
  if (auto stop = turn_->end_turn()) end_user_turn(stop->audio_ms, turn_->processed_ms());
}

void VoiceSession::begin_user_turn(int64_t onset_ms) {
  SessionSettings s = settings();
  user_item_ = make_id("item_");
  command_checked_ = false;
  last_partial_.clear();
  last_partial_sample_ = samples_in_;
  {
    // Barge-in: the reply stops under the same lock that reports the user's speech, so no audio of
    // it can slip in between.
    std::lock_guard lock(mutex_);
    if (!closed_) observer_.on_speech_started(user_item_, onset_ms);
    if (s.interrupt_response) cancel_locked();
  }
  stream_ = services_.recognizer.start();
  // Feed from the onset minus the prefix padding: the words began before the VAD was sure.
  int64_t from =
      std::max(history_start_sample_, ms_to_samples(onset_ms - s.turn.prefix_padding_ms));
  size_t offset = static_cast<size_t>(from - history_start_sample_);
  stream_->accept(std::span<const int16_t>(history_).subspan(std::min(offset, history_.size())));
}

void VoiceSession::end_user_turn(int64_t last_voiced_ms, int64_t decided_ms) {
  TurnTiming timing;
  timing.decided = SteadyClock::now();
  timing.hangover_s = static_cast<double>(decided_ms - last_voiced_ms) / 1000.0;
  notify([&](SessionObserver& o) {
    o.on_speech_stopped(user_item_, last_voiced_ms);
    o.on_input_committed(user_item_);
  });
  observe_stage("vad_end_of_turn", timing.hangover_s);
  if (!stream_) return;
  auto start = SteadyClock::now();
  Transcript transcript = stream_->finish();
  stream_.reset();
  timing.stt_s = seconds_between(start, SteadyClock::now());
  observe_stage("stt_final", timing.stt_s);
  complete_user_item(user_item_, transcript);
  if (!transcript.text.empty() && settings().create_response) start_when_idle(timing, std::nullopt);
}

void VoiceSession::complete_user_item(const std::string& item_id, const Transcript& transcript) {
  std::lock_guard lock(mutex_);
  if (closed_) return;
  observer_.on_transcript_completed(item_id, transcript);
  if (!transcript.text.empty()) pending_user_text_ = transcript.text;
}

void VoiceSession::commit_input(const std::string& request_id) {
  post([request_id](VoiceSession& s) {
    if (s.manual_buffer_.empty()) {
      s.notify([&](SessionObserver& o) {
        o.on_error("input_audio_buffer_commit_empty", "the input audio buffer is empty",
                   request_id);
      });
      return;
    }
    std::string item = make_id("item_");
    s.notify([&](SessionObserver& o) { o.on_input_committed(item); });
    auto start = SteadyClock::now();
    Transcript transcript = transcribe(s.services_.recognizer, s.manual_buffer_);
    s.observe_stage("stt_final", seconds_between(start, SteadyClock::now()));
    s.manual_buffer_.clear();
    s.complete_user_item(item, transcript);
  });
}

void VoiceSession::clear_input() {
  post([](VoiceSession& s) {
    s.manual_buffer_.clear();
    if (s.stream_) {
      s.stream_.reset();  // drop the utterance in progress
      s.turn_->abandon_turn();
    }
    s.notify([](SessionObserver& o) { o.on_input_cleared(); });
  });
}

void VoiceSession::add_user_text(const std::string& text, bool respond) {
  post([text, respond](VoiceSession& s) {
    {
      std::lock_guard lock(s.mutex_);
      s.pending_user_text_ = text;
    }
    if (respond) s.start_response(std::nullopt, std::nullopt);
  });
}

void VoiceSession::create_response(const std::string& request_id) {
  post([request_id](VoiceSession& s) { s.start_response(std::nullopt, std::nullopt, request_id); });
}

void VoiceSession::cancel_response(const std::string& request_id) {
  post([request_id](VoiceSession& s) {
    bool active;
    {
      std::lock_guard lock(s.mutex_);
      active = s.active_response_ && !s.active_response_->done;
    }
    if (!active) {
      s.notify([&](SessionObserver& o) {
        o.on_error("response_cancel_not_active", "there is no response in progress to cancel",
                   request_id);
      });
      return;
    }
    s.cancel_active_response();
  });
}

void VoiceSession::cancel_active_response() {
  std::lock_guard lock(mutex_);
  cancel_locked();
}

void VoiceSession::cancel_locked() {
  if (!active_response_ || active_response_->done) return;
  active_response_->cancel.cancel();
  active_response_->done = true;
  if (!closed_)
    observer_.on_response_done(active_response_->info, ResponseStatus::Cancelled,
                               active_response_->spoken);
}

void VoiceSession::start_response(std::optional<TurnTiming> turn,
                                  std::optional<std::string> announcement,
                                  const std::string& request_id) {
  auto response = std::make_shared<Response>();
  response->info = {make_id("resp_"), make_id("item_")};
  response->turn = turn;
  response->announcement = std::move(announcement);
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    if (active_response_ && !active_response_->done) {
      observer_.on_error("conversation_already_has_active_response",
                         "a response is already in progress; cancel it first", request_id);
      return;
    }
    if (!response->announcement && pending_user_text_.empty()) {
      observer_.on_error("no_user_input", "there is no user input to respond to", request_id);
      return;
    }
    if (!response->announcement) response->input = std::exchange(pending_user_text_, "");
    response->voice = settings_.voice;
    response->rate = settings_.speaking_rate;
    response->output_rate = settings_.output_sample_rate;
    active_response_ = response;
    observer_.on_response_started(response->info);
  }
  services_.replies.post([self = shared_from_this(), response] { self->run_response(response); });
}

void VoiceSession::run_response(std::shared_ptr<Response> response) {
  try {
    // Each sentence is spoken as soon as it is complete, while a model is still writing the rest.
    SentenceSplitter splitter;
    auto speak_text = [&](std::string_view delta) {
      if (!response->first_text) response->first_text = SteadyClock::now();
      for (const auto& sentence : splitter.push(delta)) {
        if (response->cancel.cancelled()) return false;
        speak(response, sentence);
      }
      return !response->cancel.cancelled();
    };
    if (response->announcement) {
      speak_text(*response->announcement);
    } else {
      std::string conversation, instructions;
      {
        std::lock_guard lock(mutex_);
        conversation = conversation_id_;
        instructions = settings_.instructions;
      }
      const TimePoint agent_start = SteadyClock::now();
      AgentReply reply = services_.agent.respond({.conversation_id = conversation,
                                                  .session_id = id_,
                                                  .text = response->input,
                                                  .instructions = instructions,
                                                  .on_text = speak_text,
                                                  .cancel = response->cancel});
      std::lock_guard lock(mutex_);
      conversation_id_ = reply.conversation_id;
      if (response->done) return;  // cancelled while the agent worked: nothing more about it
      if (!closed_) {
        observer_.on_event("tektra.intent", {{"item_id", response->info.item_id},
                                             {"intent", reply.intent},
                                             {"slots", reply.slots},
                                             {"understood", reply.understood},
                                             {"from_model", reply.from_model},
                                             {"tools_called", reply.tools_called},
                                             {"conversation_id", reply.conversation_id}});
      }
      if (reply.from_model && reply.model_first_token_s >= 0) {
        const double offset = seconds_between(response->started, agent_start);
        response->model_first_token_s = offset + reply.model_first_token_s;
        response->model_last_token_s = offset + reply.model_last_token_s;
      }
    }
    if (std::string rest = splitter.flush(); !rest.empty() && !response->cancel.cancelled())
      speak(response, rest);
    if (response->cancel.cancelled()) return;
    finish_response(response, ResponseStatus::Completed);
  } catch (const std::exception& e) {
    spdlog::error("session {}: response failed: {}", id_, e.what());
    std::lock_guard lock(mutex_);
    if (response->done || closed_) return;
    response->done = true;
    observer_.on_error("response_failed", e.what(), "");
    observer_.on_response_done(response->info, ResponseStatus::Failed, response->spoken);
  }
}

void VoiceSession::speak(const std::shared_ptr<Response>& response, const std::string& sentence) {
  auto start = SteadyClock::now();
  Speech speech = services_.voices.synthesize(sentence, response->voice, response->rate);
  if (!response->any_audio) {
    response->tts_first_s = seconds_between(start, SteadyClock::now());
    observe_stage("tts_first_audio", response->tts_first_s);
  }
  std::span<const int16_t> samples = speech.audio.samples;
  // flite opens every utterance with 160-280 ms of silence; before the first sentence that is
  // pure added latency, so start just ahead of the speech.
  if (!response->any_audio)
    samples = samples.subspan(leading_silence(samples, speech.audio.sample_rate));
  std::vector<int16_t> pcm = resample(samples, speech.audio.sample_rate, response->output_rate);
  schedule_audio(response, sentence, std::move(pcm));
}

void VoiceSession::at(TimePoint when, const std::shared_ptr<Response>& response,
                      std::function<void()> task) {
  services_.timers.schedule(when, [self = shared_from_this(), response, task = std::move(task)] {
    std::lock_guard lock(self->mutex_);
    if (self->closed_ || response->done) return;
    task();
  });
}

void VoiceSession::schedule_audio(const std::shared_ptr<Response>& response,
                                  const std::string& sentence, std::vector<int16_t> pcm) {
  TimePoint now = SteadyClock::now();
  if (!response->any_audio) {
    response->anchor = now;
    response->any_audio = true;
  }
  // If synthesis fell behind playback, restart the clock so later audio is not sent in a burst.
  TimePoint playhead = response->anchor + seconds(response->scheduled_s);
  if (playhead < now) response->anchor += now - playhead;
  {
    std::lock_guard lock(mutex_);
    spoken_[response->info.item_id].push_back({response->scheduled_s, sentence});
    if (spoken_.size() > kSpokenItemsKept) {
      // Item ids are random, so drop any other item; recent ones are what clients truncate.
      auto victim = spoken_.begin();
      if (victim->first == response->info.item_id) ++victim;
      spoken_.erase(victim);
    }
  }
  // The echo canceller's reference: the same audio at the input's rate, placed when it plays.
  const auto echo = std::make_shared<const std::vector<int16_t>>(
      settings().front_end.echo_cancellation
          ? resample(pcm, response->output_rate, EchoReference::kRate)
          : std::vector<int16_t>{});
  auto echo_index = [&](size_t pos) {
    return std::min(echo->size(), pos * EchoReference::kRate / response->output_rate);
  };
  const size_t chunk = static_cast<size_t>(kAudioChunkSeconds * response->output_rate);
  for (size_t pos = 0; pos < pcm.size(); pos += chunk) {
    size_t n = std::min(chunk, pcm.size() - pos);
    const TimePoint plays = response->anchor + seconds(response->scheduled_s);
    TimePoint due = plays - services_.playback_lead;
    std::vector<int16_t> piece(pcm.begin() + static_cast<ptrdiff_t>(pos),
                               pcm.begin() + static_cast<ptrdiff_t>(pos + n));
    const std::span<const int16_t> echo_piece = std::span<const int16_t>(*echo).subspan(
        echo_index(pos), echo_index(pos + n) - echo_index(pos));
    bool first_of_sentence = pos == 0;
    at(due, response,
       [this, response, piece = std::move(piece), first_of_sentence, sentence, echo, echo_piece,
        plays] {
         front_end_->reference().play(echo_piece, plays);
         if (first_of_sentence) {
           // Deltas concatenate to the spoken text, so later sentences carry their separating
           // space.
           std::string delta = (response->spoken.empty() ? "" : " ") + sentence;
           observer_.on_response_text(response->info, delta);
           response->spoken += delta;
         }
         if (!response->first_audio_reported) report_first_audio(*response);
         observer_.on_response_audio(response->info, piece);
       });
    response->scheduled_s += static_cast<double>(n) / response->output_rate;
  }
}

void VoiceSession::report_first_audio(Response& response) {
  response.first_audio_reported = true;
  response.first_audio_s = seconds_between(response.started, SteadyClock::now());
  const double agent_s =
      response.first_text ? seconds_between(response.started, *response.first_text) : 0;
  if (!response.announcement) observe_stage("agent", agent_s);
  if (!response.turn) return;
  double voice_to_voice =
      response.turn->hangover_s + seconds_between(response.turn->decided, SteadyClock::now());
  observe_stage("voice_to_voice", voice_to_voice);
  observer_.on_event("tektra.latency", {{"item_id", response.info.item_id},
                                        {"response_id", response.info.response_id},
                                        {"vad_end_of_turn_ms", response.turn->hangover_s * 1000},
                                        {"stt_final_ms", response.turn->stt_s * 1000},
                                        {"agent_ms", agent_s * 1000},
                                        {"tts_first_audio_ms", response.tts_first_s * 1000},
                                        {"voice_to_voice_ms", voice_to_voice * 1000}});
}

void VoiceSession::finish_response(const std::shared_ptr<Response>& response,
                                   ResponseStatus status) {
  auto done = [this, response, status] {
    response->done = true;
    if (response->model_first_token_s >= 0 && response->first_audio_s >= 0)
      report_model_timing(*response);
    observer_.on_response_done(response->info, status, response->spoken);
  };
  if (!response->any_audio) {
    std::lock_guard lock(mutex_);
    if (!response->done && !closed_) done();
    return;
  }
  // Completed once the last audio chunk has gone out (same due time, scheduled after it).
  at(response->anchor + seconds(response->scheduled_s) - services_.playback_lead, response, done);
}

void VoiceSession::report_model_timing(const Response& response) {
  observe_stage("model_first_token", response.model_first_token_s);
  observe_stage("model_last_token", response.model_last_token_s);
  observer_.on_event("tektra.model_timing",
                     {{"item_id", response.info.item_id},
                      {"response_id", response.info.response_id},
                      {"model_first_token_ms", response.model_first_token_s * 1000},
                      {"first_audio_ms", response.first_audio_s * 1000},
                      {"model_last_token_ms", response.model_last_token_s * 1000}});
}

void VoiceSession::on_bus_event(const Event& event) {
  if (event.session_id != id_ || event.type != "tektra.timer.fired") return;
  std::string message = event.data.value("message", "Your timer is done.");
  notify([&](SessionObserver& o) { o.on_event(event.type, event.data); });
  announce(message);
}

void VoiceSession::announce(const std::string& message) {
  post([message](VoiceSession& s) { s.start_when_idle(std::nullopt, message); });
}

void VoiceSession::start_when_idle(std::optional<TurnTiming> turn,
                                   std::optional<std::string> announcement) {
  bool busy;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    busy = active_response_ && !active_response_->done;
  }
  // Never talk over the assistant's own reply, and never announce while the user is speaking.
  if (announcement && stream_) busy = true;
  if (!busy) {
    start_response(turn, std::move(announcement));
    return;
  }
  std::weak_ptr<VoiceSession> weak = shared_from_this();
  services_.timers.schedule(SteadyClock::now() + std::chrono::milliseconds(150), [weak, turn,
                                                                                  announcement] {
    if (auto self = weak.lock()) {
      self->post([turn, announcement](VoiceSession& s) { s.start_when_idle(turn, announcement); });
    }
  });
}

std::optional<std::string> VoiceSession::truncate(const std::string& item_id,
                                                  int64_t audio_end_ms) {
  std::lock_guard lock(mutex_);
  auto it = spoken_.find(item_id);
  if (it == spoken_.end()) return std::nullopt;
  std::string heard;
  for (const auto& s : it->second) {
    if (s.offset_s * 1000.0 >= static_cast<double>(audio_end_ms)) break;
    heard += (heard.empty() ? "" : " ") + s.text;
  }
  return heard;
}

void VoiceSession::observe_stage(const char* stage, double seconds) {
  services_.metrics
      .histogram("tektra_stage_latency_seconds", "Per-stage latency of voice turns",
                 fmt::format("stage=\"{}\"", stage))
      .observe(seconds);
}

}  // namespace tektra
