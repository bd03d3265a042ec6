//! Mach-O stripping on real executables, built when the tests run: Go's linker
//! (darwin/arm64, signed ad hoc with 4 KiB pages, and darwin/amd64, unsigned; both with
//! symbols and a `__DWARF` segment) and zig's (C for aarch64-macos, signed with 16 KiB
//! pages, and x86_64-macos). Each result is checked with LLVM's tools and an independent
//! signature check in Python, not with this crate's own reader.
//!
//! Without `go`, `zig`, `llvm-nm`, `llvm-objdump` or `python3` the tests that need them
//! print a note and pass.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use object::read::macho::{MachHeader, Segment};
use object::{Endianness, macho};
use xhost_strip::{Error, Format, Options, Outcome, strip};

const GO_MAIN: &str = r#"package main

import (
	"fmt"
	"os"
	"strings"
)

var greeting = "hello"

func shout(s string) string { return strings.ToUpper(s) + "!" }

func main() {
	fmt.Println(shout(greeting), len(os.Args))
}
"#;

const C_MAIN: &str = r#"#include <stdio.h>
#include <stdlib.h>
static int helper(int x) { return x * 2; }
int exported_value = 3;
int main(int argc, char **argv) {
    printf("hello %d\n", helper(exported_value + argc));
    return argv[0] == NULL ? EXIT_FAILURE : EXIT_SUCCESS;
}
"#;

const C_LIB: &str = "int answer(void) { return 42; }\n";

fn find_tool(name: &str, known: &[&str]) -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join(name));
    known
        .iter()
        .map(PathBuf::from)
        .chain(on_path)
        .find(|p| p.is_file())
}

/// A file built for the tests: its name and bytes.
type Built = (String, Vec<u8>);

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("xhost-strip-macho")
        .join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(command: &mut Command) -> std::process::Output {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The Go-built executables, by name: `go-arm64`, `go-amd64`, `go-arm64-sw` (linked
/// with `-s -w`).
fn go_builds() -> Option<&'static [Built]> {
    static BUILT: OnceLock<Option<Vec<Built>>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let Some(go) = find_tool("go", &["/usr/local/go/bin/go"]) else {
                eprintln!("note: no `go`; the Go-built Mach-O tests are skipped");
                return None;
            };
            let dir = scratch("go");
            std::fs::write(dir.join("go.mod"), "module hello\n\ngo 1.21\n").unwrap();
            std::fs::write(dir.join("main.go"), GO_MAIN).unwrap();
            let builds = [
                ("go-arm64", "arm64", ""),
                ("go-amd64", "amd64", ""),
                ("go-arm64-sw", "arm64", "-s -w"),
            ];
            let mut built = Vec::new();
            for (name, arch, ldflags) in builds {
                run(Command::new(&go)
                    .current_dir(&dir)
                    .args(["build", "-trimpath", "-ldflags", ldflags, "-o", name, "."])
                    .env("GOOS", "darwin")
                    .env("GOARCH", arch)
                    .env("CGO_ENABLED", "0")
                    .env("GOTOOLCHAIN", "local")
                    .env("GOFLAGS", "-mod=mod")
                    .env("GOPROXY", "off")
                    .env("GOWORK", "off"));
                built.push((name.to_string(), std::fs::read(dir.join(name)).unwrap()));
            }
            Some(built)
        })
        .as_deref()
}

/// The zig-built files: `zig-arm64`, `zig-amd64` (executables), `zig-dylib`
/// (MH_DYLIB) and `zig-object` (MH_OBJECT).
fn zig_builds() -> Option<&'static [Built]> {
    static BUILT: OnceLock<Option<Vec<Built>>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let Some(zig) = find_tool("zig", &["/root/.cache/xhost-dev/bin/zig"]) else {
                eprintln!("note: no `zig`; the zig-built Mach-O tests are skipped");
                return None;
            };
            let dir = scratch("zig");
            std::fs::write(dir.join("hello.c"), C_MAIN).unwrap();
            std::fs::write(dir.join("lib.c"), C_LIB).unwrap();
            let builds: [(&str, &[&str]); 4] = [
                ("zig-arm64", &["-target", "aarch64-macos", "hello.c"]),
                ("zig-amd64", &["-target", "x86_64-macos", "hello.c"]),
                (
                    "zig-dylib",
                    &["-target", "aarch64-macos", "-shared", "lib.c"],
                ),
                ("zig-object", &["-target", "aarch64-macos", "-c", "hello.c"]),
            ];
            let mut built = Vec::new();
            for (name, args) in builds {
                run(Command::new(&zig)
                    .current_dir(&dir)
                    .arg("cc")
                    .args(args)
                    .args(["-o", name]));
                built.push((name.to_string(), std::fs::read(dir.join(name)).unwrap()));
            }
            Some(built)
        })
        .as_deref()
}

fn built(builds: &'static [Built], name: &str) -> &'static [u8] {
    &builds.iter().find(|(n, _)| n == name).unwrap().1
}

fn llvm(name: &str) -> Option<PathBuf> {
    find_tool(name, &[&format!("/usr/bin/{name}")])
}

fn stripped(outcome: Result<Outcome, Error>) -> (Vec<u8>, Vec<String>) {
    match outcome {
        Ok(Outcome::Stripped { bytes, removed }) => (bytes, removed),
        other => panic!("expected a stripped binary, got {other:?}"),
    }
}

fn no_debug() -> Options {
    Options::default()
}

fn keep_debug() -> Options {
    Options {
        keep_debug: true,
        ..Options::default()
    }
}

struct Seg {
    name: Vec<u8>,
    vm: (u64, u64),
    file: (u64, u64),
}

/// The header's size plus its load commands, and the segments, read with `object`.
fn layout(data: &[u8]) -> (usize, Vec<Seg>) {
    let header = macho::MachHeader64::<Endianness>::parse(data, 0).unwrap();
    let endian = header.endian().unwrap();
    let mut commands = header.load_commands(endian, data, 0).unwrap();
    let mut segments = Vec::new();
    while let Some(command) = commands.next().unwrap() {
        if let Some((segment, _)) = command.segment_64().unwrap() {
            segments.push(Seg {
                name: segment.name().to_vec(),
                vm: (segment.vmaddr.get(endian), segment.vmsize.get(endian)),
                file: (segment.fileoff.get(endian), segment.filesize.get(endian)),
            });
        }
    }
    (32 + header.sizeofcmds(endian) as usize, segments)
}

/// Every segment but `__LINKEDIT` and `__DWARF` is where it was, with the same bytes
/// past the load commands.
fn assert_segments_unchanged(input: &[u8], output: &[u8]) {
    let (in_commands_end, in_segments) = layout(input);
    let (out_commands_end, out_segments) = layout(output);
    assert!(out_commands_end <= in_commands_end);
    for segment in &in_segments {
        if segment.name == b"__LINKEDIT" || segment.name == b"__DWARF" {
            continue;
        }
        let same = out_segments
            .iter()
            .find(|s| s.name == segment.name)
            .unwrap();
        assert_eq!((same.vm, same.file), (segment.vm, segment.file));
        let (start, size) = segment.file;
        let range = (start as usize).max(in_commands_end.min((start + size) as usize))
            ..(start + size) as usize;
        assert!(
            input[range.clone()] == output[range.clone()],
            "{} changed",
            String::from_utf8_lossy(&segment.name)
        );
    }
    // The load command area: the same size, zeros after the (possibly fewer) commands.
    assert!(
        output[out_commands_end..in_commands_end]
            .iter()
            .all(|&b| b == 0)
    );
    // __LINKEDIT keeps its address, and its file offset its place within a page.
    let page = match macho::MachHeader64::<Endianness>::parse(input, 0)
        .unwrap()
        .cputype(Endianness::Little)
    {
        macho::CPU_TYPE_ARM64 => 0x4000,
        _ => 0x1000,
    };
    let linkedit = |segments: &[Seg]| {
        let s = segments.iter().find(|s| s.name == b"__LINKEDIT").unwrap();
        (s.vm.0, s.file.0 % page)
    };
    assert_eq!(linkedit(&in_segments), linkedit(&out_segments));
    assert_eq!(linkedit(&out_segments).0 % page, linkedit(&out_segments).1);
}

/// A signature check that shares nothing with the crate: Python's struct and hashlib.
/// `python3 CHECK stripped original` checks the stripped file's signature in full
/// against the original's identifier and page size; `python3 CHECK original` only
/// recomputes the original's page hashes (to check the checker).
const SIGNATURE_CHECK: &str = include_str!("../../../tests/support/macho_signature.py");

fn python_check(args: &[&Path]) -> Option<()> {
    let Some(python) = find_tool("python3", &[]) else {
        eprintln!("note: no python3; the independent signature check is skipped");
        return None;
    };
    let output = run(Command::new(python)
        .arg("-c")
        .arg(SIGNATURE_CHECK)
        .args(args));
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "ok");
    Some(())
}

fn tool_output(tool: &Path, args: &[&str], file: &Path) -> String {
    let output = run(Command::new(tool).args(args).arg(file));
    assert!(
        output.stderr.is_empty(),
        "{} {args:?} warned: {}",
        tool.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The lines of `llvm-objdump` output without the file name line.
fn body(listing: &str) -> Vec<String> {
    listing.lines().skip(1).map(str::to_string).collect()
}

/// The indirect symbol table as (address, name) pairs: the indices differ.
fn indirect_names(listing: &str) -> Vec<(String, String)> {
    listing
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            match fields.as_slice() {
                [address, _index, name] if address.starts_with("0x") => {
                    Some((address.to_string(), name.to_string()))
                }
                [address, special] if address.starts_with("0x") => {
                    Some((address.to_string(), special.to_string()))
                }
                _ => None,
            }
        })
        .collect()
}

/// The full check of one stripped executable against its input.
fn check_stripped(name: &str, input: &[u8], options: &Options) -> Vec<u8> {
    let (output, removed) = stripped(strip(input, options));
    eprintln!(
        "{name}: {} -> {} bytes, removed {removed:?}",
        input.len(),
        output.len()
    );
    assert!(output.len() < input.len());
    // Reproducible, and a second pass finds nothing to remove.
    assert_eq!(stripped(strip(input, options)).0, output);
    assert_eq!(strip(&output, options), Ok(Outcome::AlreadyStripped));
    object::read::File::parse(&*output).unwrap();
    assert_segments_unchanged(input, &output);

    let dir = scratch("out");
    let suffix = if options.keep_debug {
        "-keep-debug"
    } else {
        ""
    };
    let in_path = dir.join(format!("{name}{suffix}.in"));
    let out_path = dir.join(format!("{name}{suffix}.stripped"));
    std::fs::write(&in_path, input).unwrap();
    std::fs::write(&out_path, &output).unwrap();

    if let (Some(nm), Some(objdump)) = (llvm("llvm-nm"), llvm("llvm-objdump")) {
        // No defined symbols but those dyld looks up by name (ld64's
        // __mh_execute_header), no stabs, and every undefined symbol of the input.
        let defined = tool_output(&nm, &["-m", "--defined-only"], &out_path);
        for line in defined.lines() {
            assert!(line.contains("[referenced dynamically]"), "{name}: {line}");
        }
        let all = tool_output(&nm, &["-a", "-m"], &out_path);
        let undefined = tool_output(&nm, &["-u", "-m"], &out_path);
        assert_eq!(
            all.lines().count(),
            undefined.lines().count() + defined.lines().count()
        );
        assert_eq!(undefined, tool_output(&nm, &["-u", "-m"], &in_path));
        assert!(!undefined.is_empty());

        let headers = tool_output(&objdump, &["--macho", "--private-headers"], &out_path);
        let input_headers = tool_output(&objdump, &["--macho", "--private-headers"], &in_path);
        assert_eq!(
            headers.contains("LC_CODE_SIGNATURE"),
            input_headers.contains("LC_CODE_SIGNATURE")
        );
        assert_eq!(
            headers.contains("segname __DWARF"),
            options.keep_debug && input_headers.contains("segname __DWARF")
        );
        // The indirect symbol table names the same symbols at the same addresses.
        let indirect = ["--macho", "--indirect-symbols"];
        let before = indirect_names(&tool_output(&objdump, &indirect, &in_path));
        assert!(!before.is_empty());
        assert_eq!(
            before,
            indirect_names(&tool_output(&objdump, &indirect, &out_path))
        );
        // dyld's information reads the same.
        for what in [
            "--rebase",
            "--bind",
            "--lazy-bind",
            "--weak-bind",
            "--exports-trie",
        ] {
            let args = ["--macho", what];
            assert_eq!(
                body(&tool_output(&objdump, &args, &in_path)),
                body(&tool_output(&objdump, &args, &out_path)),
                "{name}: {what}"
            );
        }
    } else {
        eprintln!("note: no llvm-nm/llvm-objdump; {name} is checked without them");
    }
    if has_signature(input) {
        // The checker agrees with the linker's own signature.
        python_check(&[&in_path]);
    }
    python_check(&[&out_path, &in_path]);
    output
}

fn has_signature(data: &[u8]) -> bool {
    let header = macho::MachHeader64::<Endianness>::parse(data, 0).unwrap();
    let endian = header.endian().unwrap();
    let mut commands = header.load_commands(endian, data, 0).unwrap();
    std::iter::from_fn(|| commands.next().unwrap()).any(|c| c.cmd() == macho::LC_CODE_SIGNATURE)
}

#[test]
fn go_executables_lose_symbols_and_dwarf_and_are_signed_again() {
    let Some(go) = go_builds() else { return };
    for name in ["go-arm64", "go-amd64"] {
        let input = built(go, name);
        let output = check_stripped(name, input, &no_debug());
        assert_eq!(has_signature(&output), name == "go-arm64");
        let (_, segments) = layout(&output);
        assert!(segments.iter().all(|s| s.name != b"__DWARF"));
    }
}

/// Go's linker, asked not to write symbols and DWARF (`-s -w`), lays the file out as
/// stripping does: the same load commands, segments where they are, the same symbols.
#[test]
fn go_executables_end_as_go_links_them_stripped() {
    let (Some(go), Some(objdump)) = (go_builds(), llvm("llvm-objdump")) else {
        return;
    };
    let (output, _) = stripped(strip(built(go, "go-arm64"), &no_debug()));
    let dir = scratch("out");
    let ours = dir.join("go-arm64.compared");
    std::fs::write(&ours, &output).unwrap();
    let theirs = dir.join("go-arm64-sw");
    std::fs::write(&theirs, built(go, "go-arm64-sw")).unwrap();
    let outline = |path: &Path| -> Vec<String> {
        let headers = tool_output(&objdump, &["--macho", "--private-headers"], path);
        let keys = [
            "cmd",
            "segname",
            "sectname",
            "fileoff",
            "offset",
            "nsyms",
            "ilocalsym",
        ];
        let mut lines: Vec<String> = headers
            .lines()
            .filter(|line| keys.contains(&line.split_whitespace().next().unwrap_or("")))
            .map(str::to_string)
            .collect();
        lines.extend(
            headers
                .lines()
                .filter(|line| line.trim_start().starts_with('n') && line.contains("sym "))
                .map(str::to_string),
        );
        lines
    };
    assert_eq!(outline(&ours), outline(&theirs));
}

#[test]
fn go_executables_keep_dwarf_when_asked() {
    let Some(go) = go_builds() else { return };
    let input = built(go, "go-arm64");
    let kept = check_stripped("go-arm64", input, &keep_debug());
    let (_, segments) = layout(&kept);
    assert!(segments.iter().any(|s| s.name == b"__DWARF"));
    // Stripping the rest afterwards gives what stripping everything at once does.
    assert_eq!(
        stripped(strip(&kept, &no_debug())).0,
        stripped(strip(input, &no_debug())).0
    );
}

#[test]
fn zig_executables_keep_what_dyld_uses_and_are_signed_again() {
    let Some(zig) = zig_builds() else { return };
    for name in ["zig-arm64", "zig-amd64"] {
        let input = built(zig, name);
        let output = check_stripped(name, input, &no_debug());
        assert_eq!(has_signature(&output), has_signature(input));
    }
    assert!(has_signature(built(zig, "zig-arm64")));
}

#[test]
fn already_stripped_executables_pass() {
    let Some(go) = go_builds() else { return };
    let input = built(go, "go-arm64-sw");
    assert_eq!(strip(input, &no_debug()), Ok(Outcome::AlreadyStripped));
    assert_eq!(strip(input, &keep_debug()), Ok(Outcome::AlreadyStripped));
}

#[test]
fn formats_leave_mach_o_alone() {
    let Some(go) = go_builds() else { return };
    let options = Options {
        formats: vec![Format::Elf],
        ..Options::default()
    };
    assert_eq!(
        strip(built(go, "go-arm64"), &options),
        Ok(Outcome::NotSelected(Format::MachO))
    );
}

fn unsupported(outcome: Result<Outcome, Error>) -> String {
    match outcome {
        Err(Error::Unsupported(message)) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn libraries_objects_and_universal_files_are_refused() {
    let Some(zig) = zig_builds() else { return };
    let dylib = unsupported(strip(built(zig, "zig-dylib"), &no_debug()));
    assert!(dylib.contains("dynamic library (MH_DYLIB)"), "{dylib}");
    let object = unsupported(strip(built(zig, "zig-object"), &no_debug()));
    assert!(object.contains("object file (MH_OBJECT)"), "{object}");

    // A universal file of the two executables, as lipo lays it out.
    let slices = [built(zig, "zig-arm64"), built(zig, "zig-amd64")];
    let cpu = [(macho::CPU_TYPE_ARM64, 0u32), (macho::CPU_TYPE_X86_64, 3)];
    let mut fat = Vec::new();
    fat.extend_from_slice(&macho::FAT_MAGIC.to_be_bytes());
    fat.extend_from_slice(&2u32.to_be_bytes());
    let mut offset = 0x4000u32;
    for (slice, (cputype, subtype)) in slices.iter().zip(cpu) {
        for field in [cputype, subtype, offset, slice.len() as u32, 14] {
            fat.extend_from_slice(&field.to_be_bytes());
        }
        offset = (offset + slice.len() as u32).next_multiple_of(0x4000);
    }
    for slice in slices {
        fat.resize(fat.len().next_multiple_of(0x4000), 0);
        fat.extend_from_slice(slice);
    }
    let universal = unsupported(strip(&fat, &no_debug()));
    assert!(universal.contains("universal (fat)"), "{universal}");
}

/// Sets the CodeDirectory's flags of `data`'s signature.
fn with_signature_flags(data: &[u8], flags: u32) -> Vec<u8> {
    let header = macho::MachHeader64::<Endianness>::parse(data, 0).unwrap();
    let endian = header.endian().unwrap();
    let mut commands = header.load_commands(endian, data, 0).unwrap();
    let signature = std::iter::from_fn(|| commands.next().unwrap())
        .find(|c| c.cmd() == macho::LC_CODE_SIGNATURE)
        .unwrap()
        .data::<macho::LinkeditDataCommand<Endianness>>()
        .unwrap()
        .dataoff
        .get(endian) as usize;
    let mut data = data.to_vec();
    // The first blob's offset, then CS_CodeDirectory.flags at 12.
    let cd = signature
        + u32::from_be_bytes(data[signature + 16..signature + 20].try_into().unwrap()) as usize;
    data[cd + 12..cd + 16].copy_from_slice(&flags.to_be_bytes());
    data
}

#[test]
fn signatures_not_made_by_a_linker_are_kept_by_refusing() {
    let Some(go) = go_builds() else { return };
    // codesign -s - sets CS_ADHOC without CS_LINKER_SIGNED.
    let signed = with_signature_flags(built(go, "go-arm64"), 0x2);
    let message = unsupported(strip(&signed, &no_debug()));
    assert!(message.contains("not made by a linker"), "{message}");
}

#[test]
fn damaged_files_are_errors_not_panics() {
    let (Some(go), Some(zig)) = (go_builds(), zig_builds()) else {
        return;
    };
    for input in [built(zig, "zig-arm64"), built(go, "go-arm64")] {
        let len = input.len();
        for cut in [
            0,
            4,
            16,
            31,
            32,
            100,
            1000,
            4096,
            len / 2,
            len - 5000,
            len - 1,
        ] {
            match strip(&input[..cut], &no_debug()) {
                Err(_) => {}
                other => panic!("cut at {cut}: {other:?}"),
            }
        }
    }
    // Flipped bytes in the header and load commands: any answer but a panic, and what
    // is stripped parses.
    let input = built(zig, "zig-arm64");
    let (commands_end, _) = layout(input);
    for at in (0..commands_end).step_by(11) {
        for value in [0x00, 0xff] {
            let mut damaged = input.to_vec();
            damaged[at] = value;
            if let Ok(Outcome::Stripped { bytes, .. }) = strip(&damaged, &no_debug()) {
                object::read::File::parse(&*bytes).unwrap();
                assert_eq!(
                    strip(&bytes, &no_debug()),
                    Ok(Outcome::AlreadyStripped),
                    "byte {at:#x} = {value:#x}"
                );
            }
        }
    }
}
