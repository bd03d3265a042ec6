//! A new `xhost.toml` with every default written out, each line saying where the value
//! comes from, so a user can see and change what xhost would do.

use std::fmt::Write as _;

use crate::config::{Config, DEFAULT_PIPELINE, DefaultStage, FETCH, RUST_FETCH, RUST_PIPELINE};

/// `./cmd/NAME` when the module root has no main package and `cmd/` holds exactly one
/// directory with one (the usual layout of a Go command).
fn main_package(root: &std::path::Path) -> Option<String> {
    let has_main = |dir: &std::path::Path| {
        std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| {
                e.path().extension().is_some_and(|x| x == "go")
                    && std::fs::read_to_string(e.path())
                        .is_ok_and(|text| text.lines().any(|l| l.trim() == "package main"))
            })
    };
    if has_main(root) {
        return None;
    }
    let mut found = std::fs::read_dir(root.join("cmd"))
        .ok()?
        .flatten()
        .filter(|e| e.path().is_dir() && has_main(&e.path()))
        .map(|e| format!("./cmd/{}", e.file_name().to_string_lossy()));
    match (found.next(), found.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// The text, from the configuration xhost resolves for the project without a file.
pub fn render(config: &Config) -> String {
    let setting = |key: &str| {
        config
            .settings
            .iter()
            .find(|s| s.key == key)
            .map(|s| s.origin.clone())
            .unwrap_or_default()
    };
    let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
    let mut out = String::new();
    writeln!(
        out,
        "# xhost's defaults for this project, written out. Delete a line to get the same value"
    )
    .ok();
    writeln!(out, "# from xhost; strings are templates in GoReleaser's language ({{{{ .Version }}}}, {{{{ .Os }}}}, …).\n").ok();
    writeln!(out, "[project]").ok();
    writeln!(
        out,
        "name = {:<24} # {}",
        quote(&config.project.name),
        setting("project.name")
    )
    .ok();
    writeln!(
        out,
        "# version: the tag at HEAD (a semantic version above the previous tag); untagged or"
    )
    .ok();
    writeln!(
        out,
        "# with --snapshot, this template over the last tag's version:"
    )
    .ok();
    writeln!(
        out,
        "snapshot_version = \"{{{{ .Version }}}}-SNAPSHOT-{{{{ .ShortCommit }}}}\"\n"
    )
    .ok();
    let rust = config.stages.iter().any(|s| {
        matches!(&s.plugin, crate::config::PluginRef::Builtin { name, .. } if name == "cargo-build")
    });
    writeln!(out, "[build]").ok();
    let (main, why) = match main_package(&config.root).filter(|_| !rust) {
        Some(found) => (found, "the only main package under cmd/".to_string()),
        None => (config.build.main.clone(), setting("build.main")),
    };
    writeln!(out, "main = {:<24} # {why}", quote(&main)).ok();
    if rust {
        writeln!(
            out,
            "binary = {:<22} # {}",
            quote(&config.build.binary),
            setting("build.binary")
        )
        .ok();
    } else {
        writeln!(out, "binary = \"{{{{ .ProjectName }}}}\"").ok();
    }
    let targets: Vec<String> = config
        .targets
        .iter()
        .map(|t| quote(&t.to_string()))
        .collect();
    writeln!(out, "targets = [{}]", targets.join(", ")).ok();
    if rust {
        writeln!(
            out,
            "flags = []                 # more `cargo install` flags\n"
        )
        .ok();
    } else {
        writeln!(out, "ldflags = {}", quote(crate::config::DEFAULT_LDFLAGS)).ok();
        writeln!(out, "flags = []                 # more `go build` flags\n").ok();
    }
    let limits = &config.limits;
    writeln!(
        out,
        "[limits]                   # per plugin invocation; a stage's `limits` overrides"
    )
    .ok();
    writeln!(out, "memory_mib = {}", limits.memory_mib).ok();
    writeln!(
        out,
        "time_secs = {}             # the plugin's own time, not counting programs it runs",
        limits.time_secs
    )
    .ok();
    writeln!(
        out,
        "exec_time_secs = {}       # one run of a granted program",
        limits.exec_time_secs
    )
    .ok();
    writeln!(out, "exec_memory_mib = {}", limits.exec_memory_mib).ok();
    writeln!(out, "exec_processes = {}", limits.exec_processes).ok();
    writeln!(
        out,
        "output_mib = {}          # what one invocation may write",
        limits.output_mib
    )
    .ok();
    writeln!(out, "output_files = {}\n", limits.output_files).ok();
    writeln!(
        out,
        "[changelog]                # dist/CHANGELOG.md from the commits since the previous tag"
    )
    .ok();
    writeln!(
        out,
        "sort = \"\"                  # \"asc\", \"desc\", or \"\" (newest first)"
    )
    .ok();
    writeln!(
        out,
        "filters.exclude = []       # regular expressions over commit subjects\n"
    )
    .ok();
    let (fetch, pipeline): (&DefaultStage, &[DefaultStage]) = if rust {
        (&RUST_FETCH, RUST_PIPELINE)
    } else {
        (&FETCH, DEFAULT_PIPELINE)
    };
    let downloads = config.stages.iter().any(|s| s.name == fetch.name);
    let stages = downloads.then_some(fetch).into_iter().chain(pipeline);
    for stage in stages {
        out.push_str(&super::stage_toml(stage));
        out.push('\n');
    }
    out
}
