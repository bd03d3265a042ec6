//! `grants.net`: the programs a stage runs keep the runner's network (otherwise they
//! have none: a network namespace with only a downed loopback). What they fetch is not
//! among the invocation's inputs, so such an invocation is never cached.

use serde_json::Value;

use super::{Capability, GrantKind};
use crate::cache::{KeyContext, Uncacheable};
use crate::config::Grants;
use crate::plan::PlannedStage;

pub struct Net;

/// Whether `grants` give programs the network.
pub fn granted(grants: &Grants) -> bool {
    grants.has(Net.name())
}

impl Capability for Net {
    fn name(&self) -> &'static str {
        "net"
    }

    fn grant_kind(&self) -> GrantKind {
        GrantKind::Flag
    }

    fn gives(&self) -> &'static str {
        "network access for the programs it runs (none otherwise)"
    }

    fn key_parts(
        &self,
        _stage: &PlannedStage,
        _keys: &KeyContext,
    ) -> Result<Vec<(&'static str, Value)>, Uncacheable> {
        Err(Uncacheable::Network)
    }
}
