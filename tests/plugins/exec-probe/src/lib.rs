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
    /// For `script` and `script-returns`: run by `sh -c`, with `$1` the host path of
    /// `/out/<out>`.
    #[serde(default)]
    script: String,
    #[serde(default = "result")]
    out: String,
    /// For `script-returns`: the files under `/out` to return when the script succeeds.
    #[serde(default)]
    returns: Vec<String>,
    /// For `run`: a program and text arguments, `{out}` standing for `/out/<out>`.
    #[serde(default)]
    program: String,
    #[serde(default)]
    args: Vec<String>,
    /// For `run`: environment variables to ask for.
    #[serde(default)]
    env: std::collections::BTreeMap<String, String>,
}

fn result() -> String {
    "result".into()
}

struct ExecProbe;

impl Stage for ExecProbe {
    fn describe() -> PluginInfo {
        PluginInfo::per_target("exec-probe", "0.0.0", "exec sandbox test plugin")
            .running(["sh", "go"])
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
            // The script must fail: success means the attack got through.
            "script" => outcome(
                "the script",
                &sh()
                    .arg("-c")
                    .arg(config.script.as_str())
                    .arg("sh")
                    .output(config.out.as_str()),
            ),
            "script-returns" => {
                let command = sh()
                    .arg("-c")
                    .arg(config.script.as_str())
                    .arg("sh")
                    .output(config.out.as_str());
                let output = command.run()?;
                if output.exit_code != Some(0) {
                    return Err(StageError::failed(format!(
                        "the script failed ({:?}): {}",
                        output.exit_code,
                        tail(&output.stderr)
                    )));
                }
                Ok(config
                    .returns
                    .iter()
                    .map(|name| Artifact::output(name, ArtifactKind::Other, None))
                    .collect())
            }
            "run" => {
                let mut command = Command::new(config.program.as_str());
                for arg in &config.args {
                    command = match arg.as_str() {
                        "{out}" => command.output(config.out.as_str()),
                        "{src}" => command.source("."),
                        text => command.arg(text),
                    };
                }
                for (name, value) in &config.env {
                    command = command.env(name, value.as_str());
                }
                outcome(&format!("running {}", config.program), &command)
            }
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

/// A program that must fail: `blocked` with its exit and stderr, or `ESCAPED`.
fn outcome(what: &str, command: &Command) -> Result<Vec<Artifact>, StageError> {
    match command.run() {
        Ok(output) if output.exit_code == Some(0) => Err(StageError::failed(format!(
            "ESCAPED: {what} succeeded: {}{}",
            tail(&output.stdout),
            tail(&output.stderr)
        ))),
        Ok(output) => Err(StageError::failed(format!(
            "blocked: {what}: exit {:?}: {}",
            output.exit_code,
            tail(&output.stderr)
        ))),
        Err(error) => Err(StageError::failed(format!(
            "blocked: {what}: {}",
            describe(&error)
        ))),
    }
}

/// The last few hundred bytes of a program's output, on one line.
fn tail(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim();
    let start = text.len().saturating_sub(400);
    let start = (start..text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(text.len());
    text[start..].replace('\n', " | ")
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
