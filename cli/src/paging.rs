//! The paging flags of the list commands, and how `--all` prints every page as one list.

use clap::Args;
use cloudflare_r2_catalog::{Error, ListOptions, PageSize};
use futures_util::{Stream, TryStreamExt};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::output::Failure;

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
}

impl PagingFlags {
    pub(crate) fn options(&self) -> Result<ListOptions, Failure> {
        let mut options = ListOptions::new();
        if let Some(size) = self.page_size {
            options = options.page_size(PageSize::new(size).map_err(Error::from)?);
        }
        if let Some(token) = &self.page_token {
            options = options.page_token(token);
        }
        Ok(options)
    }

    pub(crate) fn all(&self) -> bool {
        self.all
    }
}

/// Every page of `pages` as one page: each list field holds the items of all pages in order,
/// and `next_page_token` is absent, as on a last page.
pub(crate) async fn combine<P: Serialize>(
    pages: impl Stream<Item = Result<P, Error>>,
) -> Result<Value, Failure> {
    let pages: Vec<P> = pages.try_collect().await?;
    let mut combined = Map::new();
    for page in pages {
        let Value::Object(fields) = serde_json::to_value(page)
            .map_err(|error| Failure::Setup(format!("cannot print the result: {error}")))?
        else {
            continue;
        };
        for (key, value) in fields {
            match (combined.get_mut(&key), value) {
                (Some(Value::Array(items)), Value::Array(more)) => items.extend(more),
                (_, value) => {
                    combined.insert(key, value);
                }
            }
        }
    }
    combined.remove("next_page_token");
    Ok(Value::Object(combined))
}
