//! Linux packages — Debian `.deb`, RPM `.rpm` and Alpine `.apk` — made from one
//! description ([`Package`]). Reproducible: every time in a package is the package's
//! `mtime` (`SOURCE_DATE_EPOCH`), entries are sorted, and the compressors' headers carry
//! no time or host. Each format's own rules (version syntax, architecture names, names
//! of relations) are checked before anything is written, and a refusal names the
//! setting to change.

pub mod apk;
pub mod arch;
pub mod deb;
mod paths;
pub mod relation;
pub mod rpm;
mod tarball;
pub mod version;

pub use relation::Relation;

/// Why a package could not be made: names the setting at fault where there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

fn error(message: impl Into<String>) -> Error {
    Error(message.into())
}

/// What one package holds and says about itself, whatever its format.
#[derive(Debug, Clone, Default)]
pub struct Package {
    pub name: String,
    /// The project's version (`1.2.3`, `1.2.3-rc.1`); each format writes it its way.
    pub version: String,
    /// The packaging revision (`1` by default for .deb and .rpm, `0` for .apk).
    pub release: Option<String>,
    pub epoch: Option<u32>,
    /// `Name <address>`.
    pub maintainer: String,
    /// One line.
    pub summary: String,
    /// More lines, or empty.
    pub description: String,
    pub homepage: Option<String>,
    pub license: Option<String>,
    pub vendor: Option<String>,
    pub section: Option<String>,
    pub priority: Option<String>,
    pub depends: Vec<Relation>,
    pub recommends: Vec<Relation>,
    pub suggests: Vec<Relation>,
    pub conflicts: Vec<Relation>,
    pub provides: Vec<Relation>,
    pub replaces: Vec<Relation>,
    pub scripts: Scripts,
    pub contents: Vec<Content>,
    /// Seconds since the epoch: every file's time, the build time.
    pub mtime: u64,
}

/// Maintainer scripts (shell scripts, run by the package manager).
#[derive(Debug, Clone, Default)]
pub struct Scripts {
    pub preinstall: Option<String>,
    pub postinstall: Option<String>,
    pub preremove: Option<String>,
    pub postremove: Option<String>,
}

/// One thing a package installs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content {
    /// Absolute path on the installed system.
    pub path: String,
    pub kind: Kind,
    /// Permission bits (`0o755`).
    pub mode: u32,
    pub owner: String,
    pub group: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    File {
        data: Vec<u8>,
        config: Config,
        /// Documentation (`%doc` in an RPM).
        doc: bool,
    },
    Dir,
    Symlink {
        target: String,
    },
}

/// Whether a file is configuration the administrator may edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Config {
    #[default]
    No,
    /// Kept when edited (a .deb conffile; an RPM `%config`).
    Yes,
    /// An edited copy stays and the new one is put beside it (`%config(noreplace)`).
    NoReplace,
}

impl Content {
    pub fn file(path: impl Into<String>, mode: u32, data: Vec<u8>) -> Content {
        Content {
            path: path.into(),
            kind: Kind::File {
                data,
                config: Config::No,
                doc: false,
            },
            mode,
            owner: "root".into(),
            group: "root".into(),
        }
    }

    fn data(&self) -> Option<&[u8]> {
        match &self.kind {
            Kind::File { data, .. } => Some(data),
            _ => None,
        }
    }

    fn is_config(&self) -> bool {
        matches!(&self.kind, Kind::File { config, .. } if *config != Config::No)
    }
}

impl Package {
    /// The summary and description checked for what every format needs: a summary on
    /// one line, no control characters.
    fn check_text(&self) -> Result<()> {
        if self.summary.trim().is_empty() {
            return Err(error(
                "description: empty; give the package a one-line summary",
            ));
        }
        if self.summary.contains('\n') {
            return Err(error(
                "description: its first line is the summary; put the rest after a line break",
            ));
        }
        for (field, text) in [
            ("maintainer", &self.maintainer),
            ("description", &self.description),
            ("summary", &self.summary),
        ] {
            if text.chars().any(|c| c.is_control() && c != '\n') {
                return Err(error(format!(
                    "{field}: control characters are not allowed"
                )));
            }
        }
        check_maintainer(&self.maintainer)
    }
}

/// A maintainer as every format can write it: a name, and an address in `<>` if any
/// (Debian's policy asks for one: [`has_address`] tells).
fn check_maintainer(maintainer: &str) -> Result<()> {
    let name = maintainer.split('<').next().unwrap_or_default();
    let balanced = match maintainer.split_once('<') {
        None => !maintainer.contains('>'),
        Some((_, rest)) => rest
            .strip_suffix('>')
            .is_some_and(|a| !a.contains(['<', '>'])),
    };
    match !name.trim().is_empty() && balanced {
        true => Ok(()),
        false => Err(error(format!(
            "maintainer `{maintainer}`: write it as `Name <address@example.com>`"
        ))),
    }
}

/// Whether `maintainer` gives an address (`Name <address@example.com>`), as Debian's
/// policy and Alpine's tools expect.
pub fn has_address(maintainer: &str) -> bool {
    maintainer
        .strip_suffix('>')
        .and_then(|m| m.split_once(" <"))
        .is_some_and(|(_, address)| address.contains('@') && !address.contains(' '))
}

/// gzip at the best compression with no name or time in its header, as `gzip -9n`.
fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    use std::io::Write;
    let mut encoder = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).map_err(io)?;
    encoder.finish().map_err(io)
}

fn io(e: std::io::Error) -> Error {
    error(e.to_string())
}

/// True for an ELF executable linked statically (no program interpreter).
pub fn is_static_elf(data: &[u8]) -> bool {
    use object::elf::{FileHeader32, FileHeader64, PT_INTERP};
    use object::read::elf::{ElfFile, FileHeader, ProgramHeader};
    fn without_interpreter<H: FileHeader<Endian = object::Endianness>>(
        data: &[u8],
    ) -> Option<bool> {
        let elf = ElfFile::<H>::parse(data).ok()?;
        let endian = elf.endian();
        Some(
            !elf.elf_program_headers()
                .iter()
                .any(|p| p.p_type(endian) == PT_INTERP),
        )
    }
    without_interpreter::<FileHeader64<object::Endianness>>(data)
        .or_else(|| without_interpreter::<FileHeader32<object::Endianness>>(data))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_maintainer_needs_a_name() {
        assert!(check_maintainer("Jane Doe <jane@example.com>").is_ok());
        assert!(check_maintainer("Jane Doe").is_ok());
        assert!(has_address("Jane Doe <jane@example.com>") && !has_address("Jane Doe"));
        for bad in ["", " <j@e.com>", "Jane <j@e.com", "Jane >"] {
            let why = check_maintainer(bad).unwrap_err().0;
            assert!(why.starts_with("maintainer `"), "{why}");
        }
    }
}
