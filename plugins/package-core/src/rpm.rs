//! RPM packages, through the `rpm` crate (header, gzip payload, file digests, the
//! signature header): what `rpm -K` checks. Directories the system owns (`/usr/bin`)
//! are not claimed as the package's, as rpmbuild does not claim them.

use crate::{Config, Kind, Package, Result, error, version};

/// What only an .rpm has.
#[derive(Debug, Clone, Default)]
pub struct RpmOptions {
    /// The package's group (`Applications/System`).
    pub group: Option<String>,
}

/// The package for `arch` (an RPM architecture name).
pub fn build(package: &Package, arch: &str, options: &RpmOptions) -> Result<Vec<u8>> {
    package.check_text()?;
    check_name(&package.name)?;
    let (version, release) = version::rpm(package)?;
    let (version, release) = (version.as_str(), release.as_str());
    let entries = crate::paths::complete(&package.contents)?;
    let license = package.license.as_deref().unwrap_or("Unknown");
    let config = rpm::BuildConfig::default()
        .compression(rpm::CompressionType::Gzip)
        .source_date(package.mtime as u32);
    let description = match package.description.trim() {
        "" => package.summary.clone(),
        text => text.to_string(),
    };
    let mut builder = rpm::PackageBuilder::new(
        &package.name,
        version,
        license,
        arch,
        package.summary.trim(),
    );
    builder
        .using_config(config)
        .release(release)
        .description(description)
        .packager(&package.maintainer)
        .add_changelog_entry(
            format!("{} - {version}-{release}", package.maintainer),
            format!("- Release {}", package.version),
            package.mtime as u32,
        );
    if let Some(epoch) = package.epoch {
        builder.epoch(epoch);
    }
    if let Some(url) = &package.homepage {
        builder.url(url);
    }
    if let Some(vendor) = &package.vendor {
        builder.vendor(vendor);
    }
    for entry in &entries {
        add_entry(&mut builder, entry).map_err(|e| error(format!("{}: {e}", entry.path)))?;
    }
    relations(&mut builder, package);
    let scripts = &package.scripts;
    if let Some(s) = &scripts.preinstall {
        builder.pre_install_script(s.as_str());
    }
    if let Some(s) = &scripts.postinstall {
        builder.post_install_script(s.as_str());
    }
    if let Some(s) = &scripts.preremove {
        builder.pre_uninstall_script(s.as_str());
    }
    if let Some(s) = &scripts.postremove {
        builder.post_uninstall_script(s.as_str());
    }
    builder
        .group(options.group.as_deref().unwrap_or("Applications/System"))
        // As rpmbuild names it in reproducible builds: not this machine.
        .build_host("reproducible");
    let built = builder.build().map_err(|e| error(format!("rpm: {e}")))?;
    let mut out = Vec::new();
    built
        .write(&mut out)
        .map_err(|e| error(format!("rpm: {e}")))?;
    Ok(out)
}

fn add_entry(
    builder: &mut rpm::PackageBuilder,
    entry: &crate::Content,
) -> std::result::Result<(), rpm::Error> {
    let mode = (entry.mode & 0o7777) as u16;
    match &entry.kind {
        Kind::File { data, config, doc } => {
            let mut file = rpm::FileOptions::new(&entry.path)
                .mode(rpm::FileMode::regular(mode))
                .user(&entry.owner)
                .group(&entry.group);
            if *config != Config::No {
                file = file.config();
            }
            if *config == Config::NoReplace {
                file = file.noreplace();
            }
            if *doc {
                file = file.doc();
            }
            builder.with_file_contents(data.clone(), file)?;
        }
        Kind::Dir if crate::paths::is_system_dir(&entry.path) => {}
        // Implicit parents under a system directory the package did not list
        // (`/usr/share/doc/<name>`) are its own, as rpmbuild's %doc makes them.
        Kind::Dir => {
            builder.with_dir_entry(
                rpm::FileOptions::dir(&entry.path)
                    .permissions(mode)
                    .user(&entry.owner)
                    .group(&entry.group),
            )?;
        }
        Kind::Symlink { target } => {
            builder.with_symlink(
                rpm::FileOptions::symlink(&entry.path, target)
                    .user(&entry.owner)
                    .group(&entry.group),
            )?;
        }
    }
    Ok(())
}

fn relations(builder: &mut rpm::PackageBuilder, package: &Package) {
    use crate::relation::Op;
    let dependency = |r: &crate::Relation| match &r.constraint {
        None => rpm::Dependency::any(&r.name),
        Some((Op::Less, v)) => rpm::Dependency::less(&r.name, v),
        Some((Op::LessEq, v)) => rpm::Dependency::less_eq(&r.name, v),
        Some((Op::Eq, v)) => rpm::Dependency::eq(&r.name, v),
        Some((Op::GreaterEq, v)) => rpm::Dependency::greater_eq(&r.name, v),
        Some((Op::Greater, v)) => rpm::Dependency::greater(&r.name, v),
    };
    for r in &package.depends {
        builder.requires(dependency(r));
    }
    for r in &package.recommends {
        builder.recommends(dependency(r));
    }
    for r in &package.suggests {
        builder.suggests(dependency(r));
    }
    for r in &package.conflicts {
        builder.conflicts(dependency(r));
    }
    for r in &package.provides {
        builder.provides(dependency(r));
    }
    // RPM says "replaces" as obsoletes.
    for r in &package.replaces {
        builder.obsoletes(dependency(r));
    }
}

/// RPM's package names: letters, digits and `-._+`, starting with a letter or digit.
fn check_name(name: &str) -> Result<()> {
    let fine = name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._+".contains(c));
    match fine {
        true => Ok(()),
        false => Err(error(format!(
            "package_name `{name}`: an RPM name is letters, digits and `-._+`"
        ))),
    }
}

/// `rpm` (a package's bytes) signed by `signer` at `time` (seconds): its OpenPGP
/// signature over the header added to the signature header, replacing one by the same
/// key.
pub fn sign(
    rpm: &[u8],
    signer: impl rpm::signature::Signing<Signature = Vec<u8>>,
    time: u32,
) -> Result<Vec<u8>> {
    let mut package = rpm::Package::parse(&mut std::io::Cursor::new(rpm))
        .map_err(|e| error(format!("not an RPM package: {e}")))?;
    package
        .sign_with_timestamp(signer, time)
        .map_err(|e| error(format!("signing: {e}")))?;
    let mut out = Vec::new();
    package
        .write(&mut out)
        .map_err(|e| error(format!("rpm: {e}")))?;
    Ok(out)
}
