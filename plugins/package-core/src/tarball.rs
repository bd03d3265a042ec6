//! Tar streams as package formats want them: entries in the order given, every time the
//! package's, owners by name, and optionally per-file PAX records (Alpine's checksums)
//! or no end-of-archive blocks (Alpine's segments are concatenated).

use crate::{Content, Kind, Result, io};

/// PAX records (name, value) for a file's entry, from its bytes.
pub type PaxRecords<'a> = &'a dyn Fn(&[u8]) -> Vec<(String, Vec<u8>)>;

pub struct Options<'a> {
    /// Written before each path: `./` for a .deb, nothing for an .apk. The tar crate
    /// keeps it only on the root entry (`./`) and writes the others plain
    /// (`usr/bin/x`), which dpkg reads alike.
    pub prefix: &'a str,
    pub mtime: u64,
    pub pax: Option<PaxRecords<'a>>,
    /// Leave out the two zero blocks that end an archive.
    pub unterminated: bool,
}

/// A tar stream of `entries` (installed paths, so `/usr/bin/x` is written
/// `{prefix}usr/bin/x`), with `./` first when the prefix is `./`.
pub fn tar(entries: &[Content], options: &Options) -> Result<Vec<u8>> {
    let mut tar = tar::Builder::new(Vec::new());
    if options.prefix == "./" {
        let root = Content {
            path: String::new(),
            kind: Kind::Dir,
            mode: 0o755,
            owner: "root".into(),
            group: "root".into(),
        };
        append(&mut tar, &root, options)?;
    }
    for entry in entries {
        append(&mut tar, entry, options)?;
    }
    let mut bytes = tar.into_inner().map_err(io)?;
    if options.unterminated {
        bytes.truncate(bytes.len() - 1024);
    }
    Ok(bytes)
}

/// A plain file entry of a control archive (`./control`, `.PKGINFO`), owned by root.
pub fn control_file(name: &str, mode: u32, data: &[u8]) -> Content {
    Content {
        path: format!("/{name}"),
        ..Content::file(name, mode, data.to_vec())
    }
}

fn append(tar: &mut tar::Builder<Vec<u8>>, entry: &Content, options: &Options) -> Result<()> {
    let relative = entry.path.trim_start_matches('/');
    let mut header = tar::Header::new_gnu();
    header.set_mode(entry.mode);
    header.set_uid(0);
    header.set_gid(0);
    header.set_username(&entry.owner).map_err(io)?;
    header.set_groupname(&entry.group).map_err(io)?;
    header.set_mtime(options.mtime);
    match &entry.kind {
        Kind::File { data, .. } => {
            if let Some(pax) = options.pax {
                let records = pax(data);
                tar.append_pax_extensions(records.iter().map(|(k, v)| (k.as_str(), v.as_slice())))
                    .map_err(io)?;
            }
            header.set_entry_type(tar::EntryType::Regular);
            header.set_size(data.len() as u64);
            let path = format!("{}{relative}", options.prefix);
            tar.append_data(&mut header, path, data.as_slice())
                .map_err(io)
        }
        Kind::Dir => {
            header.set_entry_type(tar::EntryType::Directory);
            header.set_size(0);
            let path = format!("{}{relative}/", options.prefix);
            let path = if path == ".//" {
                "./".to_string()
            } else {
                path
            };
            tar.append_data(&mut header, path, std::io::empty())
                .map_err(io)
        }
        Kind::Symlink { target } => {
            header.set_entry_type(tar::EntryType::Symlink);
            header.set_size(0);
            let path = format!("{}{relative}", options.prefix);
            tar.append_link(&mut header, path, target).map_err(io)
        }
    }
}
