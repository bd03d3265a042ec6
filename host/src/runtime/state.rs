//! What a plugin's store holds: its WASI context, limits, log, quota alarm, and the
//! state of each capability it was given ([`CapStates`], filled by `crate::caps`).

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::Arc;

use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::bindings::types;
use super::limits::{MemoryLimiter, ProgramTime};
use crate::plugin_sandbox::quota::Alarm;
use crate::report::plugin_log::LogSink;

pub struct StoreState {
    pub wasi: WasiCtx,
    pub table: ResourceTable,
    pub memory: MemoryLimiter,
    pub log: LogSink,
    /// Raised when the invocation writes past its quota; stops the plugin.
    pub alarm: Arc<Alarm>,
    /// Time spent in native programs, which the time limit does not count.
    pub program_time: Arc<ProgramTime>,
    pub caps: CapStates,
}

impl StoreState {
    /// The state of capability state type `C`, for its interface's host functions.
    /// Linking an interface whose state was not provided is a bug, caught on the first
    /// call.
    pub fn cap<C: Any + Send>(&mut self) -> &mut C {
        self.caps
            .get_mut::<C>()
            .expect("a capability's interface is linked only with its state provided")
    }
}

/// Capability states by type, one of each.
#[derive(Default)]
pub struct CapStates(HashMap<TypeId, Box<dyn Any + Send>>);

impl CapStates {
    pub fn insert<C: Any + Send>(&mut self, state: C) {
        self.0.insert(TypeId::of::<C>(), Box::new(state));
    }

    pub fn get_mut<C: Any + Send>(&mut self) -> Option<&mut C> {
        self.0.get_mut(&TypeId::of::<C>())?.downcast_mut()
    }
}

impl WasiView for StoreState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// `types` has no functions; its host side is empty.
impl types::Host for StoreState {}
