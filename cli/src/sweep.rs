//! `table maintenance get|update|queue BUCKET --all-tables`: one maintenance operation over
//! every table of a catalog (or of a namespace and those under it), through the SDK's sweep,
//! with a progress line at a terminal, JSON lines otherwise, a summary, and a journal to resume
//! from.

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;
use cloudflare_r2_catalog::{
    Error, MaintenanceKind, RequestId,
    config::RateShare,
    handles::TableHandle,
    input::Namespace,
    models::MaintenanceUpdate,
    sweep::{Sweep, Swept},
    wait::Waiting,
};
use futures_util::StreamExt;
use serde_json::{Map, Value, json};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::Context;
use crate::journal::{self, Journal, SWEEP_FIELDS};
use crate::output::{Failure, Format, OutputLost, exit, note, print_parts, secrets_redacted};
use crate::progress::Progress;
use crate::render;
use crate::signals::{self, Stop};
use crate::tally::{Added, Tally};
use crate::waits;

/// The flags that turn a table maintenance command into a sweep.
#[derive(Args)]
pub(crate) struct SweepFlags {
    /// Act on every table of the catalog (or of --namespace and the namespaces under it),
    /// several at a time and at one pace when Cloudflare asks to slow down, instead of on one
    /// table. Prints one JSON line per table (a progress line and a summary at a terminal), and
    /// exits 1 if any table failed. With --dry-run, the tables are listed (reading changes
    /// nothing) and each table's request is printed, not sent.
    #[arg(long)]
    all_tables: bool,
    /// With --all-tables: only the tables of this namespace and of those under it.
    #[arg(
        long = "namespace",
        id = "within",
        value_name = "NS",
        requires = "all_tables"
    )]
    within: Option<String>,
    /// With --all-tables: how many tables at once (default 32).
    #[arg(long, value_name = "N", requires = "all_tables")]
    concurrency: Option<NonZeroUsize>,
    /// With --all-tables: the share of the token's rate limit the sweep may take, in percent
    /// (default 75). Cloudflare allows 1,200 requests per 5 minutes per user, across the
    /// dashboard and every token, and blocks the user for 5 minutes past it: the sweep sends
    /// while more of the window's quota remains than the others' share of it for the time
    /// left (taking what they leave unused), and waits out a block. 100 leaves the others only
    /// a margin.
    #[arg(
        long,
        value_name = "PERCENT",
        requires = "all_tables",
        value_parser = clap::value_parser!(u8).range(1..=100)
    )]
    rate_share: Option<u8>,
    /// With --all-tables: append each table's outcome to FILE as a JSON line, and skip the
    /// tables FILE already records done by the same command (same account, endpoint, paths,
    /// bucket and settings): run it again with the same FILE to resume after a failure or
    /// Ctrl-C. With --dry-run, FILE is read (the plan skips what it records) but not written.
    #[arg(long, value_name = "FILE", requires = "all_tables")]
    journal: Option<PathBuf>,
}

impl SweepFlags {
    /// Whether the command is a sweep.
    pub(crate) fn all_tables(&self) -> bool {
        self.all_tables
    }

    /// The share of the token's quota `--rate-share` gives, if given.
    pub(crate) fn rate_share(&self) -> Result<Option<RateShare>, Failure> {
        Ok(self.rate_share.map(RateShare::percent).transpose()?)
    }
}

/// What a sweep does to each table.
pub(crate) enum Operation {
    Get,
    Update(MaintenanceUpdate),
    /// Queue a kind of maintenance, then wait for the runs queued if told how.
    Queue(MaintenanceKind, Option<Waiting>),
}

impl Operation {
    /// What names this sweep in a journal: a line is skipped on resume only when its bucket
    /// and operation (the update's settings included) are this run's.
    fn key(&self) -> Result<String, Failure> {
        Ok(match self {
            Self::Get => "get".to_owned(),
            Self::Update(update) => format!("update {}", serde_json::to_string(update)?),
            Self::Queue(kind, _) => format!("queue {kind}"),
        })
    }

    /// The summary's verb phrase, for `tables` tables.
    fn done(&self, tables: u64) -> String {
        match self {
            Self::Get => format!("Read the maintenance of {tables} table(s)"),
            Self::Update(_) => format!("Updated the maintenance of {tables} table(s)"),
            Self::Queue(kind, _) => format!("Queued {kind} for {tables} table(s)"),
        }
    }

    /// Runs the operation on `table`; its result as JSON, and the request id of the run it
    /// queued, if it queued one.
    async fn on(&self, table: TableHandle) -> Result<(Value, Option<RequestId>), Error> {
        let maintenance = table.maintenance();
        let result = match self {
            Self::Get => serde_json::to_value(maintenance.get().await?.result),
            Self::Update(update) => {
                let updated = maintenance.update(update).await?;
                match (updated.result, updated.unparsed_result) {
                    (None, Some(unparsed)) => Ok(unparsed),
                    (result, _) => serde_json::to_value(result),
                }
            }
            Self::Queue(kind, _) => {
                let request_id = RequestId::random();
                let queued = maintenance.queue(kind.clone(), &request_id).await?;
                let line = json!({
                    "request_id": request_id,
                    "queued": queued.result,
                    "already_applied": queued.already_applied,
                });
                let run = waits::queued_a_run(&queued).then_some(request_id);
                return Ok((line, run));
            }
        };
        // The models always serialize; a failure here would be a bug, reported as one.
        let result =
            result.map_err(|error| Error::Request(format!("cannot show the result: {error}")))?;
        Ok((result, None))
    }
}

/// The most rows a sweep's table at a terminal holds (`get --all-tables`, `catalog report`),
/// and the most lines a report keeps to print after it: a person reads no more, and memory
/// stays bounded however many tables a catalog has.
pub(crate) const MAX_ROWS: usize = 10_000;

/// Runs `operation` over the tables of `bucket` as `flags` say, and prints what came of each.
pub(crate) async fn run(
    context: &Context,
    bucket: String,
    flags: SweepFlags,
    operation: Operation,
) -> Result<(), Failure> {
    // A dry run lists for real (reading changes nothing) and plans each table's request.
    let catalog = context.catalog(bucket.as_str())?;
    let sweep_fields = sweep_fields(context, catalog.bucket().as_ref(), &operation.key()?);
    let mut sweep = paced(
        catalog.sweep(),
        flags.within.as_deref(),
        flags.concurrency,
        flags.rate_share,
    )?;
    let mut skipped = 0;
    let mut journal = None;
    if let Some(path) = &flags.journal {
        let done = journal::done(path, &sweep_fields)?;
        skipped = done.len();
        sweep = sweep.skip(done);
        // A dry run changes nothing, and so records nothing.
        if !context.dry_run {
            journal = Some(Journal::open(path)?);
        }
    }
    let signalled = Signalled::listen()?;
    let operation = Arc::new(operation);
    let acting = Arc::clone(&operation);
    let swept = sweep.stop_when(signalled.stop()).run(move |table| {
        let acting = Arc::clone(&acting);
        async move { acting.on(table).await }
    });
    let mut swept = std::pin::pin!(swept);
    let mut aborted = std::pin::pin!(signalled.aborted());

    let format = context.format;
    let started = Instant::now();
    let throttled = context.client.rate_limit().throttled;
    let mut tally = Tally::default();
    let mut rows = Vec::new();
    let mut rows_left = 0u64;
    // The runs queued, to wait for once every table is queued (with --wait).
    let mut to_wait = Vec::new();
    let mut not_waited = 0u64;
    // What could not be written: the first failure of stdout, and of the journal. Each stops
    // the sweep from starting tables; the tables in flight finish and are still recorded where
    // they can be (the journal when stdout is gone, stdout when the journal is).
    let mut stdout_lost = None;
    let mut journal_lost = None;
    let progress = (format == Format::Text).then(|| Progress::start("tables: 0 done, 0 failed"));
    let show_progress = |tally: &Tally| {
        if let Some(progress) = &progress {
            progress.show(tally.progress(started.elapsed(), &context.client.rate_limit()));
        }
    };
    // The progress line moves on while nothing ends too: a block's countdown, the time so far.
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    loop {
        let item = tokio::select! {
            item = swept.next() => item,
            _ = ticker.tick(), if progress.is_some() => {
                show_progress(&tally);
                continue;
            }
            // A second Ctrl-C, while the tables in flight finish: stop now.
            signal = &mut aborted => return Err(Failure::Interrupted(signal)),
        };
        let Some(item) = item else { break };
        if let (
            Operation::Queue(_, Some(_)),
            Swept::Table {
                table,
                outcome: Ok((_, Some(request_id))),
            },
        ) = (&*operation, &item)
        {
            if to_wait.len() < waits::MAX_WAITED {
                to_wait.push((table.clone(), request_id.clone()));
            } else {
                not_waited += 1;
            }
        }
        let item = item.map(|(result, _)| result);
        let Some(Added { line, shown }) = tally.add(item, &sweep_fields) else {
            show_progress(&tally);
            continue;
        };
        if let Some(appending) = journal.as_mut()
            && let Err(lost) = appending.append(&line)
        {
            journal = None;
            journal_lost = Some(lost);
        }
        match (&progress, format) {
            (_, Format::Json) => print_unless_lost(&mut stdout_lost, &line.to_string()),
            (Some(progress), Format::Text) => {
                if let Some(failure) = shown {
                    progress.note(&failure);
                }
                if let Some(plan) = line.get("dry_run") {
                    progress.note(&plan_line(plan));
                }
                if matches!(*operation, Operation::Get) && line["ok"] == true {
                    if rows.len() < MAX_ROWS {
                        rows.push(get_row(&line));
                    } else {
                        rows_left += 1;
                    }
                }
                show_progress(&tally);
            }
            (None, Format::Text) => {}
        }
        if journal_lost.is_some() || stdout_lost.is_some() {
            signalled.output_lost();
        }
    }
    drop(progress);
    if !rows.is_empty() {
        by_table(&mut rows);
        let columns = [
            "namespace",
            "table",
            "compaction",
            "target_size_mb",
            "snapshot_expiration",
        ];
        print_unless_lost(
            &mut stdout_lost,
            render::table(&rows, &columns).trim_end_matches('\n'),
        );
    }
    if rows_left > 0 {
        print_unless_lost(
            &mut stdout_lost,
            &format!("… and {rows_left} more table(s): --output json prints every table's line"),
        );
    }
    let throttled = context.client.rate_limit().throttled - throttled;
    let summary = tally.summary(
        operation.done(tally.done),
        skipped,
        started.elapsed(),
        throttled,
    );
    if format == Format::Text {
        print_unless_lost(&mut stdout_lost, &summary);
    }
    // On stderr when stdout is for JSON lines, or gone.
    if format == Format::Json || stdout_lost.is_some() {
        note(&summary);
    }
    // Each table's line went to stdout only as JSON.
    let lines_printed = format == Format::Json && stdout_lost.is_none();
    if let Some(lost) = journal_lost.or(stdout_lost) {
        return Err(Failure::Output(OutputLost {
            aftermath: Some(aftermath(journal.is_some(), lines_printed)),
            ..lost
        }));
    }
    if let Some(signal) = signalled.first() {
        return Err(Failure::SweepStopped {
            journal: flags.journal.is_some(),
            signal,
        });
    }
    let runs = match &*operation {
        Operation::Queue(_, Some(_)) if context.dry_run => {
            note("a dry run queues nothing, and so waits for nothing");
            None
        }
        Operation::Queue(kind, Some(waiting)) => {
            // Its lines name the sweep as the queueing's do, as waiting for what it queued.
            let mut fields = sweep_fields.clone();
            fields.insert("operation".to_owned(), json!(format!("wait {kind}")));
            let stop = signalled.signalled();
            let runs = waits::all(format, &fields, to_wait, not_waited, waiting, stop).await?;
            runs.verdict()
        }
        _ => None,
    };
    // A run that ended otherwise says more than a table that could not be queued.
    match runs {
        Some(verdict @ Failure::Verdict(exit::RUN_FAILED)) => Err(verdict),
        _ if tally.failed > 0 || tally.unlisted > 0 => Err(Failure::Unready),
        Some(verdict) => Err(verdict),
        None => Ok(()),
    }
}

/// `sweep` kept to the namespace (`--namespace`), the concurrency and the share of the rate
/// limit (`--rate-share`, in percent) given.
pub(crate) fn paced(
    mut sweep: Sweep,
    within: Option<&str>,
    concurrency: Option<NonZeroUsize>,
    rate_share: Option<u8>,
) -> Result<Sweep, Failure> {
    if let Some(namespace) = within {
        sweep = sweep.within(Namespace::parse_dotted(namespace)?);
    }
    if let Some(concurrency) = concurrency {
        sweep = sweep.concurrency(concurrency);
    }
    if let Some(share) = rate_share {
        sweep = sweep.rate_share(RateShare::percent(share)?);
    }
    Ok(sweep)
}

/// `rows` in the order of their `namespace`, then their `table`: how a person finds a table.
pub(crate) fn by_table(rows: &mut [Value]) {
    rows.sort_by(|a, b| {
        (a["namespace"].as_str(), a["table"].as_str())
            .cmp(&(b["namespace"].as_str(), b["table"].as_str()))
    });
}

/// Prints `text` on stdout unless it is already `lost`, and records it lost if it fails.
pub(crate) fn print_unless_lost(lost: &mut Option<OutputLost>, text: &str) {
    if lost.is_none()
        && let Err(Failure::Output(failure)) = print_parts([text])
    {
        *lost = Some(failure);
    }
}

/// What stops a sweep: Ctrl-C (or another signal that stops a command), pressed so many times,
/// and output that could not be written.
#[derive(Default)]
struct Stopping {
    presses: u8,
    /// The first signal, which says how the sweep ends.
    first: Option<Stop>,
    output_lost: bool,
}

/// Ctrl-C (or SIGTERM, SIGQUIT, SIGHUP) counted as it comes during a sweep: the first stops
/// the sweep from starting tables, the second stops the command at once. Output that cannot be
/// written stops it as the first does. Listening ends when this is dropped.
pub(crate) struct Signalled {
    stopping: watch::Sender<Stopping>,
    _listening: SignalTask,
}

impl Signalled {
    /// Starts listening for the signals.
    pub(crate) fn listen() -> Result<Self, Failure> {
        let (stopping, _) = watch::channel(Stopping::default());
        let pressing = stopping.clone();
        let mut signals = signals::Listening::start()
            .map_err(|error| Failure::Setup(format!("cannot listen for Ctrl-C: {error}")))?;
        let listening = SignalTask(tokio::spawn(async move {
            loop {
                let signal = signals.next().await;
                pressing.send_modify(|stop| {
                    stop.presses = stop.presses.saturating_add(1);
                    stop.first.get_or_insert(signal);
                });
            }
        }));
        Ok(Self {
            stopping,
            _listening: listening,
        })
    }

    /// Completes at the first signal, or once output is lost: for [`Sweep::stop_when`](cloudflare_r2_catalog::sweep::Sweep::stop_when).
    pub(crate) fn stop(&self) -> impl Future<Output = ()> + Send + 'static {
        stopped_when(self.stopping.subscribe(), |stop| {
            stop.presses >= 1 || stop.output_lost
        })
    }

    /// Completes at the second signal, with the first.
    pub(crate) fn aborted(&self) -> impl Future<Output = Stop> + Send + 'static {
        self.after_signals(2)
    }

    /// Completes at the first signal, with it: what stops a wait at once.
    pub(crate) fn signalled(&self) -> impl Future<Output = Stop> + Send + 'static {
        self.after_signals(1)
    }

    /// Completes once `presses` signals came, with the first.
    fn after_signals(&self, presses: u8) -> impl Future<Output = Stop> + Send + 'static {
        let stopping = self.stopping.subscribe();
        let first = self.stopping.subscribe();
        async move {
            stopped_when(stopping, |stop| stop.presses >= presses).await;
            let signal = first.borrow().first;
            signal.unwrap_or(Stop::Interrupt)
        }
    }

    /// Stops the sweep as the first signal does: its output could not be written.
    pub(crate) fn output_lost(&self) {
        self.stopping
            .send_if_modified(|stop| !std::mem::replace(&mut stop.output_lost, true));
    }

    /// The first signal, if one came.
    pub(crate) fn first(&self) -> Option<Stop> {
        self.stopping.borrow().first
    }
}

/// Completes once `stopping` holds for what is signalled; never, if the signals are gone.
async fn stopped_when(
    mut signalled: watch::Receiver<Stopping>,
    stopping: impl Fn(&Stopping) -> bool,
) {
    if signalled.wait_for(stopping).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// What a sweep whose output failed did about it: where the outcomes of the tables that ended
/// are recorded, if anywhere.
fn aftermath(journal: bool, stdout: bool) -> String {
    let recorded = match (journal, stdout) {
        (true, _) => {
            "the journal records every table that ended: run the same command with the same --journal to go on"
        }
        (false, true) => {
            "stdout has the line of every table that ended, the journal does not: keep those lines"
        }
        (false, false) => {
            "what was sent may have been carried out: read the state back before doing it again"
        }
    };
    format!("no table was started after that, and the tables in flight finished; {recorded}")
}

/// The fields that name this sweep in each of its lines (see [`journal::SWEEP_FIELDS`]): the
/// account, the API endpoint and path family it calls, the bucket and the operation (`key`).
/// Written as the journal reads them back: redacted (a base URL's path may hold a secret).
fn sweep_fields(context: &Context, bucket: &str, key: &str) -> Map<String, Value> {
    let values = [
        json!(context.account.account_id().as_ref()),
        json!(context.client.base_url()),
        json!(context.client.paths().to_string()),
        json!(bucket),
        json!(key),
    ];
    let fields = SWEEP_FIELDS
        .iter()
        .map(|field| (*field).to_owned())
        .zip(values)
        .collect();
    match secrets_redacted(Value::Object(fields)) {
        Value::Object(fields) => fields,
        _ => Map::new(),
    }
}

/// The signal listener of one sweep, stopped with it.
struct SignalTask(JoinHandle<()>);

impl Drop for SignalTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A planned request as one line: the method, the URL and the body.
fn plan_line(plan: &Value) -> String {
    let body = match &plan["body"] {
        Value::Null => String::new(),
        body => format!(" {body}"),
    };
    format!(
        "{} {}{body}",
        plan["method"].as_str().unwrap_or_default(),
        plan["url"].as_str().unwrap_or_default()
    )
}

/// A row of the `get --all-tables` table: the table and its settings.
fn get_row(line: &Value) -> Value {
    let config = &line["result"]["maintenance_config"];
    json!({
        "namespace": line["namespace"],
        "table": line["table"],
        "compaction": config["compaction"]["state"],
        "target_size_mb": config["compaction"]["target_size_mb"],
        "snapshot_expiration": config["snapshot_expiration"]["state"],
    })
}
