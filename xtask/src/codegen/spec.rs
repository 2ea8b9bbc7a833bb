//! The spec as progenitor is given it: the committed spec, rewritten in memory so that the
//! generated code names each operation once for both path families, checks only what requests
//! send, and hands every answer back as it came.

use anyhow::{Context, Result};

/// Gives progenitor the operation ids without Cloudflare's `basin-` prefix (the committed spec
/// keeps them): each operation is served under both path families, `basin-catalog` and
/// `r2-catalog`, and the names the SDK logs and keys its policies on should not claim one.
pub(super) fn unprefix_operation_ids(spec: &mut serde_json::Value) {
    let Some(paths) = spec["paths"].as_object_mut() else {
        return;
    };
    for item in paths
        .values_mut()
        .filter_map(serde_json::Value::as_object_mut)
    {
        for operation in item.values_mut() {
            let unprefixed = operation["operationId"]
                .as_str()
                .and_then(|id| id.strip_prefix("basin-"))
                .map(str::to_owned);
            if let Some(id) = unprefixed {
                operation["operationId"] = id.into();
            }
        }
    }
}

/// The JSON Schema keywords that make typify check a value while parsing it: constrained
/// newtypes for patterns and lengths, `NonZeroU64` for a positive minimum.
const CHECKING_KEYWORDS: [&str; 9] = [
    "pattern",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
];

/// Takes every check out of the schemas only answers use, in what progenitor is given: the
/// server is the authority on what it sends, and an age normalised to `168h0m0s`, a count of 0,
/// or a nullable field left out (a last page without `next_page_token`) must not fail a whole
/// listing. A `minimum` above 0 goes too; one of 0 stays (typify reads it as "unsigned").
/// Schemas that requests use too keep their checks (they validate inputs); enums, in both, become
/// the SDK's open enums (see [`super::checks::refuse_closed_enums`]).
pub(super) fn loosen_answers(spec: &mut serde_json::Value) {
    use std::collections::BTreeSet;
    let mut asked = BTreeSet::new();
    let mut answered = BTreeSet::new();
    if let Some(paths) = spec["paths"].as_object() {
        for item in paths.values().filter_map(serde_json::Value::as_object) {
            for (key, operation) in item {
                if key == "parameters" {
                    collect_refs(operation, &mut asked);
                    continue;
                }
                collect_refs(&operation["parameters"], &mut asked);
                collect_refs(&operation["requestBody"], &mut asked);
                collect_refs(&operation["responses"], &mut answered);
            }
        }
    }
    let schemas = spec["components"]["schemas"].clone();
    let asked = closure(asked, &schemas);
    let answered = closure(answered, &schemas);
    for name in answered.difference(&asked) {
        if let Some(schema) = spec["components"]["schemas"].get_mut(name) {
            unchecked(schema);
        }
    }
    // The inline schemas of the answers themselves (the `allOf` around each `result`).
    if let Some(paths) = spec["paths"].as_object_mut() {
        for item in paths
            .values_mut()
            .filter_map(serde_json::Value::as_object_mut)
        {
            for operation in item.values_mut() {
                if let Some(responses) = operation.get_mut("responses") {
                    unchecked(responses);
                }
            }
        }
    }
}

/// Gives progenitor every operation without its responses, so that each generated method
/// returns what came back as it came: `ResponseValue<ByteStream>` for any 2xx, and
/// `Error::UnexpectedResponse` (the whole response) for anything else. The SDK reads the body
/// and judges the envelope in one place (`sdk/src/envelope.rs`), with the status and headers in
/// hand; progenitor's own parsing would drop them when a body does not parse, and would need one
/// type per operation's answers. The models stay: they are the spec's component schemas, plus
/// each inline `result` schema, which is moved into the components under `<operation>-result`.
pub(super) fn answers_as_bytes(spec: &mut serde_json::Value) -> Result<()> {
    let mut results = Vec::new();
    let Some(paths) = spec["paths"].as_object_mut() else {
        anyhow::bail!("the spec has no paths");
    };
    for item in paths
        .values_mut()
        .filter_map(serde_json::Value::as_object_mut)
    {
        for (method, operation) in item.iter_mut() {
            if !HTTP_METHODS.contains(&method.as_str()) {
                continue;
            }
            let id = operation["operationId"]
                .as_str()
                .with_context(|| format!("a {method} operation has no operationId"))?
                .to_owned();
            let Some(responses) = operation
                .get_mut("responses")
                .and_then(|r| r.as_object_mut())
            else {
                continue;
            };
            for (status, response) in responses.iter() {
                let inline = response["content"]["application/json"]["schema"]["allOf"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|part| &part["properties"]["result"])
                    .find(|result| result.is_object() && result.get("$ref").is_none());
                if status.starts_with('2')
                    && let Some(result) = inline
                {
                    results.push((format!("{id}-result"), result.clone()));
                }
            }
            responses.clear();
        }
    }
    let schemas = spec["components"]["schemas"]
        .as_object_mut()
        .context("the spec has no component schemas")?;
    for (name, schema) in results {
        if schemas.insert(name.clone(), schema).is_some() {
            anyhow::bail!(
                "{name}: the spec already has a component of that name, or the operation has \
                 two inline results; name them in xtask/src/codegen/spec.rs"
            );
        }
    }
    Ok(())
}

/// The keys of a path item that are operations.
const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The component names `value` refers to.
fn collect_refs(value: &serde_json::Value, names: &mut std::collections::BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, child) in map {
                match (key.as_str(), child.as_str()) {
                    ("$ref", Some(reference)) => {
                        if let Some(name) = reference.strip_prefix("#/components/schemas/") {
                            names.insert(name.to_owned());
                        }
                    }
                    _ => collect_refs(child, names),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|item| collect_refs(item, names)),
        _ => {}
    }
}

/// `names` and every schema they reach.
fn closure(
    mut names: std::collections::BTreeSet<String>,
    schemas: &serde_json::Value,
) -> std::collections::BTreeSet<String> {
    let mut pending: Vec<String> = names.iter().cloned().collect();
    while let Some(name) = pending.pop() {
        let mut reached = std::collections::BTreeSet::new();
        collect_refs(&schemas[&name], &mut reached);
        for name in reached {
            if names.insert(name.clone()) {
                pending.push(name);
            }
        }
    }
    names
}

/// `schema` and every schema inside it, without [`CHECKING_KEYWORDS`], a positive `minimum`,
/// or a nullable property among those `required` (it is an `Option` either way; required, typify
/// makes its absence an error).
fn unchecked(schema: &mut serde_json::Value) {
    match schema {
        serde_json::Value::Object(map) => {
            for keyword in CHECKING_KEYWORDS {
                map.remove(keyword);
            }
            if map.get("minimum").and_then(serde_json::Value::as_f64) > Some(0.0) {
                map.remove("minimum");
            }
            let nullable: Vec<String> = map
                .get("properties")
                .and_then(serde_json::Value::as_object)
                .into_iter()
                .flatten()
                .filter(|(_, property)| property["nullable"] == true)
                .map(|(name, _)| name.clone())
                .collect();
            if let Some(serde_json::Value::Array(required)) = map.get_mut("required") {
                required.retain(|name| {
                    name.as_str()
                        .is_none_or(|name| !nullable.iter().any(|n| n == name))
                });
            }
            map.values_mut().for_each(unchecked);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(unchecked),
        _ => {}
    }
}
