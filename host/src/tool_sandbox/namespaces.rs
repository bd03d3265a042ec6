//! New namespaces for the launcher and its child: user when xhost is not root (to be
//! allowed to make the others), mount (for the new root), PID (so the whole tree dies
//! with its first process, and `kill` cannot name anything outside), IPC, UTS (a host
//! name of its own, not the runner's), cgroup (its cgroup shows as `/`, not the
//! runner's path), and network unless granted (only a downed loopback, no route
//! anywhere).

use rustix::process::{Gid, Uid, geteuid, getgid, getuid};
use rustix::thread::UnshareFlags;

use super::NOBODY;

/// Enters the namespaces but the PID one ([`enter_pid`]); a network namespace unless
/// `host_network`. Must run single-threaded (the launcher is).
pub fn enter(host_network: bool) -> Result<(), String> {
    if !geteuid().is_root() {
        let (uid, gid) = (getuid().as_raw(), getgid().as_raw());
        unshare(UnshareFlags::NEWUSER).map_err(|e| {
            format!("cannot create a user namespace ({e}); unprivileged user namespaces are disabled on this machine (sysctl kernel.unprivileged_userns_clone, or an AppArmor restriction)")
        })?;
        // Map our own ids only: inside, the process is its user, not root of anything.
        write_proc("setgroups", "deny")?;
        write_proc("uid_map", &format!("{uid} {uid} 1"))?;
        write_proc("gid_map", &format!("{gid} {gid} 1"))?;
    }
    let mut flags =
        UnshareFlags::NEWNS | UnshareFlags::NEWIPC | UnshareFlags::NEWUTS | UnshareFlags::NEWCGROUP;
    if !host_network {
        flags |= UnshareFlags::NEWNET;
    }
    unshare(flags)
        .map_err(|e| format!("cannot create mount/PID/IPC/UTS/cgroup/network namespaces: {e}"))?;
    rustix::system::sethostname(HOSTNAME.as_bytes())
        .map_err(|e| format!("naming the sandbox's host: {e}"))
}

/// The PID namespace the program starts in, as its PID 1. Last: once a process has
/// asked for one, it can no longer start threads (or fork helpers outside it).
pub fn enter_pid() -> Result<(), String> {
    unshare(UnshareFlags::NEWPID)
        .map_err(|e| format!("cannot create mount/PID/IPC/UTS/cgroup/network namespaces: {e}"))
}

/// The host name programs see.
pub const HOSTNAME: &str = "xhost-sandbox";

/// In the child, before exec: drop root for the unprivileged user, which also empties
/// its capability sets.
pub fn become_nobody() -> std::io::Result<()> {
    rustix::thread::set_thread_groups(&[])?;
    let (gid, uid) = (Gid::from_raw(NOBODY), Uid::from_raw(NOBODY));
    rustix::thread::set_thread_res_gid(gid, gid, gid)?;
    rustix::thread::set_thread_res_uid(uid, uid, uid)?;
    Ok(())
}

fn unshare(flags: UnshareFlags) -> rustix::io::Result<()> {
    // SAFETY: no file descriptor table is unshared (no `FILES` flag), and the launcher
    // is single-threaded, so no thread can observe a changed namespace unexpectedly.
    #[allow(unsafe_code)]
    unsafe {
        rustix::thread::unshare_unsafe(flags)
    }
}

fn write_proc(file: &str, text: &str) -> Result<(), String> {
    std::fs::write(format!("/proc/self/{file}"), text)
        .map_err(|e| format!("writing /proc/self/{file}: {e}"))
}
