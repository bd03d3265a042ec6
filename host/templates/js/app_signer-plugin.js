// __NAME__: an xhost plugin in the `signer-plugin` world: besides its files it may
// sign with the keys its stage grants (`grants.signing`). It never sees a key: it names
// one by id and the host signs. This one writes `<file>.sig` (base64) for each
// checksums file, archive and binary of the release.
import { log } from 'xhost:plugin/log@__CONTRACT__';
import { sign } from 'xhost:plugin/signing@__CONTRACT__';
import { makeParents, readBytes, writeText } from './files.js';

const VERSION = '0.1.0';

function base64(bytes) {
  let binary = '';
  for (let at = 0; at < bytes.length; at += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  }
  return btoa(binary);
}

export const stage = {
  describe() {
    return {
      name: '__NAME__',
      version: VERSION,
      summary: "Signs the release's files with a host-held key",
      scope: 'release',
      consumes: ['checksum', 'archive', 'binary'],
      needs: { programs: [], source: false, signingKeys: 1 },
    };
  },

  run(job) {
    const key = JSON.parse(job.config).key ?? 'release';
    const outputs = [];
    for (const artifact of job.inputs) {
      let signature;
      try {
        signature = sign(key, readBytes(artifact.path));
      } catch (e) {
        throw { tag: 'failed', val: `signing ${artifact.path}: ${JSON.stringify(e?.payload ?? String(e))}` };
      }
      const path = `/out/${artifact.path.replace(/^\/in\//, '')}.sig`;
      makeParents(path);
      writeText(path, base64(signature));
      outputs.push({ path, kind: 'signature', target: artifact.target, meta: [] });
    }
    log('info', `signed ${outputs.length} files with key \`${key}\``);
    return outputs;
  },
};
