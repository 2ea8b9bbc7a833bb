//! What a person sees of a result: the fields picked from its JSON form, in the order they
//! matter, ready for [`crate::render`].

use cloudflare_r2_catalog::input::Namespace;
use serde_json::{Map, Value};

/// An object built field by field, in order, leaving out what the API did not send.
pub(crate) struct Fields(Map<String, Value>);

impl Fields {
    pub(crate) fn new() -> Self {
        Self(Map::new())
    }

    /// Adds `value` as `key`, unless it is null (or missing: indexing a JSON value that lacks
    /// a field gives null).
    pub(crate) fn add(&mut self, key: &str, value: &Value) {
        if !value.is_null() {
            self.0.insert(key.to_owned(), value.clone());
        }
    }

    /// Adds every field of `object` not added yet and not in `skip`: a field a newer API sends
    /// is shown too.
    pub(crate) fn rest(&mut self, object: &Value, skip: &[&str]) {
        for (key, value) in object.as_object().into_iter().flatten() {
            if !skip.contains(&key.as_str()) && !self.0.contains_key(key) {
                self.add(key, value);
            }
        }
    }

    pub(crate) fn into_value(self) -> Value {
        Value::Object(self.0)
    }
}

/// `rows` as a table of those of `columns` that have a value in some row: a column the API
/// left empty everywhere (UUIDs not asked for) is not shown.
pub(crate) fn table(rows: &[Value], columns: &[&str]) -> String {
    let shown: Vec<&str> = columns
        .iter()
        .copied()
        .filter(|column| rows.iter().any(|row| !row[*column].is_null()))
        .collect();
    crate::render::table(rows, &shown)
}

/// An object of `fields`, in order, without the null ones.
pub(crate) fn first_fields<'a>(fields: impl IntoIterator<Item = (&'a str, &'a Value)>) -> Value {
    let mut object = Fields::new();
    for (key, value) in fields {
        object.add(key, value);
    }
    object.into_value()
}

/// A namespace's levels as the command line writes them (`bronze.raw`, a `.` inside a level
/// as `\.`), so it can be pasted into the next command; levels that are not a valid namespace
/// are shown as the API sent them.
pub(crate) fn dotted(levels: &Value) -> Value {
    let parsed = serde_json::from_value::<Vec<String>>(levels.clone())
        .ok()
        .and_then(|levels| Namespace::new(levels).ok());
    match parsed {
        Some(namespace) => Value::String(namespace.to_string()),
        None => levels.clone(),
    }
}

/// The line that tells a person how to get the next page of `command`'s listing, if there is
/// one.
pub(crate) fn next_page(page: &Value, command: &str) -> String {
    match page["next_page_token"].as_str() {
        Some(token) if pasteable(token) => {
            format!("\nMore on the next page: {command} --page-token '{token}'")
        }
        Some(_) => "\nMore on the next page (its token: --output json).".to_owned(),
        None => String::new(),
    }
}

/// Whether a page cursor can be shown in single quotes and pasted as it is.
pub(crate) fn pasteable(cursor: &str) -> bool {
    cursor.len() <= 1024 && cursor.bytes().all(|b| b.is_ascii_graphic() && b != b'\'')
}
