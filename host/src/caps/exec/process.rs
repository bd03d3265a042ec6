//! Running one native program: its own process group, no stdin, captured and capped
//! output, and a wall-clock timeout that kills the whole group.

use std::ffi::OsString;
use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::plugin_sandbox::quota::Alarm;

/// What to run.
pub struct Spec {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    /// The complete environment; nothing is inherited.
    pub env: Vec<(String, String)>,
    pub cwd: PathBuf,
    pub timeout: Duration,
    /// Bytes kept of stdout and of stderr, each.
    pub output_cap: usize,
    /// Raised to stop the program early (the invocation's quota); an interrupt of
    /// xhost stops it too.
    pub alarm: Option<Arc<Alarm>>,
}

/// How it ended.
pub struct Finished {
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub truncated: bool,
    pub timed_out: bool,
    /// Killed because the alarm was raised or xhost was interrupted.
    pub stopped: bool,
}

pub fn run(spec: Spec) -> std::io::Result<Finished> {
    let mut child = Command::new(&spec.program)
        .args(&spec.args)
        .env_clear()
        .envs(spec.env.iter().map(|(k, v)| (k, v)))
        .current_dir(&spec.cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()?;
    let pid = child.id();
    let stdout = capture(child.stdout.take(), spec.output_cap);
    let stderr = capture(child.stderr.take(), spec.output_cap);
    let (status, ended) = wait(child, pid, spec.timeout, spec.alarm.as_deref())?;
    // Descendants left running in the group would hold the pipes open; end them too.
    kill_group(pid);
    let (stdout, cut_out) = stdout.join().unwrap_or_default();
    let (stderr, cut_err) = stderr.join().unwrap_or_default();
    Ok(Finished {
        exit_code: status.code(),
        signal: status.signal(),
        stdout,
        stderr,
        truncated: cut_out || cut_err,
        timed_out: ended == Ended::TimedOut,
        stopped: ended == Ended::Stopped,
    })
}

#[derive(PartialEq)]
enum Ended {
    Exited,
    TimedOut,
    Stopped,
}

/// Waits for the child, killing its group at the timeout or when the alarm is raised.
fn wait(
    mut child: Child,
    pid: u32,
    timeout: Duration,
    alarm: Option<&Alarm>,
) -> std::io::Result<(std::process::ExitStatus, Ended)> {
    const LOOK: Duration = Duration::from_millis(50);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let started = std::time::Instant::now();
    let ended = loop {
        let left = timeout.saturating_sub(started.elapsed());
        if left.is_zero() {
            break Ended::TimedOut;
        }
        if alarm.is_some_and(|a| a.raised().is_some()) || crate::interrupt::requested() {
            break Ended::Stopped;
        }
        match rx.recv_timeout(left.min(LOOK)) {
            Ok(status) => return Ok((status?, Ended::Exited)),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(std::io::Error::other("lost the child process"));
            }
        }
    };
    kill_group(pid);
    let status = rx
        .recv()
        .map_err(|_| std::io::Error::other("lost the child process"))??;
    Ok((status, ended))
}

fn kill_group(pid: u32) {
    if let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    {
        // ESRCH (group already gone) is the normal case.
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
}

/// Reads a pipe to the end, keeping at most `cap` bytes; returns (bytes, was cut).
fn capture(pipe: Option<impl Read + Send + 'static>, cap: usize) -> JoinHandle<(Vec<u8>, bool)> {
    std::thread::spawn(move || {
        let Some(mut pipe) = pipe else {
            return (Vec::new(), false);
        };
        let mut kept = Vec::new();
        let mut cut = false;
        let mut buf = [0u8; 16 * 1024];
        loop {
            match pipe.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let room = cap.saturating_sub(kept.len());
                    kept.extend_from_slice(&buf[..n.min(room)]);
                    cut |= n > room;
                }
            }
        }
        (kept, cut)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn sh(script: &str, timeout: Duration, cap: usize) -> Finished {
        run(Spec {
            program: "/bin/sh".into(),
            args: vec!["-c".into(), script.into()],
            env: vec![("X".into(), "1".into())],
            cwd: "/".into(),
            timeout,
            output_cap: cap,
            alarm: None,
        })
        .unwrap()
    }

    #[test]
    fn captures_and_clears_env() {
        let done = sh(
            "echo out; echo err >&2; env | sort; exit 3",
            Duration::from_secs(10),
            1 << 20,
        );
        assert_eq!(done.exit_code, Some(3));
        let out = String::from_utf8(done.stdout).unwrap();
        assert!(out.starts_with("out\n"), "{out}");
        assert!(out.contains("X=1"));
        assert!(!out.contains("HOME="), "environment leaked: {out}");
        assert_eq!(done.stderr, b"err\n");
    }

    #[test]
    fn caps_output() {
        let done = sh("yes | head -c 100000", Duration::from_secs(10), 1000);
        assert_eq!(done.stdout.len(), 1000);
        assert!(done.truncated);
    }

    #[test]
    fn timeout_kills_the_whole_group() {
        let start = Instant::now();
        let done = sh(
            "sleep 30 & sleep 30; echo never",
            Duration::from_millis(300),
            1000,
        );
        assert!(done.timed_out);
        assert_eq!(done.signal, Some(9));
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the background sleep kept the pipes open"
        );
    }
}
