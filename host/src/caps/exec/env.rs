//! The environment a granted program runs with: nothing inherited from xhost, private
//! home/temp/cache directories, tool-specific settings that keep it offline and inside
//! its sandbox, plus the variables a plugin may set from a fixed allow-list.

use std::path::Path;

use super::tools::Tool;

/// Variables a plugin may set, with the values each accepts.
pub const ALLOWED: &[&str] = &[
    "GOOS",
    "GOARCH",
    "GOARM",
    "GOAMD64",
    "GOARM64",
    "GO386",
    "GOWASM",
    "GOMIPS",
    "GOMIPS64",
    "GOPPC64",
    "GORISCV64",
    "CGO_ENABLED",
    "GOFLAGS",
    "SOURCE_DATE_EPOCH",
];

/// `GOFLAGS` entries a plugin may use. Anything that names a program or file
/// (`-toolexec`, `-exec`, `-overlay`, `-modfile`, `-pkgdir`, …) is refused.
const GOFLAGS_ALLOWED: &[&str] = &["-trimpath", "-a", "-v", "-mod=", "-buildvcs=", "-tags="];

/// Private directories of one tool run.
pub struct Dirs<'a> {
    /// `$HOME`, persistent per project and tool.
    pub home: &'a Path,
    /// Tool caches (Go's build and module caches), persistent per project and tool.
    pub cache: &'a Path,
    /// `$TMPDIR`, fresh per invocation.
    pub tmp: &'a Path,
}

/// The environment every run of `tool` starts from.
pub fn base(tool: &Tool, dirs: &Dirs, net: bool) -> Vec<(String, String)> {
    let path = |p: &Path| p.display().to_string();
    let mut env = vec![
        ("HOME".to_string(), path(dirs.home)),
        ("TMPDIR".to_string(), path(dirs.tmp)),
        ("PATH".to_string(), path(tool.dir())),
        ("LANG".to_string(), "C.UTF-8".to_string()),
        ("XDG_CACHE_HOME".to_string(), path(&dirs.cache.join("xdg"))),
        (
            "XDG_CONFIG_HOME".to_string(),
            path(&dirs.home.join(".config")),
        ),
    ];
    if tool.name == "go" {
        env.extend(
            [
                ("GOCACHE", path(&dirs.cache.join("build"))),
                ("GOMODCACHE", path(&dirs.cache.join("mod"))),
                ("GOPATH", path(&dirs.home.join("go"))),
                // Never read a user's go.env, never fetch a toolchain, never look at a
                // go.work outside the project.
                ("GOENV", "off".to_string()),
                ("GOTOOLCHAIN", "local".to_string()),
                ("GOTELEMETRY", "off".to_string()),
                ("GOWORK", "off".to_string()),
            ]
            .map(|(k, v)| (k.to_string(), v)),
        );
        if !net {
            // Without `net` there is no network to fetch modules or checksums from;
            // say so up front instead of failing on a connection.
            env.extend(
                [("GOPROXY", "off"), ("GOSUMDB", "off")]
                    .map(|(k, v)| (k.to_string(), v.to_string())),
            );
        }
    }
    env
}

/// Checks one variable a plugin asked to set.
pub fn check(name: &str, value: &str) -> Result<(), String> {
    if !ALLOWED.contains(&name) {
        return Err(format!(
            "environment variable `{name}` may not be set by plugins; allowed: {}",
            ALLOWED.join(", ")
        ));
    }
    let simple = |v: &str| {
        !v.is_empty()
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.,".contains(&b))
    };
    let ok = match name {
        "CGO_ENABLED" => matches!(value, "0" | "1"),
        "SOURCE_DATE_EPOCH" => !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()),
        "GOFLAGS" => return check_goflags(value),
        _ => simple(value),
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "environment variable {name}=`{value}` has a value xhost does not accept"
        ))
    }
}

fn check_goflags(value: &str) -> Result<(), String> {
    for flag in value.split_ascii_whitespace() {
        let flag = flag.strip_prefix("-").map_or(flag.to_string(), |f| {
            // `--flag` and `-flag` mean the same to Go.
            format!("-{}", f.trim_start_matches('-'))
        });
        let allowed = GOFLAGS_ALLOWED.iter().any(|a| {
            if let Some(prefix) = a.strip_suffix('=').map(|p| format!("{p}=")) {
                flag.strip_prefix(&prefix).is_some_and(|v| {
                    !v.is_empty()
                        && v.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"_.,".contains(&b))
                })
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
        };
        let dirs = Dirs {
            home: Path::new("/c/home"),
            cache: Path::new("/c/cache"),
            tmp: Path::new("/w/tmp"),
        };
        let env = base(&tool, &dirs, false);
        let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("PATH"), Some("/opt/go/bin"));
        assert_eq!(get("GOCACHE"), Some("/c/cache/build"));
        assert_eq!(get("GOPROXY"), Some("off"));
        assert_eq!(get("GOTOOLCHAIN"), Some("local"));
        assert_eq!(get("HOME"), Some("/c/home"));
    }
}
