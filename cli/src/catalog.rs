//! `r2-catalog catalog …`

use clap::Subcommand;
use cloudflare_r2_catalog::{AccountId, Catalog, CatalogConnection, CatalogList};
use serde::Serialize;

use crate::Context;
use crate::confirm::confirm;
use crate::output::{Failure, note, print_change, print_json};

#[derive(Subcommand)]
pub(crate) enum Command {
    /// List the account's catalogs.
    List,
    /// Show a bucket's catalog.
    Get {
        /// The R2 bucket.
        bucket: String,
    },
    /// Turn a bucket into an Iceberg catalog.
    Enable {
        /// The R2 bucket.
        bucket: String,
    },
    /// Turn a bucket's catalog off: writes stop; namespaces, tables and data stay. Asks first.
    Disable {
        /// The R2 bucket.
        bucket: String,
        /// Do not ask for confirmation (needed where there is no terminal to ask at).
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Delete a bucket's catalog metadata; the bucket's objects stay. Asks first.
    Delete {
        /// The R2 bucket.
        bucket: String,
        /// Remove the catalog's namespaces, tables, views and maintenance metadata first
        /// (Cloudflare limits how many); without it a catalog that is not empty is refused.
        #[arg(long)]
        force: bool,
        /// Do not ask for confirmation (needed where there is no terminal to ask at).
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

impl Command {
    /// The bucket the command acts on, if one; and whether it turns a catalog on, for which
    /// HTTP 409 means "already enabled".
    pub(crate) fn target(&self) -> (Option<&str>, bool) {
        match self {
            Self::List => (None, false),
            Self::Enable { bucket } => (Some(bucket), true),
            Self::Get { bucket } | Self::Disable { bucket, .. } | Self::Delete { bucket, .. } => {
                (Some(bucket), false)
            }
        }
    }

    pub(crate) async fn run(self, context: &Context) -> Result<(), Failure> {
        let account = context.account.account_id();
        match self {
            Self::List => {
                let listed = context.account.list_catalogs().await?.result;
                print_json(&list_with_connections(&listed, account)?)
            }
            Self::Get { bucket } => {
                let catalog = context.catalog(bucket)?.get().await?.result;
                print_json(&Connected::new(&catalog, catalog.connection(account).ok()))
            }
            Self::Enable { bucket } => {
                let catalog = context.catalog(bucket)?;
                let bucket = catalog.bucket();
                let enabled = catalog.enable().await?;
                if enabled.already_applied {
                    note_found_made(&format!("the catalog of bucket {bucket} enabled"));
                }
                let connected = enabled.result.as_ref().map(|activation| {
                    Connected::new(activation, activation.connection(account, bucket))
                });
                print_change(&connected, enabled.unparsed_result.as_ref())
            }
            Self::Disable { bucket, yes } => {
                let catalog = context.catalog(bucket)?;
                let bucket = catalog.bucket();
                confirm(
                    "catalog disable",
                    &format!(
                        "This turns off the data catalog of bucket {bucket}: its namespaces and tables remain, but writes stop."
                    ),
                    &format!("Disable the catalog of bucket {bucket}?"),
                    yes,
                )?;
                let disabled = catalog.disable().await?;
                note(&format!("disabled the catalog of bucket {bucket}"));
                print_json(&disabled.result)
            }
            Self::Delete { bucket, force, yes } => {
                let catalog = context.catalog(bucket)?;
                let bucket = catalog.bucket();
                let forced = if force {
                    " With --force, its namespaces, tables, views and maintenance metadata are removed first."
                } else {
                    ""
                };
                confirm(
                    "catalog delete",
                    &format!(
                        "This deletes the catalog metadata of bucket {bucket}; the bucket's objects are kept.{forced}"
                    ),
                    &format!("Delete the catalog of bucket {bucket}?"),
                    yes,
                )?;
                let deleted = catalog.delete().force(force).await?;
                if deleted.already_applied {
                    note_found_made(&format!("no catalog left on bucket {bucket}"));
                }
                note(&format!("deleted the catalog of bucket {bucket}"));
                print_json(&deleted.result)
            }
        }
    }
}

/// Says on stderr that a retry found the change made (`state`), after an attempt whose answer
/// was lost: the command succeeded, most likely by that attempt.
fn note_found_made(state: &str) {
    note(&format!(
        "an attempt's answer was lost (connection broken or 5xx) and the retry found {state}: most likely that attempt made the change"
    ));
}

/// A catalog model as the API returned it, plus how an Iceberg engine connects to it: what
/// wrangler prints after `catalog enable` and `catalog get`.
#[derive(Serialize)]
struct Connected<'a, T> {
    #[serde(flatten)]
    model: &'a T,
    /// `null` when the server named a bucket that is not a valid bucket name.
    connection: Option<CatalogConnection>,
}

impl<'a, T> Connected<'a, T> {
    fn new(model: &'a T, connection: impl Into<Option<CatalogConnection>>) -> Self {
        Self {
            model,
            connection: connection.into(),
        }
    }
}

/// `listed` as JSON, each of its catalogs with its connection. Built on the JSON value rather
/// than a mirror struct, so a field the spec adds to the list reaches the output too.
fn list_with_connections(
    listed: &CatalogList,
    account: &AccountId,
) -> Result<serde_json::Value, serde_json::Error> {
    let connected: Vec<Connected<'_, Catalog>> = listed
        .warehouses
        .iter()
        .map(|catalog| Connected::new(catalog, catalog.connection(account).ok()))
        .collect();
    let mut json = serde_json::to_value(listed)?;
    if let Some(object) = json.as_object_mut() {
        object.insert("warehouses".to_owned(), serde_json::to_value(connected)?);
    }
    Ok(json)
}
