//! Checks JSON against the committed spec's OpenAPI 3.0 schemas: the keywords the spec uses,
//! `$ref` resolved, `nullable` honoured. A keyword it does not know is itself a violation, so a
//! schema the spec grows can never pass unchecked. (The emulator's suite declares it beside
//! `mod common`, whose spec it reads.)

use serde_json::Value;

use crate::common::{operation, spec};

/// Every way `body` breaks what the spec declares for `operation_id` answering `status`: the
/// status must be declared, and the body must match its JSON schema, or be empty if it
/// declares none.
pub fn response_violations(operation_id: &str, status: u16, body: &[u8]) -> Vec<String> {
    let declared = &operation(operation_id)["responses"][status.to_string()];
    if declared.is_null() {
        return vec![format!("{operation_id} does not declare HTTP {status}")];
    }
    match declared["content"]["application/json"]["schema"].as_object() {
        None if body.is_empty() => Vec::new(),
        None => vec![format!(
            "HTTP {status} of {operation_id} declares no body, got {} bytes",
            body.len()
        )],
        Some(_) => body_violations(&declared["content"]["application/json"]["schema"], body),
    }
}

/// How `body` breaks `schema` (or that it is not JSON).
pub fn body_violations(schema: &Value, body: &[u8]) -> Vec<String> {
    match serde_json::from_slice::<Value>(body) {
        Ok(json) => violations(schema, &json),
        Err(error) => vec![format!("not JSON: {error}")],
    }
}

/// The spec's named schema `name` (without the `#/components/schemas/` prefix).
pub fn component(name: &str) -> &'static Value {
    &spec()["components"]["schemas"][name]
}

/// Every way `value` breaks `schema`, each with its JSON path.
pub fn violations(schema: &Value, value: &Value) -> Vec<String> {
    let mut found = Vec::new();
    check(schema, value, "$", &mut found);
    found
}

fn check(schema: &Value, value: &Value, at: &str, found: &mut Vec<String>) {
    let Some(keywords) = schema.as_object() else {
        found.push(format!("{at}: schema is not an object"));
        return;
    };
    if let Some(reference) = keywords.get("$ref").and_then(Value::as_str) {
        let name = reference.trim_start_matches("#/components/schemas/");
        let target = component(name);
        if target.is_null() {
            found.push(format!("{at}: unresolved $ref {reference}"));
        } else {
            check(target, value, at, found);
        }
        return;
    }
    if value.is_null() && keywords.get("nullable") == Some(&Value::Bool(true)) {
        return;
    }
    for (keyword, rule) in keywords {
        let mut fail = |message: String| found.push(format!("{at}: {message}"));
        match keyword.as_str() {
            // Annotations: `readOnly` tells writers not to send a field (`interval`,
            // `next_eligible_at`); an answer carrying it is what it describes.
            "description" | "example" | "title" | "nullable" | "readOnly" => {}
            "allOf" => {
                for part in rule.as_array().into_iter().flatten() {
                    check(part, value, at, found);
                }
            }
            "type" => {
                let expected = rule.as_str().unwrap_or_default();
                let fits = match expected {
                    "object" => value.is_object(),
                    "array" => value.is_array(),
                    "string" => value.is_string(),
                    "boolean" => value.is_boolean(),
                    "integer" => value.is_i64() || value.is_u64(),
                    "number" => value.is_number(),
                    _ => false,
                };
                if !fits {
                    fail(format!("expected {expected}, got {value}"));
                }
            }
            "enum" => {
                if !rule
                    .as_array()
                    .is_some_and(|options| options.contains(value))
                {
                    fail(format!("{value} is not one of {rule}"));
                }
            }
            "required" => {
                for name in rule
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    if value.is_object() && value.get(name).is_none() {
                        fail(format!("missing required {name:?}"));
                    }
                }
            }
            "properties" => {
                let (Some(properties), Some(object)) = (rule.as_object(), value.as_object()) else {
                    continue;
                };
                for (name, property) in properties {
                    if let Some(field) = object.get(name) {
                        check(property, field, &format!("{at}.{name}"), found);
                    }
                }
            }
            "additionalProperties" => match (rule, value.as_object()) {
                (Value::Bool(true), _) | (_, None) => {}
                (Value::Bool(false), Some(object)) => {
                    let known = keywords.get("properties").and_then(Value::as_object);
                    for name in object.keys() {
                        if !known.is_some_and(|known| known.contains_key(name)) {
                            fail(format!("unexpected property {name:?}"));
                        }
                    }
                }
                (extra, Some(object)) => {
                    let known = keywords.get("properties").and_then(Value::as_object);
                    for (name, field) in object {
                        if !known.is_some_and(|known| known.contains_key(name)) {
                            check(extra, field, &format!("{at}.{name}"), found);
                        }
                    }
                }
            },
            "items" => {
                for (index, item) in value.as_array().into_iter().flatten().enumerate() {
                    check(rule, item, &format!("{at}[{index}]"), found);
                }
            }
            "minItems" | "maxItems" | "minLength" | "maxLength" => {
                let length = if keyword.ends_with("Items") {
                    value.as_array().map(Vec::len)
                } else {
                    value.as_str().map(|text| text.chars().count())
                };
                let (Some(length), Some(bound)) = (length, rule.as_u64()) else {
                    continue;
                };
                let length = length as u64;
                let breaks = if keyword.starts_with("min") {
                    length < bound
                } else {
                    length > bound
                };
                if breaks {
                    fail(format!("length {length} breaks {keyword} {bound}"));
                }
            }
            "minimum" => {
                if let (Some(number), Some(bound)) = (value.as_f64(), rule.as_f64())
                    && number < bound
                {
                    fail(format!("{number} is below the minimum {bound}"));
                }
            }
            "pattern" => {
                let pattern = rule.as_str().unwrap_or_default();
                let regex = regress::Regex::new(pattern).expect("the spec's pattern compiles");
                if let Some(text) = value.as_str()
                    && regex.find(text).is_none()
                {
                    fail(format!("{text:?} does not match {pattern}"));
                }
            }
            "format" => {
                let Some(text) = value.as_str() else { continue };
                let fits = match rule.as_str().unwrap_or_default() {
                    "uuid" => is_uuid(text),
                    "date-time" => is_date_time(text),
                    _ => true,
                };
                if !fits {
                    fail(format!("{text:?} is not a {rule}"));
                }
            }
            unknown => fail(format!(
                "schema keyword {unknown:?} is not checked by this test"
            )),
        }
    }
}

fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.iter().map(|group| group.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|group| group.bytes().all(|byte| byte.is_ascii_hexdigit()))
}

/// RFC 3339: `YYYY-MM-DDTHH:MM:SS`, optional fraction, then `Z` or an offset.
fn is_date_time(text: &str) -> bool {
    let pattern = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$";
    regress::Regex::new(pattern)
        .expect("compiles")
        .find(text)
        .is_some()
}
