//! Every port and variant: the supported list against the Go toolchain's own, and one
//! build of a representative set — every architecture family, every variant family,
//! every binary format Go writes for them — checked with independent tools: `file`,
//! `go version -m`, `sha256sum -c`, the SPDX and CycloneDX validators, and the binaries
//! run under `qemu-*-static` (on CPUs that have the variant's instructions, and on ones
//! that lack them, where qemu can tell).

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use support::{Project, go_bin_dir, run_tool, sha256, workspace};
use xhost::target::{NEEDS_CGO, SUPPORTED, Target};

/// `go tool dist list` is every port there is; xhost supports all but those that need
/// cgo, and Go itself refuses exactly those with `CGO_ENABLED=0`.
#[test]
fn supported_ports_are_go_dist_list_without_the_cgo_only_ones() {
    let go = go_bin_dir().join("go");
    let listed = run_tool(
        go.to_str().unwrap(),
        &["tool", "dist", "list", "-json"],
        &workspace(),
    );
    let listed: Vec<serde_json::Value> = serde_json::from_str(&listed).unwrap();
    let port = |p: &serde_json::Value| {
        format!(
            "{}/{}",
            p["GOOS"].as_str().unwrap(),
            p["GOARCH"].as_str().unwrap()
        )
    };
    let dist: BTreeSet<String> = listed.iter().map(port).collect();
    let supported: BTreeSet<String> = SUPPORTED.iter().map(|(o, a)| format!("{o}/{a}")).collect();
    let needs_cgo: BTreeSet<String> = NEEDS_CGO
        .iter()
        .map(|(o, a, _)| format!("{o}/{a}"))
        .collect();
    assert!(supported.is_disjoint(&needs_cgo));
    let known: BTreeSet<String> = supported.union(&needs_cgo).cloned().collect();
    assert_eq!(
        dist.difference(&known).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "ports Go lists that target.rs neither supports nor excludes"
    );
    assert_eq!(
        known.difference(&dist).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "ports target.rs names that Go does not list"
    );
    for p in &listed {
        if needs_cgo.contains(&port(p)) {
            assert_eq!(p["CgoSupported"], true, "{p}");
        }
    }

    // What Go says when asked to build each port as go-build does (-n: plan, no work).
    let gocache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ports-gocache");
    for name in &dist {
        let (os, arch) = name.split_once('/').unwrap();
        let output = Command::new(&go)
            .args(["build", "-n", "-trimpath", "-o", "/dev/null", "./cmd/hello"])
            .current_dir(workspace().join("examples/hello-go"))
            .env("CGO_ENABLED", "0")
            .env("GOOS", os)
            .env("GOARCH", arch)
            .env("GOCACHE", &gocache)
            .env("GOFLAGS", "")
            .env("GOTOOLCHAIN", "local")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        if supported.contains(name) {
            assert!(output.status.success(), "{name}: {stderr}");
            assert!(name.parse::<Target>().is_ok(), "{name}");
        } else {
            assert!(!output.status.success(), "{name} builds without cgo");
            assert!(
                stderr.contains("requires external (cgo) linking"),
                "{name}: {stderr}"
            );
        }
    }
}

/// One target of the representative build and what independent tools must say of it.
struct Port {
    target: &'static str,
    /// What `file -b` says of the binary (`None`: `file` does not know the format).
    file: Option<&'static str>,
    /// The variant's setting as the binary records it (the default when there is no
    /// variant), or `None` for architectures without one.
    setting: Option<&'static str>,
    /// Whether `go version -m` can read the binary (see `UNREADABLE_BY_GO`).
    go_reads: bool,
    /// How to run it here, if at all.
    run: Runner,
}

enum Runner {
    None,
    /// Directly: the kernel runs it (386 on amd64; qemu-i386 cannot run Go programs).
    Native,
    /// `qemu-<arch>-static [-cpu CPU]`, and a CPU without the variant's instructions
    /// that must refuse it.
    Qemu {
        qemu: &'static str,
        cpu: Option<&'static str>,
        refused_on: Option<&'static str>,
    },
}

const fn qemu(
    qemu: &'static str,
    cpu: Option<&'static str>,
    refused_on: Option<&'static str>,
) -> Runner {
    Runner::Qemu {
        qemu,
        cpu,
        refused_on,
    }
}

/// Every GOARCH family (x86, arm, loong64, mips, ppc64, riscv64, s390x; wasm is
/// `build_go.rs`'s), every variant family, both byte orders, and every binary format:
/// ELF (static, PIE, FreeBSD's), PE, XCOFF, Plan 9 a.out.
const PORTS: &[Port] = &[
    Port {
        target: "linux/386/softfloat",
        file: Some("ELF 32-bit LSB executable, Intel 80386"),
        setting: Some("GO386=softfloat"),
        go_reads: true,
        run: Runner::Native,
    },
    Port {
        target: "freebsd/386",
        file: Some("ELF 32-bit LSB executable, Intel 80386, version 1 (FreeBSD)"),
        setting: Some("GO386=sse2"),
        go_reads: true,
        run: Runner::None,
    },
    Port {
        target: "linux/amd64/v3",
        file: Some("ELF 64-bit LSB executable, x86-64"),
        setting: Some("GOAMD64=v3"),
        go_reads: true,
        run: qemu("x86_64", Some("max"), Some("qemu64")),
    },
    Port {
        target: "linux/arm/v6",
        file: Some("ELF 32-bit LSB executable, ARM, EABI5"),
        setting: Some("GOARM=6"),
        go_reads: true,
        run: qemu("arm", Some("arm1176"), None),
    },
    Port {
        target: "linux/arm/v7",
        file: Some("ELF 32-bit LSB executable, ARM, EABI5"),
        setting: Some("GOARM=7"),
        go_reads: true,
        run: qemu("arm", Some("cortex-a15"), Some("arm1176")),
    },
    Port {
        target: "linux/arm64/v8.2",
        file: Some("ELF 64-bit LSB executable, ARM aarch64"),
        setting: Some("GOARM64=v8.2"),
        go_reads: true,
        run: qemu("aarch64", Some("max"), Some("cortex-a53")),
    },
    Port {
        target: "windows/arm64/v8.1",
        file: Some("PE32+ executable (console) Aarch64"),
        setting: Some("GOARM64=v8.1"),
        go_reads: true,
        run: Runner::None,
    },
    Port {
        target: "android/arm64",
        file: Some("ELF 64-bit LSB pie executable, ARM aarch64"),
        setting: Some("GOARM64=v8.0"),
        go_reads: true,
        run: Runner::None,
    },
    Port {
        target: "linux/loong64",
        file: Some("ELF 64-bit LSB executable, LoongArch"),
        setting: None,
        go_reads: true,
        run: qemu("loongarch64", None, None),
    },
    Port {
        target: "linux/mips/softfloat",
        file: Some("ELF 32-bit MSB executable, MIPS"),
        setting: Some("GOMIPS=softfloat"),
        go_reads: true,
        run: qemu("mips", None, None),
    },
    Port {
        target: "linux/mips64/softfloat",
        file: Some("ELF 64-bit MSB executable, MIPS"),
        setting: Some("GOMIPS64=softfloat"),
        go_reads: true,
        run: qemu("mips64", None, None),
    },
    Port {
        target: "linux/mips64le/hardfloat",
        file: Some("ELF 64-bit LSB executable, MIPS"),
        setting: Some("GOMIPS64=hardfloat"),
        go_reads: true,
        run: qemu("mips64el", None, None),
    },
    Port {
        target: "linux/ppc64/power10",
        file: Some("ELF 64-bit MSB executable, 64-bit PowerPC"),
        setting: Some("GOPPC64=power10"),
        go_reads: true,
        run: qemu("ppc64", Some("power10"), Some("power9")),
    },
    Port {
        target: "linux/ppc64le/power9",
        file: Some("ELF 64-bit LSB executable, 64-bit PowerPC"),
        setting: Some("GOPPC64=power9"),
        go_reads: true,
        run: qemu("ppc64le", Some("power9"), Some("power8")),
    },
    // Go's reader needs an XCOFF symbol table, which `-s` leaves out.
    Port {
        target: "aix/ppc64",
        file: Some("64-bit XCOFF executable"),
        setting: Some("GOPPC64=power8"),
        go_reads: false,
        run: Runner::None,
    },
    Port {
        target: "linux/riscv64/rva22u64",
        file: Some("ELF 64-bit LSB executable, UCB RISC-V"),
        setting: Some("GORISCV64=rva22u64"),
        go_reads: true,
        run: qemu("riscv64", None, None),
    },
    Port {
        target: "linux/s390x",
        file: Some("ELF 64-bit MSB executable, IBM S/390"),
        setting: None,
        go_reads: true,
        run: qemu("s390x", None, None),
    },
    // Go's reader aligns the file offset, not the address, and misses the build
    // information of plan9/386 and plan9/arm; xhost's SBOM reads it.
    Port {
        target: "plan9/386",
        file: Some("Plan 9 executable, Intel 386"),
        setting: Some("GO386=sse2"),
        go_reads: false,
        run: Runner::None,
    },
    // `file` does not know Plan 9's amd64 magic; the header is checked instead.
    Port {
        target: "plan9/amd64",
        file: None,
        setting: Some("GOAMD64=v1"),
        go_reads: true,
        run: Runner::None,
    },
];

impl Port {
    fn parsed(&self) -> Target {
        self.target.parse().unwrap()
    }

    fn binary(&self) -> String {
        let target = self.parsed();
        format!(
            "hello_{}/hello{}",
            target.slug(),
            target.executable_suffix()
        )
    }

    fn archive(&self) -> String {
        let target = self.parsed();
        let extension = if target.os == "windows" {
            "zip"
        } else {
            "tar.gz"
        };
        format!("hello_1.0.0_{}.{extension}", target.slug())
    }
}

const CONFIG: &str =
    "[project]\nname = \"hello\"\nversion = \"1.0.0\"\n\n[build]\nmain = \"./cmd/hello\"\n";

#[test]
fn representative_ports_build_strip_describe_and_run() {
    let project = Project::from_example("ports", "hello-go");
    let targets: Vec<String> = PORTS.iter().map(|p| format!("\"{}\"", p.target)).collect();
    let targets = format!("targets = [{}]\n", targets.join(", "));

    // 1. The default pipeline, with the default ldflags (-s -w).
    project.write("xhost.toml", format!("{CONFIG}{targets}"));
    let started = Instant::now();
    project.xhost(&["build", "."]).assert_ok();
    eprintln!(
        "ports: {} targets built in {:.0?}",
        PORTS.len(),
        started.elapsed()
    );
    let dist = project.dist();
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dist.join("artifacts.json")).unwrap())
            .unwrap();
    let go_version = run_tool(
        go_bin_dir().join("go").to_str().unwrap(),
        &["env", "GOVERSION"],
        &dist,
    );
    run_tool("sha256sum", &["-c", "hello_1.0.0_checksums.txt"], &dist);
    for port in PORTS {
        check_release(port, &dist, &manifest, go_version.trim());
        check_runs(port, &dist);
    }
    for port in PORTS
        .iter()
        .filter(|p| ["linux/arm64/v8.2", "aix/ppc64", "plan9/386"].contains(&p.target))
    {
        validate_sboms(&port.binary(), &dist);
    }

    // 2. Unstripped links: builtin:strip strips every format it rewrites (ELF of both
    // byte orders and classes, PE, Plan 9), and the binaries still run.
    project.write(
        "xhost.toml",
        format!("{CONFIG}ldflags = \"-X main.version={{{{version}}}}\"\n{targets}"),
    );
    let mut args = vec!["build", "."];
    for port in PORTS.iter().filter(|p| p.target != "aix/ppc64") {
        args.extend(["--target", port.target]);
    }
    project.xhost(&args).assert_ok();
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dist.join("artifacts.json")).unwrap())
            .unwrap();
    for port in PORTS.iter().filter(|p| p.target != "aix/ppc64") {
        let binary = port.binary();
        let record = record(&manifest, &binary);
        assert_eq!(record["stage"], "strip", "{binary} was not stripped");
        let described = run_tool("file", &["-b", &binary], &dist);
        if described.starts_with("ELF") {
            assert!(
                described.trim_end().ends_with(", stripped"),
                "{binary}: {described}"
            );
        }
        if port.target.starts_with("plan9/") {
            let bytes = std::fs::read(dist.join(&binary)).unwrap();
            assert_eq!(&bytes[16..20], &[0; 4], "{binary}: symbol table size");
        }
        if port.go_reads {
            let go_says = run_tool("go", &["version", "-m", &binary], &dist);
            assert!(
                go_says.contains(&format!("GOARCH={}", port.parsed().arch)),
                "{go_says}"
            );
        }
        check_runs(port, &dist);
    }

    // 3. An unstripped XCOFF is refused, with the fix, rather than rewritten unverified.
    project
        .xhost(&["build", ".", "--target", "aix/ppc64"])
        .assert_fails_with(&[
            "stage `strip` (builtin:strip) failed for aix/ppc64",
            "an XCOFF binary with symbols",
            "-ldflags=\"-s -w\"",
        ]);
}

/// Names, archive, manifest, format, the variant in the binary and in both SBOMs.
fn check_release(port: &Port, dist: &Path, manifest: &serde_json::Value, go_version: &str) {
    let target = port.parsed();
    let binary = port.binary();
    assert!(dist.join(&binary).is_file(), "{binary} missing");
    assert!(
        dist.join(port.archive()).is_file(),
        "{} missing",
        port.archive()
    );
    assert_eq!(record(manifest, &binary)["target"], port.target);
    assert_eq!(record(manifest, &port.archive())["target"], port.target);
    if let Some(setting) = port.setting {
        let (key, value) = setting.split_once('=').unwrap();
        assert_eq!(
            record(manifest, &binary)["meta"][key.to_ascii_lowercase()],
            match target.variant {
                Some(_) => serde_json::Value::from(value),
                None => serde_json::Value::Null,
            },
            "{binary}: the variant's variable in artifacts.json"
        );
    }

    match port.file {
        Some(expected) => {
            let described = run_tool("file", &["-b", &binary], dist);
            assert!(
                described.starts_with(expected),
                "{binary}: `file` says {described}"
            );
        }
        None => {
            let bytes = std::fs::read(dist.join(&binary)).unwrap();
            assert_eq!(
                &bytes[..4],
                &[0, 0, 0x8a, 0x97],
                "{binary}: Plan 9 amd64 magic"
            );
        }
    }

    let mut settings = vec![
        format!("GOOS={}", target.os),
        format!("GOARCH={}", target.arch),
    ];
    settings.extend(port.setting.map(str::to_string));
    if port.go_reads {
        let go_says = run_tool("go", &["version", "-m", &binary], dist);
        for setting in &settings {
            assert!(
                go_says.contains(&format!("\tbuild\t{setting}\n")),
                "{binary}: go version -m lacks {setting}:\n{go_says}"
            );
        }
    }

    let cdx = read_json(&dist.join(format!("{binary}.cdx.json")));
    let subject = &cdx["metadata"]["component"];
    assert_eq!(
        subject["hashes"][0]["content"],
        sha256(&dist.join(&binary)).as_str()
    );
    let property = |name: &str| {
        subject["properties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| p["value"].as_str().unwrap().to_string())
    };
    assert_eq!(property("xhost:target").as_deref(), Some(port.target));
    assert_eq!(property("xhost:target:variant"), target.variant);
    assert_eq!(property("go:version").as_deref(), Some(go_version));
    for setting in &settings {
        let (key, value) = setting.split_once('=').unwrap();
        assert_eq!(
            property(&format!("go:build:{key}")).as_deref(),
            Some(value),
            "{binary}.cdx.json"
        );
    }
    let spdx = read_json(&dist.join(format!("{binary}.spdx.json")));
    let comment = spdx["packages"][0]["comment"].as_str().unwrap();
    assert!(
        comment.contains(&format!(" for {} (", port.target)),
        "{comment}"
    );
    if let Some(variant) = &target.variant {
        assert!(
            comment.contains(&format!("variant {variant};")),
            "{comment}"
        );
    }
    for setting in &settings {
        assert!(comment.contains(setting.as_str()), "{comment}");
    }
}

/// Runs the binary where this machine can, and on a CPU without its variant's
/// instructions, where it must not run.
fn check_runs(port: &Port, dist: &Path) {
    let binary = dist.join(port.binary());
    let binary = binary.to_str().unwrap();
    match port.run {
        Runner::None => {}
        Runner::Native => {
            let output = Command::new(binary).arg("--version").output();
            match output {
                Ok(output) => assert_eq!(
                    String::from_utf8_lossy(&output.stdout),
                    "hello 1.0.0\n",
                    "{binary}: {}",
                    String::from_utf8_lossy(&output.stderr)
                ),
                // A kernel without 32-bit x86 support.
                Err(e) if e.raw_os_error() == Some(8) => {
                    eprintln!("ports: {} not run: {e}", port.target);
                }
                Err(e) => panic!("{binary}: {e}"),
            }
        }
        Runner::Qemu {
            qemu,
            cpu,
            refused_on,
        } => {
            let emulator = format!("/usr/bin/qemu-{qemu}-static");
            if !Path::new(&emulator).is_file() {
                assert_ne!(
                    qemu, "arm",
                    "the ARMv6 binary must run: install qemu-user-static"
                );
                eprintln!("ports: {} not run: no {emulator}", port.target);
                return;
            }
            let run = |cpu: Option<&str>| {
                let mut command = Command::new(&emulator);
                if let Some(cpu) = cpu {
                    command.args(["-cpu", cpu]);
                }
                command.args([binary, "--version"]).output().unwrap()
            };
            let output = run(cpu);
            assert_eq!(
                String::from_utf8_lossy(&output.stdout),
                "hello 1.0.0\n",
                "{binary} under {emulator} {cpu:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            if let Some(older) = refused_on {
                let output = run(Some(older));
                assert!(
                    !output.status.success() && output.stdout.is_empty(),
                    "{binary} ran on {older}, which lacks its variant's instructions"
                );
            }
        }
    }
}

fn validate_sboms(binary: &str, dist: &Path) {
    support::validate_spdx(&dist.join(format!("{binary}.spdx.json")));
    support::validate_cyclonedx(&dist.join(format!("{binary}.cdx.json")));
}

/// The manifest's record of the file at `path`.
fn record<'a>(manifest: &'a serde_json::Value, path: &str) -> &'a serde_json::Value {
    manifest["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["path"] == path)
        .unwrap_or_else(|| panic!("artifacts.json has no {path}"))
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}
