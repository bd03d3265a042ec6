//! The seccomp filter: system calls a compiler, linker or archiver never makes, and
//! that are the kernel surface an escape would start from, fail with `EPERM`. It is
//! a deny list (programs keep every ordinary call), installed last, after Landlock
//! set `no_new_privs`, and inherited by everything the program starts.
//!
//! The filter is built with `seccompiler` (rust-vmm's BPF compiler, as used by
//! Firecracker); its architecture check kills a process that makes a system call of
//! another ABI (32-bit `int 0x80` on x86-64), so no call can slip past by number. The
//! x32 ABI reuses the x86-64 audit architecture, so on x86-64 each rule is repeated for
//! the x32 numbers too. `docs/SECURITY.md` lists each group with its reason (a test
//! keeps the two in step).

use std::collections::BTreeMap;

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch,
};

/// A group of denied calls and why.
pub struct Group {
    pub why: &'static str,
    pub calls: &'static [(&'static str, libc::c_long)],
}

/// Namespace-creating `clone` flags; `clone` itself stays allowed (threads, fork).
const NAMESPACE_FLAGS: [libc::c_int; 8] = [
    libc::CLONE_NEWNS,
    libc::CLONE_NEWCGROUP,
    libc::CLONE_NEWUTS,
    libc::CLONE_NEWIPC,
    libc::CLONE_NEWUSER,
    libc::CLONE_NEWPID,
    libc::CLONE_NEWNET,
    libc::CLONE_NEWTIME,
];

/// `ioctl` requests that push input into, or rewrite, a terminal.
// TIOCSTI's type differs between C libraries (an int on musl).
#[allow(clippy::unnecessary_cast)]
const TERMINAL_INJECTION: [u64; 2] = [libc::TIOCSTI as u64, 0x541C /* TIOCLINUX */];

/// Added to a system call's number in the x32 ABI.
#[cfg(target_arch = "x86_64")]
const X32_BIT: libc::c_long = 0x4000_0000;

/// Every denied call, by group.
pub const DENIED: &[Group] = &[
    Group {
        why: "the kernel keyrings may hold the runner's secrets (CI credentials, Kerberos tickets); no build tool uses them",
        calls: &[
            ("keyctl", libc::SYS_keyctl),
            ("add_key", libc::SYS_add_key),
            ("request_key", libc::SYS_request_key),
        ],
    },
    Group {
        why: "io_uring: a large kernel surface with a long record of privilege escalations, whose operations no system-call filter sees",
        calls: &[
            ("io_uring_setup", libc::SYS_io_uring_setup),
            ("io_uring_enter", libc::SYS_io_uring_enter),
            ("io_uring_register", libc::SYS_io_uring_register),
        ],
    },
    Group {
        why: "loading programs into the kernel, profiling it, and the fault-handling trick exploits use to win kernel races",
        calls: &[
            ("bpf", libc::SYS_bpf),
            ("perf_event_open", libc::SYS_perf_event_open),
            ("userfaultfd", libc::SYS_userfaultfd),
        ],
    },
    Group {
        why: "reading or changing other processes (even inside the sandbox: a compiler debugs nothing)",
        calls: &[
            ("ptrace", libc::SYS_ptrace),
            ("process_vm_readv", libc::SYS_process_vm_readv),
            ("process_vm_writev", libc::SYS_process_vm_writev),
            ("kcmp", libc::SYS_kcmp),
            ("pidfd_getfd", libc::SYS_pidfd_getfd),
        ],
    },
    Group {
        why: "new namespaces (also `clone` with a CLONE_NEW* flag): a user namespace hands out capabilities over fresh kernel objects, the largest unprivileged attack surface",
        calls: &[("unshare", libc::SYS_unshare), ("setns", libc::SYS_setns)],
    },
    Group {
        why: "changing the file-system tree the sandbox is made of",
        calls: &[
            ("mount", libc::SYS_mount),
            ("umount2", libc::SYS_umount2),
            ("pivot_root", libc::SYS_pivot_root),
            ("chroot", libc::SYS_chroot),
            ("mount_setattr", libc::SYS_mount_setattr),
            ("move_mount", libc::SYS_move_mount),
            ("open_tree", libc::SYS_open_tree),
            ("fsopen", libc::SYS_fsopen),
            ("fsconfig", libc::SYS_fsconfig),
            ("fsmount", libc::SYS_fsmount),
            ("fspick", libc::SYS_fspick),
        ],
    },
    Group {
        why: "file handles open files by inode number, around every path-based check (the \"shocker\" container escape)",
        calls: &[
            ("open_by_handle_at", libc::SYS_open_by_handle_at),
            ("name_to_handle_at", libc::SYS_name_to_handle_at),
        ],
    },
    Group {
        why: "the kernel itself: modules, kexec, reboot, swap, accounting, quotas, the kernel log, the clock",
        calls: &[
            ("init_module", libc::SYS_init_module),
            ("finit_module", libc::SYS_finit_module),
            ("delete_module", libc::SYS_delete_module),
            ("kexec_load", libc::SYS_kexec_load),
            ("kexec_file_load", libc::SYS_kexec_file_load),
            ("reboot", libc::SYS_reboot),
            ("swapon", libc::SYS_swapon),
            ("swapoff", libc::SYS_swapoff),
            ("acct", libc::SYS_acct),
            ("quotactl", libc::SYS_quotactl),
            ("syslog", libc::SYS_syslog),
            ("settimeofday", libc::SYS_settimeofday),
            ("clock_settime", libc::SYS_clock_settime),
        ],
    },
    #[cfg(target_arch = "x86_64")]
    Group {
        why: "obsolete or hardware-level calls (I/O ports, segment tables, a.out libraries)",
        calls: &[
            ("iopl", libc::SYS_iopl),
            ("ioperm", libc::SYS_ioperm),
            ("modify_ldt", libc::SYS_modify_ldt),
            ("uselib", libc::SYS_uselib),
        ],
    },
];

/// The filters to install, in order: the deny list (`EPERM`), then `clone3`, which
/// fails with `ENOSYS` because its flags live in memory a filter cannot read; C
/// libraries then fall back to `clone`, whose flags the first filter checks.
pub fn filters() -> Result<Vec<BpfProgram>, String> {
    let arch = TargetArch::try_from(std::env::consts::ARCH).map_err(|_| {
        format!(
            "no seccomp filter for this architecture ({})",
            std::env::consts::ARCH
        )
    })?;
    let mut denied: BTreeMap<i64, Vec<SeccompRule>> = BTreeMap::new();
    for group in DENIED {
        for (_, number) in group.calls {
            denied.insert(*number, Vec::new());
        }
    }
    denied.insert(libc::SYS_clone, namespace_clones()?);
    denied.insert(libc::SYS_ioctl, terminal_injection()?);
    let denied = with_x32_aliases(denied);
    let clone3 = with_x32_aliases(BTreeMap::from([(libc::SYS_clone3, Vec::new())]));
    [(denied, libc::EPERM as u32), (clone3, libc::ENOSYS as u32)]
        .into_iter()
        .map(|(rules, errno)| {
            SeccompFilter::new(
                rules,
                SeccompAction::Allow,
                SeccompAction::Errno(errno),
                arch,
            )
            .and_then(BpfProgram::try_from)
            .map_err(|e| format!("building the seccomp filter: {e}"))
        })
        .collect()
}

/// Installs the filters on this process (and so on everything it starts).
pub fn install() -> Result<(), String> {
    for filter in filters()? {
        seccompiler::apply_filter(&filter).map_err(|e| format!("installing seccomp: {e}"))?;
    }
    Ok(())
}

/// `clone` with any namespace flag (one rule per flag: rules of a call are or-ed).
fn namespace_clones() -> Result<Vec<SeccompRule>, String> {
    NAMESPACE_FLAGS
        .iter()
        .map(|flag| {
            let flag = *flag as u64;
            condition(
                0,
                SeccompCmpArgLen::Qword,
                SeccompCmpOp::MaskedEq(flag),
                flag,
            )
        })
        .collect()
}

/// `ioctl(fd, TIOCSTI | TIOCLINUX, …)`; the kernel reads the request as 32 bits.
fn terminal_injection() -> Result<Vec<SeccompRule>, String> {
    TERMINAL_INJECTION
        .iter()
        .map(|request| condition(1, SeccompCmpArgLen::Dword, SeccompCmpOp::Eq, *request))
        .collect()
}

fn condition(
    arg: u8,
    len: SeccompCmpArgLen,
    op: SeccompCmpOp,
    value: u64,
) -> Result<SeccompRule, String> {
    SeccompCondition::new(arg, len, op, value)
        .and_then(|c| SeccompRule::new(vec![c]))
        .map_err(|e| format!("building the seccomp filter: {e}"))
}

/// On x86-64, the same rules under the x32 numbers (the number plus 0x40000000), and
/// the x32 entry points with numbers of their own (`ioctl`, `ptrace`,
/// `process_vm_readv`/`writev`).
#[cfg(target_arch = "x86_64")]
fn with_x32_aliases(mut rules: BTreeMap<i64, Vec<SeccompRule>>) -> BTreeMap<i64, Vec<SeccompRule>> {
    let own_numbers = [
        (libc::SYS_ioctl, 514),
        (libc::SYS_ptrace, 521),
        (libc::SYS_process_vm_readv, 539),
        (libc::SYS_process_vm_writev, 540),
    ];
    let native: Vec<(i64, Vec<SeccompRule>)> = rules.iter().map(|(n, r)| (*n, r.clone())).collect();
    for (number, chain) in native {
        rules.insert(number | X32_BIT, chain.clone());
        if let Some((_, x32)) = own_numbers.iter().find(|(n, _)| *n == number) {
            rules.insert(x32 | X32_BIT, chain);
        }
    }
    rules
}

#[cfg(not(target_arch = "x86_64"))]
fn with_x32_aliases(rules: BTreeMap<i64, Vec<SeccompRule>>) -> BTreeMap<i64, Vec<SeccompRule>> {
    rules
}

/// Every denied call's name, for the documentation check.
pub fn denied_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = DENIED
        .iter()
        .flat_map(|g| g.calls.iter().map(|(name, _)| *name))
        .collect();
    names.extend(["clone", "clone3", "TIOCSTI"]);
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filters_compile() {
        let filters = filters().unwrap();
        assert_eq!(filters.len(), 2);
        assert!(filters.iter().all(|f| !f.is_empty()));
    }

    #[test]
    fn every_denied_call_is_documented() {
        let doc = include_str!("../../../docs/SECURITY.md");
        let missing: Vec<&str> = denied_names()
            .into_iter()
            .filter(|name| !doc.contains(&format!("`{name}`")))
            .collect();
        assert!(missing.is_empty(), "docs/SECURITY.md lacks {missing:?}");
    }
}
