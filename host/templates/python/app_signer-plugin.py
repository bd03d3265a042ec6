"""__NAME__: an xhost plugin in the `signer-plugin` world: besides its files it may
sign with the keys its stage grants (`grants.signing`). It never sees a key: it names
one by id and the host signs. This one writes `<file>.sig` (base64) for each checksums
file, archive and binary of the release."""

import base64
import json
import os

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import log, signing, types

VERSION = "0.1.0"


class Stage(exports.Stage):
    def describe(self) -> types.PluginInfo:
        return types.PluginInfo(
            name="__NAME__",
            version=VERSION,
            summary="Signs the release's files with a host-held key",
            scope=types.Scope.RELEASE,
            consumes=[types.ArtifactKind.CHECKSUM, types.ArtifactKind.ARCHIVE, types.ArtifactKind.BINARY],
            needs=types.RequestedGrants(programs=[], source=False, signing_keys=1),
        )

    def run(self, job: types.Job) -> list[types.Artifact]:
        key = json.loads(job.config).get("key", "release")
        outputs = []
        for artifact in job.inputs:
            with open(artifact.path, "rb") as f:
                signature = signing.sign(key, f.read())
            rel = artifact.path.removeprefix("/in/") + ".sig"
            folder = os.path.dirname(f"/out/{rel}")
            if folder != "/out":  # makedirs would look at `/`, which the sandbox does not have
                os.makedirs(folder, exist_ok=True)
            with open(f"/out/{rel}", "w") as f:
                f.write(base64.b64encode(signature).decode())
            outputs.append(
                types.Artifact(path=f"/out/{rel}", kind=types.ArtifactKind.SIGNATURE, target=artifact.target, meta=[])
            )
        log.log(log.Level.INFO, f"signed {len(outputs)} files with key `{key}`")
        return outputs
