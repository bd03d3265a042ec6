//! Alpine packages (apk v2): three gzip streams one after the other — the signature
//! (a tar holding `.SIGN.RSA256.<key name>`, a signature over the control stream), the
//! control (`.PKGINFO` and the scripts, its `datahash` the SHA-256 of the data stream)
//! and the data, each file with its SHA-1 in a PAX record as abuild writes it. The
//! first two tars have no end-of-archive blocks, so the three read as one archive.

use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::tarball::{self, Options};
use crate::{Content, Kind, Package, Result, error, gzip, version};

/// Signs the control stream: returns the signature apk checks with the public key
/// named `key_name` in its keys directory (SHA-256 digest; an RSA or ECDSA key).
pub type Sign<'a> = &'a dyn Fn(&[u8]) -> std::result::Result<Vec<u8>, String>;

/// What only an .apk has.
#[derive(Default)]
pub struct ApkOptions<'a> {
    /// The signature's key: the public key's file name in `/etc/apk/keys`
    /// (`builder@example.com-61a3b2c1.rsa.pub`), and how to sign.
    pub signer: Option<(String, Sign<'a>)>,
}

/// The package for `arch` (an Alpine architecture name).
pub fn build(package: &Package, arch: &str, options: &ApkOptions) -> Result<Vec<u8>> {
    package.check_text()?;
    check_name(&package.name)?;
    let version = version::apk(package)?;
    let entries = crate::paths::complete(&package.contents)?;

    let checksum = |data: &[u8]| {
        let hex: String = Sha1::digest(data)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        vec![("APK-TOOLS.checksum.SHA1".to_string(), hex.into_bytes())]
    };
    let data = gzip(&tarball::tar(
        &entries,
        &Options {
            prefix: "",
            mtime: package.mtime,
            pax: Some(&checksum),
            unterminated: false,
        },
    )?)?;
    let datahash = hex(&Sha256::digest(&data));

    let mut control_files = vec![tarball::control_file(
        ".PKGINFO",
        0o644,
        pkginfo(package, &version, arch, &entries, &datahash).as_bytes(),
    )];
    let scripts = &package.scripts;
    for (name, script) in [
        (".pre-install", &scripts.preinstall),
        (".post-install", &scripts.postinstall),
        (".pre-deinstall", &scripts.preremove),
        (".post-deinstall", &scripts.postremove),
    ] {
        if let Some(script) = script {
            control_files.push(tarball::control_file(name, 0o755, script.as_bytes()));
        }
    }
    let segment = |files: &[Content]| {
        tarball::tar(
            files,
            &Options {
                prefix: "",
                mtime: package.mtime,
                pax: None,
                unterminated: true,
            },
        )
        .and_then(|tar| gzip(&tar))
    };
    let control = segment(&control_files)?;

    let mut out = Vec::new();
    if let Some((key_name, sign)) = &options.signer {
        out.extend(signature_segment(&control, key_name, *sign, package.mtime)?);
    }
    out.extend(control);
    out.extend(data);
    Ok(out)
}

/// `apk` (a package's bytes) signed again: its signature stream, if any, replaced by
/// one over its control stream by `sign` with the key `key_name`, dated `mtime`.
pub fn sign(apk: &[u8], key_name: &str, sign: Sign, mtime: u64) -> Result<Vec<u8>> {
    let (first, rest) = split_gzip(apk)?;
    let unsigned = match is_signature(&apk[..first])? {
        true => rest,
        false => apk,
    };
    let (control_len, _) = split_gzip(unsigned)?;
    let mut out = signature_segment(&unsigned[..control_len], key_name, sign, mtime)?;
    out.extend_from_slice(unsigned);
    Ok(out)
}

/// The gzip stream `.SIGN.RSA256.<key_name>` over `control`.
fn signature_segment(control: &[u8], key_name: &str, sign: Sign, mtime: u64) -> Result<Vec<u8>> {
    check_key_name(key_name)?;
    let signature = sign(control).map_err(|e| error(format!("apk.key: {e}")))?;
    let file = tarball::control_file(&format!(".SIGN.RSA256.{key_name}"), 0o644, &signature);
    let tar = tarball::tar(
        &[file],
        &Options {
            prefix: "",
            mtime,
            pax: None,
            unterminated: true,
        },
    )?;
    gzip(&tar)
}

/// The length of the first gzip stream of `bytes`, and what follows it.
fn split_gzip(bytes: &[u8]) -> Result<(usize, &[u8])> {
    use std::io::Read;
    let mut decoder = flate2::bufread::GzDecoder::new(bytes);
    std::io::copy(&mut decoder.by_ref().take(1 << 30), &mut std::io::sink())
        .map_err(|e| error(format!("not an apk package: {e}")))?;
    let rest = decoder.into_inner();
    Ok((bytes.len() - rest.len(), rest))
}

/// Whether the gzip stream `segment` is an apk signature (its tar's first entry is a
/// `.SIGN.` file).
fn is_signature(segment: &[u8]) -> Result<bool> {
    let mut tar = Vec::new();
    use std::io::Read;
    flate2::read::GzDecoder::new(segment)
        .read_to_end(&mut tar)
        .map_err(|e| error(format!("not an apk package: {e}")))?;
    // The first header's name field.
    let name = tar.get(..100).unwrap_or_default();
    Ok(name.starts_with(b".SIGN."))
}

/// `.PKGINFO`: the package's metadata, one `key = value` per line.
fn pkginfo(
    package: &Package,
    version: &str,
    arch: &str,
    entries: &[Content],
    datahash: &str,
) -> String {
    let size: u64 = entries
        .iter()
        .map(|c| match &c.kind {
            Kind::File { data, .. } => data.len() as u64,
            _ => 0,
        })
        .sum();
    let mut lines: Vec<(&str, String)> = vec![
        ("pkgname", package.name.clone()),
        ("pkgver", version.to_string()),
        ("pkgdesc", package.summary.trim().to_string()),
    ];
    if let Some(url) = &package.homepage {
        lines.push(("url", url.clone()));
    }
    lines.extend([
        ("builddate", package.mtime.to_string()),
        ("packager", package.maintainer.clone()),
        ("size", size.to_string()),
        ("arch", arch.to_string()),
        ("origin", package.name.clone()),
        ("maintainer", package.maintainer.clone()),
    ]);
    if let Some(license) = &package.license {
        lines.push(("license", license.clone()));
    }
    for r in &package.depends {
        lines.push(("depend", r.apk()));
    }
    // apk says "conflicts" as a negated dependency.
    for r in &package.conflicts {
        lines.push(("depend", format!("!{}", r.apk())));
    }
    for r in &package.provides {
        lines.push(("provides", r.apk()));
    }
    for r in &package.replaces {
        lines.push(("replaces", r.name.clone()));
    }
    lines.push(("datahash", datahash.to_string()));
    let mut text = String::from("# Generated by xhost\n");
    for (key, value) in lines {
        text += &format!("{key} = {value}\n");
    }
    text
}

fn check_name(name: &str) -> Result<()> {
    let fine = name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-._+".contains(c));
    match fine {
        true => Ok(()),
        false => Err(error(format!(
            "package_name `{name}`: an Alpine package name is lower-case letters, digits and `-._+`"
        ))),
    }
}

/// A public key's file name, as it sits in `/etc/apk/keys`.
fn check_key_name(name: &str) -> Result<()> {
    let fine = !name.is_empty()
        && name.ends_with(".pub")
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._@+".contains(c));
    match fine {
        true => Ok(()),
        false => Err(error(format!(
            "apk.key_name `{name}`: the public key's file name in /etc/apk/keys, ending in `.pub` (e.g. `builder@example.com-1.rsa.pub`)"
        ))),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn three_gzip_streams_read_as_one_archive_with_a_datahash() {
        let package = Package {
            name: "hello".into(),
            version: "1.0.0".into(),
            maintainer: "Jane Doe <jane@example.com>".into(),
            summary: "Says hello".into(),
            contents: vec![Content::file("/usr/bin/hello", 0o755, b"hi".to_vec())],
            mtime: 1_700_000_000,
            ..Package::default()
        };
        let sign_with: Sign = &|control: &[u8]| Ok(Sha256::digest(control).to_vec());
        let options = ApkOptions {
            signer: Some(("k@example.com-1.rsa.pub".into(), sign_with)),
        };
        let apk = build(&package, "x86_64", &options).unwrap();
        assert_eq!(apk, build(&package, "x86_64", &options).unwrap());
        // Signing again gives the same bytes; signing the unsigned package too.
        assert_eq!(
            sign(&apk, "k@example.com-1.rsa.pub", sign_with, package.mtime).unwrap(),
            apk
        );
        let unsigned = build(&package, "x86_64", &ApkOptions::default()).unwrap();
        assert_eq!(
            sign(
                &unsigned,
                "k@example.com-1.rsa.pub",
                sign_with,
                package.mtime
            )
            .unwrap(),
            apk
        );
        let mut tar = Vec::new();
        flate2::read::MultiGzDecoder::new(apk.as_slice())
            .read_to_end(&mut tar)
            .unwrap();
        let mut names = Vec::new();
        let mut archive = tar::Archive::new(tar.as_slice());
        for entry in archive.entries().unwrap() {
            names.push(entry.unwrap().path().unwrap().display().to_string());
        }
        assert_eq!(
            names,
            [
                ".SIGN.RSA256.k@example.com-1.rsa.pub",
                ".PKGINFO",
                "usr/",
                "usr/bin/",
                "usr/bin/hello"
            ]
        );
    }
}
