//! `cargo xtask trim`: cut Cloudflare's full OpenAPI document down to the operations the SDK
//! covers and the components they reach, nothing else.
//!
//! The output is canonical (object keys sorted, two-space indent, trailing newline) so that the
//! same upstream document and operation list always give the same bytes, whatever key order the
//! upstream file happens to use.

use std::collections::{BTreeSet, VecDeque};

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value};

use crate::Workspace;

/// The trimmed spec, relative to the workspace root.
pub const SPEC: &str = "openapi/basin-catalog.json";
/// The committed list of operation ids the spec keeps, relative to the workspace root.
pub const OPERATIONS: &str = "openapi/operations.txt";

const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Reads the committed operation list: one `operationId` a line, `#` starts a comment.
pub fn parse_operation_list(text: &str) -> Result<Vec<String>> {
    let mut ids = Vec::new();
    for line in text.lines() {
        let id = line.split('#').next().unwrap_or_default().trim();
        if id.is_empty() {
            continue;
        }
        if ids.iter().any(|known| known == id) {
            bail!("operation list names `{id}` twice");
        }
        ids.push(id.to_owned());
    }
    if ids.is_empty() {
        bail!("operation list names no operation");
    }
    Ok(ids)
}

/// Returns the trimmed document: the operations named in `operation_ids`, exactly as upstream
/// wrote them, plus every component they reach through `$ref` or a security requirement.
pub fn trim(upstream: &Value, operation_ids: &[String]) -> Result<Value> {
    let upstream = upstream
        .as_object()
        .context("the upstream document is not a JSON object")?;
    let upstream_paths = upstream
        .get("paths")
        .and_then(Value::as_object)
        .context("the upstream document has no `paths` object")?;

    let wanted: BTreeSet<&str> = operation_ids.iter().map(String::as_str).collect();
    let mut found = BTreeSet::new();
    let mut paths = Map::new();
    for (path, item) in upstream_paths {
        let item = item
            .as_object()
            .with_context(|| format!("path item `{path}` is not an object"))?;
        let mut kept = Map::new();
        for (key, operation) in item {
            if !HTTP_METHODS.contains(&key.as_str()) {
                continue;
            }
            let id = operation.get("operationId").and_then(Value::as_str);
            if let Some(id) = id.filter(|id| wanted.contains(id)) {
                found.insert(id.to_owned());
                kept.insert(key.clone(), operation.clone());
            }
        }
        if kept.is_empty() {
            continue;
        }
        // Path-level fields (shared parameters, summary, servers) belong to every operation kept.
        for (key, value) in item {
            if !HTTP_METHODS.contains(&key.as_str()) {
                kept.insert(key.clone(), value.clone());
            }
        }
        paths.insert(path.clone(), Value::Object(kept));
    }
    let missing: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|id| !found.contains(*id))
        .collect();
    if !missing.is_empty() {
        bail!(
            "the upstream document has no operation named {}",
            missing.join(", ")
        );
    }

    let operations: Vec<&Value> = paths
        .values()
        .filter_map(Value::as_object)
        .flat_map(|item| {
            item.iter()
                .filter(|(key, _)| HTTP_METHODS.contains(&key.as_str()))
                .map(|(_, operation)| operation)
        })
        .collect();

    // The document-wide `security` only matters if some kept operation does not declare its own.
    let top_level_security = upstream
        .get("security")
        .filter(|_| operations.iter().any(|op| op.get("security").is_none()));
    let mut security_schemes = BTreeSet::new();
    for requirements in operations
        .iter()
        .filter_map(|op| op.get("security"))
        .chain(top_level_security)
    {
        for requirement in requirements.as_array().into_iter().flatten() {
            for name in requirement.as_object().into_iter().flat_map(Map::keys) {
                security_schemes.insert(name.clone());
            }
        }
    }

    let empty = Map::new();
    let upstream_components = upstream
        .get("components")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut components = reachable_components(&Value::Object(paths.clone()), upstream_components)?;
    for name in &security_schemes {
        let scheme = upstream_components
            .get("securitySchemes")
            .and_then(|schemes| schemes.get(name))
            .with_context(|| format!("security scheme `{name}` is not defined upstream"))?;
        insert_component(&mut components, "securitySchemes", name, scheme.clone());
    }

    let used_tags: BTreeSet<&str> = operations
        .iter()
        .filter_map(|op| op.get("tags").and_then(Value::as_array))
        .flatten()
        .filter_map(Value::as_str)
        .collect();

    let mut out = Map::new();
    for (key, value) in upstream {
        match key.as_str() {
            "paths" => {
                out.insert(key.clone(), Value::Object(paths.clone()));
            }
            "components" => {
                out.insert(key.clone(), Value::Object(components.clone()));
            }
            "security" => {
                if let Some(security) = top_level_security {
                    out.insert(key.clone(), security.clone());
                }
            }
            "tags" => {
                let tags: Vec<Value> = value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|tag| {
                        tag.get("name")
                            .and_then(Value::as_str)
                            .is_some_and(|name| used_tags.contains(name))
                    })
                    .cloned()
                    .collect();
                out.insert(key.clone(), Value::Array(tags));
            }
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    Ok(canonical(Value::Object(out)))
}

/// Follows every `#/components/<kind>/<name>` reference from `root`, transitively.
fn reachable_components(root: &Value, upstream: &Map<String, Value>) -> Result<Map<String, Value>> {
    let mut components = Map::new();
    let mut seen = BTreeSet::new();
    let mut queue: VecDeque<String> = VecDeque::new();
    collect_refs(root, &mut queue);
    while let Some(reference) = queue.pop_front() {
        if !seen.insert(reference.clone()) {
            continue;
        }
        let Some((kind, name)) = reference
            .strip_prefix("#/components/")
            .and_then(|rest| rest.split_once('/'))
        else {
            bail!("unsupported reference `{reference}`: only #/components/… is followed");
        };
        let target = upstream
            .get(kind)
            .and_then(|group| group.get(name))
            .with_context(|| format!("reference `{reference}` points at nothing upstream"))?;
        collect_refs(target, &mut queue);
        insert_component(&mut components, kind, name, target.clone());
    }
    Ok(components)
}

fn collect_refs(value: &Value, queue: &mut VecDeque<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                match (key.as_str(), child) {
                    ("$ref", Value::String(reference)) => queue.push_back(reference.clone()),
                    _ => collect_refs(child, queue),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, queue)),
        _ => {}
    }
}

fn insert_component(components: &mut Map<String, Value>, kind: &str, name: &str, value: Value) {
    if let Value::Object(group) = components
        .entry(kind)
        .or_insert_with(|| Value::Object(Map::new()))
    {
        group.insert(name.to_owned(), value);
    }
}

/// Rebuilds `value` with every object's keys inserted in sorted order, so the output is stable
/// whether or not serde_json was built to preserve insertion order.
fn canonical(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|(a, _), (b, _)| a.cmp(b));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(key, child)| (key, canonical(child)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(canonical).collect()),
        other => other,
    }
}

/// Serialises a trimmed document the one way the repository stores it.
pub fn to_canonical_text(document: &Value) -> Result<String> {
    let mut text = serde_json::to_string_pretty(document)?;
    text.push('\n');
    Ok(text)
}

/// Rewrites the workspace's trimmed spec from the text of an upstream document.
pub fn write(workspace: &Workspace, upstream_text: &str) -> Result<()> {
    let upstream: Value =
        serde_json::from_str(upstream_text).context("the upstream document is not JSON")?;
    let list_path = workspace.path(OPERATIONS);
    let list = std::fs::read_to_string(&list_path)
        .with_context(|| format!("reading {}", list_path.display()))?;
    let trimmed = trim(&upstream, &parse_operation_list(&list)?)?;
    let spec_path = workspace.path(SPEC);
    std::fs::write(&spec_path, to_canonical_text(&trimmed)?)
        .with_context(|| format!("writing {}", spec_path.display()))
}
