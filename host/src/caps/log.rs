//! The `log` capability, granted to every plugin: its lines go to the invocation's
//! [`LogSink`], which sanitises, caps and reports them.

use wasmtime::component::{HasSelf, Linker};

use super::{Capability, GrantKind};
use crate::report::Level;
use crate::report::plugin_log::LogSink;
use crate::runtime::bindings::log as wit;
use crate::runtime::state::StoreState;

pub struct Log;

impl Capability for Log {
    fn name(&self) -> &'static str {
        "log"
    }

    fn grant_kind(&self) -> GrantKind {
        GrantKind::Always
    }

    fn interface(&self) -> Option<&'static str> {
        Some("log")
    }

    fn gives(&self) -> &'static str {
        "log lines, shown sanitised with the stage's name (always granted)"
    }

    fn link(&self, linker: &mut Linker<StoreState>) -> wasmtime::Result<()> {
        wit::add_to_linker::<StoreState, HasSelf<LogSink>>(linker, |s| &mut s.log)
    }
}

impl wit::Host for LogSink {
    fn log(&mut self, level: wit::Level, message: String) {
        let level = match level {
            wit::Level::Trace => Level::Trace,
            wit::Level::Debug => Level::Debug,
            wit::Level::Info => Level::Info,
            wit::Level::Warn => Level::Warn,
            wit::Level::Error => Level::Error,
        };
        self.message(level, &message);
    }
}
