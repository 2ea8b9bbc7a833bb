//! Text for a person at a terminal: labelled records and aligned tables.
//!
//! When stdout is a terminal the CLI prints these instead of pretty JSON. The functions are pure:
//! they take the results as `serde_json::Value` and return the text to print. They escape
//! nothing themselves (the caller's sanitizer redacts secrets and escapes terminal control
//! characters in the whole text), and they emit no control character of their own but `\n`.
//! The one thing done here is keeping every value on its line: a `\n` inside server text becomes
//! the two characters `\n`, so a server cannot forge extra lines, labels or rows.
//!
//! Fields come in the object's own order (a model's field order once serialized): the CLI builds
//! serde_json with its `preserve_order` feature. The tests below rely on it.

use comfy_table::presets::NOTHING;
use comfy_table::{ContentArrangement, Table};
use serde_json::{Map, Value};

/// Whole words a label spells differently from the key: abbreviations in capitals, units as
/// written. A unit keeps its case even as a label's first word.
const WORDS: [(&str, &str); 6] = [
    ("id", "ID"),
    ("uuid", "UUID"),
    ("uri", "URI"),
    ("url", "URL"),
    ("mb", "MB"),
    ("ms", "ms"),
];

/// What a record shows for a field with nothing in it (an empty object or array).
const NONE: &str = "(none)";

/// How far a nested record or table is indented under its label.
const INDENT: &str = "  ";

/// The spaces after each table column: the only separator, since the preset draws no lines.
const COLUMN_GAP: u16 = 2;

/// The label a person reads for a JSON key: `_` and `-` become spaces, known abbreviations are
/// spelled as such (`id` → `ID`, `table_uuid` → `Table UUID`, `target_size_mb` → `Target size MB`),
/// and the first letter is a capital. Callers use it to label lines of their own the same way.
pub(crate) fn label(key: &str) -> String {
    let mut label = String::with_capacity(key.len());
    for (index, word) in key.split(['_', '-', ' ']).enumerate() {
        if index > 0 {
            label.push(' ');
        }
        match WORDS
            .iter()
            .find(|(plain, _)| word.eq_ignore_ascii_case(plain))
        {
            Some((_, spelled)) => label.push_str(spelled),
            None if index == 0 => {
                let mut chars = word.chars();
                if let Some(first) = chars.next() {
                    label.extend(first.to_uppercase());
                    label.push_str(chars.as_str());
                }
            }
            None => label.push_str(word),
        }
    }
    one_line(&label)
}

/// One object as labelled lines, like `wrangler`'s `Catalog URI: …` output: each non-null field
/// on its own line as `Label:` and its value, the values of one level aligned in a column.
///
/// Strings are shown as they are, numbers and booleans as JSON writes them, arrays of scalars
/// joined with `, `. A nested object is its label alone, then its own record indented by two
/// spaces; an array of objects is its label, then a [`table`] of them indented by two spaces. An
/// empty object or array shows `(none)`. A value that is not an object is shown on its own, and
/// an object without a non-null field as `(none)`. The text ends with a newline, and no line ends
/// in a space.
pub(crate) fn record(value: &Value) -> String {
    let mut lines = Vec::new();
    match shape(value) {
        None => lines.push(NONE.to_owned()),
        Some(Shape::Inline(text)) => lines.push(text),
        Some(Shape::Nested(fields)) => record_lines(fields, "", &mut lines),
        Some(Shape::Rows(rows, columns)) => {
            let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
            lines.extend(table_lines(rows, &columns));
        }
    }
    finish(lines)
}

/// Items as an aligned table for listings, like `gh` prints them: a header of the columns'
/// labels in capitals (`NEXT ELIGIBLE AT`), then a row per item with each column's field.
///
/// A cell is the field's text: a scalar as in a [`record`], an array of scalars joined with
/// `, `, anything else compact JSON, and null or missing empty. Columns are separated by two
/// spaces and sized to their widest cell (in terminal columns, not bytes); nothing is wrapped or
/// cut, whatever the terminal's width, since cutting a value would hide it. No line ends in a
/// space; the text ends with a newline. No items (or no columns) give an empty string: the caller
/// says so in its own words.
pub(crate) fn table(rows: &[Value], columns: &[&str]) -> String {
    if rows.is_empty() || columns.is_empty() {
        return String::new();
    }
    finish(table_lines(rows, columns))
}

/// How a field is shown in a record.
enum Shape<'a> {
    /// On the label's line.
    Inline(String),
    /// As a nested record under the label.
    Nested(&'a Map<String, Value>),
    /// As a table under the label: the objects and their columns.
    Rows(&'a [Value], Vec<String>),
}

/// How a record shows `value`; `None` for null, which a record leaves out.
fn shape(value: &Value) -> Option<Shape<'_>> {
    match value {
        Value::Null => None,
        Value::Object(fields) if fields.values().all(Value::is_null) => {
            Some(Shape::Inline(NONE.to_owned()))
        }
        Value::Object(fields) => Some(Shape::Nested(fields)),
        Value::Array(items) if items.is_empty() => Some(Shape::Inline(NONE.to_owned())),
        Value::Array(items) if items.iter().all(Value::is_object) => {
            let columns = row_columns(items);
            if columns.is_empty() {
                // Objects with nothing a column can show: their JSON, rather than hide them.
                Some(Shape::Inline(value.to_string()))
            } else {
                Some(Shape::Rows(items, columns))
            }
        }
        other => Some(Shape::Inline(text(other))),
    }
}

/// The columns of a record's table of objects: the keys that hold a non-null scalar or an array
/// of scalars in at least one object, in the order first seen. Keys that only ever hold objects
/// (or arrays of them) are left out; where such a key is a column, its objects are compact JSON.
fn row_columns(rows: &[Value]) -> Vec<String> {
    let mut columns: Vec<String> = Vec::new();
    for (key, value) in rows.iter().filter_map(Value::as_object).flatten() {
        let shown = match value {
            Value::Null | Value::Object(_) => false,
            Value::Array(items) => items.iter().all(is_scalar),
            _ => true,
        };
        if shown && !columns.iter().any(|column| column == key) {
            columns.push(key.clone());
        }
    }
    columns
}

/// Appends the labelled lines of `fields` at `indent`. The labels of the fields whose value is on
/// their line set the column the values start in.
fn record_lines(fields: &Map<String, Value>, indent: &str, lines: &mut Vec<String>) {
    let shown: Vec<(String, Shape<'_>)> = fields
        .iter()
        .filter_map(|(key, value)| shape(value).map(|shape| (label(key), shape)))
        .collect();
    let width = shown
        .iter()
        .filter(|(_, shape)| matches!(shape, Shape::Inline(_)))
        .map(|(label, _)| label.chars().count())
        .max()
        .unwrap_or(0);
    let deeper = format!("{indent}{INDENT}");
    for (label, shape) in shown {
        match shape {
            Shape::Inline(text) => {
                let pad = width - label.chars().count() + 1;
                lines.push(format!("{indent}{label}:{:pad$}{text}", ""));
            }
            Shape::Nested(fields) => {
                lines.push(format!("{indent}{label}:"));
                record_lines(fields, &deeper, lines);
            }
            Shape::Rows(rows, columns) => {
                lines.push(format!("{indent}{label}:"));
                let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
                lines.extend(
                    table_lines(rows, &columns)
                        .into_iter()
                        .map(|line| format!("{deeper}{line}")),
                );
            }
        }
    }
}

/// The lines of a table of `rows`, header first, before trailing spaces are trimmed.
fn table_lines(rows: &[Value], columns: &[&str]) -> Vec<String> {
    let mut table = Table::new();
    // No borders or lines, no colours (comfy-table is built without its terminal feature), and
    // no wrapping: every column is as wide as its widest cell.
    table
        .load_preset(NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(columns.iter().map(|column| label(column).to_uppercase()));
    for row in rows {
        table.add_row(
            columns
                .iter()
                .map(|column| row.get(column).map(text).unwrap_or_default()),
        );
    }
    for column in table.column_iter_mut() {
        column.set_padding((0, COLUMN_GAP));
    }
    table.lines().collect()
}

/// The one-line text of a value: a string as it is, a number or boolean as JSON writes it, null
/// empty, an array of scalars joined with `, ` (a null in it as `null`), anything else compact
/// JSON (which escapes its own newlines).
fn text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(string) => one_line(string),
        Value::Array(items) if items.iter().all(is_scalar) => items
            .iter()
            .map(|item| match item {
                Value::Null => "null".to_owned(),
                other => text(other),
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// Whether `value` is a scalar (null included), which an array of can be joined on one line.
fn is_scalar(value: &Value) -> bool {
    !(value.is_array() || value.is_object())
}

/// `text` kept on one line: each `\n` in it becomes the two characters `\n`, so server text can
/// neither start a line of its own nor pass for a label or a row. (The caller's sanitizer
/// escapes `\r` and the other control characters.)
pub(crate) fn one_line(text: &str) -> String {
    text.replace('\n', "\\n")
}

/// The lines as the text to print: trailing spaces trimmed, each line ended with a newline.
fn finish(lines: Vec<String>) -> String {
    let mut out = String::new();
    for line in &lines {
        out.push_str(line.trim_end_matches(' '));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{label, record, table};

    #[test]
    fn labels_spell_words_and_abbreviations() {
        assert_eq!(label("next_eligible_at"), "Next eligible at");
        assert_eq!(label("target_size_mb"), "Target size MB");
        assert_eq!(label("table_uuid"), "Table UUID");
        assert_eq!(label("id"), "ID");
        assert_eq!(label("catalog-uri"), "Catalog URI");
        assert_eq!(label("warehouse_url"), "Warehouse URL");
        assert_eq!(label("duration_ms"), "Duration ms");
        assert_eq!(label("identifier"), "Identifier");
        assert_eq!(label("line\nforged"), "Line\\nforged");
    }

    #[test]
    fn a_catalog_is_labelled_and_aligned() {
        let catalog = json!({
            "bucket": "my-data-bucket",
            "id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
            "name": "0123456789abcdef0123456789abcdef_my-data-bucket",
            "status": "active",
            "maintenance_config": {
                "compaction": {"state": "enabled", "target_size_mb": "128"},
                "snapshot_expiration": {
                    "state": "disabled",
                    "max_snapshot_age": "7d",
                    "min_snapshots_to_keep": 100
                }
            },
            "credential_status": "present"
        });
        assert_eq!(
            record(&catalog),
            concat!(
                "Bucket:            my-data-bucket\n",
                "ID:                6ba7b810-9dad-11d1-80b4-00c04fd430c8\n",
                "Name:              0123456789abcdef0123456789abcdef_my-data-bucket\n",
                "Status:            active\n",
                "Maintenance config:\n",
                "  Compaction:\n",
                "    State:          enabled\n",
                "    Target size MB: 128\n",
                "  Snapshot expiration:\n",
                "    State:                 disabled\n",
                "    Max snapshot age:      7d\n",
                "    Min snapshots to keep: 100\n",
                "Credential status: present\n",
            )
        );
    }

    #[test]
    fn a_null_field_is_left_out() {
        let value = json!({"id": "abc", "name": null, "created_at": "2025-01-01T00:00:00Z"});
        assert_eq!(
            record(&value),
            concat!("ID:         abc\n", "Created at: 2025-01-01T00:00:00Z\n")
        );
        assert_eq!(record(&json!({"name": null})), "(none)\n");
    }

    #[test]
    fn an_empty_object_or_array_is_none() {
        let value =
            json!({"maintenance_config": {}, "namespace": [], "id": 7, "properties": {"a": null}});
        assert_eq!(
            record(&value),
            concat!(
                "Maintenance config: (none)\n",
                "Namespace:          (none)\n",
                "ID:                 7\n",
                "Properties:         (none)\n",
            )
        );
    }

    #[test]
    fn an_array_of_scalars_is_joined() {
        let value = json!({"namespace": ["sales", "eu", "2025"], "flags": [true, 3, null]});
        assert_eq!(
            record(&value),
            concat!("Namespace: sales, eu, 2025\n", "Flags:     true, 3, null\n")
        );
    }

    #[test]
    fn an_array_of_objects_is_a_table() {
        let value = json!({
            "table": "events",
            "snapshots": [
                {"snapshot_id": 1, "timestamp_ms": 1700000000000_u64, "summary": {"operation": "append"}},
                {"snapshot_id": 22, "parent_snapshot_id": 1, "timestamp_ms": 1700000360000_u64, "summary": null}
            ]
        });
        assert_eq!(
            record(&value),
            concat!(
                "Table: events\n",
                "Snapshots:\n",
                "  SNAPSHOT ID  TIMESTAMP MS   PARENT SNAPSHOT ID\n",
                "  1            1700000000000\n",
                "  22           1700000360000  1\n",
            )
        );
        // Objects with nothing a column can show stay visible as JSON.
        assert_eq!(
            record(&json!({"items": [{"a": {"b": 1}}, {}]})),
            "Items: [{\"a\":{\"b\":1}},{}]\n"
        );
    }

    #[test]
    fn a_newline_in_a_value_stays_on_its_line() {
        let value = json!({"message": "bad request\nStatus: ok", "tags": ["a\nb"]});
        assert_eq!(
            record(&value),
            concat!("Message: bad request\\nStatus: ok\n", "Tags:    a\\nb\n")
        );
        let rows = [json!({"name": "x\ny", "properties": {"k": "v\nw"}})];
        assert_eq!(
            table(&rows, &["name", "properties"]),
            concat!("NAME  PROPERTIES\n", "x\\ny  {\"k\":\"v\\nw\"}\n")
        );
    }

    #[test]
    fn a_table_aligns_its_rows() {
        let rows = [
            json!({
                "name": "events",
                "table_uuid": "0192f1c6-7c1a-7d4e-9c1b-3f6f2f1e0a01",
                "next_eligible_at": "2025-06-01T12:00:00Z"
            }),
            json!({"name": "orders", "table_uuid": "0192f1c6-7c1a-7d4e-9c1b-3f6f2f1e0a02"}),
            json!({
                "name": "page_views_by_région",
                "table_uuid": "0192f1c6-7c1a-7d4e-9c1b-3f6f2f1e0a03",
                "next_eligible_at": null
            }),
        ];
        assert_eq!(
            table(&rows, &["name", "table_uuid", "next_eligible_at"]),
            concat!(
                "NAME                  TABLE UUID                            NEXT ELIGIBLE AT\n",
                "events                0192f1c6-7c1a-7d4e-9c1b-3f6f2f1e0a01  2025-06-01T12:00:00Z\n",
                "orders                0192f1c6-7c1a-7d4e-9c1b-3f6f2f1e0a02\n",
                "page_views_by_région  0192f1c6-7c1a-7d4e-9c1b-3f6f2f1e0a03\n",
            )
        );
    }

    #[test]
    fn an_empty_table_is_empty() {
        assert_eq!(table(&[], &["name", "table_uuid"]), "");
    }
}
