//! `r2-catalog table …`

use clap::{Subcommand, ValueEnum};
use cloudflare_r2_catalog::{MaintenanceKind, RequestId, handles::TableHandle, input::Namespace};

use crate::Context;
use crate::maintenance::UpdateFlags;
use crate::output::{Failure, note, print_change, print_done, show};
use crate::paging::PagingFlags;
use crate::render;
use crate::signals;
use crate::sweep::{self, Operation, SweepFlags};
use crate::views::{self, Fields, dotted, first_fields, next_page};
use crate::waits::{self, WaitFlags};

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
    /// Show a table's maintenance configuration (every table's, with --all-tables).
    Get {
        /// The R2 bucket.
        bucket: String,
        /// The namespace: nested levels joined with `.`; a `.` or `\` inside a level written `\.`, `\\`.
        #[arg(required_unless_present = "all_tables", conflicts_with = "all_tables")]
        namespace: Option<String>,
        /// The table.
        #[arg(required_unless_present = "all_tables", conflicts_with = "all_tables")]
        table: Option<String>,
        #[command(flatten)]
        sweep: SweepFlags,
    },
    /// Change a table's maintenance settings (every table's, with --all-tables); settings not
    /// given stay as they are.
    Update {
        /// The R2 bucket.
        bucket: String,
        /// The namespace: nested levels joined with `.`; a `.` or `\` inside a level written `\.`, `\\`.
        #[arg(required_unless_present = "all_tables", conflicts_with = "all_tables")]
        namespace: Option<String>,
        /// The table.
        #[arg(required_unless_present = "all_tables", conflicts_with = "all_tables")]
        table: Option<String>,
        #[command(flatten)]
        flags: UpdateFlags,
        #[command(flatten)]
        sweep: SweepFlags,
    },
    /// Queue maintenance for the scheduler's next poll (it does not start a run now), for one
    /// table (NAMESPACE TABLE KIND) or, with --all-tables, for every table (KIND alone).
    Queue {
        /// The R2 bucket.
        bucket: String,
        /// NAMESPACE TABLE KIND, or KIND alone with --all-tables. NAMESPACE: nested levels
        /// joined with `.` (a `.` or `\` inside a level written `\.`, `\\`); KIND: what to
        /// queue, compaction or snapshot-expiration.
        #[arg(value_names = ["NAMESPACE", "TABLE", "KIND"], num_args = 1..=3, required = true)]
        target: Vec<String>,
        /// Mark the run with this UUID, to find it in `runs`; by default a random one. Either
        /// way it is printed on stderr.
        #[arg(long, value_name = "UUID", conflicts_with = "all_tables")]
        request_id: Option<String>,
        #[command(flatten)]
        wait: WaitFlags,
        #[command(flatten)]
        sweep: SweepFlags,
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

    /// Whether the command answers the signals that stop it itself: a sweep
    /// (`--all-tables`) and a wait for a run (`--wait`) say what they leave going.
    pub(crate) fn answers_own_signals(&self) -> bool {
        let waits = matches!(self, Self::Maintenance(MaintenanceCommand::Queue { wait, .. }) if wait.waits());
        self.sweeps() || waits
    }

    /// Whether the command runs over every table (`--all-tables`).
    pub(crate) fn sweeps(&self) -> bool {
        match self {
            Self::Maintenance(
                MaintenanceCommand::Get { sweep, .. }
                | MaintenanceCommand::Update { sweep, .. }
                | MaintenanceCommand::Queue { sweep, .. },
            ) => sweep.all_tables(),
            _ => false,
        }
    }

    pub(crate) async fn run(self, context: &Context) -> Result<(), Failure> {
        let format = context.format;
        match self {
            Self::List {
                bucket,
                namespace,
                paging,
            } => {
                let catalog = context.catalog(bucket)?;
                let namespace = catalog.namespace(Namespace::parse_dotted(&namespace)?)?;
                let command = format!(
                    "r2-catalog table list {} '{}'",
                    catalog.bucket(),
                    namespace.namespace()
                );
                let human = |page: &serde_json::Value| tables_table(page, &command);
                let options = paging.options();
                if paging.all() {
                    let pages = namespace.tables().pages(options);
                    paging.print_all(format, pages, human).await
                } else {
                    let page = namespace.tables().list(options).await?.result;
                    show(format, &page, human)
                }
            }
            Self::Get {
                bucket,
                namespace,
                table,
            } => {
                let found = table_of(context, bucket, &namespace, table)?.get().await?;
                show(format, &found.result, table_record)
            }
            Self::Maintenance(MaintenanceCommand::Get { bucket, sweep, .. })
                if sweep.all_tables() =>
            {
                sweep::run(context, bucket, sweep, Operation::Get).await
            }
            Self::Maintenance(MaintenanceCommand::Update {
                bucket,
                flags,
                sweep,
                ..
            }) if sweep.all_tables() => {
                let update = flags.to_update()?;
                sweep::run(context, bucket, sweep, Operation::Update(update)).await
            }
            Self::Maintenance(MaintenanceCommand::Queue {
                bucket,
                target,
                wait,
                sweep,
                ..
            }) if sweep.all_tables() => {
                let [kind] = target.as_slice() else {
                    return Err(Failure::Setup(
                        "with --all-tables, give the KIND alone (no NAMESPACE or TABLE)".to_owned(),
                    ));
                };
                let kind = MaintenanceKind::from(parse_kind(kind)?);
                let waiting = wait.waiting(sweep.rate_share()?);
                sweep::run(context, bucket, sweep, Operation::Queue(kind, waiting)).await
            }
            Self::Maintenance(MaintenanceCommand::Get {
                bucket,
                namespace,
                table,
                ..
            }) => {
                let table = one_table(context, bucket, namespace, table)?;
                let current = table.maintenance().get().await?.result;
                show(format, &current, render::record)
            }
            Self::Maintenance(MaintenanceCommand::Update {
                bucket,
                namespace,
                table,
                flags,
                ..
            }) => {
                let table = one_table(context, bucket, namespace, table)?;
                let update = flags.to_update()?;
                let updated = table.maintenance().update(&update).await?;
                let done = format!("Updated the maintenance of table {}.", named(&table));
                print_change(
                    format,
                    &done,
                    &updated.result,
                    updated.unparsed_result.as_ref(),
                    render::record,
                )
            }
            Self::Maintenance(MaintenanceCommand::Queue {
                bucket,
                target,
                request_id,
                wait,
                ..
            }) => {
                let [namespace, table, kind] = <[String; 3]>::try_from(target).map_err(|_| {
                    Failure::Setup(
                        "give NAMESPACE TABLE KIND, or KIND alone with --all-tables".to_owned(),
                    )
                })?;
                let kind = parse_kind(&kind)?;
                let table = table_of(context, bucket, &namespace, table)?;
                let request_id = match request_id {
                    Some(id) => RequestId::new(id)?,
                    None => RequestId::random(),
                };
                // Before sending: a call that fails may still have queued it.
                note(&format!("request id {request_id}"));
                let kind = MaintenanceKind::from(kind);
                let waiting = wait.waiting(None);
                // With --wait, the command answers the signals itself (`main` leaves them to
                // it): while queueing as any command does, and then as a wait that leaves the
                // run going.
                let mut stops = waiting
                    .as_ref()
                    .map(|_| signals::Listening::start())
                    .transpose()
                    .map_err(|error| {
                        Failure::Setup(format!("cannot listen for Ctrl-C: {error}"))
                    })?;
                let maintenance = table.maintenance();
                let queueing = maintenance.queue(kind.clone(), &request_id);
                let queued = match stops.as_mut() {
                    Some(stops) => tokio::select! {
                        biased;
                        stop = stops.next() => return Err(Failure::Interrupted(stop)),
                        queued = queueing => queued?,
                    },
                    None => queueing.await?,
                };
                if queued.already_applied {
                    note(
                        "an attempt's answer was lost (connection broken or 5xx) and the retry found the day's queue limit reached: that attempt may have taken the last slot; look for the request id among `table maintenance runs`",
                    );
                }
                if let (Some(waiting), Some(stops)) = (&waiting, stops) {
                    return waits::one(
                        context,
                        &table,
                        &kind,
                        &request_id,
                        &queued,
                        waiting,
                        stops,
                    )
                    .await;
                }
                if queued.already_applied {
                    let done = format!(
                        "Maybe queued {kind} for table {} (request id {request_id}).",
                        named(&table)
                    );
                    return print_done(format, &done, &queued.result);
                }
                let done = format!(
                    "Queued {kind} for table {} (request id {request_id}): the scheduler takes it at its next poll; `table maintenance runs` shows the run; --wait waits for it.",
                    named(&table)
                );
                print_change(
                    format,
                    &done,
                    &queued.result,
                    queued.unparsed_result.as_ref(),
                    render::record,
                )
            }
            Self::Maintenance(MaintenanceCommand::Runs {
                bucket,
                namespace,
                table,
                paging,
            }) => {
                let table = table_of(context, bucket, &namespace, table)?;
                let command = format!(
                    "r2-catalog table maintenance runs {} '{}' '{}'",
                    table.bucket(),
                    table.namespace(),
                    table.name()
                );
                let human = |page: &serde_json::Value| runs_table(page, &command);
                let options = paging.options();
                if paging.all() {
                    let pages = table.maintenance().runs().pages(options);
                    paging.print_all(format, pages, human).await
                } else {
                    let page = table.maintenance().runs().list(options).await?.result;
                    show(format, &page, human)
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

/// The one table a command names, when it is not a sweep (clap requires both then).
fn one_table(
    context: &Context,
    bucket: String,
    namespace: Option<String>,
    table: Option<String>,
) -> Result<TableHandle, Failure> {
    match (namespace, table) {
        (Some(namespace), Some(table)) => table_of(context, bucket, &namespace, table),
        _ => Err(Failure::Setup(
            "give NAMESPACE and TABLE, or --all-tables".to_owned(),
        )),
    }
}

/// A KIND as the command line spells it.
fn parse_kind(text: &str) -> Result<Kind, Failure> {
    Kind::from_str(text, false).map_err(|_| {
        Failure::Setup(format!(
            "invalid KIND {text:?}: give compaction or snapshot-expiration"
        ))
    })
}

/// `namespace.table` of `table`'s catalog, for sentences.
fn named(table: &TableHandle) -> String {
    let (bucket, namespace, name) = (table.bucket(), table.namespace(), table.name());
    format!("{namespace}.{name} of bucket {bucket}")
}

/// A page of tables as a table: namespace and name, with UUIDs and details when the page has
/// them, then how to get the next page.
fn tables_table(page: &serde_json::Value, command: &str) -> String {
    let identifiers = page["identifiers"].as_array().map(Vec::as_slice);
    let rows: Vec<serde_json::Value> = identifiers
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(index, identifier)| {
            let details = &page["details"][index];
            first_fields([
                ("namespace", &dotted(&identifier["namespace"])),
                ("table", &identifier["name"]),
                ("uuid", &page["table_uuids"][index]),
                ("created_at", &details["created_at"]),
                ("updated_at", &details["updated_at"]),
                ("location", &details["location"]),
            ])
        })
        .collect();
    let columns = [
        "namespace",
        "table",
        "uuid",
        "created_at",
        "updated_at",
        "location",
    ];
    let listed = if rows.is_empty() {
        "No tables in this namespace.".to_owned()
    } else {
        views::table(&rows, &columns)
    };
    format!("{}{}", listed.trim_end(), next_page(page, command))
}

/// A table for a person: its identity, snapshot counts and the Iceberg metadata's headline
/// fields; the whole metadata is in `--output json`.
fn table_record(table: &serde_json::Value) -> String {
    let metadata = &table["metadata"];
    let mut fields = Fields::new();
    fields.add("namespace", &dotted(&table["identifier"]["namespace"]));
    fields.add("table", &table["identifier"]["name"]);
    fields.add("table_uuid", &table["table_uuid"]);
    fields.add("metadata_location", &table["metadata_location"]);
    fields.add("total_snapshots", &table["total_snapshots"]);
    fields.add("returned_snapshots", &table["returned_snapshots"]);
    fields.add("format_version", &metadata["format-version"]);
    fields.add("location", &metadata["location"]);
    fields.add("current_snapshot_id", &metadata["current-snapshot-id"]);
    fields.add("last_updated_ms", &metadata["last-updated-ms"]);
    fields.rest(table, &["identifier", "metadata"]);
    format!(
        "{}(the whole Iceberg metadata: --output json)",
        render::record(&fields.into_value())
    )
}

/// A page of maintenance runs as a table, newest first as the API sends them.
fn runs_table(page: &serde_json::Value, command: &str) -> String {
    let runs = page["runs"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let columns = [
        "run_id",
        "configuration_type",
        "status",
        "outcome",
        "started_at",
        "completed_at",
        "duration_ms",
        "request_id",
    ];
    let listed = if runs.is_empty() {
        "No maintenance runs for this table yet.".to_owned()
    } else {
        views::table(runs, &columns)
    };
    format!("{}{}", listed.trim_end(), next_page(page, command))
}
