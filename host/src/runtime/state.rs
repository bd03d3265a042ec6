//! What a plugin's store holds: its WASI context and the host state of each capability.

use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::bindings::types;
use super::limits::MemoryLimiter;
use crate::caps::exec::ExecCap;
use crate::caps::log::LogSink;
use crate::caps::signing::SigningCap;
use crate::plugin_sandbox::quota::Alarm;

pub struct StoreState {
    pub wasi: WasiCtx,
    pub table: ResourceTable,
    pub memory: MemoryLimiter,
    pub log: LogSink,
    pub exec: ExecCap,
    pub signing: SigningCap,
    /// Raised when the invocation writes past its quota; stops the plugin.
    pub alarm: std::sync::Arc<Alarm>,
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
