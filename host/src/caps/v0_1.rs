//! The `log`, `exec` and `signing` interfaces of `xhost:plugin@0.1.0`, frozen, answered
//! by the current capabilities: each call is converted to the current types, handled
//! exactly as a current plugin's would be (same grants, checks and refusals), and the
//! answer converted back. The interfaces did not change between the versions; only the
//! generated types are distinct. (The `stage` export is adapted by
//! `crate::runtime::contract_v0_1`.)

use wasmtime::component::{HasSelf, Linker};

use super::exec::ExecCap;
use super::signing::SigningCap;
use crate::report::plugin_log::LogSink;
use crate::runtime::bindings::{exec, log, signing, v0_1};
use crate::runtime::state::StoreState;

/// Links capability interface `interface` in its 0.1.0 version.
pub fn link(linker: &mut Linker<StoreState>, interface: &str) -> wasmtime::Result<()> {
    match interface {
        "log" => v0_1::log::add_to_linker::<StoreState, HasSelf<LogSink>>(linker, |s| &mut s.log),
        "exec" => v0_1::exec::add_to_linker::<StoreState, HasSelf<ExecCap>>(
            linker,
            StoreState::cap::<ExecCap>,
        ),
        "signing" => v0_1::signing::add_to_linker::<StoreState, HasSelf<SigningCap>>(
            linker,
            StoreState::cap::<SigningCap>,
        ),
        // 0.1.0 had no other interface, and `contract::classify` refuses any other.
        _ => Ok(()),
    }
}

impl v0_1::log::Host for LogSink {
    fn log(&mut self, level: v0_1::log::Level, message: String) {
        use v0_1::log::Level as Old;
        let level = match level {
            Old::Trace => log::Level::Trace,
            Old::Debug => log::Level::Debug,
            Old::Info => log::Level::Info,
            Old::Warn => log::Level::Warn,
            Old::Error => log::Level::Error,
        };
        log::Host::log(self, level, message);
    }
}

impl v0_1::exec::Host for ExecCap {
    fn run(
        &mut self,
        command: v0_1::exec::Command,
    ) -> Result<v0_1::exec::Output, v0_1::exec::ExecError> {
        use v0_1::exec::{Arg as Old, ExecError as OldError};
        let command = exec::Command {
            program: command.program,
            args: command
                .args
                .into_iter()
                .map(|arg| match arg {
                    Old::Text(t) => exec::Arg::Text(t),
                    Old::Source(p) => exec::Arg::Source(p),
                    Old::Input(p) => exec::Arg::Input(p),
                    Old::Output(p) => exec::Arg::Output(p),
                })
                .collect(),
            env: command.env,
        };
        match exec::Host::run(self, command) {
            Ok(output) => Ok(v0_1::exec::Output {
                exit_code: output.exit_code,
                stdout: output.stdout,
                stderr: output.stderr,
                truncated: output.truncated,
            }),
            Err(exec::ExecError::NotGranted(m)) => Err(OldError::NotGranted(m)),
            Err(exec::ExecError::BadArgument(m)) => Err(OldError::BadArgument(m)),
            Err(exec::ExecError::EnvDenied(m)) => Err(OldError::EnvDenied(m)),
            Err(exec::ExecError::Unavailable(m)) => Err(OldError::Unavailable(m)),
            Err(exec::ExecError::TimedOut(m)) => Err(OldError::TimedOut(m)),
        }
    }
}

impl v0_1::signing::Host for SigningCap {
    fn public_key(
        &mut self,
        key_id: String,
    ) -> Result<v0_1::signing::PublicKeyInfo, v0_1::signing::SigningError> {
        let info = signing::Host::public_key(self, key_id).map_err(signing_error)?;
        Ok(v0_1::signing::PublicKeyInfo {
            algorithm: match info.algorithm {
                signing::Algorithm::EcdsaP256Sha256 => v0_1::signing::Algorithm::EcdsaP256Sha256,
                signing::Algorithm::Ed25519 => v0_1::signing::Algorithm::Ed25519,
            },
            spki_der: info.spki_der,
            raw: info.raw,
            minisign_key_id: info.minisign_key_id,
        })
    }

    fn sign(
        &mut self,
        key_id: String,
        message: Vec<u8>,
    ) -> Result<Vec<u8>, v0_1::signing::SigningError> {
        signing::Host::sign(self, key_id, message).map_err(signing_error)
    }
}

fn signing_error(error: signing::SigningError) -> v0_1::signing::SigningError {
    match error {
        signing::SigningError::NotGranted(m) => v0_1::signing::SigningError::NotGranted(m),
        signing::SigningError::Failed(m) => v0_1::signing::SigningError::Failed(m),
    }
}
