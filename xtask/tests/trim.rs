//! `cargo xtask trim` on a small upstream document that lives in the repository.

use serde_json::{Value, json};
use xtask::trim::{parse_operation_list, to_canonical_text, trim};

fn upstream() -> Value {
    serde_json::from_str(include_str!("fixtures/upstream-mini.json")).expect("fixture is JSON")
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|id| id.to_string()).collect()
}

#[test]
fn keeps_the_listed_operation_verbatim_and_only_what_it_reaches() {
    let trimmed = trim(&upstream(), &ids(&["store-thing"])).expect("trims");
    let source = upstream();

    let item = &trimmed["paths"]["/things/{thing_id}"];
    assert_eq!(item["post"], source["paths"]["/things/{thing_id}"]["post"]);
    assert_eq!(
        item["parameters"],
        source["paths"]["/things/{thing_id}"]["parameters"]
    );
    assert!(
        item.get("get").is_none(),
        "unlisted method on a kept path is dropped"
    );
    assert!(trimmed["paths"].get("/others").is_none());

    let schemas: Vec<&str> = trimmed["components"]["schemas"]
        .as_object()
        .expect("schemas")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(schemas, ["envelope", "name", "thing", "thing-id"]);
    assert_eq!(
        trimmed["components"]["schemas"]["thing-id"], source["components"]["schemas"]["thing-id"],
        "constraints are kept exactly"
    );
    assert_eq!(
        trimmed["components"]["securitySchemes"],
        json!({"token": {"type": "http", "scheme": "bearer"}})
    );
    assert!(
        trimmed.get("security").is_none(),
        "document-wide security is dropped when every kept operation declares its own"
    );
    assert_eq!(trimmed["tags"], json!([{"name": "Kept"}]));
    assert_eq!(trimmed["info"], source["info"]);
    assert_eq!(trimmed["servers"], source["servers"]);
}

#[test]
fn keeps_document_security_when_an_operation_relies_on_it() {
    let trimmed = trim(&upstream(), &ids(&["list-others"])).expect("trims");
    assert_eq!(trimmed["security"], json!([{"legacy_key": []}]));
    assert_eq!(
        trimmed["components"]["securitySchemes"]
            .as_object()
            .map(|schemes| schemes.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["legacy_key".to_string()])
    );
    assert!(trimmed["components"].get("schemas").is_none());
}

#[test]
fn output_is_canonical_whatever_the_upstream_key_order() {
    let once = to_canonical_text(&trim(&upstream(), &ids(&["store-thing"])).unwrap()).unwrap();

    // The same document with every object's keys reversed.
    fn reversed(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut entries: Vec<_> = map.iter().collect();
                entries.reverse();
                Value::Object(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.clone(), reversed(v)))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.iter().map(reversed).collect()),
            other => other.clone(),
        }
    }
    let again =
        to_canonical_text(&trim(&reversed(&upstream()), &ids(&["store-thing"])).unwrap()).unwrap();
    assert_eq!(once, again);
    assert!(once.ends_with("}\n"));
}

#[test]
fn an_unknown_operation_id_is_an_error_naming_it() {
    let error = trim(&upstream(), &ids(&["store-thing", "no-such-op"])).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the upstream document has no operation named no-such-op"
    );
}

#[test]
fn operation_list_skips_comments_and_rejects_repeats() {
    let list = "# header\nstore-thing  # the seed\n\nget-thing\n";
    assert_eq!(
        parse_operation_list(list).unwrap(),
        ids(&["store-thing", "get-thing"])
    );
    assert!(parse_operation_list("a\na\n").is_err());
    assert!(parse_operation_list("# nothing\n").is_err());
}
