// Builds __NAME__.wasm from app.js with ComponentizeJS (SpiderMonkey, pre-initialised
// with app.js), against the contract in wit/ and WASI's file system, whose WIT comes
// with the installed jco (the version ComponentizeJS's engine imports).
import { componentize } from '@bytecodealliance/componentize-js';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const WASI = '__WASI__';
const builtin = join('node_modules', '@bytecodealliance', 'jco', 'lib', 'wit', 'builtin', WASI);

const wit = await mkdtemp(join(tmpdir(), '__NAME__-wit-'));
try {
  await cp('wit', wit, { recursive: true });
  for (const pkg of ['io', 'clocks', 'filesystem']) {
    await mkdir(join(wit, 'deps', pkg), { recursive: true });
    await cp(join(builtin, `wasi-${pkg}`, 'package.wit'), join(wit, 'deps', pkg, 'package.wit'));
  }
  const { component } = await componentize({
    sourcePath: 'app.js',
    witPath: wit,
    worldName: 'js-__WORLD__',
    // No outgoing HTTP and no incoming requests: xhost gives plugins neither.
    disableFeatures: ['http', 'fetch-event'],
  });
  await writeFile('__NAME__.wasm', component);
} finally {
  await rm(wit, { recursive: true, force: true });
}
