"""__NAME__: an xhost plugin in the `tool-plugin` world: besides its files it may run
the native programs its stage grants (`grants.exec`), by name, with typed path
arguments. This one records the Go toolchain a release was built with."""

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import exec, log, types

VERSION = "0.1.0"


class Stage(exports.Stage):
    def describe(self) -> types.PluginInfo:
        return types.PluginInfo(
            name="__NAME__",
            version=VERSION,
            summary="Records the Go toolchain version",
            scope=types.Scope.RELEASE,
            consumes=[],
            needs=types.RequestedGrants(programs=["go"], source=False, signing_keys=0),
        )

    def run(self, job: types.Job) -> list[types.Artifact]:
        output = exec.run(exec.Command(program="go", args=[exec.Arg_Text("version")], env=[]))
        if output.exit_code != 0:
            raise Err(types.StageError_Failed(f"go version failed: {output.stderr.decode(errors='replace')}"))
        with open("/out/toolchain.txt", "wb") as record:
            record.write(output.stdout)
        log.log(log.Level.INFO, output.stdout.decode().strip())
        return [types.Artifact(path="/out/toolchain.txt", kind=types.ArtifactKind.OTHER, target=None, meta=[])]
