//! PE/COFF images (PE32 and PE32+): drop the COFF symbol table with its string table,
//! the section that holds them (Go calls it `.symtab`), and the DWARF sections.
//!
//! Kept sections keep their virtual addresses and bytes; their raw data moves up in the
//! file. Windows requires the sections of an image to be contiguous in memory, so where
//! a removed section leaves a hole the previous section's virtual size grows over it
//! (zero-filled memory, as for any section whose virtual size exceeds its raw data).
//!
//! One format's rewrite, kept in one file though it passes 400 lines: the header, the
//! section table, the debug directory and the checksum are changed together.

use object::pe;
use object::read::coff::CoffHeader;
use object::read::pe::{ImageNtHeaders, ImageOptionalHeader};
use object::{FileKind, LittleEndian as LE};

use crate::{Error, Outcome, is_debug_section, malformed};

const SECTION_HEADER_SIZE: usize = 40;
const SYMBOL_SIZE: usize = 18;

/// One section header, decoded.
#[derive(Clone)]
struct Section {
    name: String,
    header: [u8; SECTION_HEADER_SIZE],
    virtual_address: u32,
    virtual_size: u32,
    raw_pointer: u32,
    raw_size: u32,
    remove: bool,
}

/// Offsets of the header fields this code rewrites.
struct Layout {
    coff: usize,
    optional: usize,
    directories: usize,
    directory_count: usize,
    section_table: usize,
    section_alignment: u32,
    file_alignment: u32,
    size_of_headers: usize,
}

pub fn strip(data: &[u8], keep_debug: bool) -> Result<Outcome, Error> {
    let (layout, sections, long_names) =
        match FileKind::parse(data).map_err(|e| malformed("PE", e))? {
            FileKind::Pe32 => read::<pe::ImageNtHeaders32>(data)?,
            FileKind::Pe64 => read::<pe::ImageNtHeaders64>(data)?,
            _ => {
                return Err(malformed(
                    "PE",
                    "not a PE image (an object file or a DOS program?)",
                ));
            }
        };
    let symbols = symbol_table(data, &layout)?;
    let mut sections = sections;
    let mut removed = Vec::new();
    for section in &mut sections {
        let holds_symbols = symbols.as_ref().is_some_and(|range| {
            section.raw_size > 0
                && range.start >= section.raw_pointer as usize
                && range.end <= raw_end(section)
        });
        section.remove =
            holds_symbols || (!keep_debug && is_debug_section(section.name.as_bytes()));
        if section.remove {
            removed.push(section.name.clone());
        }
    }
    if symbols.is_some() {
        removed.push("COFF symbol table".to_string());
    }
    if removed.is_empty() {
        return Ok(Outcome::AlreadyStripped);
    }
    check_strippable(data, &layout, &sections, &symbols, long_names)?;
    let bytes = rewrite(data, &layout, &sections)?;
    verify(data, &bytes, &sections)?;
    Ok(Outcome::Stripped { bytes, removed })
}

fn read<H: ImageNtHeaders>(data: &[u8]) -> Result<(Layout, Vec<Section>, bool), Error> {
    let dos = pe::ImageDosHeader::parse(data).map_err(|e| malformed("PE", e))?;
    let mut offset = dos.nt_headers_offset().into();
    let nt_start = offset as usize;
    let (nt, _) = H::parse(data, &mut offset).map_err(|e| malformed("PE", e))?;
    let table = nt.sections(data, offset).map_err(|e| malformed("PE", e))?;
    let file = nt.file_header();
    let strings = file
        .symbols(data)
        .map_err(|e| malformed("PE", e))?
        .strings();
    let optional = nt_start + 24;
    let is_64 = nt.is_type_64();
    let directories = optional + if is_64 { 112 } else { 96 };
    let layout = Layout {
        coff: nt_start + 4,
        optional,
        directories,
        directory_count: nt.optional_header().number_of_rva_and_sizes() as usize,
        section_table: optional + usize::from(file.size_of_optional_header.get(LE)),
        section_alignment: nt.optional_header().section_alignment(),
        file_alignment: nt.optional_header().file_alignment().max(1),
        size_of_headers: nt.optional_header().size_of_headers() as usize,
    };
    let mut long_names = false;
    let sections = table
        .iter()
        .enumerate()
        .map(|(i, header)| {
            let name = header.name(strings).map_err(|e| malformed("PE", e))?;
            long_names |= header.name[0] == b'/';
            let at = layout.section_table + i * SECTION_HEADER_SIZE;
            let raw: [u8; SECTION_HEADER_SIZE] = data
                .get(at..at + SECTION_HEADER_SIZE)
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| malformed("PE", "section table past the end of the file"))?;
            Ok(Section {
                name: String::from_utf8_lossy(name).into_owned(),
                header: raw,
                virtual_address: header.virtual_address.get(LE),
                virtual_size: header.virtual_size.get(LE),
                raw_pointer: header.pointer_to_raw_data.get(LE),
                raw_size: header.size_of_raw_data.get(LE),
                remove: false,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    if layout.section_table + sections.len() * SECTION_HEADER_SIZE > layout.size_of_headers {
        return Err(malformed("PE", "section table extends past SizeOfHeaders"));
    }
    for section in &sections {
        if section.raw_size > 0
            && data
                .get(section.raw_pointer as usize..raw_end(section))
                .is_none()
        {
            return Err(malformed(
                "PE",
                format!("section {} lies past the end of the file", section.name),
            ));
        }
    }
    Ok((layout, sections, long_names))
}

/// The file range of the COFF symbol table and its string table, if there is one.
fn symbol_table(data: &[u8], layout: &Layout) -> Result<Option<std::ops::Range<usize>>, Error> {
    let pointer = u32_at(data, layout.coff + 8)? as usize;
    let count = u32_at(data, layout.coff + 12)? as usize;
    if pointer == 0 {
        return Ok(None);
    }
    let strings = pointer + count * SYMBOL_SIZE;
    let length = u32_at(data, strings).unwrap_or(0) as usize;
    let end = strings + length.max(4);
    if end > data.len() {
        return Err(malformed(
            "PE",
            "the COFF symbol table runs past the end of the file",
        ));
    }
    Ok(Some(pointer..end))
}

/// What this code cannot rewrite correctly is refused.
fn check_strippable(
    data: &[u8],
    layout: &Layout,
    sections: &[Section],
    symbols: &Option<std::ops::Range<usize>>,
    long_names: bool,
) -> Result<(), Error> {
    let kept_long = sections.iter().any(|s| !s.remove && s.header[0] == b'/');
    if long_names && kept_long && symbols.is_some() {
        return Err(Error::Unsupported(
            "a kept section's name lives in the COFF string table being removed".into(),
        ));
    }
    if directory(data, layout, pe::IMAGE_DIRECTORY_ENTRY_SECURITY)?.1 != 0 {
        return Err(Error::Unsupported(
            "the image is signed (Authenticode); strip before signing".into(),
        ));
    }
    for index in 0..layout.directory_count.min(16) {
        let (rva, size) = directory(data, layout, index)?;
        let in_removed = size != 0
            && index != pe::IMAGE_DIRECTORY_ENTRY_SECURITY
            && sections.iter().any(|s| {
                s.remove
                    && rva >= s.virtual_address
                    && rva < s.virtual_address + s.virtual_size.max(s.raw_size)
            });
        if in_removed {
            return Err(Error::Unsupported(format!(
                "data directory {index} points into a section that would be removed"
            )));
        }
    }
    if sections
        .iter()
        .any(|s| !s.remove && s.virtual_size == 0 && s.raw_size == 0)
    {
        return Err(Error::Unsupported("an empty section".into()));
    }
    let covered = sections
        .iter()
        .map(raw_end)
        .chain(symbols.as_ref().map(|r| r.end))
        .max()
        .unwrap_or(layout.size_of_headers);
    if data
        .get(covered..)
        .is_some_and(|rest| rest.iter().any(|&b| b != 0))
    {
        return Err(Error::Unsupported(
            "data is appended after the last section (an installer or archive?)".into(),
        ));
    }
    let first_kept = sections
        .iter()
        .filter(|s| !s.remove)
        .map(|s| s.virtual_address)
        .min();
    let first_removed = sections
        .iter()
        .filter(|s| s.remove)
        .map(|s| s.virtual_address)
        .min();
    if let (Some(kept), Some(removed)) = (first_kept, first_removed)
        && removed < kept
    {
        return Err(Error::Unsupported(
            "the first section in memory would be removed".into(),
        ));
    }
    if first_kept.is_none() {
        return Err(Error::Unsupported("every section would be removed".into()));
    }
    Ok(())
}

fn rewrite(data: &[u8], layout: &Layout, sections: &[Section]) -> Result<Vec<u8>, Error> {
    let mut kept: Vec<Section> = sections.iter().filter(|s| !s.remove).cloned().collect();
    // Contiguous in memory: grow each section over any hole a removed one left.
    let mut by_address: Vec<usize> = (0..kept.len()).collect();
    by_address.sort_by_key(|&i| kept[i].virtual_address);
    for pair in by_address.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let end = align(
            kept[a].virtual_address + kept[a].virtual_size.max(kept[a].raw_size),
            layout.section_alignment,
        );
        if end < kept[b].virtual_address {
            kept[a].virtual_size = kept[b].virtual_address - kept[a].virtual_address;
        }
    }
    let last = &kept[*by_address.last().expect("a section is kept")];
    let size_of_image = align(
        last.virtual_address + last.virtual_size.max(last.raw_size),
        layout.section_alignment,
    );

    // Raw data moves up, in file order, aligned.
    let mut out = data[..layout.size_of_headers].to_vec();
    let mut moves = Vec::new();
    let mut by_file: Vec<usize> = (0..kept.len()).filter(|&i| kept[i].raw_size > 0).collect();
    by_file.sort_by_key(|&i| kept[i].raw_pointer);
    for i in by_file {
        let start = align(out.len() as u32, layout.file_alignment) as usize;
        out.resize(start, 0);
        let old = kept[i].raw_pointer as usize;
        out.extend_from_slice(&data[old..raw_end(&kept[i])]);
        moves.push((old, raw_end(&kept[i]), start));
        kept[i].raw_pointer = start as u32;
    }
    out.resize(align(out.len() as u32, layout.file_alignment) as usize, 0);

    let table_end = layout.section_table + sections.len() * SECTION_HEADER_SIZE;
    out[layout.section_table..table_end].fill(0);
    for (i, section) in kept.iter().enumerate() {
        let mut header = section.header;
        header[8..12].copy_from_slice(&section.virtual_size.to_le_bytes());
        header[20..24].copy_from_slice(&section.raw_pointer.to_le_bytes());
        let at = layout.section_table + i * SECTION_HEADER_SIZE;
        out[at..at + SECTION_HEADER_SIZE].copy_from_slice(&header);
    }
    put_u16(&mut out, layout.coff + 2, kept.len() as u16);
    put_u32(&mut out, layout.coff + 8, 0);
    put_u32(&mut out, layout.coff + 12, 0);
    put_u32(&mut out, layout.optional + 56, size_of_image);
    let initialized: u32 = kept
        .iter()
        .filter(|s| {
            u32::from_le_bytes(s.header[36..40].try_into().expect("4 bytes"))
                & pe::IMAGE_SCN_CNT_INITIALIZED_DATA
                != 0
        })
        .map(|s| s.raw_size)
        .sum();
    put_u32(&mut out, layout.optional + 8, initialized);
    relocate_debug_directory(&mut out, layout, &kept, &moves)?;
    if u32_at(data, layout.optional + 64)? != 0 {
        let checksum = pe_checksum(&out, layout.optional + 64);
        put_u32(&mut out, layout.optional + 64, checksum);
    }
    Ok(out)
}

/// Debug directory entries carry file offsets of their data: follow the move.
fn relocate_debug_directory(
    out: &mut [u8],
    layout: &Layout,
    kept: &[Section],
    moves: &[(usize, usize, usize)],
) -> Result<(), Error> {
    let (rva, size) = directory(out, layout, pe::IMAGE_DIRECTORY_ENTRY_DEBUG)?;
    if size == 0 {
        return Ok(());
    }
    let section = kept
        .iter()
        .find(|s| rva >= s.virtual_address && rva + size <= s.virtual_address + s.raw_size)
        .ok_or_else(|| Error::Unsupported("the debug directory is not inside a section".into()))?;
    let table = (section.raw_pointer + (rva - section.virtual_address)) as usize;
    for entry in 0..size as usize / 28 {
        let field = table + entry * 28 + 24;
        let old = u32_at(out, field)? as usize;
        if old == 0 {
            continue;
        }
        let new = moves
            .iter()
            .find(|(start, end, _)| (*start..*end).contains(&old))
            .map(|(start, _, to)| to + (old - start))
            .ok_or_else(|| {
                Error::Unsupported("a debug directory entry points at removed data".into())
            })?;
        put_u32(out, field, new as u32);
    }
    Ok(())
}

/// The output must parse, and every kept section must have its address and bytes.
fn verify(input: &[u8], output: &[u8], sections: &[Section]) -> Result<(), Error> {
    let broken = |why: String| {
        Error::Unsupported(format!(
            "stripping would damage the image ({why}); left as it was"
        ))
    };
    let (_, new_sections, _) = match FileKind::parse(output).map_err(|e| broken(e.to_string()))? {
        FileKind::Pe32 => {
            read::<pe::ImageNtHeaders32>(output).map_err(|e| broken(e.to_string()))?
        }
        FileKind::Pe64 => {
            read::<pe::ImageNtHeaders64>(output).map_err(|e| broken(e.to_string()))?
        }
        _ => return Err(broken("output is not a PE image".into())),
    };
    let kept: Vec<&Section> = sections.iter().filter(|s| !s.remove).collect();
    if kept.len() != new_sections.len() {
        return Err(broken("section count".into()));
    }
    for (old, new) in kept.iter().zip(&new_sections) {
        let same = old.header[..8] == new.header[..8]
            && old.virtual_address == new.virtual_address
            && old.raw_size == new.raw_size
            && input.get(old.raw_pointer as usize..raw_end(old))
                == output.get(new.raw_pointer as usize..raw_end(new));
        if !same {
            return Err(broken(format!("section {} changed", old.name)));
        }
    }
    Ok(())
}

/// The PE image checksum: 16-bit one's-complement-style sum with carries folded, the
/// checksum field itself counted as zero, plus the file length.
fn pe_checksum(data: &[u8], field: usize) -> u32 {
    let mut sum: u64 = 0;
    for (i, chunk) in data.chunks(2).enumerate() {
        let offset = i * 2;
        if offset >= field && offset < field + 4 {
            continue;
        }
        let word = u16::from_le_bytes([chunk[0], *chunk.get(1).unwrap_or(&0)]);
        sum += u64::from(word);
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum = (sum & 0xffff) + (sum >> 16);
    (sum as u32) + data.len() as u32
}

fn directory(data: &[u8], layout: &Layout, index: usize) -> Result<(u32, u32), Error> {
    if index >= layout.directory_count {
        return Ok((0, 0));
    }
    let at = layout.directories + index * 8;
    Ok((u32_at(data, at)?, u32_at(data, at + 4)?))
}

fn raw_end(section: &Section) -> usize {
    section.raw_pointer as usize + section.raw_size as usize
}

fn align(value: u32, alignment: u32) -> u32 {
    let alignment = alignment.max(1);
    value.div_ceil(alignment) * alignment
}

fn u32_at(data: &[u8], at: usize) -> Result<u32, Error> {
    data.get(at..at + 4)
        .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
        .ok_or_else(|| malformed("PE", "header field past the end of the file"))
}

fn put_u32(data: &mut [u8], at: usize, value: u32) {
    data[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

fn put_u16(data: &mut [u8], at: usize, value: u16) {
    data[at..at + 2].copy_from_slice(&value.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_skips_its_own_field() {
        let mut data = vec![1u8, 0, 2, 0, 0xff, 0xff, 0xff, 0xff, 3, 0];
        let with_field = pe_checksum(&data, 4);
        data[4..8].fill(0);
        assert_eq!(with_field, pe_checksum(&data, 4));
        assert_eq!(with_field, 1 + 2 + 3 + 10);
    }

    #[test]
    fn alignment() {
        assert_eq!(align(0x1001, 0x1000), 0x2000);
        assert_eq!(align(0x1000, 0x1000), 0x1000);
        assert_eq!(align(5, 0), 5);
    }
}
