//! Plan 9 a.out (Go's plan9/386, plan9/amd64, plan9/arm): drop the symbol table and,
//! unless debug information is kept, the sp-offset and pc/line tables, as Plan 9's
//! `strip` does.
//!
//! The file is a header of big-endian words (magic, text, data, bss, syms, entry, spsz,
//! pcsz; 64-bit formats add an 8-byte entry), then text, data, the symbol table, the
//! sp-offset table and the pc/line table, back to back. The loader reads only the header
//! and text and data; stripping zeroes the sizes of what goes and cuts it out. Text and
//! data are never touched (checked before returning), so the program is the same.

use crate::{Error, Outcome, malformed};

/// `_MAGIC(0, 11)`, `_MAGIC(HDR_MAGIC, 26)`, `_MAGIC(0, 20)` in Plan 9's `a.out.h`.
pub const MAGIC_386: u32 = 0x01eb;
pub const MAGIC_AMD64: u32 = 0x8a97;
pub const MAGIC_ARM: u32 = 0x0647;
/// The flag of formats with a 64-bit entry point after the header.
const HDR_MAGIC: u32 = 0x8000;

/// Field indices in the header.
const SYMS: usize = 4;
const SPSZ: usize = 6;
const PCSZ: usize = 7;

/// True when `data` starts with a Plan 9 a.out magic Go writes.
pub fn is_plan9(data: &[u8]) -> bool {
    data.get(..4)
        .map(|m| u32::from_be_bytes(m.try_into().expect("four bytes")))
        .is_some_and(|m| matches!(m, MAGIC_386 | MAGIC_AMD64 | MAGIC_ARM))
}

/// The header's eight words and its size.
struct Header {
    words: [u32; 8],
    size: usize,
}

impl Header {
    fn parse(data: &[u8]) -> Result<Header, Error> {
        let word = |i: usize| {
            data.get(4 * i..4 * i + 4)
                .map(|b| u32::from_be_bytes(b.try_into().expect("four bytes")))
                .ok_or_else(|| malformed("Plan 9 a.out", "truncated header"))
        };
        let mut words = [0u32; 8];
        for (i, w) in words.iter_mut().enumerate() {
            *w = word(i)?;
        }
        let size = if words[0] & HDR_MAGIC != 0 { 40 } else { 32 };
        if data.len() < size {
            return Err(malformed("Plan 9 a.out", "truncated header"));
        }
        Ok(Header { words, size })
    }

    /// End of text and data: everything the loader reads.
    fn image_end(&self) -> usize {
        self.size + self.words[1] as usize + self.words[2] as usize
    }

    /// The parts after the image, in file order: (name, size).
    fn tables(&self) -> [(&'static str, usize); 3] {
        [
            ("syms", self.words[SYMS] as usize),
            ("spsz", self.words[SPSZ] as usize),
            ("pcsz", self.words[PCSZ] as usize),
        ]
    }
}

pub fn strip(data: &[u8], keep_debug: bool) -> Result<Outcome, Error> {
    let header = Header::parse(data)?;
    let image_end = header.image_end();
    let tables_end = image_end + header.tables().iter().map(|(_, s)| s).sum::<usize>();
    if tables_end > data.len() {
        return Err(malformed(
            "Plan 9 a.out",
            "text, data and tables extend past the end of the file",
        ));
    }
    if tables_end < data.len() {
        return Err(Error::Unsupported(format!(
            "a Plan 9 a.out with {} bytes after its tables, which this stripper does not know",
            data.len() - tables_end
        )));
    }
    let mut out = data[..image_end].to_vec();
    let mut removed = Vec::new();
    let mut at = image_end;
    for ((name, size), field) in header.tables().into_iter().zip([SYMS, SPSZ, PCSZ]) {
        let keep = keep_debug && field != SYMS;
        if keep {
            out.extend_from_slice(&data[at..at + size]);
        } else if size > 0 {
            removed.push(name.to_string());
            out[4 * field..4 * field + 4].copy_from_slice(&0u32.to_be_bytes());
        }
        at += size;
    }
    if removed.is_empty() {
        return Ok(Outcome::AlreadyStripped);
    }
    verify(data, &out)?;
    Ok(Outcome::Stripped {
        bytes: out,
        removed,
    })
}

/// The output parses, its text and data are the input's, and its header differs only in
/// the sizes of removed tables.
fn verify(input: &[u8], output: &[u8]) -> Result<(), Error> {
    let broken = |why: &str| {
        Error::Unsupported(format!(
            "stripping would change the program ({why}); left as it was"
        ))
    };
    let old = Header::parse(input)?;
    let new = Header::parse(output).map_err(|_| broken("header"))?;
    let image_end = old.image_end();
    if new.size != old.size || new.image_end() != image_end {
        return Err(broken("header"));
    }
    for (i, (a, b)) in old.words.iter().zip(&new.words).enumerate() {
        if a != b && !(matches!(i, SYMS | SPSZ | PCSZ) && *b == 0) {
            return Err(broken("header"));
        }
    }
    if input[32..image_end] != output[32..image_end] {
        return Err(broken("text or data changed"));
    }
    let tables: usize = new.tables().iter().map(|(_, s)| s).sum();
    if output.len() != image_end + tables {
        return Err(broken("length"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Plan 9 386 a.out: 32-byte header, text, data, symbols, sp and pc tables.
    fn sample(magic: u32, syms: &[u8], spsz: &[u8], pcsz: &[u8]) -> Vec<u8> {
        let text = b"TEXT-TEXT-TEXT-!";
        let data = b"DATA\xff Go buildinf:";
        let words = [
            magic,
            text.len() as u32,
            data.len() as u32,
            64,
            syms.len() as u32,
            0x1020,
            spsz.len() as u32,
            pcsz.len() as u32,
        ];
        let mut out: Vec<u8> = Vec::new();
        for w in words {
            out.extend_from_slice(&w.to_be_bytes());
        }
        if magic & HDR_MAGIC != 0 {
            out.extend_from_slice(&0x20_1020u64.to_be_bytes());
        }
        for part in [&text[..], data, syms, spsz, pcsz] {
            out.extend_from_slice(part);
        }
        out
    }

    fn word(data: &[u8], i: usize) -> u32 {
        u32::from_be_bytes(data[4 * i..4 * i + 4].try_into().unwrap())
    }

    #[test]
    fn symbols_and_tables_go_text_and_data_stay() {
        for magic in [MAGIC_386, MAGIC_AMD64, MAGIC_ARM] {
            let input = sample(magic, b"symbols", b"sp", b"pcline");
            assert!(is_plan9(&input));
            let Outcome::Stripped { bytes, removed } = strip(&input, false).unwrap() else {
                panic!("not stripped");
            };
            assert_eq!(removed, ["syms", "spsz", "pcsz"]);
            let stripped = sample(magic, b"", b"", b"");
            assert_eq!(bytes, stripped, "{magic:#x}");
            assert_eq!(strip(&bytes, false).unwrap(), Outcome::AlreadyStripped);
        }
    }

    #[test]
    fn keep_debug_keeps_the_sp_and_pc_tables() {
        let input = sample(MAGIC_AMD64, b"symbols", b"sp", b"pcline");
        let Outcome::Stripped { bytes, removed } = strip(&input, true).unwrap() else {
            panic!("not stripped");
        };
        assert_eq!(removed, ["syms"]);
        assert_eq!(bytes, sample(MAGIC_AMD64, b"", b"sp", b"pcline"));
        assert_eq!((word(&bytes, SPSZ), word(&bytes, PCSZ)), (2, 6));
    }

    #[test]
    fn damaged_or_unknown_layouts_are_refused() {
        let input = sample(MAGIC_386, b"symbols", b"", b"");
        assert!(matches!(
            strip(&input[..input.len() - 1], false),
            Err(Error::Malformed(_))
        ));
        assert!(matches!(
            strip(&input[..20], false),
            Err(Error::Malformed(_))
        ));
        let mut trailing = input.clone();
        trailing.extend_from_slice(b"more");
        assert!(matches!(
            strip(&trailing, false),
            Err(Error::Unsupported(_))
        ));
        assert!(!is_plan9(b"\0\0\x01"));
        assert!(!is_plan9(b"\0\0\x01\xec"));
    }
}
