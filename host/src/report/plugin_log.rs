//! One invocation's log: what the plugin logs through the `log` capability
//! ([`crate::caps::log`]) and writes to stdout/stderr, as lines for the reporter.
//!
//! Every line is sanitised ([`crate::report::sanitize`]) and the volume per invocation
//! is capped; the tail is kept so a failure can show what the plugin said last.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};

use crate::report::sanitize::sanitize_line;
use crate::report::{Lane, Level, Reporter};

/// Lines kept per invocation; later lines are counted and dropped.
pub const MAX_LINES: usize = 10_000;
/// Bytes kept per invocation.
pub const MAX_BYTES: usize = 1 << 20;
/// Lines remembered for error reports.
const TAIL_LINES: usize = 40;
/// Lines kept for the action cache, shown again when a later build reuses the outputs.
const REPLAY_LINES: usize = 1000;
/// A partial (newline-less) stdout/stderr line is flushed once it grows past this.
const MAX_PARTIAL: usize = 16 * 1024;

/// Where one invocation's log lines go. Cheap to clone; clones share the buffer.
#[derive(Clone)]
pub struct LogSink {
    shared: Arc<Shared>,
}

struct Shared {
    lane: Lane,
    stage: String,
    reporter: Arc<dyn Reporter>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    lines: usize,
    bytes: usize,
    dropped: usize,
    tail: VecDeque<String>,
    kept: Vec<(Level, String)>,
    partial: [Vec<u8>; 2],
}

/// Which standard stream of the guest.
#[derive(Clone, Copy)]
pub enum Stream {
    Stdout = 0,
    Stderr = 1,
}

impl LogSink {
    pub fn new(lane: Lane, stage: &str, reporter: Arc<dyn Reporter>) -> Self {
        LogSink {
            shared: Arc::new(Shared {
                lane,
                stage: stage.to_string(),
                reporter,
                state: Mutex::new(State::default()),
            }),
        }
    }

    /// Records a message; each of its lines is one log line.
    pub fn message(&self, level: Level, message: &str) {
        let mut state = self.state();
        for line in message.split('\n') {
            self.push_line(&mut state, level, line);
        }
    }

    /// Takes raw bytes a guest wrote to stdout or stderr.
    pub fn write_stream(&self, stream: Stream, bytes: &[u8]) {
        let mut state = self.state();
        let mut buf = std::mem::take(&mut state.partial[stream as usize]);
        buf.extend_from_slice(bytes);
        let mut start = 0;
        while let Some(end) = buf[start..].iter().position(|&b| b == b'\n') {
            let line = String::from_utf8_lossy(&buf[start..start + end]).into_owned();
            self.push_line(&mut state, Level::Info, &line);
            start += end + 1;
        }
        buf.drain(..start);
        if buf.len() > MAX_PARTIAL {
            let line = String::from_utf8_lossy(&buf).into_owned();
            self.push_line(&mut state, Level::Info, &line);
            buf.clear();
        }
        state.partial[stream as usize] = buf;
    }

    /// Flushes partial lines and reports how much was dropped. Call once the guest is done.
    pub fn finish(&self) {
        let mut state = self.state();
        for stream in 0..2 {
            let rest = std::mem::take(&mut state.partial[stream]);
            if !rest.is_empty() {
                let line = String::from_utf8_lossy(&rest).into_owned();
                self.push_line(&mut state, Level::Info, &line);
            }
        }
        if state.dropped > 0 {
            let note = format!(
                "{} more log lines dropped (a plugin may log {MAX_LINES} lines or {} KiB per invocation)",
                state.dropped,
                MAX_BYTES / 1024
            );
            state.dropped = 0;
            self.emit(&mut state, Level::Warn, note);
        }
    }

    /// The last lines logged, oldest first.
    pub fn tail(&self) -> Vec<String> {
        self.state().tail.iter().cloned().collect()
    }

    /// The lines logged (the first [`REPLAY_LINES`]), with their levels.
    pub fn lines(&self) -> Vec<(Level, String)> {
        self.state().kept.clone()
    }

    /// A stream to give the guest as stdout or stderr.
    pub fn guest_stream(&self, stream: Stream) -> GuestOutput {
        GuestOutput {
            sink: self.clone(),
            stream,
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave State inconsistent; keep logging.
        self.shared.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn push_line(&self, state: &mut State, level: Level, raw: &str) {
        if state.lines >= MAX_LINES || state.bytes >= MAX_BYTES {
            state.dropped += 1;
            return;
        }
        let line = sanitize_line(raw);
        if line.trim().is_empty() {
            return;
        }
        state.lines += 1;
        state.bytes += line.len() + 1;
        self.emit(state, level, line);
    }

    fn emit(&self, state: &mut State, level: Level, line: String) {
        self.shared
            .reporter
            .log(&self.shared.lane, &self.shared.stage, level, &line);
        if state.kept.len() < REPLAY_LINES {
            state.kept.push((level, line.clone()));
        }
        if state.tail.len() == TAIL_LINES {
            state.tail.pop_front();
        }
        state.tail.push_back(line);
    }
}

/// A guest's stdout or stderr, feeding a [`LogSink`]. Writes never fail, so a chatty
/// plugin is cut off silently at the cap instead of crashing.
#[derive(Clone)]
pub struct GuestOutput {
    sink: LogSink,
    stream: Stream,
}

impl IsTerminal for GuestOutput {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for GuestOutput {
    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }

    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }
}

impl OutputStream for GuestOutput {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.sink.write_stream(self.stream, &bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(64 * 1024)
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for GuestOutput {
    async fn ready(&mut self) {}
}

impl tokio::io::AsyncWrite for GuestOutput {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.sink.write_stream(self.stream, buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::StageOutcome;

    #[derive(Default)]
    struct Collect(Mutex<Vec<(Level, String)>>);

    impl Reporter for Collect {
        fn build_started(&self, _: &[Lane]) {}
        fn stage_started(&self, _: &Lane, _: &str, _: &str) {}
        fn stage_finished(&self, _: &Lane, _: &str, _: &StageOutcome) {}
        fn log(&self, _: &Lane, _: &str, level: Level, line: &str) {
            self.0.lock().unwrap().push((level, line.to_string()));
        }
        fn finish(&self) {}
    }

    #[test]
    fn splits_streams_into_sanitised_lines() {
        let seen = Arc::new(Collect::default());
        let sink = LogSink::new(None, "s", seen.clone());
        sink.write_stream(Stream::Stdout, b"one\ntw");
        sink.write_stream(Stream::Stdout, b"o\n\x1b[2Jthree");
        sink.finish();
        let lines: Vec<String> = seen
            .0
            .lock()
            .unwrap()
            .iter()
            .map(|(_, l)| l.clone())
            .collect();
        assert_eq!(lines, ["one", "two", "three"]);
    }

    #[test]
    fn caps_volume_and_says_so() {
        let seen = Arc::new(Collect::default());
        let sink = LogSink::new(None, "s", seen.clone());
        for i in 0..MAX_LINES + 5 {
            sink.message(Level::Info, &format!("line {i}"));
        }
        sink.finish();
        let lines = seen.0.lock().unwrap();
        assert_eq!(lines.len(), MAX_LINES + 1);
        let (level, last) = lines.last().unwrap();
        assert_eq!(*level, Level::Warn);
        assert!(last.starts_with("5 more log lines dropped"), "{last}");
        assert_eq!(sink.tail().len(), TAIL_LINES);
    }
}
