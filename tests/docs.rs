//! docs/PLUGINS.md, tried as a new user would: every ```sh block runs, in order, in one
//! shell, in an empty directory, with only xhost, Go, Rust, componentize-py and Node.js
//! at hand.

mod support;

use support::{run_script, workspace};

#[test]
fn every_command_in_plugins_md_works_as_written() {
    let doc = std::fs::read_to_string(workspace().join("docs/PLUGINS.md")).unwrap();
    let blocks = sh_blocks(&doc);
    assert!(
        blocks.len() >= 6,
        "expected the tutorial's sh blocks, found {}",
        blocks.len()
    );
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("plugins-md");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let output = run_script(&dir, &blocks.join("\n"));
    // The tutorial's visible results, as it describes them.
    assert!(output.contains("Notes: example 0.0.0"), "{output}");
    assert!(output.contains("Release notes: hello 1.0.0"), "{output}");
    assert!(output.contains("hello_linux_amd64/hello"), "{output}");
    assert!(
        output.contains("ok: py-notes listed sample.txt"),
        "{output}"
    );
    assert!(
        output.contains("ok: js-notes listed sample.txt"),
        "{output}"
    );
    let sums = std::fs::read_to_string(dir.join("hello/dist/hello_1.0.0_checksums.txt")).unwrap();
    assert!(
        sums.contains("hello_1.0.0_release-notes.txt"),
        "the plugin's output is not checksummed:\n{sums}"
    );
}

/// The bodies of the fenced blocks tagged `sh`.
fn sh_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```sh") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}
