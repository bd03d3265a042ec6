"""__NAME__: an xhost plugin in the `plugin` world: it reads its inputs under /in,
writes outputs under /out and logs; nothing else. This one runs once per release and
writes an inventory of the release's artifacts. Make `describe` and `run` yours."""

import json
import os

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import log, types

VERSION = "0.1.0"


class Stage(exports.Stage):
    def describe(self) -> types.PluginInfo:
        return types.PluginInfo(
            name="__NAME__",
            version=VERSION,
            summary="Writes an inventory of the release's artifacts",
            scope=types.Scope.RELEASE,
            consumes=[types.ArtifactKind.BINARY, types.ArtifactKind.ARCHIVE, types.ArtifactKind.OTHER],
            needs=types.RequestedGrants(programs=[], source=False, signing_keys=0),
        )

    def run(self, job: types.Job) -> list[types.Artifact]:
        config = json.loads(job.config)
        unknown = set(config) - {"title"}
        if unknown:
            raise Err(types.StageError_InvalidConfig(f"unknown keys: {', '.join(sorted(unknown))}"))
        title = config.get("title", "Release inventory")
        lines = [f"{title}: {job.project.name} {job.project.version}"]
        for artifact in job.inputs:
            size = os.path.getsize(artifact.path)
            lines.append(f"{size:>12}  {artifact.path.removeprefix('/in/')}")
        name = f"{job.project.name}_{job.project.version}___NAME__.txt"
        with open(f"/out/{name}", "w") as report:
            report.write("\n".join(lines) + "\n")
        log.log(log.Level.INFO, f"listed {len(job.inputs)} artifacts in {name}")
        return [types.Artifact(path=f"/out/{name}", kind=types.ArtifactKind.OTHER, target=None, meta=[])]
