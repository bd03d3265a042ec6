//! End to end: `examples/hello-cgo` — Go with its own C file and a vendored module
//! using cgo — released for linux/amd64, linux/arm64 (static musl), windows/amd64 and
//! darwin/arm64 from this machine, zig as cgo's C compiler inside the tool sandbox.
//! Checked with `file`, `go version -m`, `llvm-objdump`, `sha256sum -c`, and the linux
//! binaries run (natively and under qemu).

mod support;

use support::{Project, go_bin_dir, run_tool};

const BINARIES: &[(&str, &str, &[&str])] = &[
    (
        "hello-cgo_linux_amd64/hello-cgo",
        "linux/amd64",
        &["ELF 64-bit LSB", "x86-64", "statically linked"],
    ),
    (
        "hello-cgo_linux_arm64/hello-cgo",
        "linux/arm64",
        &["ELF 64-bit LSB", "ARM aarch64", "statically linked"],
    ),
    (
        "hello-cgo_windows_amd64/hello-cgo.exe",
        "windows/amd64",
        &["PE32+ executable (console) x86-64"],
    ),
    (
        "hello-cgo_darwin_arm64/hello-cgo",
        "darwin/arm64",
        &["Mach-O 64-bit arm64 executable"],
    ),
];

#[test]
fn hello_cgo_release_for_four_systems() {
    let project = Project::from_example("hello-cgo", "hello-cgo");
    project.xhost_planned(&["build", "."], &[]).assert_ok();
    let dist = project.dist();
    let go = go_bin_dir().join("go");
    for (path, target, said) in BINARIES {
        let described = run_tool("file", &["-b", path], &dist);
        for part in *said {
            assert!(described.contains(part), "{path}: `file` says {described}");
        }
        let info = run_tool(go.to_str().unwrap(), &["version", "-m", path], &dist);
        assert!(info.contains("\tbuild\tCGO_ENABLED=1\n"), "{path}:\n{info}");
        let (os, arch) = target.split_once('/').unwrap();
        assert!(
            info.contains(&format!("\tbuild\tGOOS={os}\n")),
            "{path}:\n{info}"
        );
        assert!(
            info.contains(&format!("\tbuild\tGOARCH={arch}\n")),
            "{path}:\n{info}"
        );
        assert!(
            info.contains("example.com/cgreet\tv1.0.0"),
            "{path}:\n{info}"
        );
    }
    run_tool("sha256sum", &["-c", "hello-cgo_1.0.0_checksums.txt"], &dist);

    let native = dist.join("hello-cgo_linux_amd64/hello-cgo");
    let out = run_tool(native.to_str().unwrap(), &["ada"], &project.dir);
    assert_eq!(out, "Hello, ada! 2+3=5 (linux/amd64, cgo)\n");
    let arm64 = dist.join("hello-cgo_linux_arm64/hello-cgo");
    let out = run_tool(
        "qemu-aarch64-static",
        &[arm64.to_str().unwrap(), "ada"],
        &project.dir,
    );
    assert_eq!(out, "Hello, ada! 2+3=5 (linux/arm64, cgo)\n");

    // The macOS binary loads libSystem and the frameworks Go's runtime names from where
    // macOS keeps them, and carries the code signature arm64 macOS requires.
    let darwin = dist.join("hello-cgo_darwin_arm64/hello-cgo");
    let dylibs = run_tool(
        "llvm-objdump",
        &["--macho", "--dylibs-used", darwin.to_str().unwrap()],
        &project.dir,
    );
    for install_name in [
        "/usr/lib/libSystem.B.dylib",
        "/System/Library/Frameworks/CoreFoundation.framework/Versions/A/CoreFoundation",
        "/usr/lib/libresolv.9.dylib",
    ] {
        assert!(dylibs.contains(install_name), "{dylibs}");
    }
    let commands = run_tool(
        "llvm-objdump",
        &["--macho", "--private-headers", darwin.to_str().unwrap()],
        &project.dir,
    );
    assert!(commands.contains("cmd LC_CODE_SIGNATURE"), "{commands}");
    support::check_macho_stripped(&darwin);

    let again = project.xhost_planned(&["build", "."], &[]);
    again.assert_ok();
    assert!(
        again.stderr.contains(" hits, 0 misses)"),
        "{}",
        again.stderr
    );
}

#[test]
fn cgo_without_zig_granted_says_so() {
    let project = Project::from_example("hello-cgo-no-zig", "hello-cgo");
    project.set_targets(&["linux/amd64"]);
    let config = std::fs::read_to_string(project.path("xhost.toml")).unwrap();
    project.write(
        "xhost.toml",
        config.replace(r#"exec = ["go", "zig"]"#, r#"exec = ["go"]"#),
    );
    project.xhost(&["build", "."]).assert_fails_with(&[
        "stage `compile`",
        "cgo's C compiler is zig, which the stage is not granted",
    ]);
}
