//! The environment a granted program runs with: nothing inherited from xhost, private
//! home/temp/cache directories, what the program's profile sets to keep it offline and
//! inside its sandbox, plus the variables a plugin may set, from the profiles'
//! allow-lists.
//!
//! A profile is what xhost knows about one program by name ([`PROFILES`]): today
//! Go's. A program without one gets the common environment only. Adding a toolchain
//! (cargo, zig) is adding a profile.

use std::path::{Path, PathBuf};

use super::tools::Tool;

/// Private directories of one tool run, as the program sees them.
#[derive(Clone)]
pub struct Dirs {
    /// The directory holding the program (`$PATH`).
    pub bin: PathBuf,
    /// `$HOME`, persistent per project and tool.
    pub home: PathBuf,
    /// Tool caches (Go's build and module caches), persistent per project and tool.
    pub cache: PathBuf,
    /// `$TMPDIR`, fresh per invocation.
    pub tmp: PathBuf,
    /// The project's workspace file (Go's `go.work`), when it has one.
    pub workspace: Option<PathBuf>,
    /// The project's downloaded modules, when a fetch stage made them (read-only) or is
    /// making them (this run fills it).
    pub modules: Option<PathBuf>,
}

/// What xhost knows about one program.
pub struct Profile {
    /// The program's name (`go`).
    pub program: &'static str,
    /// Variables set for every run, given the run's directories and whether it has the
    /// network.
    pub env: fn(&Dirs, bool) -> Vec<(&'static str, String)>,
    /// Variables a plugin may set, each with the values it accepts.
    pub settable: &'static [(&'static str, Accepts)],
}

/// The values a settable variable accepts.
#[derive(Debug, Clone, Copy)]
pub enum Accepts {
    /// Letters, digits, `_`, `.`, `,`.
    Word,
    /// `0` or `1`.
    Bit,
    /// Decimal digits.
    Digits,
    /// Go's `GOFLAGS`, only flags that name no program or file.
    GoFlags,
    /// Go's `GOPROXY`: `off`, or `,`/`|`-separated `http(s)://` URLs (no `file://`, no
    /// `direct`, which would run version control tools).
    GoProxy,
    /// Go's `GOSUMDB`: `off`, or a database name, optionally its key and its URL.
    GoSumDb,
    /// Comma-separated module path patterns (`GOPRIVATE`, `GONOSUMDB`).
    ModulePatterns,
}

/// Every program xhost has a profile for.
pub const PROFILES: &[Profile] = &[GO];

/// Variables any program may be given.
const COMMON: &[(&str, Accepts)] = &[("SOURCE_DATE_EPOCH", Accepts::Digits)];

const GO: Profile = Profile {
    program: "go",
    env: go_env,
    settable: &[
        ("GOOS", Accepts::Word),
        ("GOARCH", Accepts::Word),
        ("GOARM", Accepts::Word),
        ("GOAMD64", Accepts::Word),
        ("GOARM64", Accepts::Word),
        ("GO386", Accepts::Word),
        ("GOWASM", Accepts::Word),
        ("GOMIPS", Accepts::Word),
        ("GOMIPS64", Accepts::Word),
        ("GOPPC64", Accepts::Word),
        ("GORISCV64", Accepts::Word),
        ("CGO_ENABLED", Accepts::Bit),
        ("GOFLAGS", Accepts::GoFlags),
        // Where modules come from; they reach a program only with `net`, and then only
        // the hosts it names.
        ("GOPROXY", Accepts::GoProxy),
        ("GOSUMDB", Accepts::GoSumDb),
        ("GOPRIVATE", Accepts::ModulePatterns),
        ("GONOSUMDB", Accepts::ModulePatterns),
        ("GONOPROXY", Accepts::ModulePatterns),
    ],
};

/// Go's caches in the tool's private cache, never a user's `go.env`, never a fetched
/// toolchain, and the project's own `go.work` or none (never one found above it);
/// without `net`, no module proxy or checksum database to fail on a connection.
fn go_env(dirs: &Dirs, net: bool) -> Vec<(&'static str, String)> {
    let path = |p: &Path| p.display().to_string();
    let mut env = vec![
        ("GOCACHE", path(&dirs.cache.join("build"))),
        (
            "GOMODCACHE",
            dirs.modules
                .as_deref()
                .map_or_else(|| path(&dirs.cache.join("mod")), path),
        ),
        ("GOPATH", path(&dirs.home.join("go"))),
        ("GOENV", "off".to_string()),
        ("GOTOOLCHAIN", "local".to_string()),
        ("GOTELEMETRY", "off".to_string()),
        (
            "GOWORK",
            dirs.workspace.as_deref().map_or("off".to_string(), path),
        ),
    ];
    if net {
        // Go's default falls back to `direct`, which runs version control tools.
        env.push(("GOPROXY", "https://proxy.golang.org".to_string()));
    } else {
        env.extend([
            ("GOPROXY", "off".to_string()),
            ("GOSUMDB", "off".to_string()),
        ]);
    }
    env
}

/// `GOFLAGS` entries a plugin may use. Anything that names a program or file
/// (`-toolexec`, `-exec`, `-overlay`, `-modfile`, `-pkgdir`, …) is refused.
const GOFLAGS_ALLOWED: &[&str] = &["-trimpath", "-a", "-v", "-mod=", "-buildvcs=", "-tags="];

/// The environment every run of `tool` starts from.
pub fn base(tool: &Tool, dirs: &Dirs, net: bool) -> Vec<(String, String)> {
    let path = |p: &Path| p.display().to_string();
    let mut env = vec![
        ("HOME".to_string(), path(&dirs.home)),
        ("TMPDIR".to_string(), path(&dirs.tmp)),
        ("PATH".to_string(), path(&dirs.bin)),
        ("LANG".to_string(), "C.UTF-8".to_string()),
        ("XDG_CACHE_HOME".to_string(), path(&dirs.cache.join("xdg"))),
        (
            "XDG_CONFIG_HOME".to_string(),
            path(&dirs.home.join(".config")),
        ),
    ];
    if let Some(profile) = PROFILES.iter().find(|p| p.program == tool.name) {
        env.extend(
            (profile.env)(dirs, net)
                .into_iter()
                .map(|(k, v)| (k.to_string(), v)),
        );
    }
    env
}

/// Every variable a plugin may set, with what it accepts.
fn settable() -> impl Iterator<Item = &'static (&'static str, Accepts)> {
    COMMON
        .iter()
        .chain(PROFILES.iter().flat_map(|p| p.settable.iter()))
}

/// Checks one variable a plugin asked to set.
pub fn check(name: &str, value: &str) -> Result<(), String> {
    let Some((_, accepts)) = settable().find(|(n, _)| *n == name) else {
        let allowed: Vec<&str> = settable().map(|(n, _)| *n).collect();
        return Err(format!(
            "environment variable `{name}` may not be set by plugins; allowed: {}",
            allowed.join(", ")
        ));
    };
    let ok = match accepts {
        Accepts::Bit => matches!(value, "0" | "1"),
        Accepts::Digits => !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()),
        Accepts::GoFlags => return check_goflags(value),
        Accepts::GoProxy => is_proxy_list(value),
        Accepts::GoSumDb => is_sumdb(value),
        Accepts::ModulePatterns => value.split(',').all(is_module_pattern),
        Accepts::Word => is_word(value),
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "environment variable {name}=`{value}` has a value xhost does not accept"
        ))
    }
}

/// Letters, digits, `_`, `.` and `,`: nothing that can name a path or split a word.
fn is_word(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.,".contains(&b))
}

/// `off`, or proxy URLs over HTTP(S) separated by `,` or `|`.
fn is_proxy_list(value: &str) -> bool {
    value == "off"
        || value.split([',', '|']).all(|url| {
            let rest = url
                .strip_prefix("https://")
                .or_else(|| url.strip_prefix("http://"));
            rest.is_some_and(|r| {
                !r.is_empty()
                    && r.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-._~:/%@".contains(&b))
            })
        })
}

/// `off`, or `name[+key] [url]`.
fn is_sumdb(value: &str) -> bool {
    let mut parts = value.split(' ');
    let name_ok = parts.next().is_some_and(|name| {
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._+/=:".contains(&b))
    });
    name_ok && parts.all(|url| is_proxy_list(url) && url != "off")
}

/// A module path pattern (`example.com/private/*`): no spaces, no `..`.
fn is_module_pattern(pattern: &str) -> bool {
    !pattern.is_empty()
        && !pattern.contains("..")
        && pattern
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~/*?[]".contains(&b))
}

fn check_goflags(value: &str) -> Result<(), String> {
    for flag in value.split_ascii_whitespace() {
        let flag = flag.strip_prefix("-").map_or(flag.to_string(), |f| {
            // `--flag` and `-flag` mean the same to Go.
            format!("-{}", f.trim_start_matches('-'))
        });
        let allowed = GOFLAGS_ALLOWED.iter().any(|a| {
            if let Some(prefix) = a.strip_suffix('=').map(|p| format!("{p}=")) {
                flag.strip_prefix(&prefix).is_some_and(is_word)
            } else {
                flag == *a
            }
        });
        if !allowed {
            return Err(format!(
                "GOFLAGS entry `{flag}` is not allowed; plugins may use only -trimpath, -a, -v, -mod=…, -buildvcs=… and -tags=…"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_list() {
        assert!(check("GOOS", "linux").is_ok());
        assert!(check("CGO_ENABLED", "0").is_ok());
        assert!(check("CGO_ENABLED", "yes").is_err());
        assert!(
            check("LD_PRELOAD", "/tmp/x.so")
                .unwrap_err()
                .contains("may not be set")
        );
        assert!(check("PATH", "/tmp").is_err());
        assert!(check("GOOS", "linux\nX=1").is_err());
        assert!(check("GOARCH", "../x").is_err());
    }

    #[test]
    fn module_settings() {
        assert!(check("GOPROXY", "https://proxy.golang.org").is_ok());
        assert!(check("GOPROXY", "http://127.0.0.1:8080|https://goproxy.io,off").is_err());
        assert!(check("GOPROXY", "http://127.0.0.1:8080|https://goproxy.io").is_ok());
        assert!(check("GOPROXY", "off").is_ok());
        for bad in [
            "direct",
            "file:///etc",
            "https://x,direct",
            "https://x y",
            "",
        ] {
            assert!(check("GOPROXY", bad).is_err(), "{bad}");
        }
        assert!(check("GOSUMDB", "sum.golang.org").is_ok());
        assert!(check("GOSUMDB", "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8 https://sum.golang.org").is_ok());
        assert!(check("GOSUMDB", "off").is_ok());
        assert!(check("GOSUMDB", "x file:///y").is_err());
        assert!(check("GOPRIVATE", "example.com/private/*,corp.example").is_ok());
        assert!(check("GONOSUMDB", "a b").is_err());
        assert!(check("GONOSUMDB", "../x").is_err());
    }

    #[test]
    fn goflags() {
        assert!(check("GOFLAGS", "-trimpath -mod=vendor -tags=netgo,osusergo").is_ok());
        assert!(check("GOFLAGS", "--trimpath").is_ok());
        assert!(
            check("GOFLAGS", "-toolexec=/tmp/evil")
                .unwrap_err()
                .contains("-toolexec")
        );
        assert!(check("GOFLAGS", "--toolexec=/tmp/evil").is_err());
        assert!(check("GOFLAGS", "-overlay=/tmp/o.json").is_err());
        assert!(check("GOFLAGS", "-mod=/x").is_err());
        assert!(check("GOFLAGS", "-modfile=x").is_err());
    }

    #[test]
    fn go_runs_offline_with_private_dirs() {
        let tool = Tool {
            name: "go".into(),
            path: "/opt/go/bin/go".into(),
            installation: "/opt/go".into(),
            version: None,
            movable: true,
        };
        let dirs = Dirs {
            bin: tool.dir().to_path_buf(),
            home: "/c/home".into(),
            cache: "/c/cache".into(),
            tmp: "/w/tmp".into(),
            workspace: None,
            modules: None,
        };
        let env = base(&tool, &dirs, false);
        let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("PATH"), Some("/opt/go/bin"));
        assert_eq!(get("GOCACHE"), Some("/c/cache/build"));
        assert_eq!(get("GOPROXY"), Some("off"));
        assert_eq!(get("GOTOOLCHAIN"), Some("local"));
        assert_eq!(get("HOME"), Some("/c/home"));
        assert_eq!(get("GOWORK"), Some("off"));
        let work = Dirs {
            workspace: Some("/p/go.work".into()),
            ..dirs.clone()
        };
        let env = base(&tool, &work, false);
        assert!(env.contains(&("GOWORK".into(), "/p/go.work".into())));
        let fetched = Dirs {
            modules: Some("/c/modules/k".into()),
            ..dirs
        };
        let env = base(&tool, &fetched, false);
        assert!(env.contains(&("GOMODCACHE".into(), "/c/modules/k".into())));
    }
}
