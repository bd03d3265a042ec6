//! builtin:universal on real Go binaries: darwin/amd64 and darwin/arm64 builds of
//! hello-go merged into one universal Mach-O, checked with independent tools
//! (llvm-lipo, llvm-objdump, file), with and without `replace`; and the builds it
//! refuses, leaving the previous dist/ as it was.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use support::{Project, run_tool, snapshot};

const HEADER: &str = "[project]\nname = \"hello\"\nversion = \"1.0.0\"\n\n";

/// go-build (with its default `-s -w`) and strip, which passes Go's stripped Mach-O.
const BUILD: &str = "[[stage]]\nname = \"compile\"\nplugin = \"builtin:go-build\"\ngrants = { exec = [\"go\"], source = true }\n\n[[stage]]\nname = \"strip\"\nplugin = \"builtin:strip\"\n\n";

const CHECKSUM: &str = "[[stage]]\nname = \"checksum\"\nplugin = \"builtin:checksum\"\n";

/// hello-go's xhost.toml for `targets`, building, then `stages`.
fn config(targets: &[&str], stages: &str) -> String {
    let targets: Vec<String> = targets.iter().map(|t| format!("\"{t}\"")).collect();
    format!(
        "{HEADER}[build]\nmain = \"./cmd/hello\"\ntargets = [{}]\n\n{BUILD}{stages}",
        targets.join(", ")
    )
}

/// The universal stage with `config` (TOML key/value lines).
fn universal(config: &str) -> String {
    format!(
        "[[stage]]\nname = \"universal\"\nplugin = \"builtin:universal\"\nconfig = {{ {config} }}\n\n"
    )
}

/// An LLVM tool: from PATH, else Debian's versioned name (`llvm-lipo-14`).
fn llvm(tool: &str) -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(tool))
        .find(|path| path.is_file());
    let versioned = || {
        let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/bin")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|entry| {
                let name = entry.file_name().into_string().ok()?;
                let version = name.strip_prefix(tool)?.strip_prefix('-')?.parse().ok()?;
                Some((version, entry.path()))
            })
            .collect();
        found.sort();
        found.pop().map(|(_, path)| path)
    };
    on_path.or_else(versioned).unwrap_or_else(|| {
        panic!("these tests need {tool} (Debian package llvm); run ./scripts/setup")
    })
}

fn tool(program: &Path, args: &[&str], dir: &Path) -> String {
    run_tool(program.to_str().unwrap(), args, dir)
}

/// `artifacts.json`'s entries, by path.
fn manifest(dist: &Path) -> serde_json::Map<String, serde_json::Value> {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dist.join("artifacts.json")).unwrap()).unwrap();
    manifest["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["path"].as_str().unwrap().to_string(), a.clone()))
        .collect()
}

/// The paths `hello_1.0.0_checksums.txt` lists.
fn checksummed(dist: &Path) -> Vec<String> {
    std::fs::read_to_string(dist.join("hello_1.0.0_checksums.txt"))
        .unwrap()
        .lines()
        .map(|line| line.split_once("  ").unwrap().1.to_string())
        .collect()
}

/// Checks `fat` with file, llvm-lipo and llvm-objdump; returns its slices as
/// `llvm-lipo -thin` extracts them, x86_64 then arm64.
fn check_universal(fat: &Path, scratch: &Path) -> [Vec<u8>; 2] {
    let dir = fat.parent().unwrap();
    let path = fat.to_str().unwrap();
    let described = run_tool("file", &["-b", path], dir);
    // file 5.4x: `… 2 architectures: [x86_64:\012- Mach-O 64-bit x86_64 executable, …] [\012- arm64:…`
    let x86_64 = described.find("Mach-O 64-bit x86_64 executable");
    let arm64 = described.find("Mach-O 64-bit arm64 executable");
    assert!(
        described.starts_with("Mach-O universal binary with 2 architectures: [x86_64:")
            && x86_64.is_some()
            && arm64 > x86_64,
        "`file` says {described}"
    );
    let mode = fat.metadata().unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o755, "{path} is not executable");

    let lipo = llvm("llvm-lipo");
    let info = tool(&lipo, &["-info", path], dir);
    assert!(
        info.trim_end().ends_with("are: x86_64 arm64"),
        "llvm-lipo -info: {info}"
    );
    let headers = tool(
        &llvm("llvm-objdump"),
        &["--macho", "--universal-headers", path],
        dir,
    );
    assert!(
        headers.contains("fat_magic FAT_MAGIC") && headers.contains("nfat_arch 2"),
        "{headers}"
    );
    let arches: Vec<&str> = headers.split("architecture ").skip(1).collect();
    assert_eq!(arches.len(), 2, "{headers}");
    for (arch, cputype) in arches.iter().zip(["CPU_TYPE_X86_64", "CPU_TYPE_ARM64"]) {
        assert!(
            arch.contains(&format!("cputype {cputype}\n")) && arch.contains("align 2^14 (16384)\n"),
            "{headers}"
        );
    }
    // The offsets as lipo puts them: the first slice at 2^14, the second at the next
    // multiple of 2^14 after it.
    assert!(arches[0].contains("offset 16384\n"), "{headers}");

    std::fs::create_dir_all(scratch).unwrap();
    ["x86_64", "arm64"].map(|arch| {
        let thin = scratch.join(arch);
        let _ = std::fs::remove_file(&thin);
        tool(
            &lipo,
            &["-thin", arch, "-output", thin.to_str().unwrap(), path],
            dir,
        );
        std::fs::read(&thin).unwrap()
    })
}

#[test]
fn universal_binary_of_the_darwin_builds_with_and_without_replace() {
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("universal-slices");
    let targets = ["darwin/amd64", "darwin/arm64", "linux/amd64"];
    let project = Project::from_example("universal", "hello-go");
    project.write(
        "xhost.toml",
        config(&targets, &format!("{}{CHECKSUM}", universal(""))),
    );
    project.xhost(&["build", "."]).assert_ok();
    let dist = project.dist();

    // replace = false: the universal binary beside the per-arch ones, whose bytes are
    // its slices.
    let fat = dist.join("hello_darwin_all/hello");
    let [x86_64, arm64] = check_universal(&fat, &scratch);
    let amd64_binary = std::fs::read(dist.join("hello_darwin_amd64/hello")).unwrap();
    let arm64_binary = std::fs::read(dist.join("hello_darwin_arm64/hello")).unwrap();
    assert!(
        x86_64 == amd64_binary,
        "the x86_64 slice differs from hello_darwin_amd64/hello"
    );
    assert!(
        arm64 == arm64_binary,
        "the arm64 slice differs from hello_darwin_arm64/hello"
    );
    let universal_bytes = std::fs::read(&fat).unwrap();

    let entries = manifest(&dist);
    let entry = &entries["hello_darwin_all/hello"];
    assert_eq!(entry["kind"], "binary", "{entry}");
    assert_eq!(entry["stage"], "universal", "{entry}");
    assert_eq!(entry["plugin"]["name"], "builtin:universal", "{entry}");
    assert_eq!(
        entry["meta"],
        serde_json::json!({"goos": "darwin", "goarch": "all", "replaces": "false"}),
        "{entry}"
    );
    for path in [
        "hello_darwin_amd64/hello",
        "hello_darwin_arm64/hello",
        "hello_linux_amd64/hello",
    ] {
        assert!(
            entries.contains_key(path),
            "{path} missing from artifacts.json"
        );
    }
    assert_eq!(
        checksummed(&dist),
        [
            "hello_darwin_all/hello",
            "hello_darwin_amd64/hello",
            "hello_darwin_arm64/hello",
            "hello_linux_amd64/hello"
        ]
    );
    run_tool("sha256sum", &["-c", "hello_1.0.0_checksums.txt"], &dist);

    // replace = true, under another name: only the universal binary is published for
    // darwin; its bytes are the same.
    project.write(
        "xhost.toml",
        config(
            &targets,
            &format!(
                "{}{CHECKSUM}",
                universal("replace = true, name_template = \"hello-universal\"")
            ),
        ),
    );
    project.xhost(&["build", "."]).assert_ok();
    let fat = dist.join("hello_darwin_all/hello-universal");
    let [x86_64, arm64] = check_universal(&fat, &scratch);
    assert!(
        x86_64 == amd64_binary && arm64 == arm64_binary,
        "the slices changed"
    );
    assert!(
        std::fs::read(&fat).unwrap() == universal_bytes,
        "the universal binary is not reproducible"
    );
    let published: Vec<PathBuf> = snapshot(&dist).into_keys().collect();
    assert_eq!(
        published,
        [
            "artifacts.json",
            "hello_1.0.0_checksums.txt",
            "hello_darwin_all/hello-universal",
            "hello_linux_amd64/hello"
        ]
        .map(PathBuf::from),
        "dist/ holds the per-arch darwin binaries or lacks another file"
    );
    let entries = manifest(&dist);
    assert_eq!(
        entries.keys().collect::<Vec<_>>(),
        [
            "hello_1.0.0_checksums.txt",
            "hello_darwin_all/hello-universal",
            "hello_linux_amd64/hello"
        ]
    );
    assert_eq!(
        entries["hello_darwin_all/hello-universal"]["meta"],
        serde_json::json!({
            "goos": "darwin",
            "goarch": "all",
            "replaces": "true",
            "supersedes": "darwin/amd64 darwin/arm64"
        })
    );
    assert_eq!(
        checksummed(&dist),
        [
            "hello_darwin_all/hello-universal",
            "hello_linux_amd64/hello"
        ]
    );
    run_tool("sha256sum", &["-c", "hello_1.0.0_checksums.txt"], &dist);
}

#[test]
fn missing_darwin_builds_are_named_and_dist_is_kept() {
    let project = Project::from_example("universal-refused", "hello-go");
    // A previous release of darwin/arm64 alone.
    project.write("xhost.toml", config(&["darwin/arm64"], CHECKSUM));
    project.xhost(&["build", "."]).assert_ok();
    let before = snapshot(&project.dist());
    assert!(before.contains_key(Path::new("hello_darwin_arm64/hello")));

    let refused: [(&[&str], String, &str); 5] = [
        (
            &["darwin/arm64"],
            format!("{}{CHECKSUM}", universal("")),
            "a universal binary of `hello` is made of a darwin/amd64 and a darwin/arm64 binary, and this build has no darwin/amd64 binary of `hello`: add \"darwin/amd64\" to [build] targets",
        ),
        (
            &["linux/amd64"],
            universal("replace = true"),
            "this build has no darwin/amd64 or darwin/arm64 binary: add \"darwin/amd64\" and \"darwin/arm64\" to [build] targets",
        ),
        (
            &["darwin/arm64"],
            universal("name_template = \"../hello\""),
            "invalid stage config: name_template `../hello` is not a file name",
        ),
        (
            &["darwin/arm64"],
            universal("replace = \"yes\""),
            "invalid stage config: invalid type: string \"yes\", expected a boolean",
        ),
        (
            &["darwin/arm64"],
            universal("merge = true"),
            "invalid stage config: unknown field `merge`",
        ),
    ];
    for (targets, stages, message) in refused {
        project.write("xhost.toml", config(targets, &stages));
        project.xhost(&["build", "."]).assert_fails_with(&[
            "stage `universal` (builtin:universal) failed for release",
            message,
        ]);
        assert_eq!(
            snapshot(&project.dist()),
            before,
            "the previous dist/ changed by:\n{stages}"
        );
    }
}
