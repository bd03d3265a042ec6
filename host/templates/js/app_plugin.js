// __NAME__: an xhost plugin in the `plugin` world: it reads its inputs under /in,
// writes outputs under /out and logs; nothing else. This one runs once per release and
// writes an inventory of the release's artifacts. Make `describe` and `run` yours.
import { log } from 'xhost:plugin/log@__CONTRACT__';
import { size, writeText } from './files.js';

const VERSION = '0.1.0';

export const stage = {
  describe() {
    return {
      name: '__NAME__',
      version: VERSION,
      summary: "Writes an inventory of the release's artifacts",
      scope: 'release',
      consumes: ['binary', 'archive', 'other'],
      needs: { programs: [], source: false, signingKeys: 0 },
    };
  },

  // Returns the artifacts written; `throw { tag: 'failed', val: '…' }` (or
  // 'invalid-config', 'unsupported') for an ordinary failure.
  run(job) {
    const config = JSON.parse(job.config);
    const unknown = Object.keys(config).filter((key) => key !== 'title');
    if (unknown.length > 0) {
      throw { tag: 'invalid-config', val: `unknown keys: ${unknown.sort().join(', ')}` };
    }
    const title = config.title ?? 'Release inventory';
    const lines = [`${title}: ${job.project.name} ${job.project.version}`];
    for (const artifact of job.inputs) {
      const bytes = String(size(artifact.path)).padStart(12);
      lines.push(`${bytes}  ${artifact.path.replace(/^\/in\//, '')}`);
    }
    const name = `${job.project.name}_${job.project.version}___NAME__.txt`;
    writeText(`/out/${name}`, `${lines.join('\n')}\n`);
    log('info', `listed ${job.inputs.length} artifacts in ${name}`);
    return [{ path: `/out/${name}`, kind: 'other', target: undefined, meta: [] }];
  },
};
