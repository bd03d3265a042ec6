// __NAME__: an xhost plugin in the `tool-plugin` world: besides its files it may run
// the native programs its stage grants (`grants.exec`), by name, with typed path
// arguments. This one records the Go toolchain a release was built with.
import { run as exec } from 'xhost:plugin/exec@__CONTRACT__';
import { log } from 'xhost:plugin/log@__CONTRACT__';
import { writeBytes } from './files.js';

const VERSION = '0.1.0';

export const stage = {
  describe() {
    return {
      name: '__NAME__',
      version: VERSION,
      summary: 'Records the Go toolchain version',
      scope: 'release',
      consumes: [],
      needs: { programs: ['go'], source: false, signingKeys: 0 },
    };
  },

  run(job) {
    // A refused or failed start throws the exec-error; it becomes the stage's error.
    let output;
    try {
      output = exec({ program: 'go', args: [{ tag: 'text', val: 'version' }], env: [] });
    } catch (e) {
      throw { tag: 'failed', val: `go version: ${JSON.stringify(e?.payload ?? String(e))}` };
    }
    if (output.exitCode !== 0) {
      throw { tag: 'failed', val: `go version failed: ${new TextDecoder().decode(output.stderr)}` };
    }
    writeBytes('/out/toolchain.txt', output.stdout);
    log('info', new TextDecoder().decode(output.stdout).trim());
    return [{ path: '/out/toolchain.txt', kind: 'other', target: undefined, meta: [] }];
  },
};
