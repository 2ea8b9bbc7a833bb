//! `r2-catalog catalog …`

use clap::Subcommand;
use cloudflare_r2_catalog::{
    input::AccountId,
    models::{Catalog, CatalogConnection, CatalogList},
};
use serde::Serialize;

use crate::Context;
use crate::check;
use crate::confirm::confirm;
use crate::output::{Failure, note, print_change, print_done, show};
use crate::render;
use crate::views::{self, Fields, first_fields};

#[derive(Subcommand)]
pub(crate) enum Command {
    /// List the account's catalogs.
    List,
    /// Show a bucket's catalog.
    Get {
        /// The R2 bucket.
        bucket: String,
    },
    /// Say whether a bucket's catalog is ready for an Iceberg engine: the API token, the
    /// catalog, its credential and maintenance, and the Iceberg endpoint (CLOUDFLARE_ICEBERG_URL
    /// or --iceberg-url), a line each; exit 0 only when every step holds.
    Check {
        /// The R2 bucket.
        bucket: String,
    },
    /// Report every table's maintenance: its compaction and snapshot-expiration state, its
    /// last run of each (status, start, duration) and when each may run next; then each table
    /// whose last run failed, or that never ran with maintenance on, and a verdict line. A
    /// table at a terminal, one JSON document otherwise. Exit 0 when healthy, 10 when a last
    /// run failed, 12 when a table never ran with maintenance on, 8 when some table or listing
    /// could not be read.
    Report(crate::report::ReportArgs),
    /// Print the configuration an engine takes to reach a bucket's catalog, ready to paste:
    /// the URI and warehouse filled in, the token read from CLOUDFLARE_API_TOKEN (never
    /// printed). As JSON: {engine, uri, warehouse, token_env, config}.
    Connect {
        /// The R2 bucket.
        bucket: String,
        /// The engine to configure.
        #[arg(long, value_enum)]
        engine: crate::connect::Engine,
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
            Self::Get { bucket }
            | Self::Check { bucket }
            | Self::Connect { bucket, .. }
            | Self::Disable { bucket, .. }
            | Self::Delete { bucket, .. } => (Some(bucket), false),
            Self::Report(args) => (Some(args.bucket()), false),
        }
    }

    /// Whether the command runs over every table (`report`), and so answers Ctrl-C itself:
    /// the tables in flight are reported.
    pub(crate) fn sweeps(&self) -> bool {
        matches!(self, Self::Report(_))
    }

    pub(crate) async fn run(self, context: &Context) -> Result<(), Failure> {
        let account = context.account.account_id();
        let format = context.format;
        match self {
            Self::List => {
                let listed = context.account.list_catalogs().await?.result;
                let listed = list_with_connections(&listed, context)?;
                show(format, &listed, |listed| catalogs_table(listed, account))
            }
            Self::Get { bucket } => {
                let catalog = context.catalog(bucket)?.get().await?.result;
                let connected = Connected::new(&catalog, connection(&catalog, context));
                show(format, &connected, catalog_record)
            }
            Self::Check { .. } if context.dry_run => Err(Failure::Setup(
                "`catalog check` only reads, several requests to two hosts: it has no --dry-run"
                    .to_owned(),
            )),
            Self::Check { bucket } => {
                check::check(
                    &context.catalog(bucket)?,
                    context.client.auth_scheme(),
                    format,
                )
                .await
            }
            Self::Report(_) if context.dry_run => Err(Failure::Setup(
                "`catalog report` only reads, two requests a table: it has no --dry-run".to_owned(),
            )),
            Self::Report(args) => crate::report::report(context, args).await,
            Self::Connect { bucket, engine } => {
                crate::connect::connect(context, bucket, engine).await
            }
            Self::Enable { bucket } => {
                let catalog = context.catalog(bucket)?;
                let bucket = catalog.bucket();
                let enabled = catalog.enable().await?;
                if enabled.already_applied {
                    note_found_made(&format!("the catalog of bucket {bucket} enabled"));
                }
                let connected = enabled.result.as_ref().map(|activation| {
                    Connected::new(activation, catalog.connection(&activation.name))
                });
                let done = format!("Enabled the catalog of bucket {bucket}.");
                print_change(
                    format,
                    &done,
                    &connected,
                    enabled.unparsed_result.as_ref(),
                    catalog_record,
                )
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
                    yes || context.dry_run,
                )
                .await?;
                let disabled = catalog.disable().await?;
                let done = format!("Disabled the catalog of bucket {bucket}.");
                print_done(format, &done, &disabled.result)
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
                    yes || context.dry_run,
                )
                .await?;
                let deleted = catalog.delete().force(force).await?;
                if deleted.already_applied {
                    note_found_made(&format!("no catalog left on bucket {bucket}"));
                }
                let done = format!("Deleted the catalog of bucket {bucket}.");
                print_done(format, &done, &deleted.result)
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

/// How an engine connects to `catalog`, at the bucket the catalog names, whatever the command
/// named; none for a bucket from the server that is not a bucket name.
pub(crate) fn connection(catalog: &Catalog, context: &Context) -> Option<CatalogConnection> {
    let handle = context.catalog(catalog.bucket.as_str()).ok()?;
    Some(handle.connection(&catalog.name))
}

/// `listed` as JSON, each of its catalogs with its connection. Built on the JSON value rather
/// than a mirror struct, so a field the spec adds to the list reaches the output too.
fn list_with_connections(
    listed: &CatalogList,
    context: &Context,
) -> Result<serde_json::Value, serde_json::Error> {
    let connected: Vec<Connected<'_, Catalog>> = listed
        .warehouses
        .iter()
        .map(|catalog| Connected::new(catalog, connection(catalog, context)))
        .collect();
    let mut json = serde_json::to_value(listed)?;
    if let Some(object) = json.as_object_mut() {
        object.insert("warehouses".to_owned(), serde_json::to_value(connected)?);
    }
    // Its keys sorted, as this list has always printed them.
    json.sort_all_objects();
    Ok(json)
}

/// A catalog (or an activation) with its connection, for a person: what wrangler prints
/// first (bucket, status, the URI and warehouse an engine needs), then every other field the
/// API sent.
fn catalog_record(connected: &serde_json::Value) -> String {
    let connection = &connected["connection"];
    let mut fields = Fields::new();
    fields.add("bucket", &connected["bucket"]);
    fields.add("status", &connected["status"]);
    fields.add("catalog_uri", &connection["uri"]);
    fields.add("warehouse", &connection["warehouse"]);
    fields.add("id", &connected["id"]);
    fields.add("credential_status", &connected["credential_status"]);
    // The name is the warehouse, shown above.
    fields.rest(connected, &["connection", "name"]);
    render::record(&fields.into_value())
}

/// The catalogs of `account` as a table: bucket, status, credential, and the URI to connect at.
fn catalogs_table(listed: &serde_json::Value, account: &AccountId) -> String {
    let rows: Vec<serde_json::Value> = listed["warehouses"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|catalog| {
            first_fields([
                ("bucket", &catalog["bucket"]),
                ("status", &catalog["status"]),
                ("credential_status", &catalog["credential_status"]),
                ("catalog_uri", &catalog["connection"]["uri"]),
            ])
        })
        .collect();
    if rows.is_empty() {
        return format!("No catalogs in account {account}.");
    }
    views::table(
        &rows,
        &["bucket", "status", "credential_status", "catalog_uri"],
    )
}
