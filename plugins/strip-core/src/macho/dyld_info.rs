//! The segments LC_DYLD_INFO's rebase and bind opcodes write into.
//!
//! Those opcodes name segments by their index among the segment load commands
//! (`*_OPCODE_SET_SEGMENT_AND_OFFSET_ULEB`), so removing a segment command shifts the
//! index of every later one. Removing `__DWARF` is only safe when no opcode names it or
//! a segment after it; this walks the opcode streams (as dyld does, see `mach-o/loader.h`)
//! to find the highest index they use.

use object::macho;

use crate::{Error, malformed};

#[derive(Clone, Copy)]
pub enum Stream {
    Rebase,
    /// Bind, weak bind and lazy bind: one grammar.
    Bind,
}

/// The highest segment index `opcodes` sets, if any.
pub fn highest_segment(opcodes: &[u8], stream: Stream) -> Result<Option<u8>, Error> {
    let bad = |what: &str| malformed("Mach-O", format!("dyld info opcodes: {what}"));
    let mut highest = None;
    let mut at = 0;
    while let Some(&byte) = opcodes.get(at) {
        at += 1;
        let immediate = byte & 0x0f;
        let uleb = |at: &mut usize| skip_leb(opcodes, at).ok_or_else(|| bad("truncated"));
        match stream {
            Stream::Rebase => match byte & macho::REBASE_OPCODE_MASK {
                macho::REBASE_OPCODE_DONE
                | macho::REBASE_OPCODE_SET_TYPE_IMM
                | macho::REBASE_OPCODE_ADD_ADDR_IMM_SCALED
                | macho::REBASE_OPCODE_DO_REBASE_IMM_TIMES => {}
                macho::REBASE_OPCODE_SET_SEGMENT_AND_OFFSET_ULEB => {
                    highest = highest.max(Some(immediate));
                    uleb(&mut at)?;
                }
                macho::REBASE_OPCODE_ADD_ADDR_ULEB
                | macho::REBASE_OPCODE_DO_REBASE_ULEB_TIMES
                | macho::REBASE_OPCODE_DO_REBASE_ADD_ADDR_ULEB => uleb(&mut at)?,
                macho::REBASE_OPCODE_DO_REBASE_ULEB_TIMES_SKIPPING_ULEB => {
                    uleb(&mut at)?;
                    uleb(&mut at)?;
                }
                other => return Err(bad(&format!("unknown rebase opcode {other:#x}"))),
            },
            Stream::Bind => match byte & macho::BIND_OPCODE_MASK {
                // DONE also separates the entries of the lazy bind stream.
                macho::BIND_OPCODE_DONE
                | macho::BIND_OPCODE_SET_DYLIB_ORDINAL_IMM
                | macho::BIND_OPCODE_SET_DYLIB_SPECIAL_IMM
                | macho::BIND_OPCODE_SET_TYPE_IMM
                | macho::BIND_OPCODE_DO_BIND
                | macho::BIND_OPCODE_DO_BIND_ADD_ADDR_IMM_SCALED => {}
                macho::BIND_OPCODE_SET_SYMBOL_TRAILING_FLAGS_IMM => {
                    let len = opcodes[at..]
                        .iter()
                        .position(|&b| b == 0)
                        .ok_or_else(|| bad("unterminated symbol name"))?;
                    at += len + 1;
                }
                macho::BIND_OPCODE_SET_SEGMENT_AND_OFFSET_ULEB => {
                    highest = highest.max(Some(immediate));
                    uleb(&mut at)?;
                }
                macho::BIND_OPCODE_SET_DYLIB_ORDINAL_ULEB
                | macho::BIND_OPCODE_SET_ADDEND_SLEB
                | macho::BIND_OPCODE_ADD_ADDR_ULEB
                | macho::BIND_OPCODE_DO_BIND_ADD_ADDR_ULEB => uleb(&mut at)?,
                macho::BIND_OPCODE_DO_BIND_ULEB_TIMES_SKIPPING_ULEB => {
                    uleb(&mut at)?;
                    uleb(&mut at)?;
                }
                macho::BIND_OPCODE_THREADED => match immediate {
                    macho::BIND_SUBOPCODE_THREADED_SET_BIND_ORDINAL_TABLE_SIZE_ULEB => {
                        uleb(&mut at)?
                    }
                    macho::BIND_SUBOPCODE_THREADED_APPLY => {}
                    other => return Err(bad(&format!("unknown threaded bind opcode {other:#x}"))),
                },
                other => return Err(bad(&format!("unknown bind opcode {other:#x}"))),
            },
        }
    }
    Ok(highest)
}

/// Steps over one (U or S)LEB128 number: bytes with the high bit set, then one without.
fn skip_leb(data: &[u8], at: &mut usize) -> Option<()> {
    let len = data.get(*at..)?.iter().position(|&b| b & 0x80 == 0)?;
    *at += len + 1;
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_indices_are_found_past_names_and_numbers() {
        // Ordinal 1, symbol "_x", segment 2 at offset 0x8080 (two-byte ULEB), bind, done.
        let bind = [
            0x11, 0x40, b'_', b'x', 0, 0x72, 0x80, 0x81, 0x02, 0x90, 0x00,
        ];
        assert_eq!(highest_segment(&bind, Stream::Bind).unwrap(), Some(2));
        // Type pointer, segment 3 offset 0, rebase 4 times, done.
        let rebase = [0x11, 0x23, 0x00, 0x54, 0x00];
        assert_eq!(highest_segment(&rebase, Stream::Rebase).unwrap(), Some(3));
        assert_eq!(highest_segment(&[], Stream::Bind).unwrap(), None);
        assert!(highest_segment(&[0x72, 0x80], Stream::Bind).is_err());
        assert!(highest_segment(&[0x40, b'_'], Stream::Bind).is_err());
        assert!(highest_segment(&[0xe0], Stream::Bind).is_err());
    }
}
