//! Stripping symbol tables and debug information from executables, as
//! `strip --strip-all` does, in plain Rust: it runs inside the `builtin:strip` plugin
//! (wasm32-wasip2) and natively for tests and fuzzing.
//!
//! Every result is checked before it is returned (see each format's `verify`): the
//! parts a loader uses are byte-for-byte those of the input, so a stripped binary runs
//! exactly as the original did. Anything the code cannot handle correctly is
//! `Unsupported`, never a guess: XCOFF is only recognised (an already stripped binary
//! passes, any other is refused with advice); Mach-O executables (thin, 64-bit, x86_64
//! or arm64) are stripped and their linker-made ad-hoc signature re-created, other
//! Mach-O files are refused unless already stripped; every other format Go writes (ELF,
//! PE, Plan 9 a.out, wasm) is stripped.

mod elf;
mod macho;
mod pe;
mod plan9;
mod wasm;
mod xcoff;

use std::fmt;

/// Executable formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Elf,
    Pe,
    MachO,
    Wasm,
    /// AIX's XCOFF (Go's aix/ppc64).
    Xcoff,
    /// Plan 9's a.out (Go's plan9/386, plan9/amd64, plan9/arm).
    Plan9,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Format::Elf,
        Format::Pe,
        Format::MachO,
        Format::Wasm,
        Format::Xcoff,
        Format::Plan9,
    ];

    /// The name used in configuration: `elf`, `pe`, `macho`, `wasm`, `xcoff`, `plan9`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Elf => "elf",
            Format::Pe => "pe",
            Format::MachO => "macho",
            Format::Wasm => "wasm",
            Format::Xcoff => "xcoff",
            Format::Plan9 => "plan9",
        }
    }

    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// What to strip.
#[derive(Debug, Clone)]
pub struct Options {
    /// Keep debug information; remove only symbol tables.
    pub keep_debug: bool,
    /// Formats to touch; a binary of another format is left alone.
    pub formats: Vec<Format>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            keep_debug: false,
            formats: Format::ALL.to_vec(),
        }
    }
}

/// What stripping did.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The stripped binary and the names of what was removed.
    Stripped {
        bytes: Vec<u8>,
        removed: Vec<String>,
    },
    /// Nothing to remove: the input is already stripped.
    AlreadyStripped,
    /// The format is not among `Options::formats`.
    NotSelected(Format),
}

/// Why a binary was not stripped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// A format or feature this stripper does not handle.
    Unsupported(String),
    /// The input is damaged: truncated, or with tables pointing outside the file.
    Malformed(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Unsupported(m) => write!(f, "unsupported: {m}"),
            Error::Malformed(m) => write!(f, "malformed: {m}"),
        }
    }
}

impl std::error::Error for Error {}

/// The format of `data`, from its magic number.
pub fn detect(data: &[u8]) -> Option<Format> {
    match data {
        [0x7f, b'E', b'L', b'F', ..] => Some(Format::Elf),
        [0, b'a', b's', b'm', ..] => Some(Format::Wasm),
        [b'M', b'Z', ..] => Some(Format::Pe),
        [0xfe, 0xed, 0xfa, 0xce | 0xcf, ..] | [0xce | 0xcf, 0xfa, 0xed, 0xfe, ..] => {
            Some(Format::MachO)
        }
        [0xca, 0xfe, 0xba, 0xbe, ..] | [0xbe, 0xba, 0xfe, 0xca, ..] => Some(Format::MachO),
        [0x01, 0xdf | 0xf7, ..] => Some(Format::Xcoff),
        _ if plan9::is_plan9(data) => Some(Format::Plan9),
        _ => None,
    }
}

/// Strips `data` according to `options`.
pub fn strip(data: &[u8], options: &Options) -> Result<Outcome, Error> {
    let format = detect(data).ok_or_else(|| {
        Error::Unsupported(
            "not an ELF, PE, Mach-O, XCOFF, Plan 9 a.out or WebAssembly file".to_string(),
        )
    })?;
    if !options.formats.contains(&format) {
        return Ok(Outcome::NotSelected(format));
    }
    match format {
        Format::Elf => elf::strip(data, options.keep_debug),
        Format::Pe => pe::strip(data, options.keep_debug),
        Format::MachO => macho::strip(data, options.keep_debug),
        Format::Wasm => wasm::strip(data, options.keep_debug),
        Format::Xcoff => xcoff::strip(data, options.keep_debug),
        Format::Plan9 => plan9::strip(data, options.keep_debug),
    }
}

/// True for section names holding debug information (DWARF, stabs, compressed DWARF).
fn is_debug_section(name: &[u8]) -> bool {
    const PREFIXES: &[&[u8]] = &[b".debug", b".zdebug", b".stab", b".gnu.debuglto_"];
    PREFIXES.iter().any(|p| name.starts_with(p))
}

fn malformed(format: &str, what: impl fmt::Display) -> Error {
    Error::Malformed(format!("{format}: {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// This test program: an unstripped ELF with symbols and DWARF.
    fn own_executable() -> Vec<u8> {
        std::fs::read(std::env::current_exe().unwrap()).unwrap()
    }

    fn stripped(outcome: Outcome) -> (Vec<u8>, Vec<String>) {
        match outcome {
            Outcome::Stripped { bytes, removed } => (bytes, removed),
            other => panic!("expected a stripped binary, got {other:?}"),
        }
    }

    #[test]
    fn elf_loses_symbols_and_debug_info_and_a_second_pass_finds_nothing() {
        let input = own_executable();
        let (output, removed) = stripped(strip(&input, &Options::default()).unwrap());
        assert!(removed.iter().any(|n| n == ".symtab"), "{removed:?}");
        assert!(
            removed.iter().any(|n| n.starts_with(".debug_")),
            "{removed:?}"
        );
        assert!(output.len() < input.len());
        let file = object::read::File::parse(&*output).unwrap();
        use object::{Object, ObjectSection};
        let allocated = |s: &object::Section| match s.flags() {
            object::SectionFlags::Elf { sh_flags } => {
                sh_flags & u64::from(object::elf::SHF_ALLOC) != 0
            }
            _ => false,
        };
        // Allocated ones (`.debug_gdb_scripts`) are part of the image; strip keeps them too.
        assert!(
            file.sections()
                .all(|s| !s.name().unwrap().starts_with(".debug") || allocated(&s))
        );
        assert!(file.symbol_table().is_none());
        assert_eq!(
            strip(&output, &Options::default()).unwrap(),
            Outcome::AlreadyStripped
        );
    }

    #[test]
    fn keep_debug_removes_only_symbols() {
        let input = own_executable();
        let options = Options {
            keep_debug: true,
            ..Options::default()
        };
        let (_, removed) = stripped(strip(&input, &options).unwrap());
        assert!(
            removed.iter().all(|n| n == ".symtab" || n == ".strtab"),
            "{removed:?}"
        );
    }

    #[test]
    fn formats_limit_what_is_touched() {
        let options = Options {
            formats: vec![Format::Wasm],
            ..Options::default()
        };
        assert_eq!(
            strip(&own_executable(), &options).unwrap(),
            Outcome::NotSelected(Format::Elf)
        );
    }

    #[test]
    fn damaged_and_unknown_inputs_are_errors() {
        let input = own_executable();
        for cut in [16, 64, 200, input.len() / 2, input.len() - 1] {
            match strip(&input[..cut], &Options::default()) {
                Err(_) => {}
                Ok(Outcome::Stripped { bytes, .. }) => {
                    // A cut inside non-loaded data can still leave a complete image.
                    assert!(
                        object::read::File::parse(&*bytes).is_ok(),
                        "cut at {cut} gave a broken output"
                    );
                }
                Ok(other) => panic!("cut at {cut}: {other:?}"),
            }
        }
        let mut bad_table = input.clone();
        bad_table[0x28..0x30].copy_from_slice(&(input.len() as u64 * 2).to_le_bytes());
        assert!(matches!(
            strip(&bad_table, &Options::default()),
            Err(Error::Malformed(_))
        ));
        assert!(matches!(
            strip(b"random bytes, not a program", &Options::default()),
            Err(Error::Unsupported(_))
        ));
        assert!(matches!(
            strip(b"", &Options::default()),
            Err(Error::Unsupported(_))
        ));
        assert!(matches!(
            strip(b"MZ", &Options::default()),
            Err(Error::Malformed(_))
        ));
        assert!(matches!(
            strip(b"\0asm\x01\0\0\0\x00\xff\xff\xff\x0f", &Options::default()),
            Err(Error::Malformed(_))
        ));
    }
}
