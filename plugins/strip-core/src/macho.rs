//! Mach-O: a thin 64-bit executable (x86_64 or arm64, `MH_EXECUTE`) is stripped as
//! Apple's `strip` strips an executable that uses dyld (`strip -u -r`): its local and
//! debugging (stab) symbols and its defined external symbols go; what dyld may look up
//! stays: undefined symbols, symbols the indirect symbol table names, and symbols marked
//! `REFERENCED_DYNAMICALLY` (ld64's `__mh_execute_header`). Go's `__DWARF` segment goes
//! too, unless debug information is kept.
//!
//! Only `__LINKEDIT` is rewritten. Everything in it before the symbol table (rebase and
//! bind opcodes or chained fixups, the exports trie, function starts, data in code)
//! stays byte for byte; after it come, as ld64 lays them out, the new symbol table
//! (8-byte aligned), the indirect symbol table with remapped indices, the string table
//! with only the kept names, and a new ad-hoc signature (16-byte aligned, see
//! [`signature`]) when the input had a linker-made one. In the load commands only
//! LC_SYMTAB, LC_DYSYMTAB, LC_CODE_SIGNATURE, the `__LINKEDIT` segment's
//! `fileoff`/`filesize`/`vmsize` and the offsets into a moved `__LINKEDIT` change.
//!
//! `__DWARF` lies between `__DATA` and `__LINKEDIT` in Go's executables: dropping it
//! removes its segment command (the commands after it move up, the freed bytes are
//! zeroed) and moves `__LINKEDIT` down by a whole number of pages, its address
//! unchanged. That is only done when nothing can refer to the segment indices or
//! section numbers that change (see `Plan::dwarf_removal`); otherwise the binary is
//! refused.
//!
//! Anything else (universal files, 32-bit, libraries, object files, other CPUs, a
//! signature made by `codesign`, load commands this code does not know) is refused
//! unless there is nothing to remove. The result is checked before it is returned
//! (`verify`): every other segment's bytes and every other load command are those of
//! the input, and the symbols dyld uses are all there.

mod dyld_info;
mod signature;

use std::collections::HashSet;
use std::mem::size_of;
use std::ops::Range;

use object::macho::{
    self, DyldInfoCommand, DysymtabCommand, LinkeditDataCommand, MachHeader64, Nlist64,
    SegmentCommand64, SymtabCommand,
};
use object::read::StringTable;
use object::read::macho::{LoadCommandVariant, MachHeader, Nlist, Segment, SymbolTable};
use object::{Endianness, FileKind, Pod, ReadRef, U32};

use crate::{Error, Outcome, malformed};
use dyld_info::Stream;
use signature::{ExecSegment, LinkerSignature};

const ADVICE: &str = "link it stripped instead (Go: -ldflags=\"-s -w\"), or leave Mach-O out of the stage's `formats`";

pub fn strip(data: &[u8], keep_debug: bool) -> Result<Outcome, Error> {
    let survey = match FileKind::parse(data).map_err(|e| malformed("Mach-O", e))? {
        FileKind::MachO64 => survey::<MachHeader64<Endianness>>(data, keep_debug)?,
        FileKind::MachO32 => survey::<macho::MachHeader32<Endianness>>(data, keep_debug)?,
        FileKind::MachOFat32 | FileKind::MachOFat64 => {
            return Err(Error::Unsupported(format!(
                "a universal (fat) Mach-O binary; strip the thin binary of each architecture before joining them, or {ADVICE}"
            )));
        }
        _ => return Err(malformed("Mach-O", "unknown Mach-O kind")),
    };
    if survey.nothing_to_remove {
        return Ok(Outcome::AlreadyStripped);
    }
    if let Some(kind) = survey.unsupported {
        return Err(Error::Unsupported(format!(
            "{kind} with symbols or debug information; only thin 64-bit x86_64 and arm64 executables are stripped: {ADVICE}"
        )));
    }
    let input = Input::parse(data)?;
    let plan = Plan::new(&input, keep_debug)?;
    let output = build(&input, &plan)?;
    verify(&input, &plan, &output)?;
    let mut removed = Vec::new();
    if plan.dwarf.is_some() {
        removed.push("__DWARF".to_string());
    }
    let dropped = input.symbols().len() - plan.order.len();
    if dropped > 0 {
        removed.push(format!("{dropped} symbols"));
    }
    Ok(Outcome::Stripped {
        bytes: output,
        removed,
    })
}

/// Whether `strip` keeps a symbol of an executable: it is undefined, dyld looks it up
/// (`REFERENCED_DYNAMICALLY`), or a stub or pointer names it in the indirect symbol
/// table. Stabs, locals and the other defined symbols go.
fn keeps(n_type: u8, n_desc: u16, in_indirect_table: bool) -> bool {
    if in_indirect_table {
        return true;
    }
    if n_type & macho::N_STAB != 0 {
        return false;
    }
    let undefined = matches!(n_type & macho::N_TYPE, macho::N_UNDF | macho::N_PBUD);
    let dynamic = n_type & macho::N_EXT != 0 && n_desc & macho::REFERENCED_DYNAMICALLY != 0;
    undefined || dynamic
}

/// LC_DYSYMTAB's groups: locals (and stabs), defined externals, undefined externals.
fn group(n_type: u8) -> u8 {
    if n_type & macho::N_STAB != 0 || n_type & macho::N_EXT == 0 {
        0
    } else if matches!(n_type & macho::N_TYPE, macho::N_UNDF | macho::N_PBUD) {
        2
    } else {
        1
    }
}

/// What stripping would remove from any Mach-O, and whether this code can do it.
struct Survey {
    nothing_to_remove: bool,
    /// Why a file with something to remove cannot be stripped here.
    unsupported: Option<String>,
}

fn survey<H: MachHeader<Endian = Endianness>>(
    data: &[u8],
    keep_debug: bool,
) -> Result<Survey, Error> {
    let header = H::parse(data, 0).map_err(|e| malformed("Mach-O", e))?;
    let endian = header.endian().map_err(|e| malformed("Mach-O", e))?;
    let mut commands = header
        .load_commands(endian, data, 0)
        .map_err(|e| malformed("Mach-O", e))?;
    let mut dwarf = false;
    let mut symtab = None;
    let mut indirect: &[U32<Endianness>] = &[];
    while let Some(command) = commands.next().map_err(|e| malformed("Mach-O", e))? {
        match command.variant().map_err(|e| malformed("Mach-O", e))? {
            LoadCommandVariant::Segment32(segment, _) => dwarf |= segment.name() == b"__DWARF",
            LoadCommandVariant::Segment64(segment, _) => dwarf |= segment.name() == b"__DWARF",
            LoadCommandVariant::Symtab(command) => symtab = Some(command),
            LoadCommandVariant::Dysymtab(command) => {
                indirect = data
                    .read_slice_at(
                        command.indirectsymoff.get(endian).into(),
                        command.nindirectsyms.get(endian) as usize,
                    )
                    .map_err(|()| malformed("Mach-O", "indirect symbol table out of bounds"))?;
            }
            _ => {}
        }
    }
    let mut needless = 0;
    if let Some(symtab) = symtab {
        let symbols = symtab
            .symbols::<H, _>(endian, data)
            .map_err(|e| malformed("Mach-O", e))?;
        let referenced = indirect_references(indirect, endian, symbols.len())?;
        needless = symbols
            .iter()
            .zip(&referenced)
            .filter(|&(s, &r)| !keeps(s.n_type(), s.n_desc(endian), r))
            .count();
    }
    let unsupported = if !header.is_type_64() {
        Some("a 32-bit Mach-O binary".to_string())
    } else {
        match header.filetype(endian) {
            macho::MH_EXECUTE => match header.cputype(endian) {
                macho::CPU_TYPE_X86_64 | macho::CPU_TYPE_ARM64 => None,
                cpu => Some(format!("a Mach-O executable for CPU type {cpu:#x}")),
            },
            macho::MH_DYLIB => Some("a Mach-O dynamic library (MH_DYLIB)".into()),
            macho::MH_OBJECT => Some("a Mach-O object file (MH_OBJECT)".into()),
            macho::MH_BUNDLE => Some("a Mach-O bundle (MH_BUNDLE)".into()),
            other => Some(format!("a Mach-O file of type {other}")),
        }
    };
    Ok(Survey {
        nothing_to_remove: needless == 0 && (!dwarf || keep_debug),
        unsupported,
    })
}

/// For each symbol, whether the indirect symbol table names it.
fn indirect_references(
    indirect: &[U32<Endianness>],
    endian: Endianness,
    symbols: usize,
) -> Result<Vec<bool>, Error> {
    let mut referenced = vec![false; symbols];
    for entry in indirect {
        let index = entry.get(endian);
        if index & (macho::INDIRECT_SYMBOL_LOCAL | macho::INDIRECT_SYMBOL_ABS) == 0 {
            *referenced.get_mut(index as usize).ok_or_else(|| {
                malformed("Mach-O", "an indirect symbol table entry past the symbols")
            })? = true;
        }
    }
    Ok(referenced)
}

type Header = MachHeader64<Endianness>;

/// A load command: where it is in the file, what it is.
#[derive(Debug, Clone, Copy)]
struct Command {
    offset: usize,
    cmd: u32,
    size: usize,
}

struct Seg<'data> {
    /// Index into `Input::commands`.
    command: usize,
    raw: &'data SegmentCommand64<Endianness>,
    /// The number (from 1, across all segments) of its first section.
    first_section: usize,
    nsects: usize,
}

impl Seg<'_> {
    fn name(&self) -> &[u8] {
        self.raw.name()
    }
    fn file_range(&self, endian: Endianness) -> Range<u64> {
        let start = self.raw.fileoff.get(endian);
        start..start.saturating_add(self.raw.filesize.get(endian))
    }
}

/// Data in `__LINKEDIT` a load command points at: the file offset is a `u32` field
/// `at` bytes into the command.
struct LinkeditRef {
    command: usize,
    at: usize,
    offset: u64,
    size: u64,
    what: &'static str,
}

/// A 64-bit executable, as far as stripping needs it.
struct Input<'data> {
    data: &'data [u8],
    endian: Endianness,
    page: u64,
    sizeofcmds: usize,
    commands: Vec<Command>,
    segments: Vec<Seg<'data>>,
    linkedit: usize,
    text: Option<usize>,
    dwarf: Option<usize>,
    symtab: Option<(usize, SymbolTable<'data, Header>)>,
    dysymtab: Option<(usize, &'data DysymtabCommand<Endianness>)>,
    indirect: &'data [U32<Endianness>],
    code_signature: Option<(usize, Range<u64>, LinkerSignature)>,
    /// Every other range of `__LINKEDIT` a load command names.
    others: Vec<LinkeditRef>,
    dyld_info: Option<&'data DyldInfoCommand<Endianness>>,
    chained_fixups: bool,
    split_info: bool,
}

/// Load commands with no file offsets outside `__TEXT`: left as they are.
const PLAIN_COMMANDS: &[u32] = &[
    macho::LC_UUID,
    macho::LC_BUILD_VERSION,
    macho::LC_VERSION_MIN_MACOSX,
    macho::LC_VERSION_MIN_IPHONEOS,
    macho::LC_VERSION_MIN_TVOS,
    macho::LC_VERSION_MIN_WATCHOS,
    macho::LC_SOURCE_VERSION,
    macho::LC_MAIN,
    macho::LC_LOAD_DYLIB,
    macho::LC_LOAD_WEAK_DYLIB,
    macho::LC_REEXPORT_DYLIB,
    macho::LC_LAZY_LOAD_DYLIB,
    macho::LC_LOAD_UPWARD_DYLIB,
    macho::LC_LOAD_DYLINKER,
    macho::LC_DYLD_ENVIRONMENT,
    macho::LC_RPATH,
    macho::LC_UNIXTHREAD,
    macho::LC_THREAD,
    macho::LC_ENCRYPTION_INFO_64,
    macho::LC_LINKER_OPTION,
    macho::LC_SUB_FRAMEWORK,
    macho::LC_SUB_UMBRELLA,
    macho::LC_SUB_CLIENT,
    macho::LC_SUB_LIBRARY,
];

impl<'data> Input<'data> {
    fn parse(data: &'data [u8]) -> Result<Self, Error> {
        let mal = |e: object::Error| malformed("Mach-O", e);
        if u32::try_from(data.len()).is_err() {
            return Err(Error::Unsupported("a Mach-O file of 4 GiB or more".into()));
        }
        let header = Header::parse(data, 0).map_err(mal)?;
        let endian = header.endian().map_err(mal)?;
        let mut iter = header.load_commands(endian, data, 0).map_err(mal)?;
        let mut input = Input {
            data,
            endian,
            page: if header.cputype(endian) == macho::CPU_TYPE_ARM64 {
                0x4000
            } else {
                0x1000
            },
            sizeofcmds: header.sizeofcmds(endian) as usize,
            commands: Vec::new(),
            segments: Vec::new(),
            linkedit: usize::MAX,
            text: None,
            dwarf: None,
            symtab: None,
            dysymtab: None,
            indirect: &[],
            code_signature: None,
            others: Vec::new(),
            dyld_info: None,
            chained_fixups: false,
            split_info: false,
        };
        let mut offset = size_of::<Header>();
        let mut sections = 0;
        let mut signature_command = None;
        while let Some(command) = iter.next().map_err(mal)? {
            let index = input.commands.len();
            let cmd = command.cmd();
            let mut linkedit = |at: usize, offset: u32, size: u64, what: &'static str| {
                input.others.push(LinkeditRef {
                    command: index,
                    at,
                    offset: offset.into(),
                    size,
                    what,
                })
            };
            match command.variant().map_err(mal)? {
                LoadCommandVariant::Segment64(raw, section_data) => {
                    let nsects = raw.sections(endian, section_data).map_err(mal)?.len();
                    input.segments.push(Seg {
                        command: index,
                        raw,
                        first_section: sections + 1,
                        nsects,
                    });
                    sections += nsects;
                }
                LoadCommandVariant::Symtab(symtab) if input.symtab.is_none() => {
                    let table = symtab.symbols::<Header, _>(endian, data).map_err(mal)?;
                    input.symtab = Some((index, table));
                }
                LoadCommandVariant::Dysymtab(d) if input.dysymtab.is_none() => {
                    let e = endian;
                    let (ntoc, nmodtab, nextref) =
                        (d.ntoc.get(e), d.nmodtab.get(e), d.nextrefsyms.get(e));
                    if ntoc != 0 || nmodtab != 0 || nextref != 0 {
                        return Err(Error::Unsupported(
                            "LC_DYSYMTAB has a table of contents, module table or referenced symbols (library tables)".into(),
                        ));
                    }
                    if d.nextrel.get(e) != 0 {
                        return Err(Error::Unsupported(
                            "external relocation entries name symbols by index (a binary linked without dyld info); not rewritten".into(),
                        ));
                    }
                    linkedit(
                        72,
                        d.locreloff.get(e),
                        u64::from(d.nlocrel.get(e)) * 8,
                        "local relocations",
                    );
                    input.indirect = data
                        .read_slice_at(
                            d.indirectsymoff.get(e).into(),
                            d.nindirectsyms.get(e) as usize,
                        )
                        .map_err(|()| malformed("Mach-O", "indirect symbol table out of bounds"))?;
                    input.dysymtab = Some((index, d));
                }
                LoadCommandVariant::DyldInfo(d) if input.dyld_info.is_none() => {
                    for (at, offset, size, what) in [
                        (8, d.rebase_off, d.rebase_size, "rebase info"),
                        (16, d.bind_off, d.bind_size, "bind info"),
                        (24, d.weak_bind_off, d.weak_bind_size, "weak bind info"),
                        (32, d.lazy_bind_off, d.lazy_bind_size, "lazy bind info"),
                        (40, d.export_off, d.export_size, "export info"),
                    ] {
                        linkedit(at, offset.get(endian), size.get(endian).into(), what);
                    }
                    input.dyld_info = Some(d);
                }
                LoadCommandVariant::LinkeditData(d)
                    if cmd != macho::LC_CODE_SIGNATURE || signature_command.is_none() =>
                {
                    let range = (d.dataoff.get(endian), d.datasize.get(endian).into());
                    let what = match cmd {
                        macho::LC_CODE_SIGNATURE => {
                            signature_command = Some((index, d));
                            "code signature"
                        }
                        macho::LC_SEGMENT_SPLIT_INFO => "split segment info",
                        macho::LC_FUNCTION_STARTS => "function starts",
                        macho::LC_DATA_IN_CODE => "data in code",
                        macho::LC_DYLIB_CODE_SIGN_DRS => "code signing DRs",
                        macho::LC_LINKER_OPTIMIZATION_HINT => "linker optimization hints",
                        macho::LC_DYLD_EXPORTS_TRIE => "exports trie",
                        macho::LC_DYLD_CHAINED_FIXUPS => "chained fixups",
                        _ => "linkedit data",
                    };
                    input.chained_fixups |= cmd == macho::LC_DYLD_CHAINED_FIXUPS;
                    input.split_info |= cmd == macho::LC_SEGMENT_SPLIT_INFO;
                    if cmd != macho::LC_CODE_SIGNATURE {
                        linkedit(8, range.0, range.1, what);
                    }
                }
                _ if PLAIN_COMMANDS.contains(&cmd) => {}
                _ => {
                    return Err(Error::Unsupported(format!(
                        "load command {cmd:#x} is not one this stripper knows (or appears twice); {ADVICE}"
                    )));
                }
            }
            let size = command.cmdsize() as usize;
            input.commands.push(Command { offset, cmd, size });
            offset += size;
        }
        let named = |name: &[u8]| {
            let mut found = input
                .segments
                .iter()
                .enumerate()
                .filter(|(_, s)| s.name() == name);
            match (found.next(), found.next()) {
                (Some((i, _)), None) => Ok(Some(i)),
                (None, _) => Ok(None),
                _ => Err(Error::Unsupported(format!(
                    "two {} segments",
                    String::from_utf8_lossy(name)
                ))),
            }
        };
        input.linkedit = named(b"__LINKEDIT")?
            .ok_or_else(|| Error::Unsupported("no __LINKEDIT segment".into()))?;
        input.text = named(b"__TEXT")?;
        input.dwarf = named(b"__DWARF")?;
        let le = input.segments[input.linkedit].file_range(endian);
        if le.end != data.len() as u64 || le.start > le.end {
            return Err(Error::Unsupported(format!(
                "__LINKEDIT ends at {:#x} but the file at {:#x}: data after __LINKEDIT is not kept",
                le.end,
                data.len()
            )));
        }
        for (i, segment) in input.segments.iter().enumerate() {
            let range = segment.file_range(endian);
            if i != input.linkedit && !range.is_empty() && range.end > le.start {
                return Err(Error::Unsupported(format!(
                    "segment {} lies after __LINKEDIT in the file",
                    String::from_utf8_lossy(segment.name())
                )));
            }
        }
        if let Some((index, command)) = signature_command {
            let start = u64::from(command.dataoff.get(endian));
            let range = start..start + u64::from(command.datasize.get(endian));
            let blob = data
                .get(range.start as usize..range.end as usize)
                .filter(|_| range.start >= le.start)
                .ok_or_else(|| malformed("Mach-O", "the code signature lies outside __LINKEDIT"))?;
            let signature = signature::read(blob)?;
            input.code_signature = Some((index, range, signature));
        }
        Ok(input)
    }

    fn symbols(&self) -> &'data [Nlist64<Endianness>] {
        self.symtab
            .as_ref()
            .map_or(&[], |(_, table)| table.iter().as_slice())
    }

    fn linkedit(&self) -> &Seg<'data> {
        &self.segments[self.linkedit]
    }

    fn symtab_command(&self) -> Option<&'data SymtabCommand<Endianness>> {
        let (index, _) = self.symtab.as_ref()?;
        let command = self.commands[*index];
        object::from_bytes(&self.data[command.offset..])
            .ok()
            .map(|(c, _)| c)
    }
}

/// What the stripped file keeps and where its parts go.
struct Plan {
    /// The kept symbols' old indices, in their new order.
    order: Vec<usize>,
    /// Old symbol index to new.
    new_index: Vec<u32>,
    /// Symbols in LC_DYSYMTAB's groups: locals, defined externals, undefined.
    groups: [u32; 3],
    /// `__DWARF`'s index among the segments, if it is removed.
    dwarf: Option<usize>,
    /// How far `__LINKEDIT` moves towards the start of the file.
    shift: u64,
    /// Where the symbol table, indirect symbol table, string table and signature
    /// begin: everything in `__LINKEDIT` before it is kept as it is.
    tail_start: u64,
}

impl Plan {
    fn new(input: &Input, keep_debug: bool) -> Result<Plan, Error> {
        let endian = input.endian;
        let symbols = input.symbols();
        let symtab = input
            .symtab_command()
            .ok_or_else(|| Error::Unsupported("no LC_SYMTAB".into()))?;
        let referenced = indirect_references(input.indirect, endian, symbols.len())?;
        let mut order: Vec<usize> = (0..symbols.len())
            .filter(|&i| {
                keeps(
                    symbols[i].n_type(),
                    symbols[i].n_desc(endian),
                    referenced[i],
                )
            })
            .collect();
        order.sort_by_key(|&i| group(symbols[i].n_type()));
        let mut new_index = vec![u32::MAX; symbols.len()];
        let mut groups = [0u32; 3];
        for (new, &old) in order.iter().enumerate() {
            let symbol = &symbols[old];
            if symbol.n_type() & macho::N_STAB == 0
                && symbol.n_type() & macho::N_TYPE == macho::N_INDR
            {
                return Err(Error::Unsupported(
                    "an indirect (N_INDR) symbol dyld needs; not rewritten".into(),
                ));
            }
            new_index[old] = new as u32;
            groups[usize::from(group(symbol.n_type()))] += 1;
        }

        // The tail: the tables this rewrites, all in __LINKEDIT, after everything else.
        let le = input.linkedit().file_range(endian);
        let nsyms = u64::from(symtab.nsyms.get(endian));
        let mut tail = vec![
            (
                range(symtab.symoff.get(endian).into(), nsyms * 16),
                "the symbol table",
            ),
            (
                range(
                    symtab.stroff.get(endian).into(),
                    symtab.strsize.get(endian).into(),
                ),
                "the string table",
            ),
        ];
        if let Some((_, d)) = input.dysymtab {
            let n = u64::from(d.nindirectsyms.get(endian));
            let offset = d.indirectsymoff.get(endian).into();
            tail.push((range(offset, n * 4), "the indirect symbol table"));
        }
        if let Some((_, signature, _)) = &input.code_signature {
            tail.push((signature.clone(), "the code signature"));
        }
        tail.retain(|(r, _)| !r.is_empty());
        for (r, what) in &tail {
            if r.start < le.start || r.end > le.end {
                return Err(malformed(
                    "Mach-O",
                    format!("{what} lies outside __LINKEDIT"),
                ));
            }
        }
        let tail_start = tail.iter().map(|(r, _)| r.start).min().unwrap_or(le.end);
        for other in input.others.iter().filter(|o| o.size > 0) {
            let r = range(other.offset, other.size);
            if r.start < le.start || r.end > le.end {
                return Err(malformed(
                    "Mach-O",
                    format!("{} lies outside __LINKEDIT", other.what),
                ));
            }
            if r.end > tail_start {
                return Err(Error::Unsupported(format!(
                    "__LINKEDIT holds {} after the symbol table; only a linker's usual layout is rewritten",
                    other.what
                )));
            }
        }

        let mut plan = Plan {
            order,
            new_index,
            groups,
            dwarf: None,
            shift: 0,
            tail_start,
        };
        if let Some(dwarf) = input.dwarf.filter(|_| !keep_debug) {
            plan.shift = plan.dwarf_removal(input, dwarf)?;
            plan.dwarf = Some(dwarf);
        }
        Ok(plan)
    }

    /// Checks that `__DWARF` can go and returns how far `__LINKEDIT` then moves.
    ///
    /// Removing its command renumbers the segments after it and the sections after
    /// its own, so it must be the last segment but `__LINKEDIT` (which has no sections
    /// and nothing to rebase or bind), no kept symbol may lie in it, and nothing may
    /// count segments: chained fixups list every segment, split info numbers sections.
    fn dwarf_removal(&self, input: &Input, dwarf: usize) -> Result<u64, Error> {
        let endian = input.endian;
        let refuse = |why: &str| {
            Error::Unsupported(format!(
                "the __DWARF segment cannot be removed safely: {why}; link without DWARF (Go: -ldflags=-w) or keep debug information"
            ))
        };
        if input.linkedit != dwarf + 1 || input.segments.len() != dwarf + 2 {
            return Err(refuse("it is not the last segment before __LINKEDIT"));
        }
        if input.linkedit().nsects != 0 {
            return Err(refuse("__LINKEDIT has sections"));
        }
        if input.chained_fixups {
            return Err(refuse("chained fixups count the segments"));
        }
        if input.split_info {
            return Err(refuse("split segment info numbers the sections"));
        }
        let dwarf_range = input.segments[dwarf].file_range(endian);
        let le = input.linkedit().file_range(endian);
        for (i, segment) in input.segments.iter().enumerate() {
            let r = segment.file_range(endian);
            if i != dwarf && i != input.linkedit && !r.is_empty() && r.end > dwarf_range.start {
                return Err(refuse("another segment follows it in the file"));
            }
        }
        if dwarf_range.end > le.start {
            return Err(refuse("it overlaps __LINKEDIT"));
        }
        if let Some(d) = input.dyld_info {
            let e = endian;
            let streams = [
                (d.rebase_off.get(e), d.rebase_size.get(e), Stream::Rebase),
                (d.bind_off.get(e), d.bind_size.get(e), Stream::Bind),
                (
                    d.weak_bind_off.get(e),
                    d.weak_bind_size.get(e),
                    Stream::Bind,
                ),
                (
                    d.lazy_bind_off.get(e),
                    d.lazy_bind_size.get(e),
                    Stream::Bind,
                ),
            ];
            for (offset, size, stream) in streams {
                let opcodes = input
                    .data
                    .read_bytes_at(offset.into(), size.into())
                    .map_err(|()| malformed("Mach-O", "dyld info out of bounds"))?;
                if dyld_info::highest_segment(opcodes, stream)?
                    .is_some_and(|s| usize::from(s) >= dwarf)
                {
                    return Err(refuse("dyld info writes into a segment at or after it"));
                }
            }
        }
        let first = input.segments[dwarf].first_section;
        let symbols = input.symbols();
        let in_dwarf = self.order.iter().any(|&i| {
            let s = &symbols[i];
            s.n_type() & macho::N_STAB == 0
                && s.n_type() & macho::N_TYPE == macho::N_SECT
                && usize::from(s.n_sect()) >= first
        });
        if in_dwarf {
            return Err(refuse("a symbol dyld needs lies in it"));
        }
        // A whole number of pages, so that __LINKEDIT's file offset keeps its place
        // within a page relative to its address.
        let gap = le.start - dwarf_range.start;
        Ok(gap - gap % input.page)
    }
}

fn range(start: u64, size: u64) -> Range<u64> {
    start..start.saturating_add(size)
}

fn pad_to(out: &mut Vec<u8>, alignment: usize) {
    out.resize(out.len().next_multiple_of(alignment), 0);
}

/// A load command structure in `out`, to edit.
fn command_mut<T: Pod>(out: &mut [u8], command: Command) -> Result<&mut T, Error> {
    out.get_mut(command.offset..command.offset + command.size)
        .and_then(|bytes| object::from_bytes_mut::<T>(bytes).ok())
        .map(|(value, _)| value)
        .ok_or_else(|| malformed("Mach-O", "a load command is too small"))
}

fn set_u32(out: &mut [u8], at: usize, value: u64, endian: Endianness) -> Result<(), Error> {
    let value = u32::try_from(value)
        .map_err(|_| Error::Unsupported("the stripped file would exceed 4 GiB".into()))?;
    let field = out
        .get_mut(at..at + 4)
        .ok_or_else(|| malformed("Mach-O", "a load command is too small"))?;
    field.copy_from_slice(object::bytes_of(&U32::new(endian, value)));
    Ok(())
}

fn build(input: &Input, plan: &Plan) -> Result<Vec<u8>, Error> {
    let endian = input.endian;
    let data = input.data;
    let le = input.linkedit().file_range(endian);
    let new_le = le.start - plan.shift;
    let shifted = |offset: u64| offset - plan.shift;
    let kept_until = match plan.dwarf {
        Some(dwarf) => input.segments[dwarf].file_range(endian).start,
        None => le.start,
    };
    if (size_of::<Header>() + input.sizeofcmds) as u64 > kept_until {
        return Err(malformed(
            "Mach-O",
            "the load commands overlap a segment's data",
        ));
    }
    let mut out = Vec::with_capacity(data.len());
    out.extend_from_slice(&data[..kept_until as usize]);
    out.resize(new_le as usize, 0);
    out.extend_from_slice(&data[le.start as usize..plan.tail_start as usize]);

    let symbols = input.symbols();
    let (_, table) = input
        .symtab
        .as_ref()
        .ok_or_else(|| Error::Unsupported("no LC_SYMTAB".into()))?;
    pad_to(&mut out, 8);
    let symoff = out.len();
    // ld64 starts the string table with " \0": index 0 stays the empty name.
    let mut strings = vec![b' ', 0];
    for &old in &plan.order {
        let mut symbol = symbols[old];
        if symbol.n_strx(endian) != 0 {
            let name = symbol
                .name(endian, table.strings())
                .map_err(|e| malformed("Mach-O", e))?;
            symbol.n_strx.set(endian, strings.len() as u32);
            strings.extend_from_slice(name);
            strings.push(0);
        }
        out.extend_from_slice(object::bytes_of(&symbol));
    }
    let indirectoff = out.len();
    for entry in input.indirect {
        let index = entry.get(endian);
        let index = if index & (macho::INDIRECT_SYMBOL_LOCAL | macho::INDIRECT_SYMBOL_ABS) != 0 {
            index
        } else {
            plan.new_index[index as usize]
        };
        out.extend_from_slice(object::bytes_of(&U32::new(endian, index)));
    }
    let stroff = out.len();
    out.extend_from_slice(&strings);
    pad_to(&mut out, 8);
    let strsize = out.len() - stroff;

    let signature = input.code_signature.as_ref().map(|(_, _, s)| s);
    let signature_at = signature.map(|signature| {
        pad_to(&mut out, 16);
        (out.len(), signature::data_size(signature, out.len()))
    });
    let end = signature_at.map_or(out.len(), |(at, size)| at + size);

    // The load commands, at their places in the input.
    let commands = &input.commands;
    if let Some((index, _)) = input.symtab {
        let symtab: &mut SymtabCommand<Endianness> = command_mut(&mut out, commands[index])?;
        symtab.symoff.set(endian, symoff as u32);
        symtab.nsyms.set(endian, plan.order.len() as u32);
        symtab.stroff.set(endian, stroff as u32);
        symtab.strsize.set(endian, strsize as u32);
    }
    if let Some((index, original)) = input.dysymtab {
        let [locals, defined, undefined] = plan.groups;
        let d: &mut DysymtabCommand<Endianness> = command_mut(&mut out, commands[index])?;
        d.ilocalsym.set(endian, 0);
        d.nlocalsym.set(endian, locals);
        d.iextdefsym.set(endian, locals);
        d.nextdefsym.set(endian, defined);
        d.iundefsym.set(endian, locals + defined);
        d.nundefsym.set(endian, undefined);
        if original.indirectsymoff.get(endian) != 0 || !input.indirect.is_empty() {
            d.indirectsymoff.set(endian, indirectoff as u32);
        }
    }
    for other in &input.others {
        if other.offset == 0 || other.offset < le.start {
            continue;
        }
        // An empty range may point anywhere in __LINKEDIT; keep it inside the file.
        let offset = other.offset.min(plan.tail_start);
        set_u32(
            &mut out,
            commands[other.command].offset + other.at,
            shifted(offset),
            endian,
        )?;
    }
    if let (Some((index, _, _)), Some((at, size))) = (&input.code_signature, signature_at) {
        let c: &mut LinkeditDataCommand<Endianness> = command_mut(&mut out, commands[*index])?;
        c.dataoff.set(endian, at as u32);
        c.datasize.set(endian, size as u32);
    }
    {
        let filesize = end as u64 - new_le;
        let segment: &mut SegmentCommand64<Endianness> =
            command_mut(&mut out, commands[input.linkedit().command])?;
        segment.fileoff.set(endian, new_le);
        segment.filesize.set(endian, filesize);
        segment
            .vmsize
            .set(endian, filesize.next_multiple_of(input.page));
    }
    if let Some(dwarf) = plan.dwarf {
        let removed = commands[input.segments[dwarf].command];
        let commands_end = size_of::<Header>() + input.sizeofcmds;
        out.copy_within(removed.offset + removed.size..commands_end, removed.offset);
        out[commands_end - removed.size..commands_end].fill(0);
        let header: &mut Header = object::from_bytes_mut(&mut out)
            .map_err(|()| malformed("Mach-O", "truncated header"))?
            .0;
        header.ncmds.set(endian, header.ncmds.get(endian) - 1);
        header
            .sizeofcmds
            .set(endian, (input.sizeofcmds - removed.size) as u32);
    }

    if let (Some(signature), Some((at, _))) = (signature, signature_at) {
        let text = input
            .text
            .map(|t| input.segments[t].raw)
            .ok_or_else(|| Error::Unsupported("a signed executable without __TEXT".into()))?;
        let exec = ExecSegment {
            base: text.fileoff.get(endian),
            limit: text.filesize.get(endian),
            flags: signature::CS_EXECSEG_MAIN_BINARY,
        };
        let blob = signature::write(&out[..at], signature, exec);
        out.extend_from_slice(&blob);
    }
    if u32::try_from(out.len()).is_err() {
        return Err(Error::Unsupported(
            "the stripped file would exceed 4 GiB".into(),
        ));
    }
    debug_assert_eq!(out.len(), end);
    Ok(out)
}

/// Byte ranges (start, end) of a kept load command that stripping may change.
fn changeable(cmd: u32, is_linkedit: bool) -> &'static [(usize, usize)] {
    match cmd {
        // symoff, nsyms, stroff, strsize
        macho::LC_SYMTAB => &[(8, 24)],
        // the group indices and counts, indirectsymoff, locreloff
        macho::LC_DYSYMTAB => &[(8, 32), (56, 60), (72, 76)],
        // dataoff, datasize
        macho::LC_CODE_SIGNATURE => &[(8, 16)],
        // the offsets of rebase, bind, weak bind, lazy bind and export info
        macho::LC_DYLD_INFO | macho::LC_DYLD_INFO_ONLY => {
            &[(8, 12), (16, 20), (24, 28), (32, 36), (40, 44)]
        }
        // dataoff
        macho::LC_SEGMENT_SPLIT_INFO
        | macho::LC_FUNCTION_STARTS
        | macho::LC_DATA_IN_CODE
        | macho::LC_DYLIB_CODE_SIGN_DRS
        | macho::LC_LINKER_OPTIMIZATION_HINT
        | macho::LC_DYLD_EXPORTS_TRIE
        | macho::LC_DYLD_CHAINED_FIXUPS => &[(8, 12)],
        // vmsize, fileoff, filesize
        macho::LC_SEGMENT_64 if is_linkedit => &[(32, 56)],
        _ => &[],
    }
}

/// Everything outside `__LINKEDIT` must be as it was, and the new tables must name the
/// symbols the old ones did.
fn verify(input: &Input, plan: &Plan, output: &[u8]) -> Result<(), Error> {
    let broken = |why: String| {
        Error::Unsupported(format!(
            "stripping would break the executable ({why}); left as it was"
        ))
    };
    let endian = input.endian;
    let data = input.data;
    let header =
        Header::parse(output, 0).map_err(|e| broken(format!("output does not parse: {e}")))?;
    object::read::macho::MachOFile64::<Endianness>::parse(output)
        .map_err(|e| broken(format!("output does not parse: {e}")))?;
    // The header: only ncmds and sizeofcmds may change.
    if data[..16] != output[..16] || data[24..32] != output[24..32] {
        return Err(broken("the Mach-O header changed".into()));
    }
    let mut new_commands = Vec::new();
    let mut iter = header
        .load_commands(endian, output, 0)
        .map_err(|e| broken(e.to_string()))?;
    let mut offset = size_of::<Header>();
    while let Some(command) = iter.next().map_err(|e| broken(e.to_string()))? {
        new_commands.push(Command {
            offset,
            cmd: command.cmd(),
            size: command.cmdsize() as usize,
        });
        offset += command.cmdsize() as usize;
    }
    let dwarf_command = plan.dwarf.map(|d| input.segments[d].command);
    let old_commands: Vec<(usize, &Command)> = input
        .commands
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != dwarf_command)
        .collect();
    if old_commands.len() != new_commands.len() {
        return Err(broken("load commands were lost".into()));
    }
    let linkedit_command = input.linkedit().command;
    for ((index, old), new) in old_commands.into_iter().zip(&new_commands) {
        let before = &data[old.offset..old.offset + old.size];
        let after = output
            .get(new.offset..new.offset + new.size)
            .ok_or_else(|| broken("load commands out of bounds".into()))?;
        let mask = changeable(old.cmd, index == linkedit_command);
        let same = old.cmd == new.cmd
            && old.size == new.size
            && (0..old.size).all(|i| {
                before[i] == after[i] || mask.iter().any(|&(start, end)| (start..end).contains(&i))
            });
        if !same {
            return Err(broken(format!("load command {:#x} changed", old.cmd)));
        }
    }
    // After the commands: what followed them in the input, then the freed bytes, zeroed.
    let commands_end = size_of::<Header>() + input.sizeofcmds;
    let removed = dwarf_command.map_or(0, |c| input.commands[c].size);
    let old_end = input
        .commands
        .last()
        .map_or(size_of::<Header>(), |c| c.offset + c.size);
    let rest = output.get(offset..commands_end).unwrap_or_default();
    let (moved, freed) = rest.split_at(rest.len().saturating_sub(removed));
    if header.sizeofcmds(endian) as usize != input.sizeofcmds - removed
        || moved != &data[old_end..commands_end]
        || freed.len() != removed
        || freed.iter().any(|&b| b != 0)
    {
        return Err(broken("the load command area changed".into()));
    }
    // Every other segment's file bytes, past the header and load commands.
    for (i, segment) in input.segments.iter().enumerate() {
        if i == input.linkedit || Some(i) == plan.dwarf {
            continue;
        }
        let r = segment.file_range(endian);
        let start = (r.start as usize).max(commands_end.min(r.end as usize));
        let end = r.end as usize;
        if data.get(start..end) != output.get(start..end) {
            return Err(broken(format!(
                "segment {} changed",
                String::from_utf8_lossy(segment.name())
            )));
        }
    }
    // __LINKEDIT's data before the symbol table, where __LINKEDIT now starts.
    let le = input.linkedit().file_range(endian);
    let head = &data[le.start as usize..plan.tail_start as usize];
    let new_le = (le.start - plan.shift) as usize;
    if output.get(new_le..new_le + head.len()) != Some(head) {
        return Err(broken(
            "__LINKEDIT's dyld information moved or changed".into(),
        ));
    }
    verify_symbols(input, output, &new_commands).map_err(broken)?;
    // The signature: where LC_CODE_SIGNATURE says, at the end of the file.
    let new_signature = new_commands
        .iter()
        .find(|c| c.cmd == macho::LC_CODE_SIGNATURE)
        .map(|&c| -> Result<(Range<usize>, LinkerSignature), String> {
            let (command, _) =
                object::from_bytes::<LinkeditDataCommand<Endianness>>(&output[c.offset..])
                    .map_err(|()| "LC_CODE_SIGNATURE".to_string())?;
            let start = command.dataoff.get(endian) as usize;
            let range = start..start + command.datasize.get(endian) as usize;
            let blob = output.get(range.clone()).ok_or("signature out of bounds")?;
            Ok((range, signature::read(blob).map_err(|e| e.to_string())?))
        })
        .transpose()
        .map_err(broken)?;
    match (&input.code_signature, new_signature) {
        (None, None) => {}
        (Some((_, _, old)), Some((range, new)))
            if *old == new && range.end == output.len() && range.start % 16 == 0 => {}
        _ => return Err(broken("the code signature was not re-created".into())),
    }
    Ok(())
}

/// The output's symbols: only what `strip` keeps, in LC_DYSYMTAB's groups, every
/// undefined symbol of the input, and an indirect symbol table naming the same
/// symbols as before.
fn verify_symbols(input: &Input, output: &[u8], commands: &[Command]) -> Result<(), String> {
    let endian = input.endian;
    let find = |cmd: u32| {
        commands
            .iter()
            .find(|c| c.cmd == cmd)
            .map(|c| &output[c.offset..])
    };
    let symtab = find(macho::LC_SYMTAB)
        .and_then(|bytes| object::from_bytes::<SymtabCommand<Endianness>>(bytes).ok())
        .ok_or("no LC_SYMTAB")?
        .0;
    let table = symtab
        .symbols::<Header, _>(endian, output)
        .map_err(|e| e.to_string())?;
    let symbols = table.iter().as_slice();
    let strings = table.strings();
    let (indirect, groups) = match find(macho::LC_DYSYMTAB) {
        Some(bytes) => {
            let d = object::from_bytes::<DysymtabCommand<Endianness>>(bytes)
                .map_err(|()| "LC_DYSYMTAB")?
                .0;
            let indirect: &[U32<Endianness>] = output
                .read_slice_at(
                    d.indirectsymoff.get(endian).into(),
                    d.nindirectsyms.get(endian) as usize,
                )
                .map_err(|()| "indirect symbol table out of bounds")?;
            let e = endian;
            let groups = [
                (d.ilocalsym.get(e), d.nlocalsym.get(e)),
                (d.iextdefsym.get(e), d.nextdefsym.get(e)),
                (d.iundefsym.get(e), d.nundefsym.get(e)),
            ];
            (indirect, Some(groups))
        }
        None => (&[][..], None),
    };
    if let Some(groups) = groups {
        let mut next = 0u64;
        for (g, (first, count)) in groups.into_iter().enumerate() {
            if u64::from(first) != next {
                return Err("LC_DYSYMTAB's groups are not consecutive".into());
            }
            next += u64::from(count);
            let members = symbols
                .get(first as usize..next as usize)
                .ok_or("LC_DYSYMTAB's groups run past the symbols")?;
            if members.iter().any(|s| usize::from(group(s.n_type())) != g) {
                return Err("a symbol is in the wrong LC_DYSYMTAB group".into());
            }
        }
        if next != symbols.len() as u64 {
            return Err("LC_DYSYMTAB's groups do not cover the symbols".into());
        }
    }
    let referenced =
        indirect_references(indirect, endian, symbols.len()).map_err(|e| e.to_string())?;
    if symbols
        .iter()
        .zip(&referenced)
        .any(|(s, &r)| !keeps(s.n_type(), s.n_desc(endian), r))
    {
        return Err("a symbol strip removes is left".into());
    }
    let old_table = input
        .symtab
        .as_ref()
        .map(|(_, t)| t.strings())
        .ok_or("no LC_SYMTAB")?;
    let kept: HashSet<Key> = symbols
        .iter()
        .map(|s| key(s, endian, strings))
        .collect::<Result<_, _>>()?;
    let old_symbols = input.symbols();
    for s in old_symbols.iter().filter(|s| group(s.n_type()) == 2) {
        if !kept.contains(&key(s, endian, old_table)?) {
            return Err("an undefined symbol went missing".into());
        }
    }
    if indirect.len() != input.indirect.len() {
        return Err("the indirect symbol table changed length".into());
    }
    for (old, new) in input.indirect.iter().zip(indirect) {
        let (old, new) = (old.get(endian), new.get(endian));
        let special = macho::INDIRECT_SYMBOL_LOCAL | macho::INDIRECT_SYMBOL_ABS;
        let same = if old & special != 0 {
            old == new
        } else {
            let new = symbols
                .get(new as usize)
                .ok_or("an indirect symbol out of range")?;
            key(&old_symbols[old as usize], endian, old_table)? == key(new, endian, strings)?
        };
        if !same {
            return Err("the indirect symbol table names other symbols".into());
        }
    }
    Ok(())
}

/// A symbol as dyld sees it: name, type, section, description, value.
type Key<'data> = (&'data [u8], u8, u8, u16, u64);

fn key<'data>(
    symbol: &Nlist64<Endianness>,
    endian: Endianness,
    strings: StringTable<'data>,
) -> Result<Key<'data>, String> {
    let name = symbol.name(endian, strings).map_err(|e| e.to_string())?;
    Ok((
        name,
        symbol.n_type(),
        symbol.n_sect(),
        symbol.n_desc(endian),
        symbol.n_value(endian),
    ))
}
