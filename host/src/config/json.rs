//! A stage's `config` table as canonical JSON: the form plugins receive and action
//! keys hash (object keys sorted, TOML datetimes as RFC 3339 strings).

use serde_json::{Map, Value};

/// The canonical JSON text of a TOML table.
pub fn canonical_json(table: &toml::Table) -> String {
    table_to_json(table).to_string()
}

fn table_to_json(table: &toml::Table) -> Value {
    // serde_json's Map is ordered by key, which makes the output canonical.
    Value::Object(
        table
            .iter()
            .map(|(k, v)| (k.clone(), to_json(v)))
            .collect::<Map<_, _>>(),
    )
}

fn to_json(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => {
            serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
        }
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        toml::Value::Table(table) => table_to_json(table),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_and_typed() {
        let table: toml::Table =
            toml::from_str("b = 1\na = [\"x\", true]\n[c]\nz = 1.5\ny = 1979-05-27").unwrap();
        assert_eq!(
            canonical_json(&table),
            r#"{"a":["x",true],"b":1,"c":{"y":"1979-05-27","z":1.5}}"#
        );
    }
}
