//! A test plugin in the `tool-plugin` world that abuses `exec`, chosen by the stage's
//! `config.action`. Same convention as the probe: `blocked: …` when the host refused,
//! `ESCAPED: …` when it did not. The stage grants `sh`.

use serde::Deserialize;
use xhost_plugin_sdk::exec::{Command, ExecError};
use xhost_plugin_sdk::{Artifact, ArtifactKind, Job, PluginInfo, Stage, StageError};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    action: String,
}

struct ExecProbe;

impl Stage for ExecProbe {
    fn describe() -> PluginInfo {
        PluginInfo::per_target("exec-probe", "0.0.0", "exec sandbox test plugin").running(["sh"])
    }

    fn run(job: Job) -> Result<Vec<Artifact>, StageError> {
        let config: Config = xhost_plugin_sdk::config(&job)?;
        let sh = || Command::new("sh");
        match config.action.as_str() {
            "env" => capture(&sh().args(["-c", "env; pwd"]), "env.txt"),
            "ungranted" => attempt("running curl", &Command::new("curl").arg("--version")),
            "path-program" => attempt(
                "running /bin/sh by path",
                &Command::new("/bin/sh").arg("-c").arg("true"),
            ),
            "output-escape" => attempt(
                "writing to ../../escape",
                &sh().args(["-c", "true"]).output("../../escape"),
            ),
            "output-absolute" => attempt(
                "writing to /tmp/escape",
                &sh().args(["-c", "true"]).output("/tmp/escape"),
            ),
            "text-path" => attempt("passing /etc/passwd as text", &sh().arg("/etc/passwd")),
            "text-flag-path" => attempt("passing -o=/tmp/x as text", &sh().arg("-o=/tmp/x")),
            "source-escape" => attempt(
                "reading ../../etc/passwd from /src",
                &sh().source("../../etc/passwd"),
            ),
            "env-ld-preload" => attempt(
                "setting LD_PRELOAD",
                &sh().arg("-c").arg("true").env("LD_PRELOAD", "x.so"),
            ),
            "env-path" => attempt(
                "setting PATH",
                &sh().arg("-c").arg("true").env("PATH", "bin"),
            ),
            "env-goflags" => attempt(
                "setting GOFLAGS=-toolexec",
                &sh().arg("-c").arg("true").env("GOFLAGS", "-toolexec=evil"),
            ),
            "timeout" => attempt(
                "sleeping past the exec limit",
                &sh().args(["-c", "sleep 30"]),
            ),
            other => Err(StageError::InvalidConfig(format!(
                "unknown action `{other}`"
            ))),
        }
    }
}

fn attempt(what: &str, command: &Command) -> Result<Vec<Artifact>, StageError> {
    match command.run() {
        Ok(output) => Err(StageError::failed(format!(
            "ESCAPED: {what} ran, exit {:?}",
            output.exit_code
        ))),
        Err(error) => Err(StageError::failed(format!(
            "blocked: {what}: {}",
            describe(&error)
        ))),
    }
}

fn describe(error: &ExecError) -> String {
    match error {
        ExecError::NotGranted(m) => format!("not-granted: {m}"),
        ExecError::BadArgument(m) => format!("bad-argument: {m}"),
        ExecError::EnvDenied(m) => format!("env-denied: {m}"),
        ExecError::Unavailable(m) => format!("unavailable: {m}"),
        ExecError::TimedOut(m) => format!("timed-out: {m}"),
    }
}

fn capture(command: &Command, file: &str) -> Result<Vec<Artifact>, StageError> {
    let output = command.run()?;
    xhost_plugin_sdk::files::write(format!("/out/{file}"), &output.stdout)?;
    Ok(vec![Artifact::output(file, ArtifactKind::Other, None)])
}

xhost_plugin_sdk::export_plugin!(ExecProbe);
