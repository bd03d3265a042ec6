//! The GitHub Actions workflow: `.github/workflows/release.yml`.

use std::fmt::Write as _;

use super::{GENERATED, Group, Pipeline};

/// Actions the workflow uses, pinned to their major versions.
const CHECKOUT: &str = "actions/checkout@v4";
const SETUP_GO: &str = "actions/setup-go@v5";
const CACHE: &str = "actions/cache@v4";
const UPLOAD: &str = "actions/upload-artifact@v4";
const DOWNLOAD: &str = "actions/download-artifact@v4";

pub fn render(p: &Pipeline) -> String {
    let mut y = String::new();
    let _ = writeln!(
        y,
        "{GENERATED} github` from xhost.toml: change [ci] there and run it again\n\
         # rather than editing this file. Secrets reach only the merge job's xhost step."
    );
    y.push_str("name: release\n\non:\n  push:\n    tags: [\"v*.*.*\"]\n");
    if let Some(cron) = &p.schedule {
        let _ = writeln!(y, "  schedule:\n    - cron: \"{cron}\"");
    }
    y.push_str(
        "  workflow_dispatch:\n    inputs:\n      snapshot:\n        description: \"Build a snapshot version rather than the tag at HEAD\"\n        type: boolean\n        default: true\n",
    );
    y.push_str("\npermissions:\n  contents: read\n\n");
    y.push_str("concurrency:\n  group: release-${{ github.ref }}\n  cancel-in-progress: false\n\n");
    y.push_str(
        "env:\n  # A tag push releases the tag; a scheduled or manual run builds a snapshot.\n  XHOST_SNAPSHOT: ${{ (github.event_name == 'schedule' || inputs.snapshot) && '--snapshot' || '' }}\n",
    );
    if p.remote_cache {
        y.push_str("  XHOST_REMOTE_CACHE_TOKEN: ${{ secrets.XHOST_REMOTE_CACHE_TOKEN }}\n");
    }
    y.push_str("\njobs:\n");

    // plan: the configuration and every plugin checked before any runner builds.
    y.push_str("  plan:\n    runs-on: ubuntu-latest\n    steps:\n");
    setup(&mut y, p);
    y.push_str(
        "      - name: Check the configuration\n        run: xhost check $XHOST_SNAPSHOT\n\n",
    );

    // split: one job per runner, each building its targets' per-target stages.
    y.push_str("  split:\n    needs: plan\n    name: build (${{ matrix.name }})\n");
    y.push_str("    strategy:\n      fail-fast: true\n      matrix:\n        include:\n");
    for group in &p.groups {
        matrix_entry(&mut y, group);
    }
    y.push_str("    runs-on: ${{ matrix.runner }}\n    steps:\n");
    setup(&mut y, p);
    if !p.remote_cache {
        let _ = writeln!(
            y,
            "      - uses: {CACHE}\n        with:\n          path: ~/.cache/xhost\n          key: xhost-${{{{ matrix.name }}}}-${{{{ hashFiles('xhost.toml', 'go.sum') }}}}\n          restore-keys: xhost-${{{{ matrix.name }}}}-"
        );
    }
    y.push_str(
        "      - name: Build the per-target stages\n        run: xhost build --split ${{ matrix.targets }} $XHOST_SNAPSHOT --dist partial\n",
    );
    let _ = writeln!(
        y,
        "      - uses: {UPLOAD}\n        with:\n          name: partial-${{{{ matrix.name }}}}\n          path: partial\n          if-no-files-found: error\n          retention-days: 3\n"
    );

    // merge: the release stages once, with the keys; then upload and publish.
    y.push_str("  merge:\n    needs: split\n    runs-on: ubuntu-latest\n");
    y.push_str(
        "    permissions:\n      contents: write # the GitHub release of a tag\n    steps:\n",
    );
    setup(&mut y, p);
    let _ = writeln!(
        y,
        "      - uses: {DOWNLOAD}\n        with:\n          pattern: partial-*\n          path: ${{{{ runner.temp }}}}/partials"
    );
    y.push_str("      - name: Merge, sign and attest\n");
    secrets(&mut y, &p.key_secrets);
    // Outside the checkout: what is in it is the source stages read.
    y.push_str("        run: xhost merge \"$RUNNER_TEMP\"/partials/* $XHOST_SNAPSHOT\n");
    y.push_str("      - name: Verify\n        run: xhost verify dist\n");
    let _ = writeln!(
        y,
        "      - uses: {UPLOAD}\n        with:\n          name: release\n          path: dist\n          if-no-files-found: error"
    );
    if p.publish {
        y.push_str("      - name: Push to the registries\n        if: startsWith(github.ref, 'refs/tags/v')\n");
        secrets(
            &mut y,
            &[
                "XHOST_REGISTRY_USERNAME".into(),
                "XHOST_REGISTRY_PASSWORD".into(),
            ],
        );
        y.push_str("        run: xhost publish\n");
    }
    y.push_str(
        "      - name: Release the tag\n        if: startsWith(github.ref, 'refs/tags/v')\n        env:\n          GH_TOKEN: ${{ github.token }}\n        run: |\n          notes=()\n          if [ -f dist/CHANGELOG.md ]; then notes=(--notes-file dist/CHANGELOG.md); else notes=(--generate-notes); fi\n          find dist -maxdepth 1 -type f ! -name CHANGELOG.md -print0 | xargs -0 gh release create \"$GITHUB_REF_NAME\" --verify-tag \"${notes[@]}\"\n",
    );
    y
}

/// Checkout (with tags, for the version), Go, and xhost.
fn setup(y: &mut String, p: &Pipeline) {
    let _ = writeln!(
        y,
        "      - uses: {CHECKOUT}\n        with:\n          fetch-depth: 0"
    );
    if p.go {
        let _ = writeln!(
            y,
            "      - uses: {SETUP_GO}\n        with:\n          go-version-file: go.mod\n          cache: false"
        );
    }
    let _ = writeln!(y, "      - name: Install xhost\n        run: {}", p.install);
}

fn matrix_entry(y: &mut String, group: &Group) {
    let runner = match group.runner.as_slice() {
        [one] => one.clone(),
        many => format!("[{}]", many.join(", ")),
    };
    let _ = writeln!(
        y,
        "          - name: {}\n            runner: {runner}\n            targets: \"{}\"",
        group.name,
        Pipeline::target_args(group)
    );
}

/// An `env:` block mapping each variable to the secret of its name.
fn secrets(y: &mut String, names: &[String]) {
    if names.is_empty() {
        return;
    }
    y.push_str("        env:\n");
    for name in names {
        let _ = writeln!(y, "          {name}: ${{{{ secrets.{name} }}}}");
    }
}
