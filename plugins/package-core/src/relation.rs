//! A relation to another package (`depends`, `conflicts`, ...): a name, optionally with
//! a version constraint, written `name`, `name (>= 1.2)` or `name >= 1.2`.

use crate::{Result, error};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    pub name: String,
    pub constraint: Option<(Op, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Less,
    LessEq,
    Eq,
    GreaterEq,
    Greater,
}

impl Relation {
    /// Parses `text`, the entry at `place` (`depends[2]`) for errors.
    pub fn parse(text: &str, place: &str) -> Result<Relation> {
        let refuse = || {
            error(format!(
                "{place} `{text}`: write a package name, optionally with a version: `name`, `name (>= 1.2)` or `name >= 1.2`"
            ))
        };
        let flat = text.replace(['(', ')'], " ");
        let parts: Vec<&str> = flat.split_whitespace().collect();
        let (name, constraint) = match parts.as_slice() {
            [name] => (*name, None),
            [name, op, version] => (*name, Some((parse_op(op).ok_or_else(refuse)?, *version))),
            _ => return Err(refuse()),
        };
        let fine = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._+-:/~".contains(c))
        };
        if !fine(name) || !name.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '/') {
            return Err(refuse());
        }
        if let Some((_, version)) = constraint
            && !fine(version)
        {
            return Err(refuse());
        }
        Ok(Relation {
            name: name.to_string(),
            constraint: constraint.map(|(op, v)| (op, v.to_string())),
        })
    }

    /// `name (>= 1.2)`.
    pub fn deb(&self) -> String {
        match &self.constraint {
            None => self.name.clone(),
            Some((op, version)) => {
                let op = match op {
                    Op::Less => "<<",
                    Op::LessEq => "<=",
                    Op::Eq => "=",
                    Op::GreaterEq => ">=",
                    Op::Greater => ">>",
                };
                format!("{} ({op} {version})", self.name)
            }
        }
    }

    /// `name>=1.2`.
    pub fn apk(&self) -> String {
        match &self.constraint {
            None => self.name.clone(),
            Some((op, version)) => {
                let op = match op {
                    Op::Less => "<",
                    Op::LessEq => "<=",
                    Op::Eq => "=",
                    Op::GreaterEq => ">=",
                    Op::Greater => ">",
                };
                format!("{}{op}{version}", self.name)
            }
        }
    }
}

fn parse_op(op: &str) -> Option<Op> {
    Some(match op {
        "<<" | "<" => Op::Less,
        "<=" => Op::LessEq,
        "=" | "==" => Op::Eq,
        ">=" => Op::GreaterEq,
        ">>" | ">" => Op::Greater,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relations_in_each_spelling() {
        let r = Relation::parse("libc6 (>= 2.17)", "depends[0]").unwrap();
        assert_eq!(r.deb(), "libc6 (>= 2.17)");
        assert_eq!(r.apk(), "libc6>=2.17");
        assert_eq!(Relation::parse("git", "x").unwrap().deb(), "git");
        assert_eq!(Relation::parse("foo < 2", "x").unwrap().deb(), "foo (<< 2)");
        let why = Relation::parse("foo bar", "conflicts[1]").unwrap_err().0;
        assert!(why.starts_with("conflicts[1] `foo bar`"), "{why}");
        assert!(Relation::parse("foo (~> 1)", "x").is_err());
    }
}
