// Whether node_modules holds what package-lock.json pins. As a script, which scripts/install-deps
// runs, it exits 0 when it does and 1 with the reason when `npm ci` is needed.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

// Why node_modules in `dir` does not match its package-lock.json, or null when it does.
export function installProblem(dir = here) {
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'));
  for (const [path, locked] of Object.entries(lock.packages ?? {})) {
    if (!path.startsWith('node_modules/')) continue;
    const manifest = join(dir, path, 'package.json');
    if (!existsSync(manifest)) {
      if (locked.optional) continue;
      return `${path} is not installed (run scripts/install-deps, or npm ci in ${dir})`;
    }
    const installed = JSON.parse(readFileSync(manifest, 'utf8')).version;
    if (installed !== locked.version)
      return `${path} is ${installed}, package-lock.json pins ${locked.version} ` +
        `(run scripts/install-deps, or npm ci in ${dir})`;
  }
  return null;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const problem = installProblem();
  if (problem) {
    console.log(problem);
    process.exit(1);
  }
}
