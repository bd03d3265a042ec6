//! The Go build information a Go ≥ 1.18 linker embeds in ELF, Mach-O, PE, XCOFF and
//! Plan 9 binaries, read the way `go version -m` reads it: find the data area the format
//! keeps it in, the `\xff Go buildinf:` header at a 16-byte aligned address, then two
//! length-prefixed strings (the Go version and the module information).
//!
//! Plan 9 a.out is read from its header, which `object` does not know. There Go's own
//! reader aligns the *file offset* rather than the address, and misses the header in
//! plan9/386 and plan9/arm binaries, whose data starts 8 bytes past a 16-byte file
//! boundary (`go version -m` says "not a Go executable"); this reader aligns the address,
//! as the linker does (the data segment starts on a page), and finds it.

use object::read::{Object, ObjectSection, SectionFlags};
use object::{FileKind, pe, xcoff};

use crate::{BuildInfo, Error};

const MAGIC: &[u8] = b"\xff Go buildinf:";
const HEADER_SIZE: usize = 32;
const FLAGS_OFFSET: usize = 15;
/// Since Go 1.18 the strings follow the header inline.
const FLAG_INLINE: u8 = 0x2;

/// Reads the build information of a Go binary.
pub fn read(binary: &[u8]) -> Result<BuildInfo, Error> {
    let (address, data) = match plan9::data(binary) {
        Some(area) => area?,
        None => {
            let kind = FileKind::parse(binary)
                .map_err(|e| Error::NotGo(format!("not an executable: {e}")))?;
            let file = object::File::parse(binary).map_err(|e| Error::Malformed(e.to_string()))?;
            data_area(&file, kind).ok_or_else(|| {
                Error::NotGo(
                    "no Go build information section (not built by Go 1.18 or later?)".into(),
                )
            })?
        }
    };
    let first = (16 - address % 16) as usize % 16;
    let start = (first..data.len().saturating_sub(HEADER_SIZE))
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

/// The section (for PE, the first read-write initialized-data section; for XCOFF, the
/// first data section) that holds the build information, as Go's own reader picks it:
/// its address and bytes.
fn data_area<'a>(file: &object::File<'a>, kind: FileKind) -> Option<(u64, &'a [u8])> {
    let wanted = |section: &object::Section<'a, '_>| match kind {
        FileKind::Elf32 | FileKind::Elf64 => section.name() == Ok(".go.buildinfo"),
        FileKind::MachO32 | FileKind::MachO64 => section.name() == Ok("__go_buildinfo"),
        FileKind::Xcoff32 | FileKind::Xcoff64 => {
            section.flags()
                == SectionFlags::Xcoff {
                    s_flags: u32::from(xcoff::STYP_DATA),
                }
        }
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
    file.sections()
        .find(wanted)
        .and_then(|s| Some((s.address(), s.data().ok()?)))
}

/// Plan 9 a.out: a header of big-endian words (magic, text, data, bss, syms, entry,
/// spsz, pcsz; 8 more bytes when the magic has `HDR_MAGIC`), then text, then data.
mod plan9 {
    use crate::Error;

    /// 386, amd64 and arm, the Plan 9 ports Go has.
    const MAGICS: [u32; 3] = [0x01eb, 0x8a97, 0x0647];
    const HDR_MAGIC: u32 = 0x8000;

    /// The data segment (at a page-aligned address, so its offset stands in for the
    /// address), or `None` when `binary` is no Plan 9 a.out.
    pub fn data(binary: &[u8]) -> Option<Result<(u64, &[u8]), Error>> {
        let word = |i: usize| {
            binary
                .get(4 * i..4 * i + 4)
                .map(|b| u32::from_be_bytes(b.try_into().expect("four bytes")))
        };
        let magic = word(0)?;
        if !MAGICS.contains(&magic) {
            return None;
        }
        let header: usize = if magic & HDR_MAGIC != 0 { 40 } else { 32 };
        let (text, data) = (word(1)? as usize, word(2)? as usize);
        let area = header
            .checked_add(text)
            .and_then(|start| Some((start, start.checked_add(data)?)))
            .and_then(|(start, end)| binary.get(start..end));
        Some(area.map(|data| (0, data)).ok_or_else(|| {
            Error::Malformed("Plan 9 a.out: text or data extend past the end of the file".into())
        }))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Build information as Go ≥ 1.18 writes it: the 32-byte header, then the version
    /// and the module information (between its sentinels), each length-prefixed.
    fn blob() -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&[8, FLAG_INLINE]);
        out.resize(HEADER_SIZE, 0);
        let modinfo = [
            &[0x30u8; 16][..],
            b"path\texample.com/p\nmod\texample.com/p\t(devel)\t\nbuild\tGOARCH=386\nbuild\tGO386=softfloat\n",
            &[0xf9; 16],
        ]
        .concat();
        for part in [&b"go1.26.8"[..], &modinfo] {
            out.push(part.len() as u8);
            out.extend_from_slice(part);
        }
        out
    }

    /// A Plan 9 386 a.out whose data (holding the build information) starts 8 bytes past
    /// a 16-byte file offset, as Go's plan9/386 binaries do.
    #[test]
    fn plan9_data_is_searched_by_address_not_file_offset() {
        let text = [0u8; 24];
        let mut data = blob();
        data.resize(data.len() + 16, 0);
        let mut binary = Vec::new();
        for word in [
            0x01ebu32,
            text.len() as u32,
            data.len() as u32,
            0,
            0,
            0x1020,
            0,
            0,
        ] {
            binary.extend_from_slice(&word.to_be_bytes());
        }
        binary.extend_from_slice(&text);
        assert_eq!(binary.len() % 16, 8);
        binary.extend_from_slice(&data);
        let info = read(&binary).unwrap();
        assert_eq!(info.go_version, "go1.26.8");
        assert_eq!(info.path, "example.com/p");
        assert!(
            info.settings
                .contains(&("GO386".into(), "softfloat".into()))
        );

        // Data that ends inside the header, and a data size past the end of the file.
        assert!(read(&binary[..binary.len() - 40]).is_err());
        binary[8..12].copy_from_slice(&1000u32.to_be_bytes());
        assert!(matches!(read(&binary), Err(Error::Malformed(_))));
    }
}
