//! Architecture names: each package format has its own for the same machine.

use crate::{Result, error};

/// A package format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    Deb,
    Rpm,
    Apk,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Deb, Format::Rpm, Format::Apk];

    pub fn parse(name: &str) -> Option<Format> {
        match name {
            "deb" => Some(Format::Deb),
            "rpm" => Some(Format::Rpm),
            "apk" => Some(Format::Apk),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Deb => "deb",
            Format::Rpm => "rpm",
            Format::Apk => "apk",
        }
    }

    /// Every architecture name the format's tools know (what an override may say).
    pub fn known(self) -> &'static [&'static str] {
        match self {
            Format::Deb => &[
                "all", "amd64", "arm64", "armel", "armhf", "i386", "mips64el", "mipsel", "ppc64el",
                "ppc64", "riscv64", "s390x", "loong64",
            ],
            Format::Rpm => &[
                "noarch",
                "x86_64",
                "aarch64",
                "armv6hl",
                "armv7hl",
                "armv5tel",
                "i386",
                "i686",
                "mips64el",
                "mipsel",
                "ppc64le",
                "ppc64",
                "riscv64",
                "s390x",
                "loongarch64",
            ],
            Format::Apk => &[
                "noarch",
                "x86_64",
                "aarch64",
                "armhf",
                "armv7",
                "x86",
                "mips64",
                "ppc64le",
                "riscv64",
                "s390x",
                "loongarch64",
            ],
        }
    }
}

/// The format's name for Go's `goarch` with `variant` (GOARM for arm, GOAMD64 for
/// amd64, ...), or `chosen` when the configuration names one (checked against
/// [`Format::known`]).
pub fn name(
    format: Format,
    goarch: &str,
    variant: Option<&str>,
    chosen: Option<&str>,
) -> Result<String> {
    if let Some(chosen) = chosen {
        return match format.known().contains(&chosen) {
            true => Ok(chosen.to_string()),
            false => Err(error(format!(
                "{}.arch `{chosen}`: not an architecture {} knows; use one of {}",
                format.name(),
                tool(format),
                format.known().join(", ")
            ))),
        };
    }
    // GOARM as xhost writes it (`v7`), or bare.
    let arm = variant.map_or("7", |v| v.trim_start_matches('v'));
    let found = match (format, goarch) {
        (Format::Deb, "amd64") => "amd64",
        (Format::Deb, "arm64") => "arm64",
        (Format::Deb, "386") => "i386",
        (Format::Deb, "arm") if arm == "5" => "armel",
        (Format::Deb, "arm") => "armhf",
        (Format::Deb, "ppc64le") => "ppc64el",
        (Format::Deb, "mips64le") => "mips64el",
        (Format::Deb, "mipsle") => "mipsel",
        (Format::Deb, "loong64") => "loong64",
        (Format::Rpm, "amd64") => "x86_64",
        (Format::Rpm, "arm64") => "aarch64",
        (Format::Rpm, "386") => "i386",
        (Format::Rpm, "arm") if arm == "5" => "armv5tel",
        (Format::Rpm, "arm") if arm == "6" => "armv6hl",
        (Format::Rpm, "arm") => "armv7hl",
        (Format::Rpm, "ppc64le") => "ppc64le",
        (Format::Rpm, "mips64le") => "mips64el",
        (Format::Rpm, "mipsle") => "mipsel",
        (Format::Rpm, "loong64") => "loongarch64",
        (Format::Apk, "amd64") => "x86_64",
        (Format::Apk, "arm64") => "aarch64",
        (Format::Apk, "386") => "x86",
        (Format::Apk, "arm") if arm == "6" => "armhf",
        (Format::Apk, "arm") if arm == "7" => "armv7",
        (Format::Apk, "ppc64le") => "ppc64le",
        (Format::Apk, "loong64") => "loongarch64",
        (_, "riscv64") => "riscv64",
        (_, "s390x") => "s390x",
        (_, "ppc64") if format != Format::Apk => "ppc64",
        _ => {
            let shown = match variant {
                Some(v) => format!("{goarch} ({v})"),
                None => goarch.to_string(),
            };
            return Err(error(format!(
                "{}.arch: {} has no architecture for {shown}; name one with `{}.arch` or build this target without the package stage",
                format.name(),
                tool(format),
                format.name()
            )));
        }
    };
    Ok(found.to_string())
}

fn tool(format: Format) -> &'static str {
    match format {
        Format::Deb => "dpkg",
        Format::Rpm => "rpm",
        Format::Apk => "apk",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_format_names_the_machine_its_way() {
        let names = |goarch, variant| Format::ALL.map(|f| name(f, goarch, variant, None).unwrap());
        assert_eq!(names("amd64", Some("v1")), ["amd64", "x86_64", "x86_64"]);
        assert_eq!(names("arm64", None), ["arm64", "aarch64", "aarch64"]);
        assert_eq!(names("arm", Some("v7")), ["armhf", "armv7hl", "armv7"]);
        assert_eq!(names("arm", Some("v6")), ["armhf", "armv6hl", "armhf"]);
        assert_eq!(names("386", None), ["i386", "i386", "x86"]);
        assert_eq!(names("ppc64le", None), ["ppc64el", "ppc64le", "ppc64le"]);
    }

    #[test]
    fn an_unknown_architecture_names_the_setting() {
        let why = name(Format::Deb, "amd64", None, Some("x86-64"))
            .unwrap_err()
            .0;
        assert!(
            why.starts_with("deb.arch `x86-64`: not an architecture dpkg knows"),
            "{why}"
        );
        let why = name(Format::Apk, "arm", Some("v5"), None).unwrap_err().0;
        assert!(
            why.contains("apk has no architecture for arm (v5)"),
            "{why}"
        );
    }
}
