//! End to end: `xhost build` of a real Go project with the built-in plugins, every
//! output checked with an independent tool.

mod support;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use support::{Project, go_bin_dir, run_tool, run_wasip1};

/// `file -b` output each binary must start with.
const HEADERS: &[(&str, &str)] = &[
    (
        "hello_linux_amd64/hello",
        "ELF 64-bit LSB executable, x86-64",
    ),
    (
        "hello_linux_arm64/hello",
        "ELF 64-bit LSB executable, ARM aarch64",
    ),
    (
        "hello_darwin_amd64/hello",
        "Mach-O 64-bit x86_64 executable",
    ),
    ("hello_darwin_arm64/hello", "Mach-O 64-bit arm64 executable"),
    (
        "hello_windows_amd64/hello.exe",
        "PE32+ executable (console) x86-64",
    ),
    (
        "hello_wasip1_wasm/hello.wasm",
        "WebAssembly (wasm) binary module",
    ),
];

#[test]
fn hello_go_release_for_six_targets() {
    let project = Project::from_example("hello-six", "hello-go");
    // Every stage runs (`--no-cache`), so the trace shows each one's work.
    let run = project.xhost(&[
        "build",
        ".",
        "--no-cache",
        "--trace",
        "../hello-six.trace.json",
    ]);
    run.assert_ok();
    let dist = project.dist();
    check_trace(&project.path("../hello-six.trace.json"));
    // Each target's time is kept, so the next build starts the longest first.
    let area = xhost::cache_layout::CacheLayout::at(support::cache_dir())
        .project(&project.dir.canonicalize().unwrap());
    let times: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&std::fs::read(area.lane_times()).unwrap()).unwrap();
    let timed: Vec<&str> = times.keys().map(String::as_str).collect();
    assert_eq!(
        timed,
        [
            "darwin/amd64",
            "darwin/arm64",
            "linux/amd64",
            "linux/arm64",
            "wasip1/wasm",
            "windows/amd64"
        ]
    );

    for (path, header) in HEADERS {
        let described = run_tool("file", &["-b", path], &dist);
        assert!(
            described.starts_with(header),
            "{path}: `file` says {described}"
        );
        let mode = dist.join(path).metadata().unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o755, "{path} is not executable");
        assert!(
            run.stdout.contains(path),
            "summary does not list {path}:\n{}",
            run.stdout
        );
    }

    let native = run_tool(
        dist.join("hello_linux_amd64/hello").to_str().unwrap(),
        &["--version"],
        &dist,
    );
    assert_eq!(native, "hello 1.0.0\n");
    let greeting = run_tool(
        dist.join("hello_linux_amd64/hello").to_str().unwrap(),
        &["-name", "xhost"],
        &dist,
    );
    assert_eq!(greeting, "Hello, xhost!\n");
    assert_eq!(
        run_wasip1(
            &dist.join("hello_wasip1_wasm/hello.wasm"),
            &["hello", "--version"]
        ),
        (0, "hello 1.0.0\n".to_string())
    );

    let checked = run_tool(
        "sha256sum",
        &["--check", "--strict", "hello_1.0.0_checksums.txt"],
        &dist,
    );
    // What users download is checksummed: five archives, the bare wasm binary, and the
    // SPDX and CycloneDX SBOMs of all six binaries.
    assert_eq!(
        checked.lines().filter(|l| l.ends_with(": OK")).count(),
        18,
        "{checked}"
    );
    for download in [
        "hello_1.0.0_linux_amd64.tar.gz",
        "hello_1.0.0_linux_arm64.tar.gz",
        "hello_1.0.0_darwin_amd64.tar.gz",
        "hello_1.0.0_darwin_arm64.tar.gz",
        "hello_1.0.0_windows_amd64.zip",
        "hello_wasip1_wasm/hello.wasm",
        "hello_wasip1_wasm/hello.wasm.spdx.json",
        "hello_linux_amd64/hello.cdx.json",
    ] {
        assert!(
            checked.contains(&format!("{download}: OK")),
            "{download}:\n{checked}"
        );
    }
    let sums = std::fs::read_to_string(dist.join("hello_1.0.0_checksums.txt")).unwrap();
    let listed: Vec<&str> = sums.lines().map(|l| &l[66..]).collect();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(listed, sorted, "checksums file is not sorted");
    assert!(!sums.contains('\r'));

    check_manifest_against_disk(&dist);
}

/// `--trace` wrote Chrome trace events (what Perfetto reads): the build's phases, and
/// each target's stages on the lane thread that ran them, with the `go` each compile ran.
fn check_trace(path: &Path) {
    let trace: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let events = trace["traceEvents"].as_array().unwrap();
    let spans: Vec<&serde_json::Value> = events.iter().filter(|e| e["ph"] == "X").collect();
    let named = |name: &str| -> Vec<&serde_json::Value> {
        spans
            .iter()
            .copied()
            .filter(|e| e["name"] == name)
            .collect()
    };
    for phase in ["xhost build", "plan", "stages", "publish"] {
        assert_eq!(named(phase).len(), 1, "phase {phase}");
    }
    let build = named("xhost build")[0];
    let lane_threads: Vec<&serde_json::Value> = events
        .iter()
        .filter(|e| {
            e["ph"] == "M"
                && e["args"]["name"]
                    .as_str()
                    .unwrap_or("")
                    .starts_with("xhost-lane-")
        })
        .map(|e| &e["tid"])
        .collect();
    for target in [
        "linux/amd64",
        "linux/arm64",
        "darwin/amd64",
        "darwin/arm64",
        "windows/amd64",
        "wasip1/wasm",
    ] {
        for stage in ["compile", "strip", "sbom", "archive"] {
            let span = named(&format!("{stage} {target}"));
            assert_eq!(span.len(), 1, "{stage} {target}");
            assert!(
                lane_threads.contains(&&span[0]["tid"]),
                "{stage} {target} not on a lane thread"
            );
        }
        let compile = named(&format!("compile {target}"))[0];
        let (start, end) = (
            compile["ts"].as_u64().unwrap(),
            compile["ts"].as_u64().unwrap() + compile["dur"].as_u64().unwrap(),
        );
        assert!(start >= build["ts"].as_u64().unwrap());
        assert!(
            named("go").iter().any(|go| go["tid"] == compile["tid"]
                && go["ts"].as_u64().unwrap() >= start
                && go["ts"].as_u64().unwrap() + go["dur"].as_u64().unwrap() <= end
                && go["args"]["args"].as_str().unwrap().starts_with("build ")),
            "no `go build` inside compile {target}"
        );
    }
    assert_eq!(named("checksum release").len(), 1);
}

/// `artifacts.json` must list every file in `dist/` (but itself) exactly once, with the
/// digest and size `sha256sum` and the filesystem report.
fn check_manifest_against_disk(dist: &Path) {
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dist.join("artifacts.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["schema"], "xhost.artifacts/v1");
    assert_eq!(manifest["project"]["name"], "hello");
    let entries = manifest["artifacts"].as_array().unwrap();
    let on_disk: Vec<String> = support::snapshot(dist)
        .into_keys()
        .map(|p| p.to_string_lossy().into_owned())
        .filter(|p| p != "artifacts.json")
        .collect();
    let in_manifest: Vec<String> = entries
        .iter()
        .map(|e| e["path"].as_str().unwrap().to_string())
        .collect();
    let mut sorted_manifest = in_manifest.clone();
    sorted_manifest.sort();
    let mut sorted_disk = on_disk.clone();
    sorted_disk.sort();
    assert_eq!(sorted_manifest, sorted_disk);

    let args: Vec<&str> = in_manifest.iter().map(String::as_str).collect();
    let digests: BTreeMap<String, String> = run_tool("sha256sum", &args, dist)
        .lines()
        .map(|l| (l[66..].to_string(), l[..64].to_string()))
        .collect();
    for entry in entries {
        let path = entry["path"].as_str().unwrap();
        assert_eq!(entry["sha256"].as_str().unwrap(), digests[path], "{path}");
        assert_eq!(
            entry["size"].as_u64().unwrap(),
            dist.join(path).metadata().unwrap().len(),
            "{path}"
        );
        let plugin = &entry["plugin"];
        assert!(
            plugin["name"].as_str().unwrap().starts_with("builtin:"),
            "{entry}"
        );
        assert!(
            plugin["digest"].as_str().unwrap().starts_with("sha256:"),
            "{entry}"
        );
        let expected_kind = if path.ends_with("checksums.txt") {
            "checksum"
        } else if path.ends_with(".tar.gz") || path.ends_with(".zip") {
            "archive"
        } else if path.ends_with(".spdx.json") || path.ends_with(".cdx.json") {
            "sbom"
        } else {
            "binary"
        };
        assert_eq!(entry["kind"], expected_kind, "{path}");
    }
}

#[test]
fn defaults_come_from_go_mod_and_a_rebuild_replaces_dist() {
    let project = Project::new("from-go-mod");
    project
        .write("go.mod", "module example.com/tools/greeter/v2\n\ngo 1.21\n")
        .write(
            "main.go",
            "package main\n\nimport \"fmt\"\n\nvar version = \"dev\"\n\nfunc main() { fmt.Println(\"greeter\", version) }\n",
        );
    let check = project.xhost(&["check", ".", "--explain"]);
    check.assert_ok();
    for expected in [
        "project   greeter 0.0.0-SNAPSHOT",
        "no xhost.toml",
        "compile  builtin:go-build  [per target]",
        "strip  builtin:strip  [per target]",
        "sbom  builtin:sbom  [per target]",
        "archive  builtin:archive  [per target]",
        "checksum  builtin:checksum  [release]",
        "linux/amd64, linux/arm64, darwin/amd64, darwin/arm64, windows/amd64, wasip1/wasm",
        "default: last element of go.mod module `example.com/tools/greeter/v2`",
        "exec go (",
    ] {
        assert!(
            check.stdout.contains(expected),
            "check output lacks {expected:?}:\n{}",
            check.stdout
        );
    }

    project
        .xhost(&[
            "build",
            ".",
            "--target",
            "linux/amd64",
            "--target",
            "js/wasm",
        ])
        .assert_ok();
    let dist = project.dist();
    let printed = run_tool(
        dist.join("greeter_linux_amd64/greeter").to_str().unwrap(),
        &[],
        &dist,
    );
    assert!(printed.starts_with("greeter 0.0.0-SNAPSHOT"), "{printed}");
    let goroot = go_bin_dir().parent().unwrap().to_path_buf();
    let wasm_exec = ["lib/wasm/wasm_exec_node.js", "misc/wasm/wasm_exec_node.js"]
        .iter()
        .map(|p| goroot.join(p))
        .find(|p| p.is_file())
        .expect("Go's wasm_exec_node.js");
    let from_node = run_tool(
        "node",
        &[
            wasm_exec.to_str().unwrap(),
            dist.join("greeter_js_wasm/greeter.wasm").to_str().unwrap(),
        ],
        &dist,
    );
    assert_eq!(
        from_node, printed,
        "js/wasm build prints something else under node"
    );

    // A second build with other targets replaces dist/ as a whole.
    project
        .xhost(&["build", ".", "--target", "linux/arm64", "-j", "1"])
        .assert_ok();
    let files: Vec<String> = support::snapshot(&dist)
        .into_keys()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    assert_eq!(files.len(), 6, "{files:?}");
    assert_eq!(files[0], "artifacts.json");
    let snapshot = |f: &str, end: &str| f.starts_with("greeter_0.0.0-SNAPSHOT") && f.ends_with(end);
    assert!(snapshot(&files[1], "_checksums.txt"), "{files:?}");
    assert!(snapshot(&files[2], "_linux_arm64.tar.gz"), "{files:?}");
    assert_eq!(
        files[3..],
        [
            "greeter_linux_arm64/greeter",
            "greeter_linux_arm64/greeter.cdx.json",
            "greeter_linux_arm64/greeter.spdx.json"
        ]
    );
}

#[test]
fn plugins_lists_builtins_with_digests() {
    let run = Project::new("plugins-list").xhost(&["plugins"]);
    run.assert_ok();
    assert!(
        run.stdout.contains("builtin:go-build  go-build"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("world tool-plugin"), "{}", run.stdout);
    assert!(
        run.stdout.contains("builtin:checksum  checksum"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("[release, world plugin]"),
        "checksum must not import exec:\n{}",
        run.stdout
    );
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("builtin:go-mod ") && l.contains("[release, world tool-plugin]")),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("builtin:oci-image ") && l.contains("[release, world plugin]")),
        "oci-image must need nothing but its inputs:\n{}",
        run.stdout
    );
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("builtin:image-sign ")
                && l.contains("[release, world signer-plugin]")),
        "{}",
        run.stdout
    );
    for rust in ["builtin:cargo-fetch ", "builtin:cargo-build "] {
        assert!(
            run.stdout
                .lines()
                .any(|l| l.starts_with(rust) && l.contains("world tool-plugin]")),
            "{rust}:\n{}",
            run.stdout
        );
    }
    // Packages are made with no grant but the source; only their signing holds keys.
    for (line, world) in [
        ("builtin:package ", "[per target, world plugin]"),
        ("builtin:package-sign ", "[release, world signer-plugin]"),
    ] {
        assert!(
            run.stdout
                .lines()
                .any(|l| l.starts_with(line) && l.contains(world)),
            "{line}{world}:\n{}",
            run.stdout
        );
    }
    assert_eq!(run.stdout.matches("sha256 ").count(), 14);
}

/// `XHOST_TOOL_CACHE_DIR`: two checkouts at different paths build with the one Go build
/// cache the machine's operator named (the second compiles its own package, not the
/// standard library again), and neither project's area holds a Go cache of its own. A
/// relative path is refused before anything is built.
#[test]
fn an_operator_shares_tool_caches_between_projects() {
    let shared = tempfile::tempdir().unwrap();
    let env = [(
        xhost::cache_layout::SHARED_TOOL_CACHES,
        shared.path().to_str().unwrap(),
    )];
    let go_cache = shared.path().join("go/cache/build");
    let entries = || support::files(&go_cache).len();
    let build = |name: &str, args: &[&str]| {
        let project = Project::new(name);
        project
            .write("go.mod", "module example.com/shared\n\ngo 1.21\n")
            .write(
                "main.go",
                "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"shared\") }\n",
            );
        let mut all = vec!["build", ".", "--target", "linux/amd64"];
        all.extend(args);
        project.xhost_with(&all, &env).assert_ok();
        let area = xhost::cache_layout::CacheLayout::at(support::cache_dir())
            .project(&project.dir.canonicalize().unwrap());
        assert!(
            !area.dir().join("tools/go").exists(),
            "{name} has a Go cache of its own"
        );
        project
    };

    let before = entries();
    build("shared-tools-a", &["--no-cache"]);
    let first = entries() - before;
    // Another path, same sources: the action cache would answer every stage, so Go is
    // made to run.
    let second_project = build("shared-tools-b", &["--no-cache"]);
    let second = entries() - before - first;
    assert!(
        first > 100 && second * 10 < first,
        "Go's cache grew by {first} entries for the first project and {second} for the second"
    );

    let dist = second_project.seed_dist();
    second_project
        .xhost_with(
            &["build", "."],
            &[(xhost::cache_layout::SHARED_TOOL_CACHES, "relative/tools")],
        )
        .assert_fails_with(&["XHOST_TOOL_CACHE_DIR=relative/tools", "absolute path"]);
    assert_eq!(support::snapshot(&second_project.dist()), dist);
}
