//! Mach-O: recognised, but not rewritten. Removing the symbol table means rebuilding
//! `__LINKEDIT` (symbols, indirect-symbol indices, strings) and re-creating the ad-hoc
//! code signature macOS on arm64 insists on; without a Mac to prove the result loads,
//! this refuses rather than risk a broken binary. A binary that is already stripped
//! (Go's `-ldflags=-s -w`: no `__DWARF` segment, only undefined symbols) passes.

use object::macho;
use object::read::macho::{LoadCommandVariant, MachHeader, Nlist, Segment};
use object::{Endianness, FileKind};

use crate::{Error, Outcome, malformed};

const ADVICE: &str = "stripping Mach-O would invalidate its code signature; link it stripped instead (Go: -ldflags=\"-s -w\"), or leave Mach-O out of the stage's `formats`";

pub fn strip(data: &[u8]) -> Result<Outcome, Error> {
    let stripped = match FileKind::parse(data).map_err(|e| malformed("Mach-O", e))? {
        FileKind::MachO64 => is_stripped::<macho::MachHeader64<Endianness>>(data)?,
        FileKind::MachO32 => is_stripped::<macho::MachHeader32<Endianness>>(data)?,
        FileKind::MachOFat32 | FileKind::MachOFat64 => {
            return Err(Error::Unsupported(format!(
                "a universal (fat) Mach-O binary; {ADVICE}"
            )));
        }
        _ => return Err(malformed("Mach-O", "unknown Mach-O kind")),
    };
    if stripped {
        Ok(Outcome::AlreadyStripped)
    } else {
        Err(Error::Unsupported(format!(
            "a Mach-O binary with symbols or debug information; {ADVICE}"
        )))
    }
}

/// No DWARF and no defined or debugging symbols: what `strip` would leave.
fn is_stripped<H: MachHeader<Endian = Endianness>>(data: &[u8]) -> Result<bool, Error> {
    let header = H::parse(data, 0).map_err(|e| malformed("Mach-O", e))?;
    let endian = header.endian().map_err(|e| malformed("Mach-O", e))?;
    let mut commands = header
        .load_commands(endian, data, 0)
        .map_err(|e| malformed("Mach-O", e))?;
    while let Some(command) = commands.next().map_err(|e| malformed("Mach-O", e))? {
        match command.variant().map_err(|e| malformed("Mach-O", e))? {
            LoadCommandVariant::Segment32(segment, _) if segment.name() == b"__DWARF" => {
                return Ok(false);
            }
            LoadCommandVariant::Segment64(segment, _) if segment.name() == b"__DWARF" => {
                return Ok(false);
            }
            LoadCommandVariant::Symtab(symtab) => {
                let symbols = symtab
                    .symbols::<H, _>(endian, data)
                    .map_err(|e| malformed("Mach-O", e))?;
                let needless = symbols.iter().any(|symbol| {
                    let kind = symbol.n_type();
                    kind & macho::N_STAB != 0 || kind & macho::N_TYPE != macho::N_UNDF
                });
                if needless {
                    return Ok(false);
                }
            }
            _ => {}
        }
    }
    Ok(true)
}
