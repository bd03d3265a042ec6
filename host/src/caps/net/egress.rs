//! xhost's side of `net = ["host", …]`: one UNIX socket per allowed host and port, in
//! the invocation's private directory, bound into the tool sandbox, where the launcher
//! relays the program's connections to them (`crate::tool_sandbox::egress`). Each
//! connection is made here, by xhost, to the destination the socket stands for and no
//! other: the program chooses nothing but which socket. A name resolving only to
//! loopback, link-local, unspecified or multicast addresses is refused (so no allowed
//! name reaches the runner's own services or a cloud metadata endpoint), and each
//! refusal is logged for the stage.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream, ToSocketAddrs};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};

use super::{Endpoint, Host};
use crate::report::Level;
use crate::report::plugin_log::LogSink;
use crate::tool_sandbox::Route;

/// How long connecting to an allowed host may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// The relays of one invocation; dropped with it.
pub struct Egress {
    dir: PathBuf,
    routes: Vec<Route>,
    stop: Arc<AtomicBool>,
}

impl Egress {
    /// Listens for `endpoints` in `dir` (created; private to the invocation).
    pub fn start(dir: &Path, endpoints: &[Endpoint], log: LogSink) -> Result<Egress> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let stop = Arc::new(AtomicBool::new(false));
        let mut routes = Vec::new();
        let mut names = 0u8;
        for endpoint in endpoints {
            let address = match &endpoint.host {
                Host::Loopback(address) => *address,
                Host::Name(_) => {
                    names = names
                        .checked_add(1)
                        .context("too many hosts in grants.net")?;
                    Ipv4Addr::new(127, 0, 0, 1 + names)
                }
            };
            for port in endpoint.ports() {
                let socket = dir.join(format!("{}.sock", routes.len()));
                let listener = UnixListener::bind(&socket)
                    .with_context(|| format!("listening on {}", socket.display()))?;
                let (destination, stop, log) = (endpoint.clone(), stop.clone(), log.clone());
                std::thread::Builder::new()
                    .name(format!("egress {destination}"))
                    .spawn(move || serve(listener, &destination, port, &stop, &log))
                    .context("starting an egress relay")?;
                routes.push(Route {
                    name: match &endpoint.host {
                        Host::Name(name) => Some(name.clone()),
                        Host::Loopback(_) => None,
                    },
                    address,
                    port,
                    socket,
                });
            }
        }
        Ok(Egress {
            dir: dir.to_path_buf(),
            routes,
            stop,
        })
    }

    /// The routes as the sandbox sees them.
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// The directory holding the sockets (bound into the sandbox).
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Egress {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake each listener so it sees the flag.
        for route in &self.routes {
            let _ = UnixStream::connect(&route.socket);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn serve(
    listener: UnixListener,
    destination: &Endpoint,
    port: u16,
    stop: &AtomicBool,
    log: &LogSink,
) {
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        let (destination, log) = (destination.clone(), log.clone());
        std::thread::spawn(move || match connect(&destination, port) {
            Ok(remote) => crate::tool_sandbox::egress::splice(stream, remote),
            Err(why) => log.message(
                Level::Warn,
                &format!("net: connection to {destination}:{port} refused: {why}"),
            ),
        });
    }
}

/// Connects to the destination itself, never to where a name should not lead.
fn connect(destination: &Endpoint, port: u16) -> Result<TcpStream, String> {
    let candidates: Vec<SocketAddr> = match &destination.host {
        Host::Loopback(address) => vec![SocketAddr::new(IpAddr::V4(*address), port)],
        Host::Name(name) => {
            let resolved: Vec<SocketAddr> = (name.as_str(), port)
                .to_socket_addrs()
                .map_err(|e| format!("resolving {name}: {e}"))?
                .collect();
            let public: Vec<SocketAddr> = resolved
                .iter()
                .copied()
                .filter(|a| routable(a.ip()))
                .collect();
            if public.is_empty() {
                let shown: Vec<String> = resolved.iter().map(|a| a.ip().to_string()).collect();
                return Err(format!(
                    "{name} resolves to {}, a loopback, link-local or unspecified address, which a host name may not lead to (write the address, e.g. 127.0.0.1:{port}, to mean a local service)",
                    shown.join(", ")
                ));
            }
            public
        }
    };
    let mut last = String::from("no address");
    for address in candidates {
        match TcpStream::connect_timeout(&address, CONNECT_TIMEOUT) {
            Ok(stream) => return Ok(stream),
            Err(e) => last = format!("{address}: {e}"),
        }
    }
    Err(last)
}

/// Whether a name may lead to `address`.
fn routable(address: IpAddr) -> bool {
    let address = match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    };
    match address {
        IpAddr::V4(a) => {
            !(a.is_loopback()
                || a.is_link_local()
                || a.is_unspecified()
                || a.is_multicast()
                || a.is_broadcast())
        }
        IpAddr::V6(a) => {
            !(a.is_loopback()
                || a.is_unspecified()
                || a.is_multicast()
                || a.is_unicast_link_local())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_never_lead_to_local_addresses() {
        for local in [
            "127.0.0.1",
            "::1",
            "0.0.0.0",
            "169.254.169.254",
            "::ffff:127.0.0.1",
            "fe80::1",
            "224.0.0.1",
        ] {
            assert!(!routable(local.parse().unwrap()), "{local}");
        }
        for public in ["203.0.113.80", "10.1.2.3", "2001:db8::1"] {
            assert!(routable(public.parse().unwrap()), "{public}");
        }
    }
}
