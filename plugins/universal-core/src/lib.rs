//! Universal ("fat") Mach-O binaries: thin 64-bit Mach-O slices (Go's darwin/amd64 and
//! darwin/arm64 builds) joined under a fat header as Apple's `lipo -create` writes it.
//! Plain Rust, so it runs inside the `builtin:universal` plugin (wasm32-wasip2) and
//! natively for tests.
//!
//! The layout, from `<mach-o/fat.h>`: a big-endian [`FatHeader`] (`FAT_MAGIC`, the
//! number of slices), one [`FatArch32`] per slice (CPU type and subtype as the slice's
//! own Mach-O header has them, file offset, size, alignment as a power of two), then each
//! slice, unchanged, at its offset. As lipo does, x86_64 comes before arm64 and both are
//! aligned to 2^14 bytes (the arm64 page size), the gaps filled with zeros and nothing
//! after the last slice. The header structures are `object`'s; the output depends on the
//! slices' bytes alone, so it is byte-for-byte reproducible.

use std::fmt;

use object::endian::{BigEndian, U32};
use object::macho::{self, FatArch32, FatHeader};
use object::read::macho::MachHeader;
use object::{Endianness, FileKind};

/// The alignment of every slice, as a power of two: 2^14, lipo's for arm64 and x86_64.
pub const ALIGN_LOG2: u32 = 14;

/// The architectures a universal binary here holds, in the order lipo writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Arch {
    X86_64,
    Arm64,
}

impl Arch {
    /// The name Apple's tools (`lipo -info`, `file`) give it.
    pub fn name(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Arm64 => "arm64",
        }
    }

    /// Go's `GOARCH` for it.
    pub fn goarch(self) -> &'static str {
        match self {
            Arch::X86_64 => "amd64",
            Arch::Arm64 => "arm64",
        }
    }

    /// The architecture of Go's `GOARCH`, when a universal binary can hold it.
    pub fn from_goarch(goarch: &str) -> Option<Arch> {
        match goarch {
            "amd64" => Some(Arch::X86_64),
            "arm64" => Some(Arch::Arm64),
            _ => None,
        }
    }

    fn from_cputype(cputype: u32) -> Option<Arch> {
        match cputype {
            macho::CPU_TYPE_X86_64 => Some(Arch::X86_64),
            macho::CPU_TYPE_ARM64 => Some(Arch::Arm64),
            _ => None,
        }
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why no universal binary was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// `file` cannot be a slice: not a thin 64-bit Mach-O, or for another CPU.
    Input { file: String, reason: String },
    /// The slices do not make one universal binary (none, two of one architecture, too
    /// large for a 32-bit fat header).
    Merge(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Input { file, reason } => write!(f, "{file}: {reason}"),
            Error::Merge(reason) => f.write_str(reason),
        }
    }
}

impl std::error::Error for Error {}

/// A thin 64-bit Mach-O, read and checked, ready to go into a universal binary.
#[derive(Debug, Clone)]
pub struct Slice<'a> {
    file: &'a str,
    data: &'a [u8],
    arch: Arch,
    cputype: u32,
    cpusubtype: u32,
}

impl<'a> Slice<'a> {
    /// Reads `data` (named `file` in errors) as a thin 64-bit Mach-O for x86_64 or arm64;
    /// its CPU type and subtype come from its own header.
    pub fn read(file: &'a str, data: &'a [u8]) -> Result<Self, Error> {
        let refuse = |reason: String| Error::Input {
            file: file.to_string(),
            reason,
        };
        match FileKind::parse(data) {
            Ok(FileKind::MachO64) => {}
            Ok(FileKind::MachO32) => {
                return Err(refuse(
                    "is a 32-bit Mach-O; a universal binary here is made of thin 64-bit Mach-O binaries".into(),
                ));
            }
            Ok(FileKind::MachOFat32 | FileKind::MachOFat64) => {
                return Err(refuse(
                    "is already a universal (fat) Mach-O; give the thin per-architecture binaries"
                        .into(),
                ));
            }
            Ok(kind) => {
                return Err(refuse(format!(
                    "is not a Mach-O binary (it reads as {kind:?}); a universal binary is made of thin 64-bit Mach-O binaries"
                )));
            }
            Err(e) => {
                return Err(refuse(format!(
                    "is not a Mach-O binary ({e}); a universal binary is made of thin 64-bit Mach-O binaries"
                )));
            }
        }
        let damaged = |e: object::Error| refuse(format!("is a damaged Mach-O: {e}"));
        let header = macho::MachHeader64::<Endianness>::parse(data, 0).map_err(damaged)?;
        let endian = header.endian().map_err(damaged)?;
        // Every load command within the file and readable: a Mach-O, not only its magic.
        let mut commands = header.load_commands(endian, data, 0).map_err(damaged)?;
        while let Some(command) = commands.next().map_err(damaged)? {
            command.variant().map_err(damaged)?;
        }
        let (cputype, cpusubtype) = (header.cputype(endian), header.cpusubtype(endian));
        let arch = Arch::from_cputype(cputype).ok_or_else(|| {
            refuse(format!(
                "is a Mach-O for CPU type {cputype:#x}; a universal binary here holds x86_64 and arm64 slices"
            ))
        })?;
        Ok(Slice {
            file,
            data,
            arch,
            cputype,
            cpusubtype,
        })
    }

    pub fn arch(&self) -> Arch {
        self.arch
    }

    pub fn cputype(&self) -> u32 {
        self.cputype
    }

    pub fn cpusubtype(&self) -> u32 {
        self.cpusubtype
    }
}

/// The universal binary of `slices`: one per architecture, x86_64 first, each at a
/// multiple of 2^[`ALIGN_LOG2`].
pub fn merge(slices: &[Slice<'_>]) -> Result<Vec<u8>, Error> {
    if slices.is_empty() {
        return Err(Error::Merge(
            "no slices: a universal binary needs at least one Mach-O binary".into(),
        ));
    }
    let mut ordered: Vec<&Slice> = slices.iter().collect();
    ordered.sort_by_key(|s| s.arch);
    if let Some(pair) = ordered.windows(2).find(|pair| pair[0].arch == pair[1].arch) {
        return Err(Error::Merge(format!(
            "{} and {} are both {} binaries; a universal binary holds one slice per architecture",
            pair[0].file, pair[1].file, pair[0].arch
        )));
    }
    let too_large = || {
        Error::Merge(
            "the slices are too large for a universal binary's 32-bit offsets and sizes (4 GiB)"
                .into(),
        )
    };
    let count = u32::try_from(ordered.len()).map_err(|_| too_large())?;
    let align = 1u64 << ALIGN_LOG2;
    let mut end = (size_of::<FatHeader>() + ordered.len() * size_of::<FatArch32>()) as u64;
    let mut archs = Vec::with_capacity(ordered.len());
    for slice in &ordered {
        let offset = end.next_multiple_of(align);
        let size = slice.data.len() as u64;
        end = offset + size;
        let (Ok(offset), Ok(size)) = (u32::try_from(offset), u32::try_from(size)) else {
            return Err(too_large());
        };
        archs.push(FatArch32 {
            cputype: U32::new(BigEndian, slice.cputype),
            cpusubtype: U32::new(BigEndian, slice.cpusubtype),
            offset: U32::new(BigEndian, offset),
            size: U32::new(BigEndian, size),
            align: U32::new(BigEndian, ALIGN_LOG2),
        });
    }
    let total = usize::try_from(end).map_err(|_| too_large())?;
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(object::pod::bytes_of(&FatHeader {
        magic: U32::new(BigEndian, macho::FAT_MAGIC),
        nfat_arch: U32::new(BigEndian, count),
    }));
    out.extend_from_slice(object::pod::bytes_of_slice(&archs));
    for (arch, slice) in archs.iter().zip(&ordered) {
        out.resize(arch.offset.get(BigEndian) as usize, 0);
        out.extend_from_slice(slice.data);
    }
    debug_assert_eq!(out.len(), total);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use object::endian::LittleEndian;
    use object::read::macho::{FatArch, MachOFatFile32};

    /// A minimal thin 64-bit Mach-O executable header for `cputype`, followed by `body`.
    fn thin(cputype: u32, cpusubtype: u32, body: &[u8]) -> Vec<u8> {
        let le = LittleEndian;
        let header = macho::MachHeader64::<LittleEndian> {
            magic: U32::new(BigEndian, macho::MH_CIGAM_64),
            cputype: U32::new(le, cputype),
            cpusubtype: U32::new(le, cpusubtype),
            filetype: U32::new(le, macho::MH_EXECUTE),
            ncmds: U32::new(le, 0),
            sizeofcmds: U32::new(le, 0),
            flags: U32::new(le, 0),
            reserved: U32::new(le, 0),
        };
        let mut data = object::pod::bytes_of(&header).to_vec();
        data.extend_from_slice(body);
        data
    }

    fn x86_64(body: &[u8]) -> Vec<u8> {
        thin(macho::CPU_TYPE_X86_64, macho::CPU_SUBTYPE_X86_64_ALL, body)
    }

    fn arm64(body: &[u8]) -> Vec<u8> {
        thin(macho::CPU_TYPE_ARM64, macho::CPU_SUBTYPE_ARM64_ALL, body)
    }

    fn input_error(result: Result<Slice<'_>, Error>) -> String {
        match result {
            Err(Error::Input { file, reason }) => format!("{file}: {reason}"),
            other => panic!("expected an input error, got {other:?}"),
        }
    }

    #[test]
    fn reads_the_architecture_from_the_header() {
        let a = x86_64(b"text");
        let slice = Slice::read("a", &a).unwrap();
        assert_eq!(
            (slice.arch(), slice.cputype(), slice.cpusubtype()),
            (Arch::X86_64, 0x0100_0007, 3)
        );
        let b = thin(macho::CPU_TYPE_ARM64, macho::CPU_SUBTYPE_ARM64E, b"");
        let slice = Slice::read("b", &b).unwrap();
        assert_eq!((slice.arch(), slice.cpusubtype()), (Arch::Arm64, 2));
        assert_eq!(Arch::from_goarch("amd64"), Some(Arch::X86_64));
        assert_eq!(Arch::from_goarch("arm64").map(Arch::goarch), Some("arm64"));
        assert_eq!(Arch::from_goarch("386"), None);
    }

    /// The header as `<mach-o/fat.h>` lays it out, written out byte by byte, and each
    /// slice where its `fat_arch` says, byte-equal to the input.
    #[test]
    fn writes_lipos_layout() {
        let a = x86_64(&[0xaa; 100]);
        let b = arm64(&[0xbb; 20_000]);
        // Given arm64 first: lipo's order puts x86_64 first all the same.
        let slices = [Slice::read("b", &b).unwrap(), Slice::read("a", &a).unwrap()];
        let fat = merge(&slices).unwrap();

        let second = (16384 + a.len()).next_multiple_of(16384);
        let mut expected = Vec::new();
        for word in [
            0xcafe_babe,
            2,
            0x0100_0007,
            3,
            16384,
            a.len() as u32,
            14,
            0x0100_000c,
            0,
            second as u32,
            b.len() as u32,
            14,
        ] {
            expected.extend_from_slice(&u32::to_be_bytes(word));
        }
        assert_eq!(fat[..48], expected[..]);
        assert!(fat[48..16384].iter().all(|&b| b == 0));
        assert_eq!(fat[16384..16384 + a.len()], a[..]);
        assert!(fat[16384 + a.len()..second].iter().all(|&b| b == 0));
        assert_eq!(fat[second..], b[..]);

        // And as `object`'s reader sees it.
        let file = MachOFatFile32::parse(&*fat).unwrap();
        let archs: Vec<_> = file
            .arches()
            .iter()
            .map(|arch| (arch.cputype(), arch.align(), arch.data(&*fat).unwrap()))
            .collect();
        assert_eq!(
            archs,
            [
                (macho::CPU_TYPE_X86_64, 14, &a[..]),
                (macho::CPU_TYPE_ARM64, 14, &b[..])
            ]
        );
        assert_eq!(FileKind::parse(&*fat).unwrap(), FileKind::MachOFat32);
    }

    #[test]
    fn is_reproducible() {
        let a = x86_64(&[1; 5000]);
        let b = arm64(&[2; 7000]);
        let one = merge(&[Slice::read("a", &a).unwrap(), Slice::read("b", &b).unwrap()]).unwrap();
        let two = merge(&[Slice::read("b", &b).unwrap(), Slice::read("a", &a).unwrap()]).unwrap();
        assert_eq!(one, two);
    }

    #[test]
    fn refuses_what_is_not_a_thin_64_bit_mach_o() {
        let elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0".repeat(8);
        let err = input_error(Slice::read("hello_darwin_amd64/hello", &elf));
        assert!(
            err.starts_with("hello_darwin_amd64/hello: is not a Mach-O binary"),
            "{err}"
        );
        let err = input_error(Slice::read("x", b"#!/bin/sh\n"));
        assert!(err.starts_with("x: is not a Mach-O binary"), "{err}");

        let a = x86_64(b"");
        let b = arm64(b"");
        let fat = merge(&[Slice::read("a", &a).unwrap(), Slice::read("b", &b).unwrap()]).unwrap();
        let err = input_error(Slice::read("fat", &fat));
        assert!(err.contains("fat: is already a universal"), "{err}");

        let mut thirty_two = object::pod::bytes_of(&macho::MachHeader32::<LittleEndian> {
            magic: U32::new(BigEndian, macho::MH_CIGAM),
            cputype: U32::new(LittleEndian, macho::CPU_TYPE_X86),
            cpusubtype: U32::new(LittleEndian, 3),
            filetype: U32::new(LittleEndian, macho::MH_EXECUTE),
            ncmds: U32::new(LittleEndian, 0),
            sizeofcmds: U32::new(LittleEndian, 0),
            flags: U32::new(LittleEndian, 0),
        })
        .to_vec();
        thirty_two.extend_from_slice(&[0; 64]);
        let err = input_error(Slice::read("i386", &thirty_two));
        assert!(err.contains("i386: is a 32-bit Mach-O"), "{err}");

        let ppc = thin(macho::CPU_TYPE_POWERPC64, 0, b"");
        let err = input_error(Slice::read("ppc", &ppc));
        assert!(
            err.contains("ppc: is a Mach-O for CPU type 0x1000012"),
            "{err}"
        );

        // Load commands promised but missing, or cut short.
        let mut damaged = x86_64(b"");
        damaged[16..20].copy_from_slice(&3u32.to_le_bytes());
        damaged[20..24].copy_from_slice(&4096u32.to_le_bytes());
        let err = input_error(Slice::read("damaged", &damaged));
        assert!(err.contains("damaged: is a damaged Mach-O"), "{err}");
        let mut short = x86_64(&[0x19, 0, 0, 0, 8, 0, 0, 0]);
        short[16..20].copy_from_slice(&1u32.to_le_bytes());
        short[20..24].copy_from_slice(&8u32.to_le_bytes());
        let err = input_error(Slice::read("short", &short));
        assert!(err.contains("short: is a damaged Mach-O"), "{err}");
        let err = input_error(Slice::read("header", &x86_64(b"")[..20]));
        assert!(err.contains("header: is a damaged Mach-O"), "{err}");
    }

    #[test]
    fn refuses_two_slices_of_one_architecture_and_none() {
        let a = x86_64(b"1");
        let b = x86_64(b"2");
        let err = merge(&[
            Slice::read("one", &a).unwrap(),
            Slice::read("two", &b).unwrap(),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("one and two are both x86_64 binaries"),
            "{err}"
        );
        assert!(matches!(merge(&[]), Err(Error::Merge(_))));
    }
}
