// CTest's entry point: runs the openai client tests with `node --test`, or exits 77 (which CTest
// reports as skipped) with the reason when Node, node_modules or the model fixture is missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { installProblem } from './install_state.mjs';
import { missingPrerequisite, tektraBinary } from './tektra_process.mjs';

const SKIPPED = 77;  // SKIP_RETURN_CODE in tests/CMakeLists.txt
const MIN_NODE = 18;  // global fetch and web streams, which the openai package uses

const here = dirname(fileURLToPath(import.meta.url));
const skip = (reason) => {
  console.log(`openai_node_client SKIPPED: ${reason}`);
  process.exit(SKIPPED);
};

const major = Number(process.versions.node.split('.')[0]);
if (major < MIN_NODE)
  skip(`Node ${process.version} is older than ${MIN_NODE}, which the openai package needs`);
const install = installProblem(here);
if (install) skip(install);
// A missing binary is a broken build, not a missing prerequisite.
if (!tektraBinary || !existsSync(tektraBinary)) {
  console.error(`openai_node_client: tektra binary "${tektraBinary}" not found (TEKTRA_BINARY)`);
  process.exit(1);
}
const missing = missingPrerequisite();
if (missing) skip(missing);

const run = spawnSync(process.execPath, ['--test', join(here, 'openai_client.test.mjs')],
  { cwd: here, stdio: 'inherit' });
if (run.error) throw run.error;
process.exit(run.status ?? 1);
