//! `r2-catalog table …`

use clap::{Subcommand, ValueEnum};
use cloudflare_r2_catalog::{Error, MaintenanceKind, Namespace, RequestId};

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

fn namespace(dotted: &str) -> Result<Namespace, Failure> {
    Ok(Namespace::parse_dotted(dotted).map_err(Error::from)?)
}

impl Command {
    pub(crate) async fn run(self, context: &Context) -> Result<(), Failure> {
        let (tables, account) = (context.client.tables(), &context.account_id);
        match self {
            Self::List {
                bucket,
                namespace: dotted,
                paging,
            } => {
                let namespace = namespace(&dotted)?;
                let options = paging.options()?;
                if paging.all() {
                    paging
                        .print_all(tables.pages(account, bucket, namespace, options))
                        .await
                } else {
                    let page = tables.list(account, bucket, namespace, &options).await?;
                    print_json(&page.result)
                }
            }
            Self::Get {
                bucket,
                namespace: dotted,
                table,
            } => {
                let found = tables
                    .get(account, bucket, namespace(&dotted)?, table)
                    .await?;
                print_json(&found.result)
            }
            Self::Maintenance(MaintenanceCommand::Get {
                bucket,
                namespace: dotted,
                table,
            }) => {
                let current = tables
                    .maintenance(account, bucket, namespace(&dotted)?, table)
                    .await?;
                print_json(&current.result)
            }
            Self::Maintenance(MaintenanceCommand::Update {
                bucket,
                namespace: dotted,
                table,
                flags,
            }) => {
                let update = flags.to_update()?;
                let updated = tables
                    .update_maintenance(account, bucket, namespace(&dotted)?, table, &update)
                    .await?;
                print_change(&updated.result, updated.unparsed_result.as_ref())
            }
            Self::Maintenance(MaintenanceCommand::Queue {
                bucket,
                namespace: dotted,
                table,
                kind,
                request_id,
            }) => {
                let request_id = match request_id {
                    Some(id) => RequestId::new(id).map_err(Error::from)?,
                    None => RequestId::random(),
                };
                let namespace = namespace(&dotted)?;
                // Before sending: a call that fails may still have queued it.
                note(&format!("request id {request_id}"));
                let queued = tables
                    .queue_maintenance(account, bucket, namespace, table, kind.into(), &request_id)
                    .await?;
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
                namespace: dotted,
                table,
                paging,
            }) => {
                let namespace = namespace(&dotted)?;
                let options = paging.options()?;
                if paging.all() {
                    let pages =
                        tables.maintenance_run_pages(account, bucket, namespace, table, options);
                    paging.print_all(pages).await
                } else {
                    let page = tables
                        .maintenance_runs(account, bucket, namespace, table, &options)
                        .await?;
                    print_json(&page.result)
                }
            }
        }
    }
}
