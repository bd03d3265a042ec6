//! Doctored partial releases. `xhost merge` takes directories a CI system's artifact
//! store hands it, made on other machines: each attack changes a copy of a real
//! partial of `examples/hello-go` (linux/amd64; the other partial, linux/arm64, is
//! left alone) and the merge must refuse it naming what is wrong, with the release
//! already in `dist/` left as it was and nothing written outside the merge.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::support::{self, Project};
use super::{Row, report, why};

/// One way of doctoring a partial.
pub struct PartialAttack {
    pub name: &'static str,
    pub layer: &'static str,
    /// Changes the partial at the given path; the second is a path outside that an
    /// escape would write.
    pub doctor: fn(&Path, &Path),
    /// Text the refusal must contain.
    pub expect: &'static str,
}

const BINARY: &str = "hello_linux_amd64/hello";

pub fn partial_attacks() -> Vec<PartialAttack> {
    vec![
        PartialAttack {
            name: "a partial whose record climbs out of dist/ (`../../planted`), its artifacts.json made to match",
            layer: "merge: every path a plain relative path, no `..`",
            doctor: |dir, _| {
                rewrite(dir, |m| {
                    let record = &mut m["partial"]["records"][0];
                    record["path"] = "../../planted".into();
                    m["artifacts"][0]["path"] = "../../planted".into();
                });
            },
            expect: "is not a plain relative path in dist/",
        },
        PartialAttack {
            name: "a partial file replaced by a link to a file outside it",
            layer: "merge: files read only when regular, never through a link",
            doctor: |dir, outside| {
                std::fs::write(outside, "outside the partial\n").unwrap();
                let file = dir.join(BINARY);
                std::fs::remove_file(&file).unwrap();
                std::os::unix::fs::symlink(outside, &file).unwrap();
            },
            expect: "is not a regular file",
        },
        PartialAttack {
            name: "a partial binary with other bytes",
            layer: "merge: every file hashed against its record as it enters the store",
            doctor: |dir, _| {
                let file = dir.join(BINARY);
                let mut bytes = std::fs::read(&file).unwrap();
                bytes[64] ^= 0xff;
                std::fs::write(&file, bytes).unwrap();
            },
            expect: "it changed after it was built",
        },
        PartialAttack {
            name: "a forged checksums file slipped into a partial as a release stage's output",
            layer: "merge: every record made by a per-target stage of this xhost.toml",
            doctor: |dir, _| {
                let forged = b"0000  hello_1.0.0_linux_amd64.tar.gz\n";
                let name = "hello_linux_amd64/hello_1.0.0_checksums.txt";
                std::fs::write(dir.join(name), forged).unwrap();
                let sha256 = xhost::digest::sha256_hex(forged);
                rewrite(dir, |m| {
                    let mut record = m["partial"]["records"][0].clone();
                    record["path"] = name.into();
                    record["kind"] = "checksum".into();
                    record["sha256"] = sha256.clone().into();
                    record["size"] = forged.len().into();
                    record["stage"] = "checksum".into();
                    push(m, record);
                });
            },
            expect: "which is not a per-target stage of this xhost.toml",
        },
        PartialAttack {
            name: "a partial binary made by another plugin under a per-target stage's name",
            layer: "merge: each record's plugin digest equal to the one its stage runs here",
            doctor: |dir, _| {
                rewrite(dir, |m| {
                    let records = m["partial"]["records"].as_array_mut().unwrap();
                    for record in records.iter_mut().filter(|r| r["path"] == BINARY) {
                        record["plugin_digest"] = "ab".repeat(32).into();
                    }
                });
            },
            expect: "but here that stage runs",
        },
        PartialAttack {
            name: "a file added to a partial without a record",
            layer: "merge: a partial holds only the files it lists",
            doctor: |dir, _| {
                std::fs::write(dir.join("hello_linux_amd64/planted.sh"), "#!/bin/sh\n").unwrap();
            },
            expect: "hello_linux_amd64/planted.sh is not listed",
        },
        PartialAttack {
            name: "a partial's artifacts.json of 65 MiB",
            layer: "merge: a manifest over 64 MiB is refused unparsed",
            doctor: |dir, _| {
                let file = dir.join("artifacts.json");
                let mut text = std::fs::read(&file).unwrap();
                text.extend(std::iter::repeat_n(b' ', 65 << 20));
                std::fs::write(&file, text).unwrap();
            },
            expect: "larger than 64 MiB",
        },
        PartialAttack {
            name: "a partial of another target claiming to be of linux/amd64",
            layer: "merge: every record's target one the partial built",
            doctor: |dir, _| {
                rewrite(dir, |m| {
                    m["partial"]["targets"] = serde_json::json!(["linux/arm64"]);
                });
            },
            expect: "which the partial did not build",
        },
    ]
}

fn rewrite(dir: &Path, change: impl FnOnce(&mut Value)) {
    let file = dir.join("artifacts.json");
    let mut manifest: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    change(&mut manifest);
    std::fs::write(&file, serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
}

/// Adds `record` to the section and to `artifacts`, as a cover-up would.
fn push(manifest: &mut Value, record: Value) {
    let listed = serde_json::json!({
        "path": record["path"], "sha256": record["sha256"], "size": record["size"],
    });
    manifest["artifacts"].as_array_mut().unwrap().push(listed);
    manifest["partial"]["records"]
        .as_array_mut()
        .unwrap()
        .push(record);
}

pub fn check_every_partial_attack(first: usize) {
    let project = Project::from_example("hostile-partials", "hello-go");
    project.set_targets(&["linux/amd64", "linux/arm64"]);
    let root = project.dir.with_extension("partials");
    let _ = std::fs::remove_dir_all(&root);
    let (amd64, arm64) = (root.join("amd64"), root.join("arm64"));
    for (dist, target) in [(&amd64, "linux/amd64"), (&arm64, "linux/arm64")] {
        let dist = dist.to_str().unwrap();
        let args = ["build", "--split", "--target", target, "--dist", dist];
        project.xhost(&args).assert_ok();
    }
    let merge = |partial: &Path| {
        project.xhost(&["merge", partial.to_str().unwrap(), arm64.to_str().unwrap()])
    };
    merge(&amd64).assert_ok();
    let before = support::snapshot(&project.dist());
    let mut rows = Vec::new();
    for (n, attack) in partial_attacks().into_iter().enumerate() {
        let doctored = root.join(format!("doctored-{n}"));
        support::copy_tree(&amd64, &doctored);
        let outside = root.join(format!("outside-{n}"));
        (attack.doctor)(&doctored, &outside);
        let run = merge(&doctored);
        let mut failures = Vec::new();
        if run.code != Some(1) {
            failures.push(format!("exit code {:?}", run.code));
        }
        if !run.stderr.contains(attack.expect) {
            failures.push(format!("stderr lacks {:?}", attack.expect));
        }
        if support::snapshot(&project.dist()) != before {
            failures.push("dist/ changed".into());
        }
        let planted: Vec<PathBuf> = support::files(project.dir.parent().unwrap())
            .into_iter()
            .filter(|f| f.file_name().is_some_and(|n| n == "planted"))
            .collect();
        if !planted.is_empty() {
            failures.push(format!("planted files: {planted:?}"));
        }
        let _ = std::fs::remove_dir_all(&doctored);
        rows.push(Row {
            name: attack.name,
            layer: attack.layer,
            expected: attack.expect.to_string(),
            observed: why(&run.stderr, attack.expect),
            failures,
        });
    }
    let rows: Vec<&Row> = rows.iter().collect();
    report(
        &rows,
        first,
        "hostile-partials-report.md",
        "doctored partials not refused as expected",
    );
}
