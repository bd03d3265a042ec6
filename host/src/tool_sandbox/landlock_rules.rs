//! The Landlock ruleset, a second wall behind the new root: reading (and executing)
//! only the read-only paths, writing only the writable ones, no TCP at all without
//! `net` (with a list of hosts: connecting to their ports only, never binding), and (on kernels with scoping) no signals to, nor abstract-socket connections
//! with, processes outside the sandbox. Fails closed: a kernel that cannot enforce the
//! file-system rules is an error.

use std::path::PathBuf;

use landlock::{
    ABI, Access, AccessFs, AccessNet, BitFlags, NetPort, Ruleset, RulesetAttr, RulesetCreatedAttr,
    RulesetStatus, Scope, path_beneath_rules,
};

use super::{Network, Policy};

/// The newest ABI whose rights xhost asks for; older kernels get what they support.
const ABI_WANTED: ABI = ABI::V6;

/// Everything in a writable directory except making device nodes (no build needs
/// one, and a device node in `/out` is an attack on whoever reads it).
fn writable() -> BitFlags<AccessFs> {
    AccessFs::from_all(ABI_WANTED) & !(AccessFs::MakeChar | AccessFs::MakeBlock)
}

pub fn restrict(policy: &Policy, also_read: &[PathBuf]) -> Result<(), String> {
    let existing = |paths: &[PathBuf]| -> Vec<PathBuf> {
        paths.iter().filter(|p| p.exists()).cloned().collect()
    };
    let mut read_only = existing(&policy.read_only);
    read_only.extend(existing(also_read));
    let mut ruleset = Ruleset::default()
        .handle_access(AccessFs::from_all(ABI_WANTED))
        .and_then(|r| r.scope(Scope::from_all(ABI_WANTED)));
    if policy.network != Network::Host {
        ruleset = ruleset.and_then(|r| r.handle_access(AccessNet::from_all(ABI_WANTED)));
    }
    let ports: Vec<u16> = match &policy.network {
        Network::Egress(routes) => routes.iter().map(|r| r.port).collect(),
        Network::Isolated | Network::Host => Vec::new(),
    };
    let status = ruleset
        .and_then(|r| r.create())
        .and_then(|r| {
            r.add_rules(
                ports
                    .into_iter()
                    .map(|port| Ok(NetPort::new(port, AccessNet::ConnectTcp))),
            )
        })
        .and_then(|r| {
            r.add_rules(path_beneath_rules(
                read_only,
                AccessFs::from_read(ABI_WANTED),
            ))
        })
        .and_then(|r| r.add_rules(path_beneath_rules(existing(&policy.read_write), writable())))
        .and_then(|r| r.restrict_self())
        .map_err(|e| format!("Landlock: {e}"))?;
    if status.ruleset == RulesetStatus::NotEnforced {
        return Err(
            "this kernel does not enforce Landlock (needs Linux 5.13+ booted with Landlock in the lsm= list)"
                .into(),
        );
    }
    if !status.no_new_privs {
        return Err("could not set no_new_privs".into());
    }
    Ok(())
}
