//! The sandbox's side of `net = ["host", …]`: inside the program's own network
//! namespace, the loopback is brought up and each allowed host and port gets a
//! listener on a loopback address of its own (`127.0.0.2:443` for the first host);
//! `/etc/hosts` maps the host's name to it and no name server is reachable. Every
//! connection accepted is relayed, as bytes, to xhost's UNIX socket for that
//! destination ([`crate::caps::net`]), which alone decides where it goes. A program
//! that ignores all this finds no route off the loopback, and Landlock lets it connect
//! to the allowed ports only.

use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;

use super::Route;

/// The listeners, bound and waiting for [`serve`].
struct Relays(Vec<(TcpListener, PathBuf)>);

/// Brings the loopback up, names the routes in `/etc/hosts`, binds their listeners and
/// forks the relay process that serves them. Runs in the launcher after the new root
/// is entered and before the PID namespace, so the relay is outside it: the program
/// can neither see nor signal it. The relay dies with the launcher.
pub fn start(routes: &[Route]) -> Result<(), String> {
    let relays = listen(routes)?;
    // SAFETY: the launcher is single-threaded here, so the child is a complete copy.
    #[allow(unsafe_code)]
    match unsafe { libc::fork() } {
        -1 => Err(format!(
            "starting the relay: {}",
            std::io::Error::last_os_error()
        )),
        0 => {
            relay_process(relays);
            // SAFETY: ending the forked relay without running the launcher's exit path.
            #[allow(unsafe_code)]
            unsafe {
                libc::_exit(0)
            }
        }
        _ => Ok(()), // the launcher's copies of the listeners close here
    }
}

/// The relay process: no terminal or pipes of xhost's, dies with the launcher, serves
/// until then.
fn relay_process(relays: Relays) {
    let _ = rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::KILL));
    if rustix::process::getppid().is_none() {
        return;
    }
    if let Ok(null) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")
    {
        use std::os::fd::AsRawFd;
        for fd in 0..3 {
            // SAFETY: replacing the standard descriptors with /dev/null.
            #[allow(unsafe_code)]
            unsafe {
                libc::dup2(null.as_raw_fd(), fd);
            }
        }
    }
    serve(relays);
    loop {
        std::thread::park();
    }
}

fn listen(routes: &[Route]) -> Result<Relays, String> {
    loopback_up()?;
    let mut hosts = String::from("127.0.0.1\tlocalhost\n::1\tlocalhost\n");
    for route in routes {
        if let Some(name) = &route.name
            && !hosts.contains(&format!("\t{name}\n"))
        {
            hosts.push_str(&format!("{}\t{name}\n", route.address));
        }
    }
    // The new root is the sandbox's tmpfs, not yet sealed: these files are its own.
    std::fs::write("/etc/hosts", hosts).map_err(|e| format!("writing /etc/hosts: {e}"))?;
    std::fs::write(
        "/etc/resolv.conf",
        "# No name server: allowed hosts resolve from /etc/hosts.\noptions attempts:1 timeout:1\n",
    )
    .map_err(|e| format!("writing /etc/resolv.conf: {e}"))?;
    let mut relays = Vec::new();
    for route in routes {
        let listener = TcpListener::bind((route.address, route.port))
            .map_err(|e| format!("listening on {}:{}: {e}", route.address, route.port))?;
        relays.push((listener, route.socket.clone()));
    }
    Ok(Relays(relays))
}

/// Relays every connection until the launcher exits (with its program).
fn serve(relays: Relays) {
    for (listener, socket) in relays.0 {
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let socket = socket.clone();
                std::thread::spawn(move || relay(stream, &socket));
            }
        });
    }
}

/// Connects a program's connection to xhost's socket for its destination.
fn relay(tcp: TcpStream, socket: &PathBuf) {
    match UnixStream::connect(socket) {
        Ok(unix) => splice(unix, tcp),
        Err(_) => {
            let _ = tcp.shutdown(Shutdown::Both);
        }
    }
}

/// Copies bytes both ways between `unix` and `tcp` until both directions end, passing
/// each end on as a half-close. Both hops of a relay use it: the program's namespace
/// to xhost, and xhost to the allowed host (`caps::net::egress`).
pub fn splice(unix: UnixStream, tcp: TcpStream) {
    let (Ok(mut tcp_in), Ok(mut unix_out)) = (tcp.try_clone(), unix.try_clone()) else {
        return;
    };
    let upstream = std::thread::spawn(move || {
        let _ = std::io::copy(&mut tcp_in, &mut unix_out);
        let _ = unix_out.shutdown(Shutdown::Write);
    });
    let (mut unix_in, mut tcp_out) = (unix, tcp);
    let _ = std::io::copy(&mut unix_in, &mut tcp_out);
    let _ = tcp_out.shutdown(Shutdown::Write);
    let _ = upstream.join();
}

/// `ip link set lo up`, by the interface-flags ioctl (a new namespace's loopback is
/// down).
fn loopback_up() -> Result<(), String> {
    let failed = |what: &str| {
        format!(
            "bringing the loopback up ({what}): {}",
            std::io::Error::last_os_error()
        )
    };
    // SAFETY: plain socket and ioctl calls on a zeroed `ifreq` naming "lo"; the
    // descriptor is closed on every path.
    #[allow(unsafe_code)]
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
        if fd < 0 {
            return Err(failed("socket"));
        }
        let mut request: libc::ifreq = std::mem::zeroed();
        for (i, b) in b"lo".iter().enumerate() {
            request.ifr_name[i] = *b as libc::c_char;
        }
        let result = if libc::ioctl(fd, libc::SIOCGIFFLAGS, &mut request) < 0 {
            Err(failed("reading its flags"))
        } else {
            request.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short;
            if libc::ioctl(fd, libc::SIOCSIFFLAGS, &request) < 0 {
                Err(failed("setting its flags"))
            } else {
                Ok(())
            }
        };
        libc::close(fd);
        result
    }
}
