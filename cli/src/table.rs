//! `r2-catalog table …`

use clap::{Subcommand, ValueEnum};
use cloudflare_r2_catalog::{MaintenanceKind, Namespace, RequestId, TableHandle};

use crate::Context;
use crate::maintenance::UpdateFlags;
use crate::output::{Failure, note, print_change, print_json};
use crate::paging::PagingFlags;

#[derive(Subcommand)]
pub(crate) enum Command {
    /// List the tables of a namespace.
    List {
        /// The R2 bucket.
        bucket: String,
        /// The namespace: nested levels joined with `.`; a `.` or `\` inside a level written `\.`, `\\`.
        namespace: String,
        #[command(flatten)]
        paging: PagingFlags,
    },
    /// Show a table: identifier, UUID, snapshot counts, Iceberg metadata.
    Get {
        /// The R2 bucket.
        bucket: String,
        /// The namespace: nested levels joined with `.`; a `.` or `\` inside a level written `\.`, `\\`.
        namespace: String,
        /// The table.
        table: String,
    },
    /// A table's own maintenance settings.
    #[command(subcommand)]
    Maintenance(MaintenanceCommand),
}

#[derive(Subcommand)]
pub(crate) enum MaintenanceCommand {
    /// Show a table's maintenance configuration.
    Get {
        /// The R2 bucket.
        bucket: String,
        /// The namespace: nested levels joined with `.`; a `.` or `\` inside a level written `\.`, `\\`.
        namespace: String,
        /// The table.
        table: String,
    },
    /// Change a table's maintenance settings; settings not given stay as they are.
    Update {
        /// The R2 bucket.
        bucket: String,
        /// The namespace: nested levels joined with `.`; a `.` or `\` inside a level written `\.`, `\\`.
        namespace: String,
        /// The table.
        table: String,
        #[command(flatten)]
        flags: UpdateFlags,
    },
    /// Queue maintenance for the scheduler's next poll (it does not start a run now).
    Queue {
        /// The R2 bucket.
        bucket: String,
        /// The namespace: nested levels joined with `.`; a `.` or `\` inside a level written `\.`, `\\`.
        namespace: String,
        /// The table.
        table: String,
        /// What to queue.
        kind: Kind,
        /// Mark the run with this UUID, to find it in `runs`; by default a random one. Either
        /// way it is printed on stderr.
        #[arg(long, value_name = "UUID")]
        request_id: Option<String>,
    },
    /// List a table's recent maintenance runs, newest first.
    Runs {
        /// The R2 bucket.
        bucket: String,
        /// The namespace: nested levels joined with `.`; a `.` or `\` inside a level written `\.`, `\\`.
        namespace: String,
        /// The table.
        table: String,
        /// Paging (at most 100 runs per page).
        #[command(flatten)]
        paging: PagingFlags,
    },
}

/// A kind of table maintenance, as the command line spells it.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Kind {
    /// Rewrite small data files into larger ones.
    Compaction,
    /// Remove old snapshots and the files only they reference.
    #[value(alias = "snapshot_expiration")]
    SnapshotExpiration,
}

impl From<Kind> for MaintenanceKind {
    fn from(kind: Kind) -> Self {
        match kind {
            Kind::Compaction => Self::Compaction,
            Kind::SnapshotExpiration => Self::SnapshotExpiration,
        }
    }
}

impl Command {
    /// The bucket the command acts on.
    pub(crate) fn bucket(&self) -> &str {
        match self {
            Self::List { bucket, .. }
            | Self::Get { bucket, .. }
            | Self::Maintenance(
                MaintenanceCommand::Get { bucket, .. }
                | MaintenanceCommand::Update { bucket, .. }
                | MaintenanceCommand::Queue { bucket, .. }
                | MaintenanceCommand::Runs { bucket, .. },
            ) => bucket,
        }
    }

    pub(crate) async fn run(self, context: &Context) -> Result<(), Failure> {
        match self {
            Self::List {
                bucket,
                namespace,
                paging,
            } => {
                let catalog = context.catalog(bucket)?;
                let namespace = catalog.namespace(Namespace::parse_dotted(&namespace)?)?;
                let options = paging.options()?;
                if paging.all() {
                    paging.print_all(namespace.tables().pages(options)).await
                } else {
                    print_json(&namespace.tables().list(&options).await?.result)
                }
            }
            Self::Get {
                bucket,
                namespace,
                table,
            } => {
                let found = table_of(context, bucket, &namespace, table)?.get().await?;
                print_json(&found.result)
            }
            Self::Maintenance(MaintenanceCommand::Get {
                bucket,
                namespace,
                table,
            }) => {
                let table = table_of(context, bucket, &namespace, table)?;
                print_json(&table.maintenance().get().await?.result)
            }
            Self::Maintenance(MaintenanceCommand::Update {
                bucket,
                namespace,
                table,
                flags,
            }) => {
                let table = table_of(context, bucket, &namespace, table)?;
                let update = flags.to_update()?;
                let updated = table.maintenance().update(&update).await?;
                print_change(&updated.result, updated.unparsed_result.as_ref())
            }
            Self::Maintenance(MaintenanceCommand::Queue {
                bucket,
                namespace,
                table,
                kind,
                request_id,
            }) => {
                let table = table_of(context, bucket, &namespace, table)?;
                let request_id = match request_id {
                    Some(id) => RequestId::new(id)?,
                    None => RequestId::random(),
                };
                // Before sending: a call that fails may still have queued it.
                note(&format!("request id {request_id}"));
                let queued = table.maintenance().queue(kind.into(), &request_id).await?;
                if queued.already_applied {
                    note(
                        "an attempt's answer was lost (connection broken or 5xx) and the retry found the day's queue limit reached: that attempt may have taken the last slot; look for the request id among `table maintenance runs`",
                    );
                    return print_json(&queued.result);
                }
                print_change(&queued.result, queued.unparsed_result.as_ref())
            }
            Self::Maintenance(MaintenanceCommand::Runs {
                bucket,
                namespace,
                table,
                paging,
            }) => {
                let table = table_of(context, bucket, &namespace, table)?;
                let options = paging.options()?;
                if paging.all() {
                    paging
                        .print_all(table.maintenance().run_pages(options))
                        .await
                } else {
                    print_json(&table.maintenance().runs(&options).await?.result)
                }
            }
        }
    }
}

/// The table `table` in the namespace written as `dotted` (`bronze.raw`), in the catalog of
/// `bucket`: each checked before anything is sent.
fn table_of(
    context: &Context,
    bucket: String,
    dotted: &str,
    table: String,
) -> Result<TableHandle, Failure> {
    let namespace = Namespace::parse_dotted(dotted)?;
    Ok(context.catalog(bucket)?.table(namespace, table)?)
}
