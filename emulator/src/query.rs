//! What a request's values say: a namespace as the API writes it in a path or query value, and
//! a listing's paging and detail options (`page_size`, `page_token`, `return_uuids`,
//! `return_details`).

use cloudflare_r2_catalog::{error::ValidationError, input::Namespace};

use crate::reply::Reply;

/// The unit separator the API puts between the levels of a nested namespace in a path or query
/// value (`%1F` on the wire), as the SDK joins them.
const NAMESPACE_SEPARATOR: char = '\u{1f}';

/// A namespace as the API receives it in a path or query value: its levels joined by
/// [`NAMESPACE_SEPARATOR`].
pub(crate) fn namespace_from_wire(text: &str) -> Result<Namespace, ValidationError> {
    Namespace::new(text.split(NAMESPACE_SEPARATOR))
}

/// The default page of the namespace and table listings, and the largest a request may ask
/// for (the spec's).
const DEFAULT_PAGE_SIZE: usize = 100;
const MAX_PAGE_SIZE: usize = 1000;

/// The largest page of maintenance runs a request may ask for (the spec's), also the default:
/// the spec names none, and the other listings default to 100 too.
pub(crate) const MAX_RUNS_PAGE_SIZE: usize = 100;

/// The paging and detail options of a namespace or table listing.
pub(crate) struct ListQuery {
    pub(crate) paging: Paging,
    pub(crate) uuids: bool,
    pub(crate) details: bool,
}

impl ListQuery {
    pub(crate) fn parse(query: &[(String, String)]) -> Result<Self, Reply> {
        Ok(Self {
            paging: Paging::parse(query, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)?,
            uuids: flag(query, "return_uuids")?,
            details: flag(query, "return_details")?,
        })
    }
}

/// Where a cursor listing starts, and how much it returns.
pub(crate) struct Paging {
    size: usize,
    start: usize,
}

impl Paging {
    /// `page_size` (1 to `max`, `default` if absent) and `page_token` (one this emulator issued).
    pub(crate) fn parse(
        query: &[(String, String)],
        default: usize,
        max: usize,
    ) -> Result<Self, Reply> {
        let size = match value(query, "page_size") {
            None => default,
            Some(text) => text
                .parse::<usize>()
                .ok()
                .filter(|size| (1..=max).contains(size))
                .ok_or_else(|| {
                    Reply::bad_request(format!("page_size must be an integer from 1 to {max}"))
                })?,
        };
        let start = match value(query, "page_token") {
            None => 0,
            Some(token) => token
                .strip_prefix(PAGE_TOKEN_PREFIX)
                .and_then(|offset| offset.parse::<usize>().ok())
                .ok_or_else(|| Reply::bad_request("page_token is not one this API issued"))?,
        };
        Ok(Self { size, start })
    }

    /// The page of `items` asked for, and the token of the next one if there is more.
    pub(crate) fn page<'i, T>(&self, items: &'i [T]) -> Result<(&'i [T], Option<String>), Reply> {
        if self.start > items.len() {
            return Err(Reply::bad_request(
                "page_token is past the end of the listing",
            ));
        }
        let end = self.start.saturating_add(self.size).min(items.len());
        let next = (end < items.len()).then(|| format!("{PAGE_TOKEN_PREFIX}{end}"));
        Ok((&items[self.start..end], next))
    }
}

/// Page tokens are opaque to clients; the emulator's are an offset behind this prefix.
const PAGE_TOKEN_PREFIX: &str = "emulator-page-";

pub(crate) fn value<'q>(query: &'q [(String, String)], name: &str) -> Option<&'q str> {
    query
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

pub(crate) fn flag(query: &[(String, String)], name: &str) -> Result<bool, Reply> {
    match value(query, name) {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(Reply::bad_request(format!("{name} must be true or false"))),
    }
}
