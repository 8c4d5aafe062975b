// Tektra's built-in page: text chat and push-to-talk over the OpenAI-Realtime-compatible WebSocket.
"use strict";

const INPUT_RATE = 16000;
const OUTPUT_RATE = 24000;
const $ = (id) => document.getElementById(id);

let ws;
let audioCtx;
let micNode;
let micStream;
let playhead = 0;
let playing = [];
let assistantEl = null;
let handsFree = false;

function addMessage(role, text) {
  const el = document.createElement("div");
  el.className = "msg " + role;
  el.textContent = text;  // textContent: never interpret server text as HTML
  $("log").appendChild(el);
  $("log").scrollTop = $("log").scrollHeight;
  return el;
}

function b64FromPcm(int16) {
  const bytes = new Uint8Array(int16.buffer, int16.byteOffset, int16.byteLength);
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function pcmFromB64(b64) {
  const s = atob(b64);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return new Int16Array(bytes.buffer);
}

function send(event) {
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(event));
}

function configureSession() {
  send({
    type: "session.update",
    session: {
      audio: {
        input: { format: { type: "audio/pcm", rate: INPUT_RATE }, turn_detection: handsFree ? { type: "server_vad" } : null },
        output: { format: { type: "audio/pcm", rate: OUTPUT_RATE } },
      },
    },
  });
}

function ensureAudio() {
  if (!audioCtx) audioCtx = new AudioContext();
  if (audioCtx.state === "suspended") audioCtx.resume();
  return audioCtx;
}

function play(int16) {
  const ctx = ensureAudio();
  const buffer = ctx.createBuffer(1, int16.length, OUTPUT_RATE);
  const data = buffer.getChannelData(0);
  for (let i = 0; i < int16.length; i++) data[i] = int16[i] / 32768;
  const src = ctx.createBufferSource();
  src.buffer = buffer;
  src.connect(ctx.destination);
  playhead = Math.max(playhead, ctx.currentTime + 0.05);
  src.start(playhead);
  playhead += buffer.duration;
  playing.push(src);
  src.onended = () => { playing = playing.filter((p) => p !== src); };
}

function stopPlayback() {
  for (const src of playing) { try { src.stop(); } catch (e) { /* already stopped */ } }
  playing = [];
  playhead = 0;
}

const WORKLET = `
class Capture extends AudioWorkletProcessor {
  constructor(options) { super(); this.ratio = sampleRate / options.processorOptions.rate; this.acc = 0; this.out = []; }
  process(inputs) {
    const ch = inputs[0][0];
    if (!ch) return true;
    for (let i = 0; i < ch.length; i++) {
      this.acc += 1;
      if (this.acc >= this.ratio) { this.acc -= this.ratio; this.out.push(Math.max(-1, Math.min(1, ch[i]))); }
    }
    if (this.out.length >= options_chunk) {
      const pcm = new Int16Array(this.out.length);
      for (let i = 0; i < pcm.length; i++) pcm[i] = this.out[i] * 32767;
      this.port.postMessage(pcm, [pcm.buffer]);
      this.out = [];
    }
    return true;
  }
}
const options_chunk = ${INPUT_RATE / 25};
registerProcessor("capture", Capture);`;

async function startMic() {
  const ctx = ensureAudio();
  if (!micNode) {
    const url = URL.createObjectURL(new Blob([WORKLET], { type: "text/javascript" }));
    await ctx.audioWorklet.addModule(url);
    micStream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true } });
    micNode = new AudioWorkletNode(ctx, "capture", { processorOptions: { rate: INPUT_RATE } });
    ctx.createMediaStreamSource(micStream).connect(micNode);
  }
  micNode.port.onmessage = (e) => send({ type: "input_audio_buffer.append", audio: b64FromPcm(e.data) });
}

function stopMic() {
  if (micNode) micNode.port.onmessage = null;
}

function handle(event) {
  switch (event.type) {
    case "session.created":
      $("status").textContent = "connected";
      configureSession();
      break;
    case "input_audio_buffer.speech_started":
      stopPlayback();
      $("partial").textContent = "…";
      break;
    case "tektra.input_audio_transcription.partial":
      $("partial").textContent = event.text;
      break;
    case "conversation.item.input_audio_transcription.completed":
      $("partial").textContent = "";
      if (event.transcript) addMessage("user", event.transcript);
      break;
    case "response.created":
      assistantEl = addMessage("assistant", "");
      break;
    case "response.output_audio_transcript.delta":
      if (assistantEl) assistantEl.textContent += event.delta;
      break;
    case "response.output_audio.delta":
      play(pcmFromB64(event.delta));
      break;
    case "response.done":
      if (event.response.status === "cancelled") stopPlayback();
      assistantEl = null;
      break;
    case "tektra.timer.fired":
      addMessage("event", "⏰ " + (event.message || "timer"));
      break;
    case "error":
      addMessage("event", "error: " + event.error.message);
      break;
  }
}

function connect() {
  const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/v1/realtime";
  ws = new WebSocket(url);
  ws.onmessage = (m) => handle(JSON.parse(m.data));
  ws.onclose = () => { $("status").textContent = "disconnected, retrying…"; setTimeout(connect, 2000); };
}

$("chat").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = $("text").value.trim();
  if (!text) return;
  ensureAudio();
  stopPlayback();
  addMessage("user", text);
  send({ type: "conversation.item.create", item: { type: "message", role: "user", content: [{ type: "input_text", text }] } });
  send({ type: "response.create" });
  $("text").value = "";
});

async function pressTalk() {
  if ($("talk").getAttribute("aria-pressed") === "true") return;
  $("talk").setAttribute("aria-pressed", "true");
  stopPlayback();
  send({ type: "input_audio_buffer.clear" });
  await startMic();
}

function releaseTalk() {
  if ($("talk").getAttribute("aria-pressed") !== "true") return;
  $("talk").setAttribute("aria-pressed", "false");
  stopMic();
  send({ type: "input_audio_buffer.commit" });
  send({ type: "response.create" });
}

$("talk").addEventListener("pointerdown", pressTalk);
$("talk").addEventListener("pointerup", releaseTalk);
$("talk").addEventListener("pointerleave", releaseTalk);
document.addEventListener("keydown", (e) => {
  if (e.code === "Space" && document.activeElement !== $("text") && !e.repeat) { e.preventDefault(); pressTalk(); }
});
document.addEventListener("keyup", (e) => {
  if (e.code === "Space" && document.activeElement !== $("text")) { e.preventDefault(); releaseTalk(); }
});
$("handsfree").addEventListener("change", async (e) => {
  handsFree = e.target.checked;
  configureSession();
  if (handsFree) await startMic(); else stopMic();
});

connect();
