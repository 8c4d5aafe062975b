// Runs the real tektra binary (a server, or `tektra generate`) with a private HOME and data dir.
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The binary and fixtures directory, as CTest passes them.
export const tektraBinary = process.env.TEKTRA_BINARY ?? '';
export const fixturesDir = process.env.TEKTRA_FIXTURES ?? '';
export const modelPath = fixturesDir ? join(fixturesDir, 'stories260K.gguf') : '';

// Why the suite cannot run here, or null: the tests skip with this reason instead of passing.
export function missingPrerequisite() {
  if (!tektraBinary) return 'TEKTRA_BINARY is not set (ctest sets it; see tests/CMakeLists.txt)';
  if (!existsSync(tektraBinary)) return `tektra binary ${tektraBinary} not found (build it first)`;
  if (!modelPath) return 'TEKTRA_FIXTURES is not set (ctest sets it to ../shared/fixtures)';
  if (!existsSync(modelPath))
    return `fixture ${modelPath} not found (needs ../shared/fixtures beside the repository)`;
  return null;
}

// Settings shared by the server and `tektra generate`, so equal seeds give equal text.
export const THREADS = 1;
export const CONTEXT = 256;

// A temporary HOME (config, XDG dirs) and data dir, and an environment that reads nothing of the
// user's: no TEKTRA_* overrides, no ~/.config/tektra/tektra.toml.
function privateHome() {
  const home = mkdtempSync(join(tmpdir(), 'tektra-openai-node-'));
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('TEKTRA_')));
  Object.assign(env, {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
  });
  return { home, env, dataDir: join(home, 'data') };
}

// `tektra serve` on a free port with stories260K and `slots` generation slots. Resolves once
// /healthz answers; `stop()` kills it and removes its files.
export async function startServer({ slots = 1, timeoutMs = 15000 } = {}) {
  const { home, env, dataDir } = privateHome();
  const args = ['--data-dir', dataDir, '--log-level', 'warn',
    '--set', `llm.slots=${slots}`, '--set', `llm.context=${CONTEXT}`,
    '--set', `llm.threads=${THREADS}`,
    'serve', '--llm', modelPath, '--port', '0'];
  const child = spawn(tektraBinary, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s) => { stdout += s; });
  child.stderr.setEncoding('utf8').on('data', (s) => { stderr += s; });
  const exited = new Promise((resolve) => {
    child.once('exit', resolve);
    child.once('error', (e) => { stderr += `${e}\n`; resolve(); });  // e.g. it could not start
  });
  // Never outlive the tests, even when they end without calling stop().
  const orphanGuard = () => child.kill('SIGKILL');
  process.once('exit', orphanGuard);

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
    process.removeListener('exit', orphanGuard);
    rmSync(home, { recursive: true, force: true });
  };

  try {
    // Port 0 lets the server pick a free port, which it prints: no race with other processes.
    const deadline = Date.now() + timeoutMs;
    let port = null;
    while (port === null) {
      const m = stdout.match(/listening on http:\/\/[^:]+:(\d+)\//);
      if (m) port = Number(m[1]);
      else if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`tektra serve exited (${child.exitCode ?? child.signalCode}): ${stderr}`);
      else if (Date.now() > deadline) throw new Error(`tektra serve did not start: ${stderr}`);
      else await sleep(20);
    }
    const baseUrl = `http://127.0.0.1:${port}`;
    for (;;) {
      try {
        const reply = await fetch(`${baseUrl}/healthz`);
        if (reply.ok) break;
      } catch {
        // not accepting yet
      }
      if (Date.now() > deadline) throw new Error(`tektra serve never answered /healthz: ${stderr}`);
      await sleep(20);
    }
    return { baseUrl, port, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

// What `tektra generate` writes after the prompt, for the same sampling settings as a request.
// `parseSpecial` tokenizes special-token texts as the chat endpoint does for its template prompt.
export async function generate(prompt, { maxTokens, temperature, topP, seed, stop = [],
  parseSpecial = false }) {
  const { home, env, dataDir } = privateHome();
  const args = ['--data-dir', dataDir, 'generate', '-m', modelPath, '-p', prompt,
    '-n', String(maxTokens), '-t', String(THREADS), '-c', String(CONTEXT)];
  if (temperature !== undefined) args.push('--temp', String(temperature));
  if (topP !== undefined) args.push('--top-p', String(topP));
  if (seed !== undefined) args.push('--seed', String(seed));
  for (const s of stop) args.push('--stop', s);
  if (parseSpecial) args.push('--parse-special');
  try {
    const { stdout, stderr } = await new Promise((resolve, reject) => {
      execFile(tektraBinary, args, { env, timeout: 30000 }, (error, out, err) => {
        if (error) reject(new Error(`tektra generate failed: ${error.message}\n${err}`));
        else resolve({ stdout: out, stderr: err });
      });
    });
    // It echoes the prompt, streams the continuation, then ends the line.
    if (!stdout.startsWith(prompt) || !stdout.endsWith('\n'))
      throw new Error(`unexpected tektra generate output: ${JSON.stringify(stdout)}`);
    const promptTokens = Number(stderr.match(/prompt: (\d+) tokens/)?.[1]);
    return { text: stdout.slice(prompt.length, -1), promptTokens };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

// The value of one series in the server's Prometheus /metrics text, or 0 when absent.
export async function metric(baseUrl, series) {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return 0;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
