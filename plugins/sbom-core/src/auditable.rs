//! The crates a Rust binary was compiled from, as `cargo auditable` embeds them: a
//! `.dep-v0` section (ELF, PE, Mach-O's `__DATA,.dep-v0`, a wasm custom section; in a
//! component, the custom section of its core module) of zlib-compressed JSON,
//! `{"packages": [{"name", "version", "source", "kind", "dependencies": [indices],
//! "root": true}]}`. It lists what was built for the binary's target only, which
//! Cargo.lock cannot tell; sources are only kinds (`crates.io`, `git`, `local`,
//! `registry`) and there are no checksums, which [`crate::cargo::Crates::with_lock`] adds.

use std::io::Read;

use object::read::{Object, ObjectSection};

use crate::Error;
use crate::cargo::{Crate, Crates, Origin, Source};

/// The section's name in every format.
pub const SECTION: &str = ".dep-v0";

/// The most decompressed JSON read: a thousand crates take about 100 KiB, so this is far
/// beyond any real program, and it refuses a zip bomb.
pub const MAX_JSON: u64 = 8 << 20;

/// How deep components may nest core modules and components before the search gives up.
const MAX_WASM_DEPTH: u32 = 16;

/// The crates of the `cargo auditable` section of `binary`, or `None` when it has none
/// (or is in no format this reader knows). `package` names the program's package, for
/// sections written before `cargo auditable` marked the root.
pub fn read(binary: &[u8], package: Option<&str>) -> Result<Option<Crates>, Error> {
    match section(binary)? {
        Some(compressed) => decode(compressed, package).map(Some),
        None => Ok(None),
    }
}

/// The section's bytes, still compressed.
pub fn section(binary: &[u8]) -> Result<Option<&[u8]>, Error> {
    if binary.starts_with(b"\0asm") {
        return wasm_custom_section(binary, 0);
    }
    if object::FileKind::parse(binary).is_err() {
        return Ok(None);
    }
    let file = object::File::parse(binary)
        .map_err(|e| Error::Malformed(format!("cargo auditable: the binary: {e}")))?;
    let Some(section) = file
        .sections()
        .find(|s| s.name_bytes() == Ok(SECTION.as_bytes()))
    else {
        return Ok(None);
    };
    section
        .data()
        .map(Some)
        .map_err(|e| bad(format!("the section cannot be read: {e}")))
}

/// The custom section named [`SECTION`] of a core module, or of a core module or
/// component a component holds.
fn wasm_custom_section(binary: &[u8], depth: u32) -> Result<Option<&[u8]>, Error> {
    if depth > MAX_WASM_DEPTH {
        return Err(truncated_wasm("components nest too deeply"));
    }
    let header = binary
        .get(..8)
        .filter(|h| h.starts_with(b"\0asm"))
        .ok_or_else(|| truncated_wasm("no wasm header"))?;
    // The layer: 0 for a core module, 1 for a component.
    let component = header[6..8] == [1, 0];
    let mut rest = &binary[8..];
    while let Some((&id, after)) = rest.split_first() {
        rest = after;
        let size = leb128(&mut rest)?;
        let payload = rest
            .get(..size)
            .ok_or_else(|| truncated_wasm("a section extends past the end"))?;
        rest = &rest[size..];
        match id {
            0 => {
                let mut body = payload;
                let length = leb128(&mut body)?;
                let name = body
                    .get(..length)
                    .ok_or_else(|| truncated_wasm("a custom section's name is cut short"))?;
                if name == SECTION.as_bytes() {
                    return Ok(Some(&body[length..]));
                }
            }
            // A component's core module (1) and nested component (4) sections.
            1 | 4 if component => {
                if let Some(found) = wasm_custom_section(payload, depth + 1)? {
                    return Ok(Some(found));
                }
            }
            _ => {}
        }
    }
    Ok(None)
}

/// An unsigned LEB128 number of at most 32 bits, as wasm writes sizes.
fn leb128(data: &mut &[u8]) -> Result<usize, Error> {
    let mut value: u32 = 0;
    for i in 0..5 {
        let (&byte, rest) = data
            .split_first()
            .ok_or_else(|| truncated_wasm("a size is cut short"))?;
        *data = rest;
        value |= u32::from(byte & 0x7f)
            .checked_shl(7 * i)
            .filter(|_| i < 4 || byte < 0x10)
            .ok_or_else(|| truncated_wasm("a size is too large"))?;
        if byte & 0x80 == 0 {
            return Ok(value as usize);
        }
    }
    Err(truncated_wasm("a size is too long"))
}

/// The crates of the compressed JSON.
pub fn decode(compressed: &[u8], package: Option<&str>) -> Result<Crates, Error> {
    let mut json = Vec::new();
    flate2::read::ZlibDecoder::new(compressed)
        .take(MAX_JSON + 1)
        .read_to_end(&mut json)
        .map_err(|e| bad(format!("not zlib-compressed: {e}")))?;
    if json.len() as u64 > MAX_JSON {
        return Err(bad(format!(
            "it decompresses to more than {} MiB",
            MAX_JSON >> 20
        )));
    }
    let value: serde_json::Value =
        serde_json::from_slice(&json).map_err(|e| bad(format!("not valid JSON: {e}")))?;
    let packages = value
        .get("packages")
        .and_then(|p| p.as_array())
        .filter(|p| !p.is_empty())
        .ok_or_else(|| bad("no `packages` list"))?;
    let mut crates = Vec::new();
    let mut roots = Vec::new();
    for (n, package) in packages.iter().enumerate() {
        let (krate, root) = entry(package, n, packages.len())?;
        if root {
            roots.push(n);
        }
        crates.push(krate);
    }
    let root = match roots.as_slice() {
        [root] => *root,
        [] => unmarked_root(&crates, package)?,
        _ => return Err(bad("several packages are marked as the root")),
    };
    Ok(Crates::reachable(&crates, root, Origin::Auditable))
}

/// The `n`th of `count` packages, and whether it is the root.
fn entry(package: &serde_json::Value, n: usize, count: usize) -> Result<(Crate, bool), Error> {
    let text = |key: &str| {
        package
            .get(key)
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| bad(format!("package #{}: no `{key}`", n + 1)))
    };
    let (name, version, source) = (text("name")?, text("version")?, text("source")?);
    let what = |e: &str| bad(format!("package `{name} {version}`: {e}"));
    let build_only = match package.get("kind").map(|k| k.as_str()) {
        None | Some(Some("runtime")) => false,
        Some(Some("build")) => true,
        Some(_) => return Err(what("`kind` is neither `runtime` nor `build`")),
    };
    let dependencies = match package.get("dependencies") {
        None => Vec::new(),
        Some(deps) => deps
            .as_array()
            .and_then(|deps| {
                deps.iter()
                    .map(|d| {
                        d.as_u64()
                            .and_then(|d| usize::try_from(d).ok())
                            .filter(|&d| d < count)
                    })
                    .collect::<Option<Vec<usize>>>()
            })
            .ok_or_else(|| what("`dependencies` holds something other than package indices"))?,
    };
    let root = match package.get("root") {
        None => false,
        Some(root) => root
            .as_bool()
            .ok_or_else(|| what("`root` is not true or false"))?,
    };
    let source = match source {
        "crates.io" => Source::CratesIo,
        "local" => Source::Local,
        other => Source::Unresolved(other.to_string()),
    };
    let krate = Crate {
        name: name.to_string(),
        version: version.to_string(),
        source,
        checksum: None,
        dependencies,
        build_only,
    };
    Ok((krate, root))
}

/// The root of a section that marks none: the local package named `package`, or else
/// the one package no other depends on.
fn unmarked_root(crates: &[Crate], package: Option<&str>) -> Result<usize, Error> {
    let named: Vec<usize> = (0..crates.len())
        .filter(|&i| {
            crates[i].source == Source::Local && package.is_some_and(|p| crates[i].name == p)
        })
        .collect();
    let unneeded: Vec<usize> = (0..crates.len())
        .filter(|&i| !crates.iter().any(|c| c.dependencies.contains(&i)))
        .collect();
    match (named.as_slice(), unneeded.as_slice()) {
        ([root], _) | ([], [root]) => Ok(*root),
        _ => Err(bad(
            "no package is marked as the root, and which is the program's is unclear",
        )),
    }
}

fn truncated_wasm(what: &str) -> Error {
    Error::Malformed(format!("cargo auditable: the wasm binary: {what}"))
}

fn bad(what: impl Into<String>) -> Error {
    Error::Malformed(format!("cargo auditable section: {}", what.into()))
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::Write;

    use super::*;

    /// `hello-rust` as `cargo auditable` describes it, with a build-only crate.
    pub const HELLO_JSON: &str = r#"{"packages":[
        {"name":"cc","version":"1.2.0","source":"crates.io","kind":"build"},
        {"name":"heck","version":"0.5.0","source":"crates.io"},
        {"name":"hello-rust","version":"0.1.0","source":"local","dependencies":[0,1,3],"root":true},
        {"name":"pico-args","version":"0.5.0","source":"crates.io","kind":"runtime"}
    ]}"#;

    pub fn compress(json: &[u8]) -> Vec<u8> {
        let mut encoder =
            flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(json).unwrap();
        encoder.finish().unwrap()
    }

    fn custom_section(name: &str, data: &[u8]) -> Vec<u8> {
        let mut body = vec![name.len() as u8];
        body.extend_from_slice(name.as_bytes());
        body.extend_from_slice(data);
        wasm_section(0, &body)
    }

    fn wasm_section(id: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![id];
        let mut size = body.len();
        loop {
            let byte = (size & 0x7f) as u8;
            size >>= 7;
            if size == 0 {
                out.push(byte);
                break;
            }
            out.push(byte | 0x80);
        }
        out.extend_from_slice(body);
        out
    }

    /// A 64-bit little-endian ELF file of one section (and the section names).
    fn elf_with_section(name: &str, data: &[u8]) -> Vec<u8> {
        let names = format!("\0{name}\0.shstrtab\0");
        let names_at = 64 + data.len();
        let headers_at = (names_at + names.len()).next_multiple_of(8);
        let mut elf = b"\x7fELF\x02\x01\x01".to_vec();
        elf.resize(16, 0);
        elf.extend(2u16.to_le_bytes()); // executable
        elf.extend(62u16.to_le_bytes()); // x86-64
        elf.extend(1u32.to_le_bytes());
        elf.extend([0u8; 16]); // entry, program headers
        elf.extend((headers_at as u64).to_le_bytes());
        elf.extend(0u32.to_le_bytes());
        for half in [64u16, 56, 0, 64, 3, 2] {
            elf.extend(half.to_le_bytes());
        }
        elf.extend_from_slice(data);
        elf.extend_from_slice(names.as_bytes());
        elf.resize(headers_at, 0);
        let header = |elf: &mut Vec<u8>, name: u32, kind: u32, at: usize, size: usize| {
            elf.extend(name.to_le_bytes());
            elf.extend(kind.to_le_bytes());
            elf.extend(0u64.to_le_bytes()); // flags
            elf.extend(0u64.to_le_bytes()); // address
            elf.extend((at as u64).to_le_bytes());
            elf.extend((size as u64).to_le_bytes());
            elf.extend([0u8; 8]); // link, info
            elf.extend(1u64.to_le_bytes()); // alignment
            elf.extend(0u64.to_le_bytes()); // entry size
        };
        header(&mut elf, 0, 0, 0, 0);
        header(&mut elf, 1, 1, 64, data.len()); // PROGBITS
        header(&mut elf, name.len() as u32 + 2, 3, names_at, names.len()); // STRTAB
        elf
    }

    #[test]
    fn decodes_the_section() {
        let crates = decode(&compress(HELLO_JSON.as_bytes()), None).unwrap();
        assert_eq!(crates.origin, Origin::Auditable);
        let names: Vec<(&str, bool)> = crates
            .list
            .iter()
            .map(|c| (c.name.as_str(), c.build_only))
            .collect();
        assert_eq!(
            names,
            [
                ("hello-rust", false),
                ("cc", true),
                ("heck", false),
                ("pico-args", false)
            ]
        );
        assert_eq!(crates.main().dependencies, [1, 2, 3]);
        assert_eq!(crates.main().source, Source::Local);
        assert_eq!(crates.list[2].source, Source::CratesIo);
        assert_eq!(crates.list[2].checksum, None);

        // With Cargo.lock, the crates it lists get their checksums.
        let lock = crate::cargo::Lock::parse(crate::cargo::tests::HELLO_LOCK).unwrap();
        let enriched = crates.with_lock(&lock);
        assert_eq!(
            enriched.list[3].checksum.as_deref(),
            Some("5be167a7af36ee22fe3115051bc51f6e6c7054c9348e28deb4f49bd6f705a315")
        );
        assert_eq!(
            enriched.list[1].checksum, None,
            "cc is not in that lock file"
        );
        assert!(enriched.list[1].build_only);
    }

    #[test]
    fn finds_the_section_in_a_wasm_component_and_elf() {
        let compressed = compress(HELLO_JSON.as_bytes());
        let mut module = b"\0asm\x01\0\0\0".to_vec();
        module.extend(custom_section("name", b"\0"));
        module.extend(custom_section(SECTION, &compressed));
        let mut component = b"\0asm\x0d\0\x01\0".to_vec();
        component.extend(custom_section("producers", b"\0"));
        component.extend(wasm_section(1, &module));
        let crates = read(&component, None).unwrap().unwrap();
        assert_eq!(crates.main().name, "hello-rust");
        assert_eq!(crates.list.len(), 4);
        assert_eq!(read(b"\0asm\x01\0\0\0", None).unwrap(), None);
        assert!(read(&component[..component.len() - 3], None).is_err());
        assert_eq!(read(b"#!/bin/sh\n", None).unwrap(), None);

        let elf = elf_with_section(SECTION, &compressed);
        assert_eq!(section(&elf).unwrap(), Some(&compressed[..]));
    }

    #[test]
    fn refuses_damaged_and_oversized_sections() {
        let error = |json: &str| {
            decode(&compress(json.as_bytes()), None)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            error(
                r#"{"packages":[{"name":"a","version":"1","source":"local","dependencies":[3]}]}"#
            ),
            "malformed: cargo auditable section: package `a 1`: `dependencies` holds something other than package indices"
        );
        assert_eq!(
            error(r#"{"packages":[{"name":"a","version":"1","source":"local","kind":"dev"}]}"#),
            "malformed: cargo auditable section: package `a 1`: `kind` is neither `runtime` nor `build`"
        );
        assert_eq!(
            error(r#"{"packages":[]}"#),
            "malformed: cargo auditable section: no `packages` list"
        );
        assert!(
            decode(b"not zlib", None)
                .unwrap_err()
                .to_string()
                .contains("not zlib-compressed")
        );
        let bomb = compress(&vec![b' '; MAX_JSON as usize + 1]);
        assert!(bomb.len() < 64 << 10);
        assert_eq!(
            decode(&bomb, None).unwrap_err().to_string(),
            "malformed: cargo auditable section: it decompresses to more than 8 MiB"
        );
        // Without a root mark, the package nobody depends on is the root.
        let unmarked = r#"{"packages":[{"name":"a","version":"1","source":"crates.io"},{"name":"app","version":"2","source":"local","dependencies":[0]}]}"#;
        let crates = decode(&compress(unmarked.as_bytes()), None).unwrap();
        assert_eq!(crates.main().name, "app");
    }
}
