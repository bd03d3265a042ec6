//! The environment a granted program runs with: nothing inherited from xhost, private
//! home/temp/cache directories, what the program's profile sets to keep it offline and
//! inside its sandbox, plus the variables a plugin may set, from the profiles'
//! allow-lists.
//!
//! A profile is what xhost knows about one program by name ([`PROFILES`]): Go's,
//! cargo's, cargo-zigbuild's and zig's. A program without one gets the common
//! environment only. Adding a toolchain is adding a profile.
//!
//! A stage's programs work together (cargo-zigbuild runs cargo, which runs rustc,
//! which links through zig), so a run gets the profiles of every program its stage is
//! granted, and `PATH` holds each of their directories, the program's own first.

use std::path::{Path, PathBuf};

use super::tools::Tool;

/// Private directories of one tool run, as the program sees them.
#[derive(Clone)]
pub struct Dirs {
    /// The directories holding the program and the stage's other programs (`$PATH`),
    /// the program's own first.
    pub bin: Vec<PathBuf>,
    /// Each granted program's installation, by program name (a Go root, a Rust
    /// toolchain's sysroot).
    pub installations: Vec<(String, PathBuf)>,
    /// The target this invocation builds (`linux_arm64`), for a per-target stage.
    pub lane: Option<String>,
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
    /// Whether it runs the system's C compiler, so `PATH` ends with the system's
    /// directories (cargo links build scripts and proc macros, which run on this
    /// machine, with `cc`).
    pub system_path: bool,
}

/// The system's directories, where `cc` is; mounted read-only in the tool sandbox.
const SYSTEM_PATH: &[&str] = &["/usr/local/bin", "/usr/bin", "/bin"];

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
    /// `RUSTFLAGS`: `-C key=value` codegen settings and `--cfg`, nothing naming a file.
    RustFlags,
    /// A C compiler: exactly `zig cc -target TRIPLE` or `zig c++ -target TRIPLE`.
    ZigCc,
}

/// Every program xhost has a profile for.
pub const PROFILES: &[Profile] = &[GO, CARGO, CARGO_ZIGBUILD, ZIG];

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
        // cgo's C compiler: zig, and only zig, for a target (`zig cc -target
        // aarch64-linux-musl`).
        ("CC", Accepts::ZigCc),
        ("CXX", Accepts::ZigCc),
        ("GOFLAGS", Accepts::GoFlags),
        // Where modules come from; they reach a program only with `net`, and then only
        // the hosts it names.
        ("GOPROXY", Accepts::GoProxy),
        ("GOSUMDB", Accepts::GoSumDb),
        ("GOPRIVATE", Accepts::ModulePatterns),
        ("GONOSUMDB", Accepts::ModulePatterns),
        ("GONOPROXY", Accepts::ModulePatterns),
    ],
    system_path: false,
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

const CARGO: Profile = Profile {
    program: "cargo",
    env: cargo_env,
    settable: &[
        ("CARGO_PROFILE_RELEASE_STRIP", Accepts::Word),
        ("CARGO_PROFILE_RELEASE_LTO", Accepts::Word),
        ("CARGO_PROFILE_RELEASE_OPT_LEVEL", Accepts::Word),
        ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", Accepts::Digits),
        ("CARGO_PROFILE_RELEASE_DEBUG", Accepts::Word),
        ("CARGO_PROFILE_RELEASE_PANIC", Accepts::Word),
        ("CARGO_BUILD_JOBS", Accepts::Digits),
        ("RUSTFLAGS", Accepts::RustFlags),
    ],
    system_path: true,
};

/// cargo with its own toolchain's rustc, its registry in the fetched directory (or a
/// private home), one target directory per target in the tool's cache (so targets
/// built in parallel do not wait for each other's lock), and offline without `net`.
fn cargo_env(dirs: &Dirs, net: bool) -> Vec<(&'static str, String)> {
    let path = |p: &Path| p.display().to_string();
    let lane = dirs.lane.as_deref().unwrap_or("release");
    let mut env = vec![
        (
            "CARGO_HOME",
            dirs.modules
                .as_deref()
                .map_or_else(|| path(&dirs.home.join("cargo")), path),
        ),
        (
            "CARGO_TARGET_DIR",
            path(&dirs.cache.join("target").join(lane)),
        ),
        ("CARGO_TERM_COLOR", "never".to_string()),
        ("CARGO_NET_OFFLINE", (!net).to_string()),
    ];
    if let Some(sysroot) = dirs.installation("cargo") {
        // The toolchain's rustc, never another on PATH; and its libraries for the
        // toolchain's own helpers (rust-objcopy, which strips Mach-O), as rustup sets them.
        env.push(("RUSTC", path(&sysroot.join("bin/rustc"))));
        env.push(("LD_LIBRARY_PATH", path(&sysroot.join("lib"))));
    }
    env
}

const CARGO_ZIGBUILD: Profile = Profile {
    program: "cargo-zigbuild",
    env: |_, _| Vec::new(),
    settable: &[],
    system_path: false,
};

/// zig's caches (the C libraries it builds for each target) in the tool's cache.
const ZIG: Profile = Profile {
    program: "zig",
    env: |dirs, _| {
        let cache = dirs.cache.join("zig").display().to_string();
        vec![
            ("ZIG_GLOBAL_CACHE_DIR", cache.clone()),
            ("ZIG_LOCAL_CACHE_DIR", cache),
        ]
    },
    settable: &[],
    system_path: false,
};

impl Dirs {
    /// Where granted program `program` is installed, as the program sees it.
    pub fn installation(&self, program: &str) -> Option<&Path> {
        self.installations
            .iter()
            .find(|(name, _)| name == program)
            .map(|(_, dir)| dir.as_path())
    }
}

/// `RUSTFLAGS` entries a plugin may use: codegen settings and `--cfg`, nothing that
/// names a program, a library or a file (`-C linker=`, `-L`, `-l`, `@file`, `-Z`).
const RUSTFLAGS_ALLOWED: &[&str] = &[
    "target-feature",
    "target-cpu",
    "opt-level",
    "lto",
    "codegen-units",
    "strip",
    "debuginfo",
    "panic",
    "relocation-model",
    "embed-bitcode",
    "overflow-checks",
    "force-frame-pointers",
];

/// `GOFLAGS` entries a plugin may use. Anything that names a program or file
/// (`-toolexec`, `-exec`, `-overlay`, `-modfile`, `-pkgdir`, …) is refused.
const GOFLAGS_ALLOWED: &[&str] = &["-trimpath", "-a", "-v", "-mod=", "-buildvcs=", "-tags="];

/// The environment every run of `tool`, in a stage granted `programs`, starts from.
pub fn base(tool: &Tool, programs: &[&str], dirs: &Dirs, net: bool) -> Vec<(String, String)> {
    let path = |p: &Path| p.display().to_string();
    let mut env = vec![
        ("HOME".to_string(), path(&dirs.home)),
        ("TMPDIR".to_string(), path(&dirs.tmp)),
        ("PATH".to_string(), search_path(programs, dirs)),
        ("LANG".to_string(), "C.UTF-8".to_string()),
        ("XDG_CACHE_HOME".to_string(), path(&dirs.cache.join("xdg"))),
        (
            "XDG_CONFIG_HOME".to_string(),
            path(&dirs.home.join(".config")),
        ),
    ];
    // The program's own profile last, so what it sets wins.
    let others = programs.iter().filter(|p| **p != tool.name);
    for program in others.chain([&tool.name.as_str()]) {
        if let Some(profile) = PROFILES.iter().find(|p| p.program == *program) {
            for (name, value) in (profile.env)(dirs, net) {
                env.retain(|(n, _)| n != name);
                env.push((name.to_string(), value));
            }
        }
    }
    env
}

/// The programs' directories, the system's after them when a profile needs them.
fn search_path(programs: &[&str], dirs: &Dirs) -> String {
    let system = PROFILES
        .iter()
        .any(|p| p.system_path && programs.contains(&p.program));
    let system = SYSTEM_PATH.iter().filter(|_| system).map(PathBuf::from);
    std::env::join_paths(dirs.bin.iter().cloned().chain(system))
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
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
        Accepts::RustFlags => return check_rustflags(value),
        Accepts::ZigCc => zig_target(value).is_some(),
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

/// The target of `zig cc -target TRIPLE` (or `zig c++`), if that is all `value` is.
fn zig_target(value: &str) -> Option<&str> {
    let words: Vec<&str> = value.split(' ').collect();
    match words.as_slice() {
        ["zig", "cc" | "c++", "-target", triple]
            if !triple.is_empty()
                && triple
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)) =>
        {
            Some(triple)
        }
        _ => None,
    }
}

/// What xhost adds to a run's environment once the plugin's variables are in: a
/// C compiler for macOS (zig) gets the link stubs of the frameworks Go's runtime names
/// ([`super::macos_stubs`]), which zig does not carry; `dirs.cache` holds them.
pub fn complete(env: &mut [(String, String)], dirs: &Dirs) -> bool {
    let mut stubs_needed = false;
    for (name, value) in env.iter_mut() {
        if (name == "CC" || name == "CXX") && zig_target(value).is_some_and(|t| t.contains("macos"))
        {
            let stubs = super::macos_stubs::dir(&dirs.cache);
            value.push_str(&format!(
                " -F{} -L{}",
                stubs.join("Frameworks").display(),
                stubs.join("lib").display()
            ));
            stubs_needed = true;
        }
    }
    stubs_needed
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

fn check_rustflags(value: &str) -> Result<(), String> {
    let mut flags = value.split_ascii_whitespace();
    while let Some(flag) = flags.next() {
        // `-C key=value`, `-Ckey=value`, `--codegen key=value`, `--cfg name`.
        let (kind, setting, entry) = match flag {
            "-C" | "--codegen" | "--cfg" => {
                let setting = flags.next().unwrap_or("");
                (flag, setting, format!("{flag} {setting}"))
            }
            _ => match flag.strip_prefix("-C") {
                Some(setting) => ("-C", setting, flag.to_string()),
                None => (flag, "", flag.to_string()),
            },
        };
        let ok = match kind {
            "--cfg" => {
                !setting.is_empty()
                    && setting
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"_=\"-.".contains(&b))
            }
            "-C" | "--codegen" => setting.split_once('=').is_some_and(|(key, value)| {
                RUSTFLAGS_ALLOWED.contains(&key)
                    && value
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"+-_.,".contains(&b))
            }),
            _ => false,
        };
        if !ok {
            return Err(format!(
                "RUSTFLAGS entry `{entry}` is not allowed; plugins may use only --cfg and -C with {}",
                RUSTFLAGS_ALLOWED.join(", ")
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
            bin: vec![tool.dir().to_path_buf()],
            installations: vec![("go".into(), "/opt/go".into())],
            lane: None,
            home: "/c/home".into(),
            cache: "/c/cache".into(),
            tmp: "/w/tmp".into(),
            workspace: None,
            modules: None,
        };
        let env = base(&tool, &["go"], &dirs, false);
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
        let env = base(&tool, &["go"], &work, false);
        assert!(env.contains(&("GOWORK".into(), "/p/go.work".into())));
        let fetched = Dirs {
            modules: Some("/c/modules/k".into()),
            ..dirs
        };
        let env = base(&tool, &["go"], &fetched, false);
        assert!(env.contains(&("GOMODCACHE".into(), "/c/modules/k".into())));
    }

    #[test]
    fn cgo_compilers_are_zig_for_a_target() {
        assert!(check("CC", "zig cc -target aarch64-linux-musl").is_ok());
        assert!(check("CXX", "zig c++ -target x86_64-windows-gnu").is_ok());
        for bad in [
            "gcc",
            "/xhost/src/evil",
            "zig cc -target x -fplugin=/tmp/p.so",
            "zig cc -target",
            "zig cc -target a/../b",
            "zig  cc -target x",
            "sh -c evil",
        ] {
            assert!(check("CC", bad).is_err(), "{bad}");
        }
        let dirs = Dirs {
            bin: vec![],
            installations: vec![],
            lane: None,
            home: "/xhost/home".into(),
            cache: "/xhost/cache".into(),
            tmp: "/xhost/tmp".into(),
            workspace: None,
            modules: None,
        };
        let mut env = vec![
            ("CC".to_string(), "zig cc -target aarch64-macos".to_string()),
            (
                "CXX".to_string(),
                "zig c++ -target x86_64-linux-musl".to_string(),
            ),
        ];
        assert!(complete(&mut env, &dirs));
        assert_eq!(
            env[0].1,
            "zig cc -target aarch64-macos -F/xhost/cache/macos-stubs/Frameworks -L/xhost/cache/macos-stubs/lib"
        );
        assert_eq!(env[1].1, "zig c++ -target x86_64-linux-musl");
    }

    #[test]
    fn rustflags_name_no_program_or_file() {
        assert!(check("RUSTFLAGS", "-C target-cpu=native --cfg tokio_unstable").is_ok());
        assert!(check("RUSTFLAGS", "-Ctarget-feature=+crt-static").is_ok());
        for bad in [
            "-C linker=/tmp/evil",
            "-Clinker=/tmp/evil",
            "-L /tmp",
            "-l evil",
            "@/tmp/args",
            "-Z unstable-options",
            "--codegen link-arg=-fuse-ld=/tmp/x",
            "-C",
        ] {
            let err = check("RUSTFLAGS", bad).unwrap_err();
            assert!(err.contains("not allowed"), "{bad}: {err}");
        }
    }

    #[test]
    fn a_stage_s_programs_see_each_other_with_their_profiles() {
        let tool = Tool {
            name: "cargo-zigbuild".into(),
            path: "/opt/zb/bin/cargo-zigbuild".into(),
            installation: "/opt/zb".into(),
            version: None,
            movable: true,
        };
        let dirs = Dirs {
            bin: vec!["/xhost/tool/bin".into(), "/xhost/tools/cargo/bin".into()],
            installations: vec![
                ("cargo-zigbuild".into(), "/xhost/tool".into()),
                ("cargo".into(), "/xhost/tools/cargo".into()),
                ("zig".into(), "/xhost/tools/zig".into()),
            ],
            lane: Some("linux_arm64".into()),
            home: "/c/home".into(),
            cache: "/c/cache".into(),
            tmp: "/w/tmp".into(),
            workspace: None,
            modules: Some("/xhost/modules".into()),
        };
        let env = base(&tool, &["cargo", "cargo-zigbuild", "zig"], &dirs, false);
        let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(
            get("PATH"),
            Some("/xhost/tool/bin:/xhost/tools/cargo/bin:/usr/local/bin:/usr/bin:/bin")
        );
        assert_eq!(get("CARGO_HOME"), Some("/xhost/modules"));
        assert_eq!(get("CARGO_TARGET_DIR"), Some("/c/cache/target/linux_arm64"));
        assert_eq!(get("CARGO_NET_OFFLINE"), Some("true"));
        assert_eq!(get("RUSTC"), Some("/xhost/tools/cargo/bin/rustc"));
        assert_eq!(get("ZIG_GLOBAL_CACHE_DIR"), Some("/c/cache/zig"));
        assert_eq!(get("GOCACHE"), None);
    }
}
