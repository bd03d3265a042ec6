//! JSON with object keys sorted and no spaces, so the same document is the same bytes
//! (and digest) on every build: the OCI types hold annotations and labels in hash maps,
//! whose order changes from run to run.

use serde::Serialize;
use serde_json::Value;

use super::{Error, error};

pub fn json(value: &impl Serialize) -> Result<Vec<u8>, Error> {
    let value = serde_json::to_value(value).map_err(|e| error(format!("encoding JSON: {e}")))?;
    let mut out = Vec::new();
    write(&value, &mut out);
    Ok(out)
}

fn write(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push(b'{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(&Value::String(key.clone()), out);
                out.push(b':');
                write(&map[key], out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(item, out);
            }
            out.push(b']');
        }
        scalar => out.extend(serde_json::to_vec(scalar).expect("a JSON scalar encodes")),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_are_sorted_at_every_depth() {
        let value = serde_json::json!({"b": {"z": 1, "a": [{"y": "é", "x": null}]}, "a": true});
        assert_eq!(
            String::from_utf8(super::json(&value).unwrap()).unwrap(),
            r#"{"a":true,"b":{"a":[{"x":null,"y":"é"}],"z":1}}"#
        );
    }
}
