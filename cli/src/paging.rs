//! The paging flags of the list commands, and how `--all` gathers every page into one list
//! without letting a server that never stops paging run the CLI out of memory.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::num::NonZeroU64;

use clap::Args;
use cloudflare_r2_catalog::{Error, ListOptions, models::Page};
use futures_util::{Stream, TryStreamExt};
use serde::Serialize;
use serde_json::value::RawValue;

use crate::output::{Failure, Format, print_parts, show};
use crate::progress::Progress;

#[derive(Args)]
pub(crate) struct PagingFlags {
    /// At most this many items per page (1 to 1000; the server's default is 100).
    #[arg(long, value_name = "N")]
    page_size: Option<u64>,
    /// Start at the page a previous `next_page_token` points at.
    #[arg(long, value_name = "T")]
    page_token: Option<String>,
    /// Follow `next_page_token` to the last page and print one combined list.
    #[arg(long)]
    all: bool,
    /// With --all: fail (exit 1, nothing printed) rather than fetch more than this many pages.
    #[arg(long, value_name = "N", default_value = "1000")]
    max_pages: NonZeroU64,
}

impl PagingFlags {
    /// The options the flags ask for; the SDK checks them when the listing is called, before
    /// anything is sent.
    pub(crate) fn options(&self) -> ListOptions {
        let mut options = ListOptions::new();
        if let Some(size) = self.page_size {
            options = options.page_size(size);
        }
        if let Some(token) = &self.page_token {
            options = options.page_token(token);
        }
        options.max_pages(self.max_pages.get())
    }

    pub(crate) fn all(&self) -> bool {
        self.all
    }

    /// Prints every page of `pages` as one page, in `format` (as text, what `human` makes of
    /// it): each list field holds the items of all pages in order, and `next_page_token` is
    /// absent, as on a last page. Stops with an error (and prints nothing) past `--max-pages`
    /// pages or [`COMBINED_BYTES`] of output. A person at a terminal sees the pages and items
    /// come in on stderr meanwhile.
    pub(crate) async fn print_all<P: Serialize + Page>(
        &self,
        format: Format,
        pages: impl Stream<Item = Result<P, Error>>,
        human: impl FnOnce(&serde_json::Value) -> String,
    ) -> Result<(), Failure> {
        let mut pages = std::pin::pin!(pages);
        // As text, the whole listing is parsed and laid out again: a smaller budget keeps
        // that within the same memory (and a person reads no more than that at a terminal).
        let mut combined = Combined {
            fields: BTreeMap::new(),
            bytes: 0,
            limit: match format {
                Format::Json => COMBINED_BYTES,
                Format::Text => TEXT_BYTES,
            },
        };
        let mut cursor = None;
        let progress = Progress::start("listing: pages 0, items 0");
        let (mut page_count, mut item_count) = (0u64, 0u64);
        loop {
            let next = pages.try_next().await;
            match next {
                Ok(Some(page)) => {
                    let items = combined.add(&page)?;
                    page_count = page_count.saturating_add(1);
                    item_count = item_count.saturating_add(items);
                    progress.show(format!("listing: pages {page_count}, items {item_count}"));
                    cursor = page.next_page_token().map(str::to_owned);
                }
                Ok(None) => break,
                // The SDK stops following at --max-pages (see `options`).
                Err(Error::PageLimit { pages }) => {
                    return Err(Failure::Stopped(format!(
                        "stopped after {pages} pages (--max-pages {}); the listing goes on{}",
                        self.max_pages,
                        cursor.as_deref().map(resume_hint).unwrap_or_default()
                    )));
                }
                Err(error) => return Err(error.into()),
            }
        }
        // Gone before anything else prints, whatever comes next.
        drop(progress);
        let parts = combined.parts();
        match format {
            Format::Json => print_parts(parts.iter().map(|part| part.as_ref())),
            Format::Text => {
                let combined: serde_json::Value = serde_json::from_str(&parts.concat())?;
                show(format, &combined, human)
            }
        }
    }
}

/// How much JSON `--all` gathers before it gives up: with the body limit of each page, this
/// keeps the CLI's memory bounded whatever a server sends (see `cli/src/main.rs`).
pub(crate) const COMBINED_BYTES: usize = 32 * 1024 * 1024;

/// How much JSON `--all` gathers to print as text.
const TEXT_BYTES: usize = 4 * 1024 * 1024;

/// `; go on with --page-token …`, when the cursor can be shown and pasted as it is.
fn resume_hint(cursor: &str) -> String {
    if crate::views::pasteable(cursor) {
        format!(": continue with --page-token '{cursor}'")
    } else {
        String::new()
    }
}

/// The pages gathered so far, as pretty-printed JSON text per field: the items of list fields
/// joined in order, and the last value of any other field. Text, not `serde_json::Value`: it
/// takes the bytes it prints and no more.
struct Combined {
    fields: BTreeMap<String, Field>,
    bytes: usize,
    /// The most bytes it may gather.
    limit: usize,
}

enum Field {
    /// The items so far, each on its own lines, joined with `,`.
    Items(String),
    Value(String),
}

impl Combined {
    /// Adds `page`; returns how many items its list fields held.
    fn add(&mut self, page: &impl Serialize) -> Result<u64, Failure> {
        let mut added = 0;
        let text = serde_json::to_string(page)?;
        let fields: BTreeMap<String, &RawValue> = serde_json::from_str(&text)?;
        for (key, value) in fields {
            if key == "next_page_token" {
                continue;
            }
            let (mut joined, items): (String, Vec<&RawValue>) =
                match (self.fields.remove(&key), serde_json::from_str(value.get())) {
                    (Some(Field::Items(joined)), Ok(items)) => (joined, items),
                    (_, Ok(items)) => (String::new(), items),
                    (_, Err(_)) => {
                        let value = pretty(value, "\n  ")?;
                        self.bytes += value.len();
                        self.fields.insert(key, Field::Value(value));
                        continue;
                    }
                };
            // A page's lists run side by side (namespaces and their UUIDs): its items are
            // the longest of them.
            added = added.max(items.len() as u64);
            for item in items {
                let before = joined.len();
                if before > 0 {
                    joined.push(',');
                }
                joined.push_str("\n    ");
                joined.push_str(&pretty(item, "\n    ")?);
                self.bytes += joined.len() - before;
            }
            self.fields.insert(key, Field::Items(joined));
            if self.bytes > self.limit {
                return Err(Failure::Stopped(format!(
                    "the combined listing passed {} MiB; list it page by page with --page-size and --page-token instead of --all{}",
                    self.limit / (1024 * 1024),
                    if self.limit < COMBINED_BYTES {
                        ", or as JSON (--output json)"
                    } else {
                        ""
                    }
                )));
            }
        }
        Ok(added)
    }

    /// The combined object as pretty JSON, in pieces to write one after the other.
    fn parts(&self) -> Vec<Cow<'_, str>> {
        let mut parts = vec![Cow::Borrowed("{")];
        for (index, (key, field)) in self.fields.iter().enumerate() {
            let key = serde_json::to_string(key).unwrap_or_default();
            let separator = if index == 0 { "\n  " } else { ",\n  " };
            parts.push(Cow::Owned(format!("{separator}{key}: ")));
            match field {
                Field::Items(joined) if joined.is_empty() => parts.push(Cow::Borrowed("[]")),
                Field::Items(joined) => {
                    parts.push(Cow::Borrowed("["));
                    parts.push(Cow::Borrowed(joined));
                    parts.push(Cow::Borrowed("\n  ]"));
                }
                Field::Value(value) => parts.push(Cow::Borrowed(value)),
            }
        }
        parts.push(Cow::Borrowed(if self.fields.is_empty() {
            "}"
        } else {
            "\n}"
        }));
        parts
    }
}

/// `value` pretty-printed, its inner lines starting with `newline` (a newline and the indent
/// of the depth it is printed at). JSON strings hold no raw newlines, so every newline in the
/// pretty text is a line break.
fn pretty(value: &RawValue, newline: &str) -> Result<String, Failure> {
    let mut parsed: serde_json::Value = serde_json::from_str(value.get())?;
    // Keys sorted, as `--all` has always printed them.
    parsed.sort_all_objects();
    let text = serde_json::to_string_pretty(&parsed)?;
    Ok(text.replace('\n', newline))
}
