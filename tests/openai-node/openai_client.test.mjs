// Tektra's OpenAI-compatible API driven by the official `openai` npm client, against the real
// server with the real stories260K model (one slot, so a cancelled stream must free it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import OpenAI from 'openai';

import { startServer, generate, metric, missingPrerequisite, sleep } from './tektra_process.mjs';

const skip = missingPrerequisite() ?? false;
if (skip) console.log(`skipping the openai client tests: ${skip}`);
const TIMEOUT = 20000;
const it = (name, fn) => test(name, { skip, timeout: TIMEOUT }, fn);

let server, client;

before(async () => {
  if (skip) return;
  server = await startServer({ slots: 1 });
  client = new OpenAI({
    baseURL: `${server.baseUrl}/v1`,
    apiKey: 'tektra-needs-no-key',
    maxRetries: 0,  // a retry would hide a failure and skew the timing checks
    timeout: TIMEOUT,
  });
});

after(async () => {
  await server?.stop();
});

// stories260K ships no chat template, so the server renders ChatML; `tektra generate` given the
// same text with --parse-special sees the same tokens.
const messages = [
  { role: 'system', content: 'Tell stories.' },
  { role: 'user', content: 'A story about a cat' },
];
const chatMl = messages.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join('') +
  '<|im_start|>assistant\n';
const chatSettings = { max_tokens: 30, temperature: 0.7, top_p: 0.9, seed: 99 };
const completionSettings = { max_tokens: 40, temperature: 0.9, top_p: 0.9, seed: 1234 };

function generated(prompt, s, extra = {}) {
  return generate(prompt, { maxTokens: s.max_tokens, temperature: s.temperature, topP: s.top_p,
    seed: s.seed, ...extra });
}

it('models.list returns the loaded model', async () => {
  const models = [];
  for await (const model of client.models.list()) models.push(model);
  assert.equal(models.length, 1);
  assert.equal(models[0].id, 'stories260K');
  assert.equal(models[0].object, 'model');
});

it('chat.completions.create matches tektra generate for the same seed', async () => {
  const expected = await generated(chatMl, chatSettings, { parseSpecial: true });
  const reply = await client.chat.completions.create({
    model: 'stories260K', messages, ...chatSettings });
  assert.equal(reply.object, 'chat.completion');
  assert.equal(reply.model, 'stories260K');
  assert.equal(reply.choices.length, 1);
  assert.equal(reply.choices[0].message.role, 'assistant');
  assert.equal(reply.choices[0].message.content, expected.text);
  assert.equal(reply.choices[0].finish_reason, 'length');
  assert.equal(reply.usage.prompt_tokens, expected.promptTokens);
  assert.equal(reply.usage.completion_tokens, chatSettings.max_tokens);
  assert.equal(reply.usage.total_tokens, expected.promptTokens + chatSettings.max_tokens);
});

it('streamed chat deltas add up to the whole reply and tektra generate', async () => {
  const expected = await generated(chatMl, chatSettings, { parseSpecial: true });
  const whole = await client.chat.completions.create({
    model: 'stories260K', messages, ...chatSettings });
  const stream = await client.chat.completions.create({
    model: 'stories260K', messages, ...chatSettings,
    stream: true, stream_options: { include_usage: true } });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);

  assert.ok(chunks.length >= 4, `only ${chunks.length} chunks`);
  assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk'));
  assert.equal(new Set(chunks.map((c) => c.id)).size, 1, 'one id for the whole stream');
  assert.equal(chunks[0].choices[0].delta.role, 'assistant');
  const text = chunks.flatMap((c) => c.choices).map((c) => c.delta.content ?? '').join('');
  assert.equal(text, whole.choices[0].message.content);
  assert.equal(text, expected.text);
  assert.ok(text.length > 0);

  const finishes = chunks.flatMap((c) => c.choices).filter((c) => c.finish_reason !== null);
  assert.deepEqual(finishes.map((c) => c.finish_reason), ['length']);
  const last = chunks.at(-1);
  assert.deepEqual(last.choices, []);
  assert.equal(last.usage.completion_tokens, chatSettings.max_tokens);
  assert.equal(last.usage.prompt_tokens, expected.promptTokens);
  assert.equal(chunks.slice(0, -1).filter((c) => c.usage).length, 0, 'usage only at the end');
});

it('completions.create, whole and streamed, matches tektra generate', async () => {
  const prompt = 'Once upon a time';
  const expected = await generated(prompt, completionSettings);
  const whole = await client.completions.create({
    model: 'stories260K', prompt, ...completionSettings });
  assert.equal(whole.object, 'text_completion');
  assert.equal(whole.choices[0].text, expected.text);
  assert.equal(whole.choices[0].finish_reason, 'length');
  assert.equal(whole.usage.prompt_tokens, 5);
  assert.equal(whole.usage.completion_tokens, completionSettings.max_tokens);

  const stream = await client.completions.create({
    model: 'stories260K', prompt, ...completionSettings,
    stream: true, stream_options: { include_usage: true } });
  let text = '', usage = null;
  const finishes = [];
  for await (const chunk of stream) {
    for (const choice of chunk.choices) {
      text += choice.text;
      if (choice.finish_reason) finishes.push(choice.finish_reason);
    }
    if (chunk.usage) usage = chunk.usage;
  }
  assert.equal(text, expected.text);
  assert.deepEqual(finishes, ['length']);
  assert.equal(usage.completion_tokens, completionSettings.max_tokens);
});

it('seed, max_tokens and stop are honored', async () => {
  const ask = (extra) => client.completions.create({
    model: 'stories260K', prompt: 'Once upon a time', max_tokens: 24, temperature: 1, ...extra });
  const [a, b, c] = [await ask({ seed: 7 }), await ask({ seed: 7 }), await ask({ seed: 8 })];
  assert.equal(a.choices[0].text, b.choices[0].text, 'the same seed gives the same text');
  assert.notEqual(a.choices[0].text, c.choices[0].text, 'another seed gives other text');

  const short = await ask({ seed: 7, max_tokens: 3 });
  assert.equal(short.usage.completion_tokens, 3);
  assert.equal(short.choices[0].finish_reason, 'length');

  // Greedy, the story names "Lily" next; the text ends before the stop string.
  const stopped = await client.completions.create({
    model: 'stories260K', prompt: 'Once upon a time', max_tokens: 60, temperature: 0,
    stop: ['Lily'] });
  assert.equal(stopped.choices[0].text, ', there was a little girl named ');
  assert.equal(stopped.choices[0].finish_reason, 'stop');
  const expected = await generate('Once upon a time',
    { maxTokens: 60, temperature: 0, stop: ['Lily'] });
  assert.equal(stopped.choices[0].text, expected.text);

  // Streamed, the stop string is never sent, not even in part.
  const stream = await client.chat.completions.create({
    model: 'stories260K', messages: [{ role: 'user', content: 'Once upon a time' }],
    max_tokens: 60, temperature: 0, stream: true });
  let streamed = '';
  for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
  const cut = streamed.slice(4, 12);  // a stop string from the middle of the reply
  assert.ok(cut.length > 0, `reply too short: ${JSON.stringify(streamed)}`);
  const chatStream = await client.chat.completions.create({
    model: 'stories260K', messages: [{ role: 'user', content: 'Once upon a time' }],
    max_tokens: 60, temperature: 0, stream: true, stop: [cut] });
  let upToStop = '', finish = null;
  for await (const chunk of chatStream) {
    upToStop += chunk.choices[0]?.delta.content ?? '';
    finish = chunk.choices[0]?.finish_reason ?? finish;
  }
  assert.equal(upToStop, streamed.slice(0, streamed.indexOf(cut)));
  assert.equal(finish, 'stop');
});

const CANCELLED = 'tektra_llm_generations_total{finish="cancelled"}';

// How many generations the server has counted as cancelled since `before`, waiting up to 2 s for
// `expected` (the server notices a closed connection at its next step).
async function cancelledSince(before, expected) {
  let n = 0;
  for (let i = 0; i < 100; ++i, await sleep(20)) {
    n = await metric(server.baseUrl, CANCELLED) - before;
    if (n >= expected) break;
  }
  return n;
}

// A request that only a cancellation ends early (the context shifts instead of filling up).
const endless = {
  model: 'stories260K', prompt: 'Once upon a time', max_tokens: 1000000, temperature: 0 };

// After a cancelled generation the single slot must serve the next request straight away.
async function assertSlotIsFree() {
  const started = performance.now();
  const next = await client.completions.create({
    model: 'stories260K', prompt: 'One day', max_tokens: 5, temperature: 0 });
  const ms = performance.now() - started;
  assert.equal(next.usage.completion_tokens, 5);
  assert.ok(ms < 3000, `the next request took ${ms.toFixed(0)} ms: the slot was still busy`);
}

it('aborting a stream mid-way cancels it and frees the slot', async () => {
  const cancelled0 = await metric(server.baseUrl, CANCELLED);
  const stream = await client.completions.create({ ...endless, stream: true });
  let chunks = 0;
  for await (const chunk of stream) {
    assert.equal(chunk.object, 'text_completion');
    if (++chunks === 3) {
      stream.controller.abort();
      break;
    }
  }
  assert.equal(chunks, 3);
  await assertSlotIsFree();
  assert.equal(await cancelledSince(cancelled0, 1), 1);
});

it('an AbortSignal cancels a streamed chat and a whole reply', async () => {
  const cancelled0 = await metric(server.baseUrl, CANCELLED);
  const controller = new AbortController();
  const stream = await client.chat.completions.create({
    model: 'stories260K', messages: [{ role: 'user', content: 'Once upon a time' }],
    max_tokens: 1000000, temperature: 0, stream: true }, { signal: controller.signal });
  // The client ends an aborted stream's iteration quietly, without a finish (after the chunks it
  // had already received, which Node 18's fetch still hands over).
  let chunks = 0, finish = null;
  for await (const chunk of stream) {
    finish = chunk.choices[0]?.finish_reason ?? finish;
    if (++chunks === 3) controller.abort();
  }
  assert.ok(chunks >= 3);
  assert.equal(finish, null);
  await assertSlotIsFree();
  assert.equal(await cancelledSince(cancelled0, 1), 1);

  // A whole (non-streamed) reply is sent only when complete: abort while it is being generated.
  const whole = new AbortController();
  const pending = client.completions.create(endless, { signal: whole.signal });
  setTimeout(() => whole.abort(), 200);
  // Before the reply's headers the client throws APIUserAbortError; while it reads the body,
  // fetch's own AbortError.
  await assert.rejects(pending,
    (e) => e instanceof OpenAI.APIUserAbortError || e.name === 'AbortError');
  await assertSlotIsFree();
  assert.equal(await cancelledSince(cancelled0, 2), 2);
});

it('a bad request is an openai.BadRequestError with the server\'s message', async () => {
  const expectError = async (request, code, message) => {
    const error = await request.then(
      () => assert.fail('the request succeeded'), (e) => e);
    assert.ok(error instanceof OpenAI.BadRequestError, `${error.constructor.name}: ${error}`);
    assert.equal(error.status, 400);
    assert.equal(error.code, code);
    assert.equal(error.type, 'invalid_request_error');
    assert.equal(error.error.message, message);
    assert.equal(error.message, `400 ${message}`);  // what the client shows
  };
  await expectError(client.chat.completions.create({ model: 'stories260K', messages: [] }),
    'missing_field', '"messages" must be a non-empty array');
  await expectError(client.completions.create({ model: 'stories260K', prompt: 'a', echo: true }),
    'unsupported_value', '"echo" is not supported');
  await expectError(client.chat.completions.create({
    model: 'stories260K', messages: [{ role: 'user', content: 'hi' }], stream: true,
    temperature: 9 }), 'invalid_value', '"temperature" must be between 0 and 2');
});
