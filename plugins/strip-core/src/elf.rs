//! ELF (32/64-bit, either byte order): drop the symbol table, its string table and the
//! debug sections, as `strip --strip-all` does.
//!
//! Like strip, it never rewrites what the loader maps: every byte up to the end of the
//! last loaded or allocated data is copied as it is. After that come the kept
//! non-allocated sections (`.comment`, …), a rebuilt `.shstrtab` and a new section
//! header table; the ELF header points at them.

use object::Endianness;
use object::elf;
use object::read::elf::{FileHeader, ProgramHeader, SectionHeader};
use object::{FileKind, Pod};

use crate::{Error, Outcome, is_debug_section, malformed};

pub fn strip(data: &[u8], keep_debug: bool) -> Result<Outcome, Error> {
    match FileKind::parse(data).map_err(|e| malformed("ELF", e))? {
        FileKind::Elf32 => strip_as::<elf::FileHeader32<Endianness>>(data, keep_debug),
        FileKind::Elf64 => strip_as::<elf::FileHeader64<Endianness>>(data, keep_debug),
        _ => Err(malformed("ELF", "unknown ELF class")),
    }
}

fn strip_as<H>(data: &[u8], keep_debug: bool) -> Result<Outcome, Error>
where
    H: FileHeader<Endian = Endianness>,
    H::SectionHeader: Pod + Copy + Fields,
{
    let header = H::parse(data).map_err(|e| malformed("ELF", e))?;
    let endian = header.endian().map_err(|e| malformed("ELF", e))?;
    if header.e_type(endian) == elf::ET_REL {
        return Err(Error::Unsupported(
            "a relocatable object file: its relocations need the symbol table; strip executables and shared libraries".into(),
        ));
    }
    let sections = header
        .sections(endian, data)
        .map_err(|e| malformed("ELF", e))?;
    let shstrndx = header
        .shstrndx(endian, data)
        .map_err(|e| malformed("ELF", e))? as usize;
    if sections.is_empty() || shstrndx == 0 || header.e_shnum(endian) == 0 {
        return Err(Error::Unsupported(
            "no section table (or an extended one)".into(),
        ));
    }
    let names: Vec<&[u8]> = sections
        .iter()
        .map(|s| {
            sections
                .section_name(endian, s)
                .map_err(|e| malformed("ELF", e))
        })
        .collect::<Result<_, _>>()?;

    let mut remove = vec![false; sections.len()];
    for (i, section) in sections.iter().enumerate().skip(1) {
        let allocated = section.sh_flags(endian).into() & u64::from(elf::SHF_ALLOC) != 0;
        let symbols = section.sh_type(endian) == elf::SHT_SYMTAB
            || (names[i] == b".strtab" && !allocated && i != shstrndx);
        remove[i] = symbols || (!keep_debug && !allocated && is_debug_section(names[i]));
    }
    // Relocations that apply to removed sections go with them.
    for (i, section) in sections.iter().enumerate().skip(1) {
        let kind = section.sh_type(endian);
        let target = section.sh_info(endian) as usize;
        if (kind == elf::SHT_REL || kind == elf::SHT_RELA) && remove.get(target) == Some(&true) {
            remove[i] = true;
        }
    }
    if !remove.iter().any(|&r| r) {
        return Ok(Outcome::AlreadyStripped);
    }
    for (i, section) in sections.iter().enumerate() {
        let link = section.sh_link(endian) as usize;
        if !remove[i] && link != 0 && remove.get(link) == Some(&true) {
            return Err(Error::Unsupported(format!(
                "kept section {} refers to a removed one",
                String::from_utf8_lossy(names[i])
            )));
        }
    }

    let loaded_end = loaded_end(header, endian, data, sections.iter(), &remove)?;
    let mut out = data
        .get(..loaded_end)
        .ok_or_else(|| malformed("ELF", "segments extend past the end of the file"))?
        .to_vec();
    let mut new_index = vec![0u32; sections.len()];
    let mut kept: Vec<(usize, H::SectionHeader)> = Vec::new();
    for (i, section) in sections.iter().enumerate() {
        if i == 0 || !remove[i] {
            new_index[i] = kept.len() as u32;
            kept.push((i, *section));
        }
    }
    // Kept non-allocated data after the loaded part is appended; the rest stays put.
    let mut shstrtab = vec![0u8];
    for (old, section) in kept.iter_mut() {
        let name_offset = if *old == 0 {
            0
        } else {
            let offset = shstrtab.len() as u32;
            shstrtab.extend_from_slice(names[*old]);
            shstrtab.push(0);
            offset
        };
        section.set_name(endian, name_offset);
        let has_data =
            section.sh_type(endian) != elf::SHT_NOBITS && section.sh_size(endian).into() > 0;
        let offset = section.sh_offset(endian).into() as usize;
        if *old != shstrndx && has_data && offset >= loaded_end {
            let size = section.sh_size(endian).into() as usize;
            let bytes = data
                .get(offset..offset + size)
                .ok_or_else(|| malformed("ELF", "a section lies past the end of the file"))?;
            pad_to(&mut out, section.sh_addralign(endian).into() as usize);
            section.set_offset(endian, out.len() as u64);
            out.extend_from_slice(bytes);
        }
        remap_links(section, endian, &new_index);
    }
    let new_shstrndx = new_index[shstrndx];
    let shstrtab_offset = out.len() as u64;
    out.extend_from_slice(&shstrtab);
    {
        let (_, section) = &mut kept[new_shstrndx as usize];
        section.set_offset(endian, shstrtab_offset);
        section.set_size(endian, shstrtab.len() as u64);
    }
    pad_to(&mut out, if header.is_type_64() { 8 } else { 4 });
    let shoff = out.len() as u64;
    for (_, section) in &kept {
        out.extend_from_slice(object::bytes_of(section));
    }
    patch_header(
        &mut out,
        endian,
        header.is_type_64(),
        shoff,
        kept.len() as u16,
        new_shstrndx as u16,
    );

    let removed = (0..sections.len())
        .filter(|&i| remove[i])
        .map(|i| String::from_utf8_lossy(names[i]).into_owned())
        .collect();
    verify::<H>(data, &out)?;
    Ok(Outcome::Stripped {
        bytes: out,
        removed,
    })
}

/// The end of everything the loader may read: segments, the program header table, and
/// kept allocated sections.
fn loaded_end<'a, H: FileHeader<Endian = Endianness>>(
    header: &H,
    endian: Endianness,
    data: &[u8],
    sections: impl Iterator<Item = &'a H::SectionHeader>,
    remove: &[bool],
) -> Result<usize, Error>
where
    H::SectionHeader: 'a,
{
    let segments = header
        .program_headers(endian, data)
        .map_err(|e| malformed("ELF", e))?;
    let phdr_end = header.e_phoff(endian).into() as usize
        + usize::from(header.e_phnum(endian)) * usize::from(header.e_phentsize(endian));
    let mut end = phdr_end.max(usize::from(header.e_ehsize(endian)));
    for segment in segments {
        end = end.max((segment.p_offset(endian).into() + segment.p_filesz(endian).into()) as usize);
    }
    for (i, section) in sections.enumerate() {
        let allocated = section.sh_flags(endian).into() & u64::from(elf::SHF_ALLOC) != 0;
        if allocated && !remove[i] && section.sh_type(endian) != elf::SHT_NOBITS {
            end = end
                .max((section.sh_offset(endian).into() + section.sh_size(endian).into()) as usize);
        }
    }
    if end > data.len() {
        return Err(malformed(
            "ELF",
            "segments or sections extend past the end of the file",
        ));
    }
    Ok(end)
}

/// Section header fields, written in the file's class and byte order.
pub trait Fields {
    fn set_name(&mut self, endian: Endianness, value: u32);
    fn set_offset(&mut self, endian: Endianness, value: u64);
    fn set_size(&mut self, endian: Endianness, value: u64);
    fn set_link(&mut self, endian: Endianness, value: u32);
    fn set_info(&mut self, endian: Endianness, value: u32);
}

macro_rules! fields {
    ($header:ty, $int:ty) => {
        impl Fields for $header {
            fn set_name(&mut self, endian: Endianness, value: u32) {
                self.sh_name.set(endian, value);
            }
            fn set_offset(&mut self, endian: Endianness, value: u64) {
                self.sh_offset.set(endian, value as $int);
            }
            fn set_size(&mut self, endian: Endianness, value: u64) {
                self.sh_size.set(endian, value as $int);
            }
            fn set_link(&mut self, endian: Endianness, value: u32) {
                self.sh_link.set(endian, value);
            }
            fn set_info(&mut self, endian: Endianness, value: u32) {
                self.sh_info.set(endian, value);
            }
        }
    };
}

fields!(elf::SectionHeader32<Endianness>, u32);
fields!(elf::SectionHeader64<Endianness>, u64);

/// Section indices shift as sections go: follow `sh_link`, and `sh_info` where it names
/// a section (relocation sections, or `SHF_INFO_LINK`).
fn remap_links<S: SectionHeader<Endian = Endianness> + Fields>(
    section: &mut S,
    endian: Endianness,
    new_index: &[u32],
) {
    let link = section.sh_link(endian) as usize;
    let info = section.sh_info(endian) as usize;
    let kind = section.sh_type(endian);
    let info_is_section = kind == elf::SHT_REL
        || kind == elf::SHT_RELA
        || section.sh_flags(endian).into() & u64::from(elf::SHF_INFO_LINK) != 0;
    if link != 0 && link < new_index.len() {
        section.set_link(endian, new_index[link]);
    }
    if info_is_section && info != 0 && info < new_index.len() {
        section.set_info(endian, new_index[info]);
    }
}

fn patch_header(
    out: &mut [u8],
    endian: Endianness,
    is_64: bool,
    shoff: u64,
    shnum: u16,
    shstrndx: u16,
) {
    let (shoff_at, shnum_at, shstrndx_at) = if is_64 {
        (0x28, 0x3c, 0x3e)
    } else {
        (0x20, 0x30, 0x32)
    };
    let big = endian == Endianness::Big;
    let put =
        |out: &mut [u8], at: usize, bytes: &[u8]| out[at..at + bytes.len()].copy_from_slice(bytes);
    if is_64 {
        put(
            out,
            shoff_at,
            &if big {
                shoff.to_be_bytes()
            } else {
                shoff.to_le_bytes()
            },
        );
    } else {
        let shoff = shoff as u32;
        put(
            out,
            shoff_at,
            &if big {
                shoff.to_be_bytes()
            } else {
                shoff.to_le_bytes()
            },
        );
    }
    put(
        out,
        shnum_at,
        &if big {
            shnum.to_be_bytes()
        } else {
            shnum.to_le_bytes()
        },
    );
    put(
        out,
        shstrndx_at,
        &if big {
            shstrndx.to_be_bytes()
        } else {
            shstrndx.to_le_bytes()
        },
    );
}

fn pad_to(out: &mut Vec<u8>, alignment: usize) {
    let alignment = alignment.max(1);
    out.resize(out.len().div_ceil(alignment) * alignment, 0);
}

/// The loaded image must not change: same program headers, and every `PT_LOAD`
/// segment's bytes equal except the ELF header's section-table fields.
fn verify<H: FileHeader<Endian = Endianness>>(input: &[u8], output: &[u8]) -> Result<(), Error> {
    let broken = |why: String| {
        Error::Unsupported(format!(
            "stripping would change the loaded image ({why}); left as it was"
        ))
    };
    let old = H::parse(input).map_err(|e| malformed("ELF", e))?;
    let new = H::parse(output).map_err(|e| broken(format!("output does not parse: {e}")))?;
    let endian = old.endian().map_err(|e| malformed("ELF", e))?;
    new.sections(endian, output)
        .map_err(|e| broken(format!("section table: {e}")))?;
    let old_segments = old
        .program_headers(endian, input)
        .map_err(|e| malformed("ELF", e))?;
    let new_segments = new
        .program_headers(endian, output)
        .map_err(|e| broken(e.to_string()))?;
    if object::bytes_of_slice(old_segments) != object::bytes_of_slice(new_segments) {
        return Err(broken("program headers differ".into()));
    }
    let header_size = usize::from(old.e_ehsize(endian));
    for segment in old_segments
        .iter()
        .filter(|s| s.p_type(endian) == elf::PT_LOAD)
    {
        let start = (segment.p_offset(endian).into() as usize).max(header_size);
        let end = (segment.p_offset(endian).into() + segment.p_filesz(endian).into()) as usize;
        if start < end && input.get(start..end) != output.get(start..end) {
            return Err(broken(format!("segment at file offset {start:#x} changed")));
        }
    }
    if input[..header_size.min(0x18)] != output[..header_size.min(0x18)] {
        return Err(broken("ELF identification changed".into()));
    }
    Ok(())
}
