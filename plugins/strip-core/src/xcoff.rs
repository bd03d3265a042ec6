//! XCOFF (Go's aix/ppc64): recognised, but not rewritten. Removing the symbol table and
//! the DWARF sections of a Go executable means renumbering the sections after them (Go
//! puts `.loader` last), which the auxiliary header and the loader section refer to, and
//! moving `.loader`; without an AIX machine to prove the result loads, this refuses rather
//! than risk a broken binary. A binary that is already stripped (Go's `-ldflags=-s -w`:
//! no symbol table, no DWARF or debug sections) passes.

use object::FileKind;
use object::read::xcoff::{FileHeader, SectionHeader};
use object::xcoff;

use crate::{Error, Outcome, malformed};

const ADVICE: &str = "stripping XCOFF means renumbering its sections, which cannot be verified here; link it stripped instead (Go: -ldflags=\"-s -w\"), or leave XCOFF out of the stage's `formats`";

pub fn strip(data: &[u8], keep_debug: bool) -> Result<Outcome, Error> {
    let stripped = match FileKind::parse(data).map_err(|e| malformed("XCOFF", e))? {
        FileKind::Xcoff64 => is_stripped::<xcoff::FileHeader64>(data, keep_debug)?,
        FileKind::Xcoff32 => is_stripped::<xcoff::FileHeader32>(data, keep_debug)?,
        _ => return Err(malformed("XCOFF", "unknown XCOFF kind")),
    };
    if stripped {
        Ok(Outcome::AlreadyStripped)
    } else {
        Err(Error::Unsupported(format!(
            "an XCOFF binary with symbols or debug information; {ADVICE}"
        )))
    }
}

/// No symbol table and (unless debug information is kept) no DWARF, debug or line-number
/// data: what `strip` would leave.
fn is_stripped<H: FileHeader>(data: &[u8], keep_debug: bool) -> Result<bool, Error> {
    let mut offset = 0;
    let header = H::parse(data, &mut offset).map_err(|e| malformed("XCOFF", e))?;
    header
        .aux_header(data, &mut offset)
        .map_err(|e| malformed("XCOFF", e))?;
    let sections = header
        .sections(data, &mut offset)
        .map_err(|e| malformed("XCOFF", e))?;
    if header.f_symptr().into() != 0 || header.f_nsyms() != 0 {
        return Ok(false);
    }
    if keep_debug {
        return Ok(true);
    }
    let debug = sections.iter().any(|section| {
        let kind = section.s_flags() as u16;
        kind == xcoff::STYP_DWARF
            || kind == xcoff::STYP_DEBUG
            || section.s_nlnno().into() != 0
            || section.s_lnnoptr().into() != 0
    });
    Ok(!debug)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 64-bit XCOFF executable header with one section of type `kind`, and a symbol
    /// table when `symbols`.
    fn sample(kind: u16, symbols: bool) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&xcoff::MAGIC_64.to_be_bytes());
        out.extend_from_slice(&1u16.to_be_bytes()); // f_nscns
        out.extend_from_slice(&0u32.to_be_bytes()); // f_timdat
        out.extend_from_slice(&(if symbols { 96u64 } else { 0 }).to_be_bytes()); // f_symptr
        out.extend_from_slice(&0u16.to_be_bytes()); // f_opthdr
        out.extend_from_slice(&xcoff::F_EXEC.to_be_bytes());
        out.extend_from_slice(&u32::from(symbols).to_be_bytes()); // f_nsyms
        let mut section = [0u8; 72];
        section[..6].copy_from_slice(b".dummy");
        section[64..68].copy_from_slice(&u32::from(kind).to_be_bytes());
        out.extend_from_slice(&section);
        out.resize(96 + 18 + 4, 0);
        out
    }

    #[test]
    fn stripped_binaries_pass_and_others_are_refused() {
        let strip = |data: &[u8], keep_debug| {
            crate::strip(
                data,
                &crate::Options {
                    keep_debug,
                    ..Default::default()
                },
            )
        };
        assert_eq!(
            crate::detect(&sample(xcoff::STYP_TEXT, false)),
            Some(crate::Format::Xcoff)
        );
        assert_eq!(
            strip(&sample(xcoff::STYP_TEXT, false), false).unwrap(),
            Outcome::AlreadyStripped
        );
        for data in [
            sample(xcoff::STYP_TEXT, true),
            sample(xcoff::STYP_DWARF, false),
        ] {
            let err = strip(&data, false).unwrap_err();
            assert!(
                matches!(&err, Error::Unsupported(m) if m.contains("-ldflags=\"-s -w\"")),
                "{err}"
            );
        }
        assert_eq!(
            strip(&sample(xcoff::STYP_DWARF, false), true).unwrap(),
            Outcome::AlreadyStripped
        );
        assert!(matches!(
            strip(&sample(xcoff::STYP_TEXT, false)[..30], false),
            Err(Error::Malformed(_))
        ));
    }
}
