//! `grants.net`: the network for the programs a stage runs (otherwise they have none: a
//! network namespace with only a downed loopback).
//!
//! - `net = true`: the runner's network, whatever it reaches;
//! - `net = ["proxy.golang.org", "goproxy.corp:8443", "127.0.0.1:3000"]`: only those
//!   hosts (a name alone means its ports 443 and 80), enforced by xhost: the program's
//!   network namespace holds nothing but relays to xhost's [`egress`] sockets, one per
//!   host and port, and xhost connects each to the host it stands for. A name never
//!   leads to a loopback, link-local or unspecified address (write `127.0.0.1:PORT` to
//!   mean a local service).
//!
//! What a stage fetches is not among its inputs, so it is never cached — except a fetch
//! stage, whose result is fixed by the lock files it is keyed by (`crate::pipeline`).

pub mod egress;

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

use serde_json::Value;

use super::{Capability, GrantCheck, GrantKind};
use crate::cache::{KeyContext, Uncacheable};
use crate::config::Grants;
use crate::plan::PlannedStage;

pub struct Net;

/// What network a stage's programs have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    None,
    /// The runner's network (`net = true`).
    All,
    /// Only these hosts (`net = ["…"]`).
    Hosts(Vec<Endpoint>),
}

impl Access {
    pub fn any(&self) -> bool {
        *self != Access::None
    }
}

/// What `grants` give programs.
pub fn access(grants: &Grants) -> Access {
    let hosts = grants.names(Net.name());
    if !hosts.is_empty() {
        // Checked when the build was planned.
        return Access::Hosts(hosts.iter().filter_map(|h| h.parse().ok()).collect());
    }
    if grants.has(Net.name()) {
        Access::All
    } else {
        Access::None
    }
}

/// Whether `grants` give programs any network.
pub fn granted(grants: &Grants) -> bool {
    access(grants).any()
}

/// One allowed destination: a host name or a loopback address, and a port or the
/// web's two.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub host: Host,
    /// `None`: 443 and 80.
    pub port: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    Name(String),
    /// A loopback address, written as such.
    Loopback(Ipv4Addr),
}

impl Endpoint {
    /// The ports it allows.
    pub fn ports(&self) -> Vec<u16> {
        self.port.map_or(vec![443, 80], |p| vec![p])
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.host {
            Host::Name(name) => write!(f, "{name}")?,
            Host::Loopback(address) => write!(f, "{address}")?,
        }
        match self.port {
            Some(port) => write!(f, ":{port}"),
            None => Ok(()),
        }
    }
}

impl FromStr for Endpoint {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let (host, port) = match text.rsplit_once(':') {
            Some((host, port)) => {
                let port: u16 = port
                    .parse()
                    .ok()
                    .filter(|p| *p != 0)
                    .ok_or_else(|| format!("`{text}`: the port is a number from 1 to 65535"))?;
                (host, Some(port))
            }
            None => (text, None),
        };
        if let Ok(address) = host.parse::<Ipv4Addr>() {
            if !address.is_loopback() {
                return Err(format!(
                    "`{text}`: an address other than a loopback one cannot be reached from the sandbox; name the host instead"
                ));
            }
            return Ok(Endpoint {
                host: Host::Loopback(address),
                port,
            });
        }
        let valid_label = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        };
        if host.len() > 253 || !host.split('.').all(valid_label) {
            return Err(format!(
                "`{text}` is not a host name (`proxy.golang.org`), a host and port (`goproxy.corp:8443`) or a loopback address and port (`127.0.0.1:3000`)"
            ));
        }
        Ok(Endpoint {
            host: Host::Name(host.to_ascii_lowercase()),
            port,
        })
    }
}

impl Capability for Net {
    fn name(&self) -> &'static str {
        "net"
    }

    fn grant_kind(&self) -> GrantKind {
        GrantKind::FlagOrNames("host")
    }

    fn gives(&self) -> &'static str {
        "network access for the programs it runs: everywhere (`true`) or to the hosts listed, relayed by xhost (none otherwise)"
    }

    fn check_name(&self, name: &str, _cx: &GrantCheck) -> Result<(), String> {
        name.parse::<Endpoint>().map(|_| ())
    }

    fn key_parts(
        &self,
        _stage: &PlannedStage,
        _keys: &KeyContext,
    ) -> Result<Vec<(&'static str, Value)>, Uncacheable> {
        Err(Uncacheable::Network)
    }

    fn shown(&self, stage: &PlannedStage) -> String {
        match access(&stage.config.grants) {
            Access::Hosts(hosts) => {
                let hosts: Vec<String> = hosts.iter().map(ToString::to_string).collect();
                format!("net {} (relayed by xhost)", hosts.join(" "))
            }
            Access::All | Access::None => "net (everywhere)".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        let e: Endpoint = "Proxy.Golang.org".parse().unwrap();
        assert_eq!(e.host, Host::Name("proxy.golang.org".into()));
        assert_eq!(e.ports(), [443, 80]);
        let e: Endpoint = "127.0.0.1:3000".parse().unwrap();
        assert_eq!(
            (e.host.clone(), e.ports()),
            (Host::Loopback(Ipv4Addr::LOCALHOST), vec![3000])
        );
        for bad in [
            "10.0.0.1:80",
            "a b",
            "x:0",
            "x:99999",
            "-x.org",
            "",
            "[::1]:80",
        ] {
            assert!(bad.parse::<Endpoint>().is_err(), "{bad}");
        }
    }
}
