//! The ad-hoc "linker-signed" code signature of a Mach-O executable: read from the
//! input, written again over the stripped file.
//!
//! The signature is what `ld64 -adhoc_codesign` writes through libcodedirectory (and
//! what Apple's `strip` re-creates after changing a linker-signed file): an embedded
//! signature SuperBlob holding one SHA-256 CodeDirectory flagged
//! `CS_ADHOC | CS_LINKER_SIGNED`, with no special slots, requirements, entitlements or
//! CMS blob. `object` has no code-signing definitions, so the layout is written here,
//! field by field, with the names of Apple's `cs_blobs.h` (xnu
//! `osfmk/kern/cs_blobs.h`); every integer in a signature is big-endian.
//!
//! A signature made by `codesign` (a certificate, or `codesign -s -`: requirements and a
//! CMS blob, special slots) is never replaced: re-signing would silently turn it into a
//! different, weaker one.

use sha2::{Digest, Sha256};

use crate::{Error, malformed};

/// `CSMAGIC_EMBEDDED_SIGNATURE`: a SuperBlob of the blobs of an embedded signature.
const CSMAGIC_EMBEDDED_SIGNATURE: u32 = 0xfade_0cc0;
/// `CSMAGIC_CODEDIRECTORY`.
const CSMAGIC_CODEDIRECTORY: u32 = 0xfade_0c02;
/// `CSSLOT_CODEDIRECTORY`: the slot of the (first) CodeDirectory in the SuperBlob.
const CSSLOT_CODEDIRECTORY: u32 = 0;
/// `CS_SUPPORTSEXECSEG`: the CodeDirectory version with `execSeg*` fields, the one
/// libcodedirectory writes.
const CS_SUPPORTSEXECSEG: u32 = 0x2_0400;
/// `CS_SUPPORTSTEAMID`: the first version with `teamOffset`.
const CS_SUPPORTSTEAMID: u32 = 0x2_0200;
/// `CS_ADHOC`: no certificate.
const CS_ADHOC: u32 = 0x0000_0002;
/// `CS_LINKER_SIGNED`: written by the linker; tools may replace it.
const CS_LINKER_SIGNED: u32 = 0x0002_0000;
/// `CS_HASHTYPE_SHA256`.
const CS_HASHTYPE_SHA256: u8 = 2;
/// `CS_SHA256_LEN`.
const CS_SHA256_LEN: usize = 32;
/// `CS_EXECSEG_MAIN_BINARY`: the executable segment belongs to a main executable.
pub const CS_EXECSEG_MAIN_BINARY: u64 = 0x1;

/// `sizeof(CS_SuperBlob)`: magic, length, count.
const SUPERBLOB_SIZE: usize = 12;
/// `sizeof(CS_BlobIndex)`: type, offset.
const BLOB_INDEX_SIZE: usize = 8;
/// The CodeDirectory fields every version has, `magic` to `spare2`.
const CODE_DIRECTORY_BASE_SIZE: usize = 44;
/// `offsetof(CS_CodeDirectory, end_withExecSeg)`: the header of a version 0x20400
/// CodeDirectory, up to and including `execSegFlags`.
const CODE_DIRECTORY_SIZE: usize = 88;

/// What a stripped file's new signature takes from the original one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkerSignature {
    /// The CodeDirectory's identifier (ld64: the output file's name; Go: `a.out`).
    pub identifier: Vec<u8>,
    /// log2 of the hashed page size: 12 for ld64 and Go, 14 for zig's linker.
    pub page_shift: u8,
}

/// The executable segment named in the CodeDirectory (`execSegBase`, `execSegLimit`,
/// `execSegFlags`).
#[derive(Debug, Clone, Copy)]
pub struct ExecSegment {
    pub base: u64,
    pub limit: u64,
    pub flags: u64,
}

/// Reads the LC_CODE_SIGNATURE payload `blob`, accepting only a signature a linker made.
pub fn read(blob: &[u8]) -> Result<LinkerSignature, Error> {
    let bad = |what: &str| malformed("Mach-O", format!("code signature: {what}"));
    // CS_SuperBlob
    if be32(blob, 0) != Some(CSMAGIC_EMBEDDED_SIGNATURE) {
        return Err(bad("not an embedded signature SuperBlob"));
    }
    let length = be32(blob, 4).ok_or_else(|| bad("truncated"))? as usize;
    let count = be32(blob, 8).ok_or_else(|| bad("truncated"))? as usize;
    let blob = blob
        .get(..length)
        .filter(|_| length >= SUPERBLOB_SIZE)
        .ok_or_else(|| bad("its length exceeds LC_CODE_SIGNATURE's datasize"))?;
    let mut slots = Vec::new();
    for i in 0..count {
        let at = SUPERBLOB_SIZE + i * BLOB_INDEX_SIZE;
        // CS_BlobIndex { type, offset }
        match (be32(blob, at), be32(blob, at + 4)) {
            (Some(kind), Some(offset)) => slots.push((kind, offset as usize)),
            _ => return Err(bad("the blob index runs past the SuperBlob")),
        }
    }
    let not_linker = |what: String| {
        Error::Unsupported(format!(
            "its code signature was not made by a linker ({what}); stripping would replace it with an ad-hoc one: strip before signing, or leave Mach-O out of the stage's `formats`"
        ))
    };
    let directory = match slots.as_slice() {
        [(CSSLOT_CODEDIRECTORY, offset)] => blob
            .get(*offset..)
            .ok_or_else(|| bad("the CodeDirectory lies outside the SuperBlob"))?,
        _ => {
            let kinds: Vec<String> = slots.iter().map(|(k, _)| format!("{k:#x}")).collect();
            return Err(not_linker(format!(
                "it holds the blobs of slots {} rather than one CodeDirectory: requirements, entitlements, a CMS signature or alternate CodeDirectories",
                kinds.join(", ")
            )));
        }
    };
    // CS_CodeDirectory
    if be32(directory, 0) != Some(CSMAGIC_CODEDIRECTORY) {
        return Err(bad("slot 0 is not a CodeDirectory"));
    }
    let cd_length = be32(directory, 4).ok_or_else(|| bad("truncated CodeDirectory"))? as usize;
    let directory = directory
        .get(..cd_length)
        .ok_or_else(|| bad("the CodeDirectory runs past the SuperBlob"))?;
    let field = |at: usize| be32(directory, at).ok_or_else(|| bad("truncated CodeDirectory"));
    let version = field(8)?;
    let flags = field(12)?;
    let ident_offset = field(20)? as usize;
    let special_slots = field(24)?;
    let (hash_size, hash_type, page_shift) = match directory.get(36..40) {
        Some(&[size, kind, _platform, shift]) => (size, kind, shift),
        _ => return Err(bad("truncated CodeDirectory")),
    };
    if flags & (CS_ADHOC | CS_LINKER_SIGNED) != CS_ADHOC | CS_LINKER_SIGNED {
        return Err(not_linker(format!(
            "its flags are {flags:#x}, not CS_ADHOC|CS_LINKER_SIGNED"
        )));
    }
    if special_slots != 0 {
        return Err(not_linker(format!(
            "it hashes {special_slots} special slots"
        )));
    }
    if version >= CS_SUPPORTSTEAMID && field(48)? != 0 {
        return Err(not_linker("it names a team".into()));
    }
    if hash_type != CS_HASHTYPE_SHA256 || usize::from(hash_size) != CS_SHA256_LEN {
        return Err(not_linker(format!(
            "hash type {hash_type} of {hash_size} bytes rather than SHA-256"
        )));
    }
    if !(12..=16).contains(&page_shift) {
        return Err(bad(&format!("a page size of 2^{page_shift} bytes")));
    }
    let identifier = directory
        .get(ident_offset..)
        .filter(|_| ident_offset >= CODE_DIRECTORY_BASE_SIZE)
        .and_then(|rest| {
            rest.split(|&b| b == 0)
                .next()
                .filter(|s| s.len() < rest.len())
        })
        .ok_or_else(|| bad("the identifier is not a string inside the CodeDirectory"))?;
    Ok(LinkerSignature {
        identifier: identifier.to_vec(),
        page_shift,
    })
}

/// LC_CODE_SIGNATURE's `datasize` for a signature over `code_limit` bytes: the
/// SuperBlob's length rounded up to 8 bytes, as cctools' `codedir_create` sizes it.
pub fn data_size(signature: &LinkerSignature, code_limit: usize) -> usize {
    superblob_len(signature, code_limit).next_multiple_of(8)
}

fn superblob_len(signature: &LinkerSignature, code_limit: usize) -> usize {
    SUPERBLOB_SIZE + BLOB_INDEX_SIZE + code_directory_len(signature, code_limit)
}

fn pages(signature: &LinkerSignature, code_limit: usize) -> usize {
    code_limit.div_ceil(1 << signature.page_shift)
}

fn code_directory_len(signature: &LinkerSignature, code_limit: usize) -> usize {
    CODE_DIRECTORY_SIZE
        + signature.identifier.len()
        + 1
        + pages(signature, code_limit) * CS_SHA256_LEN
}

/// The signature of `file` (the whole file up to the signature: `codeLimit` is its
/// length), `data_size` bytes long. `file` must be shorter than 4 GiB.
pub fn write(file: &[u8], signature: &LinkerSignature, exec: ExecSegment) -> Vec<u8> {
    let code_limit = file.len();
    let cd_length = code_directory_len(signature, code_limit);
    let sb_length = superblob_len(signature, code_limit);
    let mut out = Vec::with_capacity(data_size(signature, code_limit));
    // CS_SuperBlob
    u32be(&mut out, CSMAGIC_EMBEDDED_SIGNATURE as usize); // magic
    u32be(&mut out, sb_length); // length
    u32be(&mut out, 1); // count
    // CS_BlobIndex
    u32be(&mut out, CSSLOT_CODEDIRECTORY as usize); // type
    u32be(&mut out, SUPERBLOB_SIZE + BLOB_INDEX_SIZE); // offset
    // CS_CodeDirectory
    let ident_offset = CODE_DIRECTORY_SIZE;
    let hash_offset = ident_offset + signature.identifier.len() + 1;
    u32be(&mut out, CSMAGIC_CODEDIRECTORY as usize); // magic
    u32be(&mut out, cd_length); // length
    u32be(&mut out, CS_SUPPORTSEXECSEG as usize); // version
    u32be(&mut out, (CS_ADHOC | CS_LINKER_SIGNED) as usize); // flags
    u32be(&mut out, hash_offset); // hashOffset
    u32be(&mut out, ident_offset); // identOffset
    u32be(&mut out, 0); // nSpecialSlots
    u32be(&mut out, pages(signature, code_limit)); // nCodeSlots
    u32be(&mut out, code_limit); // codeLimit
    out.extend_from_slice(&[
        CS_SHA256_LEN as u8,  // hashSize
        CS_HASHTYPE_SHA256,   // hashType
        0,                    // platform
        signature.page_shift, // pageSize (log2)
    ]);
    u32be(&mut out, 0); // spare2
    u32be(&mut out, 0); // scatterOffset
    u32be(&mut out, 0); // teamOffset
    u32be(&mut out, 0); // spare3
    out.extend_from_slice(&0u64.to_be_bytes()); // codeLimit64
    out.extend_from_slice(&exec.base.to_be_bytes()); // execSegBase
    out.extend_from_slice(&exec.limit.to_be_bytes()); // execSegLimit
    out.extend_from_slice(&exec.flags.to_be_bytes()); // execSegFlags
    debug_assert_eq!(out.len(), SUPERBLOB_SIZE + BLOB_INDEX_SIZE + ident_offset);
    out.extend_from_slice(&signature.identifier);
    out.push(0);
    // The code slots: each page's hash, the last page as far as codeLimit.
    for page in file.chunks(1 << signature.page_shift) {
        out.extend_from_slice(&Sha256::digest(page));
    }
    debug_assert_eq!(out.len(), sb_length);
    out.resize(data_size(signature, code_limit), 0);
    out
}

/// Appends `value` as a big-endian 32-bit field (callers keep files below 4 GiB).
fn u32be(out: &mut Vec<u8>, value: usize) {
    out.extend_from_slice(&(value as u32).to_be_bytes());
}

fn be32(data: &[u8], at: usize) -> Option<u32> {
    let bytes = data.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes(bytes.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signature() -> LinkerSignature {
        LinkerSignature {
            identifier: b"hello".to_vec(),
            page_shift: 12,
        }
    }

    const EXEC: ExecSegment = ExecSegment {
        base: 0,
        limit: 0x4000,
        flags: CS_EXECSEG_MAIN_BINARY,
    };

    #[test]
    fn a_written_signature_reads_back_and_hashes_every_page() {
        let file: Vec<u8> = (0..10_000u32).map(|i| i as u8).collect();
        let blob = write(&file, &signature(), EXEC);
        assert_eq!(blob.len(), data_size(&signature(), file.len()));
        assert_eq!(blob.len() % 8, 0);
        assert_eq!(read(&blob).unwrap(), signature());
        // Three pages of 4096 bytes, the last one partial.
        let hashes = &blob[20 + 88 + 6..];
        assert_eq!(&hashes[..32], Sha256::digest(&file[..4096]).as_slice());
        assert_eq!(&hashes[64..96], Sha256::digest(&file[8192..]).as_slice());
        assert!(hashes[96..].iter().all(|&b| b == 0));
    }

    #[test]
    fn signatures_not_made_by_a_linker_are_refused() {
        let file = vec![0u8; 100];
        let mut blob = write(&file, &signature(), EXEC);
        // codesign -s -: CS_ADHOC alone.
        blob[20 + 12..20 + 16].copy_from_slice(&CS_ADHOC.to_be_bytes());
        assert!(matches!(read(&blob), Err(Error::Unsupported(_))));
        let mut two_blobs = write(&file, &signature(), EXEC);
        two_blobs[8..12].copy_from_slice(&2u32.to_be_bytes());
        assert!(read(&two_blobs).is_err());
        let blob = write(&file, &signature(), EXEC);
        for cut in 0..blob.len() {
            let _ = read(&blob[..cut]);
        }
        assert!(matches!(read(&[0xfa, 0xde]), Err(Error::Malformed(_))));
    }
}
