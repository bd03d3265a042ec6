//! The Go build information a Go ≥ 1.18 linker embeds in ELF, Mach-O and PE binaries,
//! read the way `go version -m` reads it: find the data area the format keeps it in,
//! the `\xff Go buildinf:` header at a 16-byte boundary, then two length-prefixed strings
//! (the Go version and the module information).

use object::read::{Object, ObjectSection, SectionFlags};
use object::{FileKind, pe};

use crate::{BuildInfo, Error};

const MAGIC: &[u8] = b"\xff Go buildinf:";
const HEADER_SIZE: usize = 32;
const FLAGS_OFFSET: usize = 15;
/// Since Go 1.18 the strings follow the header inline.
const FLAG_INLINE: u8 = 0x2;

/// Reads the build information of a Go binary.
pub fn read(binary: &[u8]) -> Result<BuildInfo, Error> {
    let kind =
        FileKind::parse(binary).map_err(|e| Error::NotGo(format!("not an executable: {e}")))?;
    let file = object::File::parse(binary).map_err(|e| Error::Malformed(e.to_string()))?;
    let data = data_area(&file, kind).ok_or_else(|| {
        Error::NotGo("no Go build information section (not built by Go 1.18 or later?)".into())
    })?;
    let start = (0..data.len().saturating_sub(HEADER_SIZE))
        .step_by(16)
        .find(|&at| data[at..].starts_with(MAGIC))
        .ok_or_else(|| Error::NotGo("no Go build information in the data section".into()))?;
    let header = &data[start..start + HEADER_SIZE];
    if header[FLAGS_OFFSET] & FLAG_INLINE == 0 {
        return Err(Error::NotGo(
            "build information from Go before 1.18 is not supported".into(),
        ));
    }
    let rest = &data[start + HEADER_SIZE..];
    let (version, rest) = length_prefixed(rest)?;
    let (modinfo, _) = length_prefixed(rest)?;
    let text = |bytes| std::str::from_utf8(bytes).map_err(|_| malformed());
    crate::modinfo::parse(text(version)?, text(strip_sentinels(modinfo))?)
}

/// The section (or, for PE, the first read-write initialized-data section) that holds
/// the build information, as Go's own reader picks it.
fn data_area<'a>(file: &object::File<'a>, kind: FileKind) -> Option<&'a [u8]> {
    let wanted = |section: &object::Section<'a, '_>| match kind {
        FileKind::Elf32 | FileKind::Elf64 => section.name() == Ok(".go.buildinfo"),
        FileKind::MachO32 | FileKind::MachO64 => section.name() == Ok("__go_buildinfo"),
        FileKind::Pe32 | FileKind::Pe64 => match section.flags() {
            SectionFlags::Coff { characteristics } => {
                let rw_data = pe::IMAGE_SCN_CNT_INITIALIZED_DATA
                    | pe::IMAGE_SCN_MEM_READ
                    | pe::IMAGE_SCN_MEM_WRITE;
                characteristics & !pe::IMAGE_SCN_ALIGN_32BYTES == rw_data
            }
            _ => false,
        },
        _ => false,
    };
    file.sections().find(wanted).and_then(|s| s.data().ok())
}

/// A uvarint length, then that many bytes.
fn length_prefixed(data: &[u8]) -> Result<(&[u8], &[u8]), Error> {
    let mut length: u64 = 0;
    for (i, &byte) in data.iter().enumerate().take(10) {
        length |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            let start = i + 1;
            let end = start
                .checked_add(usize::try_from(length).map_err(|_| malformed())?)
                .filter(|&end| end <= data.len())
                .ok_or_else(malformed)?;
            return Ok((&data[start..end], &data[end..]));
        }
    }
    Err(malformed())
}

/// Module information is framed by two 16-byte sentinels (not UTF-8); drop them.
fn strip_sentinels(modinfo: &[u8]) -> &[u8] {
    if modinfo.len() >= 33 && modinfo[modinfo.len() - 17] == b'\n' {
        &modinfo[16..modinfo.len() - 16]
    } else {
        modinfo
    }
}

fn malformed() -> Error {
    Error::Malformed("the Go build information is truncated or not valid".into())
}
