//! GoReleaser files as nodes that keep their lines: yaml-rust2's events built into
//! marked-yaml's node types, with what marked-yaml's own loader refuses and GoReleaser
//! configs use — anchors, aliases (an alias is a copy of its anchor's node, lines and
//! all) and `<<` merge keys (the merged mapping's keys, unless the mapping has them).

use std::collections::HashMap;

use marked_yaml::types::{MarkedMappingNode, MarkedScalarNode, MarkedSequenceNode};
use marked_yaml::{Marker, Node, Span};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker as YamlMarker;

use super::ImportError;

/// The file's top-level mapping.
pub fn parse(text: &str) -> Result<Node, ImportError> {
    let mut loader = Loader::default();
    Parser::new_from_str(text)
        .load(&mut loader, false)
        .map_err(|e| ImportError {
            line: e.marker().line(),
            message: format!("not YAML: {}", e.info()),
        })?;
    if let Some(error) = loader.error {
        return Err(error);
    }
    match loader.root {
        Some(root @ Node::Mapping(_)) => Ok(root),
        Some(other) => Err(ImportError {
            line: other.span().start().map_or(1, |m| m.line()),
            message: "a GoReleaser config is a mapping of settings".into(),
        }),
        None => Err(ImportError {
            line: 1,
            message: "the file is empty".into(),
        }),
    }
}

enum Frame {
    Sequence(MarkedSequenceNode),
    /// A mapping and its key waiting for a value.
    Mapping(MarkedMappingNode, Option<MarkedScalarNode>),
}

#[derive(Default)]
struct Loader {
    /// Open collections, with their anchor ids (0: none).
    stack: Vec<(Frame, usize)>,
    anchors: HashMap<usize, Node>,
    root: Option<Node>,
    error: Option<ImportError>,
}

fn span(mark: YamlMarker) -> Span {
    Span::new_start(Marker::new(0, mark.index(), mark.line(), mark.col() + 1))
}

impl MarkedEventReceiver for Loader {
    fn on_event(&mut self, event: Event, mark: YamlMarker) {
        if self.error.is_some() {
            return;
        }
        match event {
            Event::Scalar(value, _, anchor, _) => {
                let node = Node::Scalar(MarkedScalarNode::new(span(mark), value));
                self.finished(node, anchor, mark);
            }
            Event::Alias(id) => match self.anchors.get(&id).cloned() {
                Some(node) => self.finished(node, 0, mark),
                None => self.fail(mark, "an alias to an anchor not defined before it"),
            },
            Event::SequenceStart(anchor, _) => {
                let sequence = MarkedSequenceNode::new_empty(span(mark));
                self.stack.push((Frame::Sequence(sequence), anchor));
            }
            Event::MappingStart(anchor, _) => {
                let mapping = MarkedMappingNode::new_empty(span(mark));
                self.stack.push((Frame::Mapping(mapping, None), anchor));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some((frame, anchor)) = self.stack.pop() else {
                    return self.fail(mark, "a collection ends that never started");
                };
                let node = match frame {
                    Frame::Sequence(s) => Node::Sequence(s),
                    Frame::Mapping(m, _) => Node::Mapping(m),
                };
                self.finished(node, anchor, mark);
            }
            _ => {}
        }
    }
}

impl Loader {
    fn fail(&mut self, mark: YamlMarker, message: &str) {
        self.error = Some(ImportError {
            line: mark.line(),
            message: message.to_string(),
        });
    }

    /// A complete node: remembered under its anchor, then placed in its parent.
    fn finished(&mut self, node: Node, anchor: usize, mark: YamlMarker) {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some((Frame::Sequence(items), _)) => items.push(node),
            Some((Frame::Mapping(_, key @ None), _)) => match node {
                Node::Scalar(scalar) => *key = Some(scalar),
                _ => self.fail(mark, "a mapping key must be a single value"),
            },
            Some((Frame::Mapping(map, key @ Some(_)), _)) => {
                let key = key.take().expect("a pending key");
                if key.as_str() == "<<" {
                    merge(map, node);
                } else {
                    map.insert(key, node);
                }
            }
        }
    }
}

/// `<<: *anchor` (or a list of them): the merged mappings' keys the mapping lacks.
fn merge(map: &mut MarkedMappingNode, node: Node) {
    let sources = match node {
        Node::Mapping(m) => vec![m],
        Node::Sequence(items) => items
            .iter()
            .filter_map(|i| i.as_mapping().cloned())
            .collect(),
        Node::Scalar(_) => Vec::new(),
    };
    for source in sources {
        for (key, value) in source.iter() {
            if !map.contains_key(key) {
                map.insert(key.clone(), value.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_aliases_and_merge_keys_keep_lines() {
        let text = "homepage: &url https://example.com\nbase: &base\n  goarch: amd64\n  use: buildx\ndockers:\n  - <<: *base\n    goarch: arm64\n  - *base\nbrews:\n  - homepage: *url\n";
        let root = parse(text).unwrap();
        let root = root.as_mapping().unwrap();
        let dockers = root.get_sequence("dockers").unwrap();
        let first = dockers.get_mapping(0).unwrap();
        assert_eq!(first.get_scalar("goarch").unwrap().as_str(), "arm64");
        assert_eq!(first.get_scalar("use").unwrap().as_str(), "buildx");
        assert_eq!(
            dockers
                .get_mapping(1)
                .unwrap()
                .get_scalar("goarch")
                .unwrap()
                .as_str(),
            "amd64"
        );
        let url = root
            .get_sequence("brews")
            .unwrap()
            .get_mapping(0)
            .unwrap()
            .get_scalar("homepage")
            .unwrap();
        assert_eq!(url.as_str(), "https://example.com");
        // Keys keep their own lines.
        let lines: Vec<usize> = root
            .keys()
            .map(|k| k.span().start().unwrap().line())
            .collect();
        assert_eq!(lines, vec![1, 2, 5, 9]);
    }

    #[test]
    fn errors_have_lines() {
        assert_eq!(parse("a: 1\nb: [\n").unwrap_err().line, 3);
        assert_eq!(parse("a: *nothing\n").unwrap_err().line, 1);
        assert!(
            parse("- a\n")
                .unwrap_err()
                .message
                .contains("mapping of settings")
        );
    }
}
