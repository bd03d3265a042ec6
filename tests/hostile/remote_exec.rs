//! Attacking a remote worker. A real execution service (BuildGrid over PostgreSQL)
//! hands a real `xhost worker` actions crafted to escape its directory or run
//! something other than a stage; anyone who can send actions to the service can send
//! these. Every one must end refused with a clear status, nothing written outside the
//! worker's action directory, and the worker still serving (the last action, a
//! legitimate request shape with a bad input, is refused by the worker itself, which
//! shows it carried on).

use std::path::{Path, PathBuf};

use bazel_remote_apis::build::bazel::remote::execution::v2 as reapi;
use prost::Message;
use serde_json::json;
use xhost::cache::remote::grpc::{self, Blob, GrpcCache};
use xhost::remote_exec::tree::Dir;

use super::support::exec_service::Service;
use super::support::{self, workspace};
use super::{Row, report};

/// One crafted action: what it is, what must refuse it, and where it would have
/// written had it escaped.
pub struct WorkerAttack {
    pub name: &'static str,
    pub layer: &'static str,
    /// Builds the action's blobs; returns the action's digest.
    pub craft: fn(&Craft) -> reapi::Digest,
    /// Text the refusal must contain.
    pub expect: &'static str,
}

/// What an attack builds with.
pub struct Craft {
    /// A path outside the worker that an escape would create.
    pub outside: PathBuf,
    pub blobs: std::cell::RefCell<Vec<Blob>>,
}

impl Craft {
    fn blob(&self, bytes: Vec<u8>) -> reapi::Digest {
        let blob = Blob::bytes(bytes);
        let digest = grpc::digest(&blob.sha256, blob.size);
        self.blobs.borrow_mut().push(blob);
        digest
    }

    fn directory(&self, directory: reapi::Directory) -> reapi::Digest {
        self.blob(directory.encode_to_vec())
    }

    fn file_node(&self, name: &str, bytes: &[u8]) -> reapi::FileNode {
        reapi::FileNode {
            name: name.into(),
            digest: Some(self.blob(bytes.to_vec())),
            ..Default::default()
        }
    }

    /// The action of `arguments` over `root`.
    fn action(&self, arguments: &[&str], root: reapi::Digest) -> reapi::Digest {
        let command = self.blob(
            reapi::Command {
                arguments: arguments.iter().map(ToString::to_string).collect(),
                ..Default::default()
            }
            .encode_to_vec(),
        );
        self.blob(
            reapi::Action {
                command_digest: Some(command),
                input_root_digest: Some(root),
                platform: Some(xhost::remote_exec::platform()),
                ..Default::default()
            }
            .encode_to_vec(),
        )
    }

    fn xhost_action(&self, root: reapi::Digest) -> reapi::Digest {
        self.action(&xhost::remote_exec::COMMAND, root)
    }

    fn planted(&self) -> reapi::Directory {
        reapi::Directory {
            files: vec![self.file_node("planted", b"escaped")],
            ..Default::default()
        }
    }
}

pub fn worker_attacks() -> Vec<WorkerAttack> {
    vec![
        WorkerAttack {
            name: "an action whose input tree holds a directory named `..`",
            layer: "worker: every name in an input tree is one plain path component",
            craft: |c| {
                let inner = c.directory(c.planted());
                c.xhost_action(c.directory(reapi::Directory {
                    directories: vec![reapi::DirectoryNode {
                        name: "..".into(),
                        digest: Some(inner),
                    }],
                    ..Default::default()
                }))
            },
            expect: "not a plain file name",
        },
        WorkerAttack {
            name: "an action whose input file is named with a path out of its directory",
            layer: "worker: every name in an input tree is one plain path component",
            craft: |c| {
                let name = format!("../../../../../../../..{}", c.outside.display());
                c.xhost_action(c.directory(reapi::Directory {
                    files: vec![c.file_node(&name, b"escaped")],
                    ..Default::default()
                }))
            },
            expect: "not a plain file name",
        },
        WorkerAttack {
            name: "an action whose input tree has a link and a directory of one name",
            layer: "worker: a name appears once per directory; files are created fresh, never through a link",
            craft: |c| {
                let inner = c.directory(c.planted());
                c.xhost_action(c.directory(reapi::Directory {
                    directories: vec![reapi::DirectoryNode {
                        name: "p".into(),
                        digest: Some(inner),
                    }],
                    symlinks: vec![reapi::SymlinkNode {
                        name: "p".into(),
                        target: c.outside.display().to_string(),
                        ..Default::default()
                    }],
                    ..Default::default()
                }))
            },
            expect: "names `p` twice",
        },
        WorkerAttack {
            name: "an action whose command is a shell, not xhost's",
            layer: "worker: runs only xhost's own command, never the action's arguments",
            craft: |c| {
                let script = format!("mkdir -p {0} && touch {0}/planted", c.outside.display());
                c.action(
                    &["/bin/sh", "-c", &script],
                    c.directory(reapi::Directory::default()),
                )
            },
            expect: "not an xhost action",
        },
        WorkerAttack {
            name: "an action whose input is not the file its digest names",
            layer: "worker: inputs are checked against their digests as they enter its store",
            craft: |c| {
                let mut project = Vec::new();
                let tree = xhost::remote_exec::tree::source(
                    &workspace().join("examples/hello-go"),
                    &[workspace().join("examples/hello-go/dist")],
                    &mut project,
                )
                .unwrap();
                c.blobs.borrow_mut().extend(project);
                let claimed = xhost::digest::sha256_hex(b"the binary the request names");
                let request = json!({
                    "schema": "xhost.remote-exec/v1",
                    "stage": "strip",
                    "target": "linux/amd64",
                    "key": "0".repeat(64),
                    "key_size": 1,
                    "key_parts": {},
                    "commit": {"hash": null, "time": null, "tag": null, "previous_tag": null, "summary": null},
                    "targets": ["linux/amd64"],
                    "snapshot": false,
                    "allow_lower_tag": false,
                    "inputs": [{
                        "output": {
                            "path": "hello_linux_amd64/hello", "kind": "binary",
                            "target": "linux/amd64", "sha256": claimed, "size": 28,
                            "executable": true, "meta": []
                        },
                        "stage": "compile", "plugin": "builtin:go-build", "plugin_digest": ""
                    }]
                });
                let mut root = Dir::default();
                root.subtree("project", tree);
                // Other bytes under the claimed digest's name.
                let other = c.blob(b"other bytes, same name".to_vec());
                root.file(&format!("inputs/{claimed}"), other, true);
                let request = c.blob(serde_json::to_vec(&request).unwrap());
                root.file("xhost-request.json", request, false);
                let digest = root.encode(&mut c.blobs.borrow_mut());
                c.xhost_action(digest)
            },
            expect: "is not the file its digest names",
        },
    ]
}

pub fn check_every_worker_attack(first: usize) {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile-worker");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let worker_dir = root.join("worker");
    let mut service = Service::start();
    service.worker_with("attacked", None, &["--dir", worker_dir.to_str().unwrap()]);
    let settings =
        xhost::cache::remote::Settings::at(service.url.clone(), "test", false, &Default::default())
            .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = {
        let _inside = runtime.enter();
        GrpcCache::new(&settings).unwrap()
    };
    let mut rows = Vec::new();
    for (n, attack) in worker_attacks().into_iter().enumerate() {
        let craft = Craft {
            outside: root.join(format!("outside-{n}")),
            blobs: Default::default(),
        };
        let action = (attack.craft)(&craft);
        let blobs = craft.blobs.take();
        let outcome = runtime.block_on(async {
            server.upload_missing(blobs).await.unwrap();
            execute(&server, action).await
        });
        let mut failures = Vec::new();
        if !outcome.contains(attack.expect) {
            failures.push(format!("the refusal lacks {:?}: {outcome}", attack.expect));
        }
        if craft.outside.exists() {
            failures.push(format!("{} was written", craft.outside.display()));
        }
        let escaped: Vec<PathBuf> = support::files(&root)
            .into_iter()
            .filter(|f| f.file_name().is_some_and(|n| n == "planted"))
            .collect();
        if !escaped.is_empty() {
            failures.push(format!("planted files: {escaped:?}"));
        }
        rows.push(Row {
            name: attack.name,
            layer: attack.layer,
            expected: attack.expect.to_string(),
            observed: outcome.chars().take(120).collect(),
            failures,
        });
    }
    let alive = service.worker_alive(0);
    let rows: Vec<&Row> = rows.iter().collect();
    report(
        &rows,
        first,
        "hostile-worker-report.md",
        "crafted actions not refused as expected",
    );
    assert!(alive, "the worker stopped serving");
}

/// Executes `action`; what the service answered, as text.
async fn execute(server: &GrpcCache, action: reapi::Digest) -> String {
    use bazel_remote_apis::google::longrunning::operation::Result as Outcome;
    let mut client = reapi::execution_client::ExecutionClient::new(server.channel());
    let mut stream = match client
        .execute(reapi::ExecuteRequest {
            instance_name: server.instance().to_string(),
            action_digest: Some(action),
            skip_cache_lookup: true,
            digest_function: grpc::SHA256,
            ..Default::default()
        })
        .await
    {
        Ok(response) => response.into_inner(),
        Err(status) => return format!("Execute refused: {status}"),
    };
    while let Ok(Some(operation)) = stream.message().await {
        if !operation.done {
            continue;
        }
        return match operation.result {
            Some(Outcome::Response(any)) => {
                let response = reapi::ExecuteResponse::decode(any.value.as_slice()).unwrap();
                match response.status {
                    Some(status) if status.code != 0 => status.message,
                    _ => format!("ran: {:?}", response.result),
                }
            }
            Some(Outcome::Error(status)) => status.message,
            None => "no result".into(),
        };
    }
    "the stream ended".into()
}
