//! End to end: `xhost build` of a Rust project with the default Rust pipeline — the
//! crates fetched once and checked, cargo linking through cargo-zigbuild and zig for
//! eight targets from this machine — every output checked with an independent tool:
//! `file`, `sha256sum -c`, the binaries run (natively, under qemu, in wasmtime), the
//! SBOMs against `cargo metadata` and through SPDX's and CycloneDX's validators.

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use support::{Project, run_tool, run_wasip1, snapshot, validate_cyclonedx, validate_spdx};

/// Each binary and what `file -b` must say of it.
const BINARIES: &[(&str, &[&str])] = &[
    (
        "hello-rust_linux_amd64/hello-rust",
        &["ELF 64-bit LSB", "x86-64", "statically linked"],
    ),
    (
        "hello-rust_linux_arm64/hello-rust",
        &["ELF 64-bit LSB", "ARM aarch64", "statically linked"],
    ),
    (
        "hello-rust_darwin_amd64/hello-rust",
        &["Mach-O 64-bit x86_64 executable"],
    ),
    (
        "hello-rust_darwin_arm64/hello-rust",
        &["Mach-O 64-bit arm64 executable"],
    ),
    (
        "hello-rust_windows_amd64/hello-rust.exe",
        &["PE32+ executable (console) x86-64"],
    ),
    (
        "hello-rust_freebsd_amd64/hello-rust",
        &["ELF 64-bit LSB", "x86-64", "FreeBSD"],
    ),
    (
        "hello-rust_wasip1_wasm/hello-rust.wasm",
        &["WebAssembly (wasm) binary module version 0x1 (MVP)"],
    ),
    (
        "hello-rust_wasip2_wasm/hello-rust.wasm",
        &["WebAssembly (wasm) binary module version 0x1000d"],
    ),
];

#[test]
fn hello_rust_release_for_eight_targets() {
    let project = Project::from_example("hello-rust", "hello-rust");
    let run = project.xhost_planned(&["build", "."], &[]);
    run.assert_ok();
    let dist = project.dist();

    for (path, said) in BINARIES {
        let described = run_tool("file", &["-b", path], &dist);
        for part in *said {
            assert!(described.contains(part), "{path}: `file` says {described}");
        }
    }
    run_tool(
        "sha256sum",
        &["-c", "hello-rust_0.1.0_checksums.txt"],
        &dist,
    );

    // The binaries run: natively, under qemu, in wasmtime.
    let args = ["--shout", "--case", "title", "ada_lovelace"];
    let native = run_tool(
        dist.join("hello-rust_linux_amd64/hello-rust")
            .to_str()
            .unwrap(),
        &args,
        &project.dir,
    );
    assert_eq!(native, "HELLO, ADA LOVELACE! (FROM LINUX/X86_64)\n");
    let arm64 = dist.join("hello-rust_linux_arm64/hello-rust");
    let emulated = run_tool(
        "qemu-aarch64-static",
        &[arm64.to_str().unwrap(), "ada"],
        &project.dir,
    );
    assert_eq!(emulated, "Hello, ada! (from linux/aarch64)\n");
    let (code, out) = run_wasip1(
        &dist.join("hello-rust_wasip1_wasm/hello-rust.wasm"),
        &["hello-rust", "--case", "kebab", "Ada Lovelace"],
    );
    assert_eq!(
        (code, out.as_str()),
        (0, "Hello, ada-lovelace! (from wasi/wasm32)\n")
    );
    let (code, out) = run_wasip2(
        &dist.join("hello-rust_wasip2_wasm/hello-rust.wasm"),
        &["hello-rust", "--case", "snake", "Ada Lovelace"],
    );
    assert_eq!(
        (code, out.as_str()),
        (0, "Hello, ada_lovelace! (from wasi/wasm32)\n")
    );

    for darwin in [
        "hello-rust_darwin_amd64/hello-rust",
        "hello-rust_darwin_arm64/hello-rust",
    ] {
        support::check_macho_stripped(&dist.join(darwin));
    }

    // Each target's SBOM lists the package and the crates cargo resolves, with
    // Cargo.lock's checksums.
    let resolved = cargo_metadata_crates(&project.dir);
    for (path, _) in BINARIES {
        let spdx = dist.join(format!("{path}.spdx.json"));
        let cdx = dist.join(format!("{path}.cdx.json"));
        validate_spdx(&spdx);
        validate_cyclonedx(&cdx);
        let document: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&cdx).unwrap()).unwrap();
        let listed: BTreeSet<(String, String)> = document["components"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| {
                c["purl"]
                    .as_str()
                    .is_some_and(|p| p.starts_with("pkg:cargo/"))
            })
            .map(|c| {
                (
                    c["name"].as_str().unwrap().to_string(),
                    c["version"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(listed, resolved, "{path}: the SBOM's crates");
        assert!(
            document
                .to_string()
                .contains("2304e00983f87ffb38b55b444b5e3b60a884b5d30c0fca7d82fe33449bbe55ea"),
            "{path}: heck's checksum from Cargo.lock"
        );
    }

    // Planned again, every stage is answered by the action cache.
    let again = project.xhost_planned(&["build", "."], &[]);
    again.assert_ok();
    assert!(
        again.stderr.contains(" hits, 0 misses)"),
        "{}",
        again.stderr
    );
}

/// The compile stage as the default pipeline has it, with `config` lines added.
fn pipeline_with_compile_config(config: &str) -> String {
    format!(
        r#"
[[stage]]
name = "crates"
plugin = "builtin:cargo-fetch"
grants = {{ exec = ["cargo"], source = true, net = ["index.crates.io", "static.crates.io"] }}

[[stage]]
name = "compile"
plugin = "builtin:cargo-build"
grants = {{ exec = ["cargo", "cargo-zigbuild", "zig"], source = true }}
config = {{ {config} }}

[[stage]]
name = "checksum"
plugin = "builtin:checksum"
"#
    )
}

#[test]
fn glibc_binaries_need_no_newer_glibc_than_asked() {
    let project = Project::from_example("hello-rust-gnu", "hello-rust");
    let config = std::fs::read_to_string(project.path("xhost.toml")).unwrap();
    project.write(
        "xhost.toml",
        config + &pipeline_with_compile_config(r#"libc = "gnu", glibc = "2.17""#),
    );
    project.set_targets(&["linux/amd64", "linux/arm/v7"]);
    project.xhost(&["build", "."]).assert_ok();
    let arm = project.dist().join("hello-rust_linux_arm_v7/hello-rust");
    let described = run_tool("file", &["-b", arm.to_str().unwrap()], &project.dir);
    for part in ["ELF 32-bit LSB", "ARM, EABI5", "/lib/ld-linux-armhf.so.3"] {
        assert!(described.contains(part), "{described}");
    }
    let binary = project.dist().join("hello-rust_linux_amd64/hello-rust");
    let described = run_tool("file", &["-b", binary.to_str().unwrap()], &project.dir);
    assert!(described.contains("dynamically linked"), "{described}");
    // Every glibc symbol version it needs is 2.17 or older.
    let versions = run_tool("readelf", &["-V", binary.to_str().unwrap()], &project.dir);
    let needed: Vec<(u32, u32)> = versions
        .split_whitespace()
        .filter_map(|word| word.strip_prefix("GLIBC_"))
        .filter_map(|v| {
            let mut parts = v.split('.').map(|p| p.parse::<u32>().ok());
            Some((parts.next()??, parts.next().flatten().unwrap_or(0)))
        })
        .collect();
    assert!(!needed.is_empty(), "{versions}");
    assert!(needed.iter().all(|v| *v <= (2, 17)), "{needed:?}");
    let out = run_tool(binary.to_str().unwrap(), &["glibc"], &project.dir);
    assert_eq!(out, "Hello, glibc! (from linux/x86_64)\n");
}

#[test]
fn init_writes_the_rust_pipeline() {
    let project = Project::from_example("hello-rust-init", "hello-rust");
    std::fs::remove_file(project.path("xhost.toml")).unwrap();
    project.xhost(&["init", "--no-build"]).assert_ok();
    let written = std::fs::read_to_string(project.path("xhost.toml")).unwrap();
    for line in [
        "name = \"hello-rust\"             # default: Cargo.toml's package name",
        "plugin = \"builtin:cargo-fetch\"",
        "grants = { exec = [\"cargo\", \"cargo-zigbuild\", \"zig\"], source = true }",
    ] {
        assert!(written.contains(line), "{line}:\n{written}");
    }
    assert!(!written.contains("ldflags"), "{written}");
    project.xhost(&["check"]).assert_ok();
}

#[test]
fn vendored_crates_build_without_a_fetch() {
    let project = Project::from_example("hello-rust-vendored", "hello-rust");
    // wasm links without zig: the test is about where the crates come from.
    project.set_targets(&["wasip1/wasm"]);
    let printed = run_tool("cargo", &["vendor", "--locked", "vendor"], &project.dir);
    project.write(".cargo/config.toml", printed);
    let explained = project.xhost(&["check", "--explain"]);
    explained.assert_ok();
    assert!(
        explained.stdout.contains("compile (builtin:cargo-build)")
            && !explained.stdout.contains("builtin:cargo-fetch"),
        "{}",
        explained.stdout
    );
    project.xhost(&["build", "."]).assert_ok();
    run_tool(
        "sha256sum",
        &["-c", "hello-rust_0.1.0_checksums.txt"],
        &project.dist(),
    );
}

#[test]
fn a_fetch_serving_other_crate_bytes_is_refused_and_nothing_kept() {
    let project = Project::from_example("hello-rust-poisoned-fetch", "hello-rust");
    project.set_targets(&["linux/amd64"]);
    // The fetch stage runs `sh fetch …` in the project: a script that fills cargo's
    // registry with crates that are not the ones Cargo.lock pins.
    let config = std::fs::read_to_string(project.path("xhost.toml")).unwrap();
    project.write(
        "xhost.toml",
        config
            + &pipeline_with_compile_config("").replace(
                r#"grants = { exec = ["cargo"], source = true, net"#,
                r#"config = { tool = "sh" }
grants = { exec = ["cargo", "sh"], source = true, net"#,
            ),
    );
    project.write(
        "fetch",
        "dir=$CARGO_HOME/registry/cache/index.crates.io-1949cf8c6b5b557f\n\
         mkdir -p $dir\n\
         echo poisoned > $dir/heck-0.5.0.crate\n\
         echo poisoned > $dir/pico-args-0.5.0.crate\n",
    );
    let before = project.seed_dist();
    project.xhost(&["build", "."]).assert_fails_with(&[
        "the downloaded crates differ from Cargo.lock; nothing was kept",
        "heck-0.5.0: sha256",
        "pico-args-0.5.0: sha256",
    ]);
    assert_eq!(snapshot(&project.dist()), before, "dist/ changed");
    let area = xhost::cache_layout::CacheLayout::at(support::cache_dir())
        .project(&project.dir.canonicalize().unwrap());
    let kept: Vec<_> = std::fs::read_dir(area.modules())
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(kept.is_empty(), "kept {kept:?}");
}

#[test]
fn rust_build_errors_say_what_to_do() {
    let project = Project::from_example("hello-rust-errors", "hello-rust");
    let before = project.seed_dist();

    // A target whose standard library the toolchain lacks.
    project.set_targets(&["linux/riscv64"]);
    project.xhost(&["build", "."]).assert_fails_with(&[
        "stage `compile`",
        "rustup target add riscv64gc-unknown-linux-musl",
    ]);

    // No zig: refused when planned, saying how to get it.
    project.set_targets(&["linux/arm64"]);
    let cargo_zigbuild = support::dev_tool("cargo-zigbuild");
    let config = std::fs::read_to_string(project.path("xhost.toml")).unwrap();
    project.write(
        "xhost.toml",
        format!(
            "{config}\n[tools]\ncargo-zigbuild = \"{}\"\n",
            cargo_zigbuild.display()
        ),
    );
    let cargo_bin = Path::new(&run_tool("rustup", &["which", "cargo"], &project.dir))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}:/usr/bin:/bin",
        Path::new(env!("CARGO_BIN_EXE_xhost"))
            .parent()
            .unwrap()
            .display(),
        cargo_bin.display()
    );
    project
        .xhost_with(&["build", "."], &[("PATH", &path)])
        .assert_fails_with(&["`zig` is not on PATH", "pip install ziglang", "[tools]"]);
    project.write("xhost.toml", config);

    // A crate linking a system library that is not there for the target (macOS: zig
    // links it without building a C library first).
    project.set_targets(&["darwin/arm64"]);
    project.write(
        "build.rs",
        "fn main() {\n    println!(\"cargo:rustc-link-lib=ssl\");\n}\n",
    );
    project.xhost(&["build", "."]).assert_fails_with(&[
        "stage `compile`",
        "links a system C library",
        "vendored",
    ]);
    std::fs::remove_file(project.path("build.rs")).unwrap();

    // A git dependency: the fetch reaches crates.io only.
    let lock = std::fs::read_to_string(project.path("Cargo.lock")).unwrap();
    project.write(
        "Cargo.lock",
        lock.replacen(
            "registry+https://github.com/rust-lang/crates.io-index",
            "git+https://example.com/heck?rev=1#0123456789abcdef",
            1,
        ),
    );
    project
        .xhost(&["build", "."])
        .assert_fails_with(&["crate `heck` 0.5.0 comes from `git+", "cargo vendor"]);
    assert_eq!(snapshot(&project.dist()), before, "dist/ changed");
}

/// The packages `cargo metadata` resolves: the package itself and its crates.
fn cargo_metadata_crates(dir: &Path) -> BTreeSet<(String, String)> {
    let output = run_tool(
        "cargo",
        &["metadata", "--format-version", "1", "--locked"],
        dir,
    );
    let metadata: serde_json::Value = serde_json::from_str(&output).unwrap();
    metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["version"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Runs a wasip2 command component in wasmtime with `args`; returns (exit code, stdout).
fn run_wasip2(component: &Path, args: &[&str]) -> (i32, String) {
    use wasmtime::component::{Component, Linker, ResourceTable};
    use wasmtime::{Config, Engine, Store};
    use wasmtime_wasi::p2::bindings::sync::Command;
    use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
    use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

    struct State {
        ctx: WasiCtx,
        table: ResourceTable,
    }
    impl WasiView for State {
        fn ctx(&mut self) -> WasiCtxView<'_> {
            WasiCtxView {
                ctx: &mut self.ctx,
                table: &mut self.table,
            }
        }
    }

    let engine = Engine::new(Config::new().wasm_component_model(true)).unwrap();
    let component = Component::from_file(&engine, component).unwrap();
    let mut linker = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker).unwrap();
    let stdout = MemoryOutputPipe::new(1 << 20);
    let ctx = WasiCtx::builder().stdout(stdout.clone()).args(args).build();
    let mut store = Store::new(
        &engine,
        State {
            ctx,
            table: ResourceTable::new(),
        },
    );
    let command = Command::instantiate(&mut store, &component, &linker).unwrap();
    let code = match command.wasi_cli_run().call_run(&mut store) {
        Ok(Ok(())) => 0,
        Ok(Err(())) => 1,
        Err(e) => match e.downcast_ref::<wasmtime_wasi::I32Exit>() {
            Some(exit) => exit.0,
            None => panic!("wasm trapped: {e:?}"),
        },
    };
    (
        code,
        String::from_utf8_lossy(&stdout.contents()).into_owned(),
    )
}
