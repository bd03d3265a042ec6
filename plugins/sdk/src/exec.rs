//! Running granted native programs through the host.

use crate::StageError;
pub use crate::bindings::xhost::plugin::exec::{Arg, ExecError, Output};

/// A command line under construction. Paths are typed so the host can check them.
pub struct Command {
    inner: crate::bindings::xhost::plugin::exec::Command,
}

impl Command {
    /// A command running granted program `program` (a name like `go`, not a path).
    pub fn new(program: &str) -> Self {
        Command {
            inner: crate::bindings::xhost::plugin::exec::Command {
                program: program.to_string(),
                args: Vec::new(),
                env: Vec::new(),
            },
        }
    }

    /// A literal argument.
    pub fn arg(mut self, text: impl Into<String>) -> Self {
        self.inner.args.push(Arg::Text(text.into()));
        self
    }

    /// Literal arguments.
    pub fn args<S: Into<String>>(mut self, texts: impl IntoIterator<Item = S>) -> Self {
        self.inner
            .args
            .extend(texts.into_iter().map(|t| Arg::Text(t.into())));
        self
    }

    /// A path in the source tree (`/src`).
    pub fn source(mut self, path: impl Into<String>) -> Self {
        self.inner.args.push(Arg::Source(path.into()));
        self
    }

    /// A path among the inputs (`/in`).
    pub fn input(mut self, path: impl Into<String>) -> Self {
        self.inner.args.push(Arg::Input(path.into()));
        self
    }

    /// A path in the output directory (`/out`).
    pub fn output(mut self, path: impl Into<String>) -> Self {
        self.inner.args.push(Arg::Output(path.into()));
        self
    }

    /// Sets an environment variable (from the host's allow-list).
    pub fn env(mut self, name: &str, value: impl Into<String>) -> Self {
        self.inner.env.push((name.to_string(), value.into()));
        self
    }

    /// Runs it and waits.
    pub fn run(&self) -> Result<Output, ExecError> {
        crate::bindings::xhost::plugin::exec::run(&self.inner)
    }
}

impl From<ExecError> for StageError {
    fn from(error: ExecError) -> Self {
        StageError::Failed(match error {
            ExecError::NotGranted(m) => format!("not granted: {m}"),
            ExecError::BadArgument(m) => format!("bad argument: {m}"),
            ExecError::EnvDenied(m) => format!("environment refused: {m}"),
            ExecError::Unavailable(m) => format!("program unavailable: {m}"),
            ExecError::TimedOut(m) => format!("timed out: {m}"),
        })
    }
}

impl Output {
    pub fn success(&self) -> bool {
        self.exit_code == Some(0)
    }

    /// Captured stderr as text (lossy).
    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}
