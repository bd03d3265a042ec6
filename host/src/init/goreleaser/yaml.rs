//! Reading the GoReleaser file's nodes: values of the shapes GoReleaser accepts, and
//! errors at the node's line.

use marked_yaml::Node;
use marked_yaml::types::{MarkedMappingNode, MarkedScalarNode, MarkedSequenceNode};

use super::ImportError;

pub(super) fn line_of(node: &Node) -> usize {
    node.span().start().map_or(0, |m| m.line())
}

pub(super) fn key_line(key: &MarkedScalarNode) -> usize {
    key.span().start().map_or(0, |m| m.line())
}

pub(super) fn err(node: &Node, message: impl Into<String>) -> ImportError {
    ImportError {
        line: line_of(node),
        message: message.into(),
    }
}

pub(super) fn scalar(node: &Node, key: &str) -> Result<String, ImportError> {
    node.as_scalar()
        .map(|s| s.as_str().to_string())
        .ok_or_else(|| err(node, format!("{key} must be a single value")))
}

/// A string or a list of strings (GoReleaser accepts both for ldflags).
pub(super) fn strings(node: &Node, key: &str) -> Result<Vec<String>, ImportError> {
    match node {
        Node::Scalar(s) => Ok(vec![s.as_str().to_string()]),
        Node::Sequence(items) => items.iter().map(|i| scalar(i, key)).collect(),
        Node::Mapping(_) => Err(err(node, format!("{key} must be a list of values"))),
    }
}

pub(super) fn truthy(node: &Node, key: &str) -> Result<bool, ImportError> {
    let text = scalar(node, key)?;
    match text.as_str() {
        "true" | "yes" | "on" => Ok(true),
        "false" | "no" | "off" | "" => Ok(false),
        _ => Err(err(node, format!("{key} must be true or false"))),
    }
}

/// `K=V` entries.
pub(super) fn env_list(node: &Node, key: &str) -> Result<Vec<(String, String)>, ImportError> {
    strings(node, key)?
        .into_iter()
        .map(|entry| match entry.split_once('=') {
            Some((k, v)) => Ok((k.to_string(), v.to_string())),
            None => Err(err(node, format!("{key}: `{entry}` is not NAME=VALUE"))),
        })
        .collect()
}

/// `node` as a mapping, else an error naming `what`.
pub(super) fn mapping<'a>(
    node: &'a Node,
    what: &str,
) -> Result<&'a MarkedMappingNode, ImportError> {
    node.as_mapping()
        .ok_or_else(|| err(node, format!("{what} must be a mapping")))
}

/// `node` as a list, else an error naming `what`.
pub(super) fn list<'a>(node: &'a Node, what: &str) -> Result<&'a MarkedSequenceNode, ImportError> {
    node.as_sequence()
        .ok_or_else(|| err(node, format!("{what} must be a list")))
}
