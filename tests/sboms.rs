//! SBOMs checked with the tools their users run: pyspdxtools, cyclonedx-python-lib's
//! strict validator, and `go version -m` for what they must list.

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use support::{Project, run_tool, sha256};

const TARGETS: &str =
    "targets = [\"linux/amd64\", \"darwin/arm64\", \"windows/amd64\", \"wasip1/wasm\"]";

#[test]
fn sboms_validate_and_list_what_go_version_m_lists() {
    let project = Project::from_example("sbom-deps", "hello-deps");
    project.write(
        "xhost.toml",
        format!("[project]\nname = \"hello-deps\"\nversion = \"2.0.0\"\n\n[build]\nmain = \"./cmd/hello-deps\"\n{TARGETS}\n"),
    );
    project.xhost(&["build", "."]).assert_ok();
    let dist = project.dist();

    for binary in [
        "hello-deps_linux_amd64/hello-deps",
        "hello-deps_darwin_arm64/hello-deps",
        "hello-deps_windows_amd64/hello-deps.exe",
    ] {
        let go_says = run_tool("go", &["version", "-m", binary], &dist);
        let expected: BTreeSet<(String, String)> = go_says
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix("dep\t"))
            .map(|dep| {
                let mut fields = dep.split('\t');
                (
                    fields.next().unwrap().to_string(),
                    fields.next().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(expected.len(), 2, "{go_says}");

        let spdx: serde_json::Value = read_json(&dist.join(format!("{binary}.spdx.json")));
        let listed: BTreeSet<(String, String)> = spdx["packages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["primaryPackagePurpose"] == "LIBRARY" && p["name"] != "stdlib")
            .map(|p| {
                (
                    p["name"].as_str().unwrap().to_string(),
                    p["versionInfo"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            listed, expected,
            "{binary}: SPDX modules differ from go version -m"
        );
        let artifact = &spdx["packages"][0];
        assert_eq!(
            artifact["checksums"][0]["checksumValue"],
            sha256(&dist.join(binary)).as_str()
        );
        let main = spdx["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["SPDXID"] == "SPDXRef-main")
            .unwrap();
        assert_eq!(
            (main["name"].as_str(), main["versionInfo"].as_str()),
            (Some("example.com/hello-deps"), Some("(devel)"))
        );
        let quotes = spdx["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "example.com/quotes")
            .unwrap();
        assert!(
            quotes["comment"]
                .as_str()
                .unwrap()
                .contains("replaced by ./third_party/quotes"),
            "{quotes}"
        );
        let stdlib = spdx["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "stdlib")
            .unwrap();
        let go_version = go_says
            .lines()
            .next()
            .unwrap()
            .split(": go")
            .nth(1)
            .unwrap();
        assert_eq!(
            stdlib["externalRefs"][0]["referenceLocator"],
            format!("pkg:golang/stdlib@{go_version}").as_str()
        );

        let cdx: serde_json::Value = read_json(&dist.join(format!("{binary}.cdx.json")));
        let components: BTreeSet<(String, String)> = cdx["components"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["type"] == "library" && c["name"] != "stdlib")
            .map(|c| {
                (
                    c["name"].as_str().unwrap().to_string(),
                    c["version"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            components, expected,
            "{binary}: CycloneDX modules differ from go version -m"
        );
        assert_eq!(
            cdx["metadata"]["component"]["hashes"][0]["content"],
            sha256(&dist.join(binary)).as_str()
        );

        support::validate_spdx(&dist.join(format!("{binary}.spdx.json")));
        support::validate_cyclonedx(&dist.join(format!("{binary}.cdx.json")));
    }

    // wasm has no build information: the SBOM comes from go.mod, go.sum and
    // vendor/modules.txt, with the toolchain go-build recorded.
    let wasm = "hello-deps_wasip1_wasm/hello-deps.wasm";
    support::validate_spdx(&dist.join(format!("{wasm}.spdx.json")));
    support::validate_cyclonedx(&dist.join(format!("{wasm}.cdx.json")));
    let cdx: serde_json::Value = read_json(&dist.join(format!("{wasm}.cdx.json")));
    let strutil = cdx["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "example.com/strutil")
        .unwrap();
    assert_eq!(strutil["purl"], "pkg:golang/example.com/strutil@v0.3.1");
    assert_eq!(
        strutil["properties"][0]["value"], "h1:3NQIWMNW/b/1ZcppZRi3fqcLCuj3EBOuHpWsUcRqfkk=",
        "{strutil}"
    );
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}
