//! `signs` → a host-held key (`[signing.keys.cosign]`) and a `builtin:sign` stage, for
//! the entry that runs cosign with a key xhost can hold: `--key=env://VAR` (the key's
//! text in a variable) or an absolute key file, cosign's own encrypted `cosign.key`
//! included, its password in `COSIGN_PASSWORD` (or the variable `stdin` names). What
//! it signs (`artifacts`) and the files it writes (`signature`: `.sig` or a bundle)
//! carry over. gpg, keyless cosign, KMS keys and key files inside the project do not.
//! A key this machine does not have (the variable unset, the file missing) is written
//! commented out, so the converted config still builds here.

use std::fmt::Write as _;

use marked_yaml::Node;
use marked_yaml::types::MarkedMappingNode;

use super::toml_text::{quote, quote_list};
use super::yaml::{list, mapping, scalar, strings};
use super::{ImportError, Importer};

/// The key id the converted config uses.
const KEY_ID: &str = "cosign";

/// What the first usable `signs` entry became: the key's table and the stage.
pub(super) struct Signing {
    pub key: String,
    pub stage: String,
}

/// The keys of a `signs` entry that carry over.
const KNOWN: &[&str] = &["cmd", "args", "artifacts", "signature", "stdin"];

/// `signs` → at most one signing key and stage; `present` says whether an environment
/// variable is set on this machine.
pub(super) fn convert_signs(
    node: &Node,
    present: &dyn Fn(&str) -> bool,
    im: &mut Importer,
) -> Result<Option<Signing>, ImportError> {
    let mut converted: Option<Signing> = None;
    for (index, entry) in list(node, "signs")?.iter().enumerate() {
        let path = format!("signs[{index}]");
        let map = mapping(entry, &path)?;
        let Some(kinds) = kinds(map, &path, im)? else {
            continue;
        };
        let cmd = match map.get_node("cmd") {
            Some(c) => scalar(c, "cmd")?,
            None => "gpg".to_string(),
        };
        let program = cmd.rsplit('/').next().unwrap_or_default();
        if program != "cosign" {
            drop_entry(
                map,
                &path,
                im,
                &format!(
                    "`{cmd}` signatures (OpenPGP) are not made; xhost signs with host-held keys in cosign's and minisign's formats: convert the key (`cosign import-key-pair`) or add a minisign key under [signing.keys]"
                ),
            );
            continue;
        }
        if converted.is_some() {
            drop_entry(
                map,
                &path,
                im,
                "one signing stage is converted; add another [[stage]] with builtin:sign by hand",
            );
            continue;
        }
        let args = match map.get_node("args") {
            Some(a) => strings(a, "args")?,
            None => Vec::new(),
        };
        let Some(source) = key_source(&args, map, &path, im) else {
            continue;
        };
        let password = password_variable(map)?;
        let outputs = cosign_outputs(map, &path, im)?;
        im.drop_unknown(
            map,
            &path,
            KNOWN,
            "xhost has no such signing setting (it signs in the sandbox, with the host's key)",
        );
        let mut key = format!("[signing.keys.{KEY_ID}]\n{}\n", source.toml());
        writeln!(key, "password_env = {}", quote(&password)).ok();
        let mut stage = String::from("[[stage]]\nname = \"sign\"\nplugin = \"builtin:sign\"\n");
        writeln!(stage, "grants = {{ signing = [{}] }}", quote(KEY_ID)).ok();
        writeln!(stage, "[stage.config]").ok();
        writeln!(stage, "keys = [{}]", quote(KEY_ID)).ok();
        writeln!(stage, "kinds = {}", quote_list(&kinds)).ok();
        writeln!(stage, "cosign_outputs = {}", quote_list(&outputs)).ok();
        // GoReleaser publishes no public key; keep the same files.
        writeln!(stage, "publish_public_keys = false").ok();
        let missing = missing(&source, &password, present);
        if !missing.is_empty() {
            im.notes.push(format!(
                "signs: the signing key and stage are written commented out, as {} not available here; uncomment them where it is",
                missing.join(" and ")
            ));
            key = commented(&key);
            stage = commented(&stage);
        }
        converted = Some(Signing { key, stage });
    }
    Ok(converted)
}

/// `artifacts` → the kinds `builtin:sign` signs; none for `none` (GoReleaser's default)
/// and for kinds xhost does not make.
fn kinds(
    map: &MarkedMappingNode,
    path: &str,
    im: &mut Importer,
) -> Result<Option<Vec<String>>, ImportError> {
    let Some(node) = map.get_node("artifacts") else {
        return Ok(None);
    };
    let kinds: &[&str] = match scalar(node, "artifacts")?.as_str() {
        "none" => return Ok(None),
        "checksum" => &["checksum"],
        "archive" => &["archive"],
        "sbom" => &["sbom"],
        "binary" => {
            im.notes.push(format!(
                "{path}.artifacts: binary signs every binary in dist/ (GoReleaser only those it uploads unarchived)"
            ));
            &["binary"]
        }
        // GoReleaser's uploadable files; xhost publishes every binary, which `all`
        // does not sign, as GoReleaser does not sign archived ones.
        "all" => &["checksum", "archive", "sbom"],
        other @ ("package" | "source") => {
            drop_entry(
                map,
                path,
                im,
                &format!("artifacts: {other}: xhost does not make those files yet"),
            );
            return Ok(None);
        }
        other => {
            return Err(super::yaml::err(
                node,
                format!(
                    "{path}.artifacts: `{other}`; GoReleaser knows checksum, source, all, archive, binary, sbom, package and none"
                ),
            ));
        }
    };
    Ok(Some(kinds.iter().map(|k| k.to_string()).collect()))
}

/// Where cosign's `--key` is.
enum KeySource {
    /// `env://NAME`: the key's text in a variable.
    Env(String),
    /// An absolute path.
    File(String),
}

impl KeySource {
    fn toml(&self) -> String {
        match self {
            KeySource::Env(name) => format!("env = {}", quote(name)),
            KeySource::File(path) => format!("file = {}", quote(path)),
        }
    }
}

/// cosign's `--key`; none (the entry dropped) for keyless signing, KMS keys and key
/// files inside the project.
fn key_source(
    args: &[String],
    map: &MarkedMappingNode,
    path: &str,
    im: &mut Importer,
) -> Option<KeySource> {
    let key = args.iter().enumerate().find_map(|(i, arg)| {
        arg.strip_prefix("--key=")
            .map(str::to_string)
            .or_else(|| (arg == "--key").then(|| args.get(i + 1).cloned()).flatten())
    });
    let reason = match key {
        None => {
            "keyless signing (an OIDC identity and a Fulcio certificate) is not available; xhost signs with keys it holds: give cosign's key under [signing.keys]"
        }
        Some(k) if k.starts_with("env://") => {
            return Some(KeySource::Env(k["env://".len()..].to_string()));
        }
        Some(k) if k.starts_with('/') => return Some(KeySource::File(k)),
        Some(k) if k.contains("://") => {
            "KMS keys are not available; xhost signs with keys it holds (a file or an environment variable)"
        }
        Some(_) => {
            "the key file is inside the project, where plugins granted `source` could read it; move it out and name it in [signing.keys.cosign] `file`, or put its text in a variable (`env`)"
        }
    };
    drop_entry(map, path, im, reason);
    None
}

/// The variable holding the key's password: the one `stdin` reads
/// (`{{ .Env.NAME }}`), else cosign's `COSIGN_PASSWORD`.
fn password_variable(map: &MarkedMappingNode) -> Result<String, ImportError> {
    if let Some(stdin) = map.get_node("stdin") {
        let text = scalar(stdin, "stdin")?;
        let inner = text
            .trim()
            .strip_prefix("{{")
            .and_then(|t| t.strip_suffix("}}"))
            .map(str::trim)
            .and_then(|t| t.strip_prefix(".Env."));
        match inner {
            Some(name) if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
                return Ok(name.to_string());
            }
            _ => {
                return Err(super::yaml::err(
                    stdin,
                    "signs.stdin: only `{{ .Env.NAME }}` carries over (the password's variable); a password written in the config does not",
                ));
            }
        }
    }
    Ok("COSIGN_PASSWORD".to_string())
}

/// `signature` → `cosign_outputs`: cosign's `.sig`, a bundle, or both when the name is
/// neither.
fn cosign_outputs(
    map: &MarkedMappingNode,
    path: &str,
    im: &mut Importer,
) -> Result<Vec<String>, ImportError> {
    let signature = match map.get_node("signature") {
        Some(s) => scalar(s, "signature")?,
        None => "${artifact}.sig".to_string(),
    };
    let outputs: &[&str] = if signature == "${artifact}.sig" {
        &["sig"]
    } else if signature == "${artifact}.sigstore.json" {
        &["bundle"]
    } else {
        im.notes.push(format!(
            "{path}.signature `{signature}`: xhost names signatures <file>.sig and bundles <file>.sigstore.json, and writes both"
        ));
        &["sig", "bundle"]
    };
    Ok(outputs.iter().map(|o| o.to_string()).collect())
}

/// What the key needs that this machine lacks.
fn missing(source: &KeySource, password: &str, present: &dyn Fn(&str) -> bool) -> Vec<String> {
    let mut lacking = Vec::new();
    match source {
        KeySource::Env(name) if !present(name) => lacking.push(format!("${name}")),
        KeySource::File(file) if !std::path::Path::new(file).is_file() => {
            lacking.push(file.clone());
        }
        _ => {}
    }
    if !present(password) {
        lacking.push(format!("${password}"));
    }
    lacking
}

fn commented(text: &str) -> String {
    text.lines().map(|l| format!("# {l}\n")).collect()
}

fn drop_entry(map: &MarkedMappingNode, path: &str, im: &mut Importer, reason: &str) {
    let line = map.span().start().map_or(0, |m| m.line());
    im.dropped.push(super::Dropped {
        line,
        key: path.to_string(),
        reason: reason.to_string(),
    });
}
