//! builtin:strip and builtin:archive on real Go binaries, checked against the native
//! tools: GNU strip, readelf, file, mingw objdump, pefile, wasm-validate, qemu, tar, unzip.

mod support;

use std::path::{Path, PathBuf};

use support::{Project, release_snapshot, run_tool, run_wasip1, workspace};

const HEADER: &str = "[project]\nname = \"hello\"\nversion = \"1.0.0\"\n\n";

const COMPILE: &str = "[[stage]]\nname = \"compile\"\nplugin = \"builtin:go-build\"\ngrants = { exec = [\"go\"], source = true }\n\n";

/// hello-go with its own `[build]` and stage list.
fn hello(name: &str, build: &str, stages: &str) -> Project {
    let project = Project::from_example(name, "hello-go");
    project.write(
        "xhost.toml",
        format!("{HEADER}[build]\nmain = \"./cmd/hello\"\n{build}\n{COMPILE}{stages}"),
    );
    project
}

/// Keeps a copy of `file` out of `dist/` (the next build replaces dist/).
fn keep(file: &Path, dir: &Path, name: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let copy = dir.join(name);
    std::fs::copy(file, &copy).unwrap();
    copy
}

#[test]
fn strip_matches_the_native_tools_on_binaries_built_without_s_w() {
    let targets = "targets = [\"linux/amd64\", \"linux/arm64\", \"windows/amd64\", \"wasip1/wasm\"]\nldflags = \"-X main.version={{version}}\"\n";
    let unstripped_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("strip-inputs");
    let project = hello("strip-native", targets, "");
    project.xhost(&["build", "."]).assert_ok();
    let dist = project.dist();
    let elf_amd64 = keep(
        &dist.join("hello_linux_amd64/hello"),
        &unstripped_dir,
        "amd64",
    );
    let elf_arm64 = keep(
        &dist.join("hello_linux_arm64/hello"),
        &unstripped_dir,
        "arm64",
    );
    let pe = keep(
        &dist.join("hello_windows_amd64/hello.exe"),
        &unstripped_dir,
        "hello.exe",
    );
    let wasm = keep(
        &dist.join("hello_wasip1_wasm/hello.wasm"),
        &unstripped_dir,
        "hello.wasm",
    );
    assert!(
        run_tool("readelf", &["-S", "-W", elf_amd64.to_str().unwrap()], &dist).contains(".symtab")
    );

    project.write(
        "xhost.toml",
        format!("{HEADER}[build]\nmain = \"./cmd/hello\"\n{targets}\n{COMPILE}[[stage]]\nname = \"strip\"\nplugin = \"builtin:strip\"\n"),
    );
    let run = project.xhost(&["-v", "build", "."]);
    run.assert_ok();

    for (stripped, original, strip_tool) in [
        ("hello_linux_amd64/hello", &elf_amd64, "strip"),
        (
            "hello_linux_arm64/hello",
            &elf_arm64,
            "aarch64-linux-gnu-strip",
        ),
    ] {
        let stripped = dist.join(stripped);
        let sections = run_tool("readelf", &["-S", "-W", stripped.to_str().unwrap()], &dist);
        assert!(!sections.contains(".symtab"), "{sections}");
        assert!(
            !sections.contains(" .debug_") && !sections.contains(".zdebug"),
            "{sections}"
        );
        let described = run_tool("file", &["-b", stripped.to_str().unwrap()], &dist);
        assert!(described.contains(", stripped"), "{described}");
        // The native tool on the same input, for the size comparison.
        let native = keep(original, &unstripped_dir, &format!("{strip_tool}-out"));
        run_tool(
            strip_tool,
            &["--strip-all", native.to_str().unwrap()],
            &dist,
        );
        let (ours, theirs) = (size(&stripped) as f64, size(&native) as f64);
        assert!(
            (ours - theirs).abs() / theirs <= 0.02,
            "{ours} bytes vs {strip_tool}'s {theirs}"
        );
    }
    let amd64 = dist.join("hello_linux_amd64/hello");
    assert_eq!(
        run_tool(amd64.to_str().unwrap(), &["--version"], &dist),
        "hello 1.0.0\n"
    );
    let arm64 = dist.join("hello_linux_arm64/hello");
    assert_eq!(
        run_tool(
            "qemu-aarch64-static",
            &[arm64.to_str().unwrap(), "--version"],
            &dist
        ),
        "hello 1.0.0\n"
    );

    let stripped_wasm = dist.join("hello_wasip1_wasm/hello.wasm");
    run_tool("wasm-validate", &[stripped_wasm.to_str().unwrap()], &dist);
    assert!(size(&stripped_wasm) < size(&wasm));
    assert_eq!(
        run_wasip1(&stripped_wasm, &["hello", "--version"]),
        (0, "hello 1.0.0\n".to_string())
    );
    let headers = run_tool(
        "wasm-objdump",
        &["-h", stripped_wasm.to_str().unwrap()],
        &dist,
    );
    assert!(
        !headers.contains("\"name\"") && !headers.contains("\"producers\""),
        "{headers}"
    );

    let stripped_pe = dist.join("hello_windows_amd64/hello.exe");
    assert!(size(&stripped_pe) < size(&pe));
    let objdump = run_tool(
        "x86_64-w64-mingw32-objdump",
        &["-h", stripped_pe.to_str().unwrap()],
        &dist,
    );
    assert!(
        objdump.contains(".text") && objdump.contains(".idata") && !objdump.contains("debug"),
        "{objdump}"
    );
    let symbols = run_tool(
        "x86_64-w64-mingw32-objdump",
        &["-t", stripped_pe.to_str().unwrap()],
        &dist,
    );
    assert!(symbols.contains("no symbols"), "{symbols}");
    // pefile, an independent reader: no COFF symbols, sections contiguous in memory.
    let checked = run_tool(
        workspace().join(".venv/bin/python3").to_str().unwrap(),
        &["-c", PE_CHECK, stripped_pe.to_str().unwrap()],
        &dist,
    );
    assert_eq!(checked.trim(), "ok", "{checked}");
    assert!(run.stderr.contains("removed"), "{}", run.stderr);
}

const PE_CHECK: &str = r#"
import sys, pefile
pe = pefile.PE(sys.argv[1])
assert pe.FILE_HEADER.PointerToSymbolTable == 0 and pe.FILE_HEADER.NumberOfSymbols == 0, "symbol table"
align = pe.OPTIONAL_HEADER.SectionAlignment
sections = sorted(pe.sections, key=lambda s: s.VirtualAddress)
for a, b in zip(sections, sections[1:]):
    end = a.VirtualAddress + max(a.Misc_VirtualSize, a.SizeOfRawData)
    end = (end + align - 1) // align * align
    assert end == b.VirtualAddress, f"gap after {a.Name}"
assert not pe.get_warnings(), pe.get_warnings()
print("ok")
"#;

#[test]
fn unstripped_mach_o_is_stripped_and_signed_again() {
    // Linked without -s -w: symbols, DWARF and Go's ad-hoc signature.
    let build = "targets = [\"darwin/arm64\"]\nldflags = \"-X main.version={{version}}\"\n";
    let unstripped = hello("strip-macho-original", build, "");
    unstripped.xhost(&["build", "."]).assert_ok();
    let original = unstripped.dist().join("hello_darwin_arm64/hello");
    let project = hello(
        "strip-macho",
        build,
        "[[stage]]\nname = \"strip\"\nplugin = \"builtin:strip\"\n",
    );
    project.xhost(&["build", "."]).assert_ok();
    let stripped = project.dist().join("hello_darwin_arm64/hello");
    assert!(stripped.metadata().unwrap().len() < original.metadata().unwrap().len());
    // Read back with LLVM's tools: no defined symbols but what dyld looks up, every
    // undefined one kept, no DWARF, a code signature.
    let symbols = |file: &Path, flag: &str| {
        run_tool("llvm-nm", &[flag, file.to_str().unwrap()], &project.dir)
    };
    let defined = symbols(&stripped, "--defined-only");
    assert!(
        defined.lines().all(|l| l.ends_with("__mh_execute_header")),
        "{defined}"
    );
    assert_eq!(
        symbols(&stripped, "--undefined-only"),
        symbols(&original, "--undefined-only")
    );
    let headers = run_tool(
        "llvm-objdump",
        &["--macho", "--private-headers", stripped.to_str().unwrap()],
        &project.dir,
    );
    assert!(headers.contains("cmd LC_CODE_SIGNATURE"), "{headers}");
    assert!(!headers.contains("__DWARF"), "{headers}");
    // The signature checked by a reader that shares nothing with xhost's signer.
    let checked = run_tool(
        "python3",
        &[
            "-c",
            include_str!("support/macho_signature.py"),
            stripped.to_str().unwrap(),
            original.to_str().unwrap(),
        ],
        &project.dir,
    );
    assert_eq!(checked.trim(), "ok");

    // Left out of `formats`, it passes through untouched; linked with -s -w, it is
    // already stripped.
    let limited = "[[stage]]\nname = \"strip\"\nplugin = \"builtin:strip\"\n[stage.config]\nformats = [\"elf\", \"pe\", \"wasm\"]\n";
    let project = hello("strip-macho-skip", build, limited);
    project.xhost(&["build", "."]).assert_ok();
    assert_eq!(
        std::fs::read(project.dist().join("hello_darwin_arm64/hello")).unwrap(),
        std::fs::read(&original).unwrap()
    );
    let project = hello(
        "strip-macho-s-w",
        "targets = [\"darwin/arm64\"]\n",
        "[[stage]]\nname = \"strip\"\nplugin = \"builtin:strip\"\n",
    );
    let run = project.xhost(&["-v", "build", "."]);
    run.assert_ok();
    assert!(
        run.stderr.contains("hello: already stripped"),
        "{}",
        run.stderr
    );
}

#[test]
fn damaged_binaries_are_refused_without_output() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("strip-corpus");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let elf = std::fs::read(std::env::current_exe().unwrap()).unwrap();
    let mut past_end = elf.clone();
    past_end[0x28..0x30].copy_from_slice(&(elf.len() as u64 + 4096).to_le_bytes());
    let mut random = vec![0u8; 65536];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for byte in &mut random {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        *byte = state as u8;
    }
    let corpus: [(&str, Vec<u8>, &str); 5] = [
        ("truncated-elf", elf[..1000].to_vec(), "is damaged: ELF"),
        ("section-table-past-end", past_end, "is damaged: ELF"),
        (
            "bad-wasm-section",
            b"\0asm\x01\0\0\0\x01\xff\xff\xff\x0f\x60".to_vec(),
            "is damaged: wasm",
        ),
        (
            "truncated-pe",
            b"MZ\x90\0\x03\0\0\0".to_vec(),
            "is damaged: PE",
        ),
        (
            "random-bytes",
            random,
            "not an ELF, PE, Mach-O, XCOFF, Plan 9 a.out or WebAssembly file",
        ),
    ];
    let project = Project::new("strip-corpus-runner");
    for (name, bytes, expected) in corpus {
        let input = dir.join(name);
        std::fs::write(&input, bytes).unwrap();
        let out = dir.join(format!("{name}-out"));
        let run = project.xhost(&[
            "plugin",
            "run",
            "builtin:strip",
            "--input",
            &format!("{}=binary", input.display()),
            "--target",
            "linux/amd64",
            "--out",
            out.to_str().unwrap(),
        ]);
        run.assert_fails_with(&[name, expected]);
        assert!(!run.stderr.contains("panicked"), "{name}: {}", run.stderr);
        assert!(!out.exists(), "{name}: output written for a damaged input");
    }
}

#[test]
fn archives_are_complete_and_byte_identical_across_builds() {
    let project = Project::from_example("archives", "hello-go");
    project.write("CHANGELOG.md", "# 1.0.0\n\nFirst release.\n");
    let epoch = "1700000000";
    project
        .xhost_with(&["build", "."], &[("SOURCE_DATE_EPOCH", epoch)])
        .assert_ok();
    let dist = project.dist();
    let first = release_snapshot(&dist);

    let listing = run_tool("tar", &["-tzvf", "hello_1.0.0_linux_amd64.tar.gz"], &dist);
    let entries: Vec<Vec<&str>> = listing
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    let names: Vec<&str> = entries.iter().map(|e| e[5]).collect();
    assert_eq!(
        names,
        ["CHANGELOG.md", "LICENSE", "README.md", "hello"],
        "{listing}"
    );
    for entry in &entries {
        assert_eq!(entry[1], "0/0", "owner: {listing}");
        assert_eq!(entry[3], "2023-11-14", "date: {listing}");
        let mode = if entry[5] == "hello" {
            "-rwxr-xr-x"
        } else {
            "-rw-r--r--"
        };
        assert_eq!(entry[0], mode, "{listing}");
    }
    let zip = run_tool("unzip", &["-Z", "hello_1.0.0_windows_amd64.zip"], &dist);
    assert!(
        zip.lines()
            .any(|l| l.starts_with("-rwxr-xr-x") && l.ends_with(" hello.exe")),
        "{zip}"
    );
    assert!(
        zip.lines()
            .any(|l| l.starts_with("-rw-r--r--") && l.ends_with(" LICENSE")),
        "{zip}"
    );
    run_tool("unzip", &["-tq", "hello_1.0.0_windows_amd64.zip"], &dist);
    assert!(
        !dist.join("hello_1.0.0_wasip1_wasm.tar.gz").exists(),
        "wasm is shipped bare by default"
    );

    let extracted = Path::new(env!("CARGO_TARGET_TMPDIR")).join("archives-extracted");
    let _ = std::fs::remove_dir_all(&extracted);
    std::fs::create_dir_all(&extracted).unwrap();
    run_tool(
        "tar",
        &[
            "-xzf",
            dist.join("hello_1.0.0_linux_amd64.tar.gz")
                .to_str()
                .unwrap(),
        ],
        &extracted,
    );
    assert_eq!(
        run_tool(
            extracted.join("hello").to_str().unwrap(),
            &["--version"],
            &extracted
        ),
        "hello 1.0.0\n"
    );

    // Touch every source file: the archives must not change by a byte.
    for file in ["LICENSE", "README.md", "CHANGELOG.md", "cmd/hello/main.go"] {
        run_tool("touch", &["-d", "2030-01-01 12:00", file], &project.dir);
    }
    let keep_first = Path::new(env!("CARGO_TARGET_TMPDIR")).join("archives-first");
    let _ = std::fs::remove_dir_all(&keep_first);
    support::copy_tree(&dist, &keep_first);
    // Without the action cache, which would rightly reuse the first build's archives.
    project
        .xhost_with(
            &["build", ".", "--no-cache"],
            &[("SOURCE_DATE_EPOCH", epoch)],
        )
        .assert_ok();
    for name in [
        "hello_1.0.0_linux_amd64.tar.gz",
        "hello_1.0.0_windows_amd64.zip",
        "hello_1.0.0_checksums.txt",
    ] {
        run_tool(
            "cmp",
            &[
                keep_first.join(name).to_str().unwrap(),
                dist.join(name).to_str().unwrap(),
            ],
            &dist,
        );
    }
    assert_eq!(release_snapshot(&dist), first, "a rebuild changed dist/");
}

#[test]
fn archive_options_wrap_override_and_need_source_for_docs() {
    let stages = "[[stage]]\nname = \"archive\"\nplugin = \"builtin:archive\"\n[stage.config]\nwrap_in_directory = true\nformat_overrides = { linux = \"zip\" }\n";
    let project = hello(
        "archive-options",
        "targets = [\"linux/amd64\", \"darwin/arm64\"]\n",
        stages,
    );
    project.xhost(&["build", "."]).assert_ok();
    let dist = project.dist();
    // No `source` grant: only the binary, inside the wrapping directory.
    let zip = run_tool("unzip", &["-Z1", "hello_1.0.0_linux_amd64.zip"], &dist);
    assert_eq!(
        zip.lines().collect::<Vec<_>>(),
        ["hello_1.0.0_linux_amd64/", "hello_1.0.0_linux_amd64/hello"]
    );
    let tar = run_tool("tar", &["-tzf", "hello_1.0.0_darwin_arm64.tar.gz"], &dist);
    assert_eq!(
        tar.lines().collect::<Vec<_>>(),
        [
            "hello_1.0.0_darwin_arm64/",
            "hello_1.0.0_darwin_arm64/hello"
        ]
    );

    let bad = "[[stage]]\nname = \"archive\"\nplugin = \"builtin:archive\"\n[stage.config]\nformat = \"rar\"\n";
    let project = hello("archive-bad-format", "targets = [\"linux/amd64\"]\n", bad);
    project.xhost(&["build", "."]).assert_fails_with(&[
        "invalid stage config: archive format `rar`: use tar.gz, zip or binary",
    ]);
}

fn size(path: &Path) -> u64 {
    path.metadata().unwrap().len()
}
