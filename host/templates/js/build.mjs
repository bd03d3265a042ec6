// Builds __NAME__.wasm from app.js with ComponentizeJS (SpiderMonkey, pre-initialised
// with app.js), against the contract in wit/ and WASI's file system, whose WIT comes
// with the installed jco (the version ComponentizeJS's engine imports).
import { componentize } from '@bytecodealliance/componentize-js';
import wizer from '@bytecodealliance/wizer';
import { chmod, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const WASI = '__WASI__';
const builtin = join('node_modules', '@bytecodealliance', 'jco', 'lib', 'wit', 'builtin', WASI);

// ComponentizeJS runs wizer with `--dir=/tmp/<random>/sources` and passes, on stdin,
// the initializer's host path and `--strip-path-prefix <this directory>/`; the snapshot
// keeps both. This wrapper maps the sources to a fixed guest path, strips the guest's '/'
// (which is this directory), and runs wizer with the preload from build.sh (constant
// WASI randomness, clocks and file times), if there is one.
const wrapper = `#!${process.execPath}
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
const GUEST = '/componentize-sources';
const args = process.argv.slice(2);
let input = readFileSync(0, 'utf8');
const at = args.findIndex((a) => a.startsWith('--dir='));
if (at >= 0) {
  const sources = args[at].slice('--dir='.length);
  args[at] = '--mapdir=' + GUEST + '::' + sources;
  input = input.split(sources).join(GUEST);
}
const root = args.find((a) => a.startsWith('--mapdir=/::'));
if (root) {
  // The project directory is the guest's '/': strip that, not its host path.
  input = input.replace('--strip-path-prefix ' + root.slice('--mapdir=/::'.length) + '/', '--strip-path-prefix /');
}
const env = { ...process.env };
const preload = ${JSON.stringify(process.env.DETERMINISTIC_PRELOAD ?? '')};
if (preload) env.LD_PRELOAD = preload;
const run = spawnSync(${JSON.stringify(wizer)}, args, { input, env, stdio: ['pipe', 'inherit', 'inherit'] });
process.exit(run.status ?? 1);
`;

const wit = await mkdtemp(join(tmpdir(), '__NAME__-wit-'));
const tools = await mkdtemp(join(tmpdir(), '__NAME__-wizer-'));
try {
  await cp('wit', wit, { recursive: true });
  for (const pkg of ['io', 'clocks', 'filesystem']) {
    await mkdir(join(wit, 'deps', pkg), { recursive: true });
    await cp(join(builtin, `wasi-${pkg}`, 'package.wit'), join(wit, 'deps', pkg, 'package.wit'));
  }
  const wizerBin = join(tools, 'wizer.mjs');
  await writeFile(wizerBin, wrapper);
  await chmod(wizerBin, 0o755);
  const { component } = await componentize({
    sourcePath: 'app.js',
    witPath: wit,
    worldName: 'js-__WORLD__',
    // No outgoing HTTP and no incoming requests: xhost gives plugins neither.
    disableFeatures: ['http', 'fetch-event'],
    wizerBin,
  });
  await writeFile('__NAME__.wasm', component);
} finally {
  await rm(wit, { recursive: true, force: true });
  await rm(tools, { recursive: true, force: true });
}
