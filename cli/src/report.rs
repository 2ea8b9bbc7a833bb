//! `catalog report BUCKET`: every table's maintenance and last runs, through the SDK's sweep
//! (paced, at a share of the rate limit), with what calls for attention and one verdict: a
//! table at a terminal, one JSON document written as the tables come otherwise, and an exit
//! code a monitor can act on.

use std::io::Write;
use std::num::NonZeroUsize;

use clap::Args;
use cloudflare_r2_catalog::{
    MaintenanceKind,
    handles::CatalogHandle,
    input::Namespace,
    models::MaintenanceRun,
    report::{Finding, REPORT_RUNS, TableReport},
    sweep::Swept,
};
use futures_util::StreamExt;
use serde_json::{Value, json};

use crate::Context;
use crate::output::{Failure, Format, OutputLost, exit, sanitize, secrets_redacted};
use crate::progress::Progress;
use crate::render;
use crate::signals::Stop;
use crate::sweep::{MAX_ROWS, Signalled, by_table, paced, print_unless_lost};
use crate::tally::error_json;

/// The most characters of server text (a run's message) a call-out shows.
const MAX_MESSAGE_CHARS: usize = 300;

/// `catalog report`'s arguments.
#[derive(Args)]
pub(crate) struct ReportArgs {
    /// The R2 bucket.
    bucket: String,
    /// Only the tables of this namespace and of those under it.
    #[arg(long, value_name = "NS")]
    namespace: Option<String>,
    /// How many tables at once (default 32).
    #[arg(long, value_name = "N")]
    concurrency: Option<NonZeroUsize>,
    /// The share of the token's rate limit the report may take, in percent (default 75): as
    /// for `--all-tables`.
    #[arg(
        long,
        value_name = "PERCENT",
        value_parser = clap::value_parser!(u8).range(1..=100)
    )]
    rate_share: Option<u8>,
}

impl ReportArgs {
    /// The bucket reported on, for the hints of a failure.
    pub(crate) fn bucket(&self) -> &str {
        &self.bucket
    }
}

/// What the report found so far: the verdict's counts.
#[derive(Default)]
struct Verdict {
    tables: u64,
    last_run_failed: u64,
    never_ran: u64,
    unread: u64,
    /// The signal that stopped the report before every table was read, if one did.
    stopped: Option<Stop>,
}

impl Verdict {
    fn json(&self) -> Value {
        json!({
            "healthy": self.healthy(),
            "tables": self.tables,
            "last_run_failed": self.last_run_failed,
            "never_ran": self.never_ran,
            "unread": self.unread,
            "stopped": self.stopped.is_some(),
        })
    }

    fn healthy(&self) -> bool {
        self.last_run_failed == 0
            && self.never_ran == 0
            && self.unread == 0
            && self.stopped.is_none()
    }

    /// The one line a person (or a log) reads.
    fn line(&self) -> String {
        let tables = self.tables;
        if self.healthy() {
            return format!(
                "Verdict: healthy: {tables} table(s), no failed last run, none that never ran"
            );
        }
        let mut found = Vec::new();
        if self.last_run_failed > 0 {
            found.push(format!("{} whose last run failed", self.last_run_failed));
        }
        if self.never_ran > 0 {
            found.push(format!(
                "{} that never ran with maintenance on",
                self.never_ran
            ));
        }
        if self.unread > 0 {
            found.push(format!("{} table(s) or listing(s) not read", self.unread));
        }
        if let Some(signal) = self.stopped {
            found.push(format!(
                "stopped by {} before every table was read",
                signal.name()
            ));
        }
        format!(
            "Verdict: needs attention: {tables} table(s) read: {}",
            found.join(", ")
        )
    }

    /// The exit code a monitor acts on: a failed run first, then a run missing, then a report
    /// that is incomplete; a report stopped by a signal exits as the signal says, as every
    /// command does.
    fn exit(&self) -> Result<(), Failure> {
        if let Some(signal) = self.stopped {
            Err(Failure::Verdict(signal.exit_code()))
        } else if self.last_run_failed > 0 {
            Err(Failure::Verdict(exit::RUN_FAILED))
        } else if self.never_ran > 0 {
            Err(Failure::Verdict(exit::NEVER_RAN))
        } else if self.unread > 0 {
            Err(Failure::Verdict(exit::NOT_CHECKED))
        } else {
            Ok(())
        }
    }
}

/// Runs `catalog report`.
pub(crate) async fn report(context: &Context, args: ReportArgs) -> Result<(), Failure> {
    // Reading changes nothing: on a dry run too the report reads, and the SDK sends its calls.
    let catalog: CatalogHandle = context.catalog(args.bucket.as_str())?;
    let sweep = paced(
        catalog.sweep(),
        args.namespace.as_deref(),
        args.concurrency,
        args.rate_share,
    )?;
    let within = args
        .namespace
        .as_deref()
        .map(Namespace::parse_dotted)
        .transpose()?;
    let signalled = Signalled::listen()?;
    let mut reports = std::pin::pin!(sweep.stop_when(signalled.stop()).report());
    let mut aborted = std::pin::pin!(signalled.aborted());
    let format = context.format;
    let mut document = (format == Format::Json).then(|| Document::new(catalog.bucket().as_ref()));
    // The tables the walk found, once it has found them all, and those reported so far: a
    // signal after the last of them stopped nothing.
    let mut found = None;
    let mut reported = 0u64;
    let progress = (format == Format::Text).then(|| Progress::start("tables: 0 read"));
    let mut verdict = Verdict::default();
    let mut rows = Vec::new();
    let mut callouts = Vec::new();
    let mut left_out = 0u64;
    let mut stdout_lost: Option<OutputLost> = None;
    loop {
        // A second signal stops at once: what was read is still reported, and the document
        // closed.
        let item = tokio::select! {
            item = reports.next() => item,
            _ = &mut aborted => None,
        };
        let Some(item) = item else { break };
        let entry = match item {
            Swept::Table { table, outcome } => {
                reported += 1;
                let namespace = table.namespace().to_string();
                let name = table.name().to_string();
                match outcome {
                    Ok(report) => {
                        let findings = report.findings();
                        verdict.tables += 1;
                        let failed = findings
                            .iter()
                            .any(|finding| matches!(finding, Finding::LastRunFailed { .. }));
                        let never = findings
                            .iter()
                            .any(|finding| matches!(finding, Finding::NeverRan { .. }));
                        verdict.last_run_failed += u64::from(failed);
                        verdict.never_ran += u64::from(never);
                        if format == Format::Text {
                            if rows.len() < MAX_ROWS {
                                rows.push(row(&namespace, &name, &report));
                            } else {
                                left_out += 1;
                            }
                            for finding in &findings {
                                keep(
                                    &mut callouts,
                                    &mut left_out,
                                    callout(&namespace, &name, finding),
                                );
                            }
                        }
                        table_json(&namespace, &name, &report, &findings)
                    }
                    Err(error) => {
                        verdict.unread += 1;
                        if format == Format::Text {
                            let why = cut(&error.report().to_string());
                            let line = format!("✗ {namespace}.{name}: not read: {why}");
                            keep(&mut callouts, &mut left_out, line);
                        }
                        json!({"namespace": namespace, "table": name, "error": error_json(&error)})
                    }
                }
            }
            // Nothing read, and the catalog or the namespace asked for cannot be listed (no
            // such catalog, a token refused): that is the command's failure, with its own exit
            // code and hint, not a report.
            Swept::Unlisted { namespace, error }
                if namespace == within
                    && reported == 0
                    && document.as_ref().is_none_or(Document::is_empty) =>
            {
                return Err(error.into());
            }
            Swept::Unlisted { namespace, error } => {
                verdict.unread += 1;
                let namespace = namespace.map(|namespace| namespace.to_string());
                if format == Format::Text {
                    let what = namespace.as_deref().map_or_else(
                        || "the catalog's namespaces".to_owned(),
                        |namespace| format!("namespace {namespace}"),
                    );
                    let why = cut(&error.report().to_string());
                    let line = format!("✗ {what}: not listed: {why}");
                    keep(&mut callouts, &mut left_out, line);
                }
                if let Some(document) = document.as_mut() {
                    document.unlisted(json!({"namespace": namespace, "error": error_json(&error)}));
                }
                continue;
            }
            Swept::Listed { tables, complete } => {
                found = complete.then_some(tables);
                continue;
            }
            // A kind of item this version does not know: the report is not known complete.
            _ => {
                verdict.unread += 1;
                continue;
            }
        };
        if let Some(progress) = &progress {
            progress.show(format!(
                "tables: {} read, {} not read",
                verdict.tables, verdict.unread
            ));
        }
        if let Some(document) = document.as_mut()
            && stdout_lost.is_none()
            && let Err(lost) = document.table(&entry)
        {
            stdout_lost = Some(lost);
            signalled.output_lost();
        }
    }
    drop(progress);
    verdict.stopped = signalled.first().filter(|_| found != Some(reported));
    if let Some(document) = document {
        if stdout_lost.is_none()
            && let Err(lost) = document.end(&verdict)
        {
            stdout_lost = Some(lost);
        }
    } else {
        by_table(&mut rows);
        let columns = [
            "namespace",
            "table",
            "compaction",
            "last_compaction",
            "next_compaction",
            "snapshot_expiration",
            "last_expiration",
            "next_expiration",
        ];
        if !rows.is_empty() {
            let rows = secrets_redacted(Value::Array(rows));
            let rows = rows.as_array().map(Vec::as_slice).unwrap_or_default();
            let table = render::table(rows, &columns);
            print_unless_lost(&mut stdout_lost, table.trim_end_matches('\n'));
        }
        callouts.sort();
        for line in &callouts {
            print_unless_lost(&mut stdout_lost, &render::one_line(line));
        }
        if left_out > 0 {
            let more =
                format!("… and {left_out} more row(s) or line(s): --output json has them all");
            print_unless_lost(&mut stdout_lost, &more);
        }
        print_unless_lost(&mut stdout_lost, &verdict.line());
    }
    if let Some(lost) = stdout_lost {
        return Err(Failure::Output(lost));
    }
    verdict.exit()
}

/// Keeps `line` among `callouts` while there is room, counts it in `left_out` otherwise.
fn keep(callouts: &mut Vec<String>, left_out: &mut u64, line: String) {
    if callouts.len() < MAX_ROWS {
        callouts.push(line);
    } else {
        *left_out += 1;
    }
}

/// The report as one JSON document written as the tables come, so that memory holds one
/// table at a time: `{"bucket", "tables": [...], "unlisted": [...], "unlisted_left_out",
/// "verdict": {...}}`. Its opening is written with the first table (or at the end), so that a
/// report that fails before any is read prints nothing. Failed listings, which are few (two per
/// namespace at most), are kept for the end, up to [`MAX_ROWS`]; the verdict counts them all,
/// and `unlisted_left_out` those not kept.
struct Document {
    opening: Option<String>,
    unlisted: Vec<Value>,
    unlisted_left_out: u64,
}

impl Document {
    fn new(bucket: &str) -> Self {
        Self {
            opening: Some(format!("{{\"bucket\":{},\"tables\":[", json!(bucket))),
            unlisted: Vec::new(),
            unlisted_left_out: 0,
        }
    }

    /// Whether nothing of it is written yet, nor kept to write.
    fn is_empty(&self) -> bool {
        self.opening.is_some() && self.unlisted.is_empty()
    }

    /// Writes one table's entry (after the opening, for the first).
    fn table(&mut self, entry: &Value) -> Result<(), OutputLost> {
        let entry = secrets_redacted(entry.clone()).to_string();
        match self.opening.take() {
            Some(opening) => write_raw(&[&opening, "\n", &entry]),
            None => write_raw(&[",\n", &entry]),
        }
    }

    /// Keeps a failed listing for the end.
    fn unlisted(&mut self, entry: Value) {
        if self.unlisted.len() < MAX_ROWS {
            self.unlisted.push(secrets_redacted(entry));
        } else {
            self.unlisted_left_out += 1;
        }
    }

    /// Writes the failed listings and the verdict, and closes the document.
    fn end(self, verdict: &Verdict) -> Result<(), OutputLost> {
        let opening = self.opening.unwrap_or_default();
        let unlisted = Value::Array(self.unlisted).to_string();
        let closing = format!(
            "\n],\"unlisted\":{unlisted},\"unlisted_left_out\":{},\"verdict\":{}}}\n",
            self.unlisted_left_out,
            verdict.json()
        );
        write_raw(&[&opening, &closing])
    }
}

/// Writes `parts` to stdout, sanitized, with no newline of its own.
fn write_raw(parts: &[&str]) -> Result<(), OutputLost> {
    let mut stdout = std::io::stdout().lock();
    let written: std::io::Result<()> = (|| {
        for part in parts {
            stdout.write_all(sanitize(part).as_bytes())?;
        }
        stdout.flush()
    })();
    written.map_err(OutputLost::stdout)
}

/// A table's entry in the JSON document.
fn table_json(namespace: &str, table: &str, report: &TableReport, findings: &[Finding]) -> Value {
    let section = |config: Value, kind: &MaintenanceKind| {
        let mut section = match config {
            Value::Object(fields) => Value::Object(fields),
            _ => json!({"state": null}),
        };
        // Present even when the server leaves it out: the document's shape does not vary.
        if section.get("next_eligible_at").is_none() {
            section["next_eligible_at"] = Value::Null;
        }
        section["last_run"] = report.last_run(kind).map_or(Value::Null, run_json);
        section
    };
    let maintenance = &report.maintenance;
    let compaction = serde_json::to_value(&maintenance.compaction).unwrap_or_default();
    let expiration = serde_json::to_value(&maintenance.snapshot_expiration).unwrap_or_default();
    json!({
        "namespace": namespace,
        "table": table,
        "compaction": section(compaction, &MaintenanceKind::Compaction),
        "snapshot_expiration": section(expiration, &MaintenanceKind::SnapshotExpiration),
        "findings": serde_json::to_value(findings).unwrap_or_default(),
    })
}

/// What the report shows of a run: when, how long, how it went.
fn run_json(run: &MaintenanceRun) -> Value {
    json!({
        "run_id": run.run_id,
        "status": run.status,
        "started_at": run.started_at,
        "completed_at": run.completed_at,
        "duration_ms": run.duration_ms,
        "primary_error_code": run.primary_error_code,
        "customer_message": run.customer_message,
        "request_id": run.request_id,
    })
}

/// A table's row in the text table.
fn row(namespace: &str, table: &str, report: &TableReport) -> Value {
    let kinds = [
        MaintenanceKind::Compaction,
        MaintenanceKind::SnapshotExpiration,
    ];
    let [compaction, expiration] = kinds.map(|kind| {
        let state = report
            .state(&kind)
            .map_or_else(|| "(none)".to_owned(), ToString::to_string);
        let last = report
            .last_run(&kind)
            .map_or_else(|| format!("none in last {REPORT_RUNS}"), run_cell);
        (state, last)
    });
    let maintenance = &report.maintenance;
    let next_compaction = maintenance
        .compaction
        .as_ref()
        .and_then(|config| config.next_eligible_at.as_deref());
    let next_expiration = maintenance
        .snapshot_expiration
        .as_ref()
        .and_then(|config| config.next_eligible_at.as_deref());
    json!({
        "namespace": namespace,
        "table": table,
        "compaction": compaction.0,
        "last_compaction": compaction.1,
        "next_compaction": next_compaction.map(cut),
        "snapshot_expiration": expiration.0,
        "last_expiration": expiration.1,
        "next_expiration": next_expiration.map(cut),
    })
}

/// A run in a cell: its status, when it started and how long it took (`failed 2026-11-24T14:30:45Z 4.2 s`).
fn run_cell(run: &MaintenanceRun) -> String {
    let took = run
        .duration_ms
        .map(|millis| format!(" {:.1} s", millis as f64 / 1000.0))
        .unwrap_or_default();
    format!("{} {}{took}", run.status, cut(&run.started_at))
}

/// Server text cut to [`MAX_MESSAGE_CHARS`] characters, marked where cut.
fn cut(text: &str) -> String {
    match text.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// The line calling out `finding` of `namespace.table`.
fn callout(namespace: &str, table: &str, finding: &Finding) -> String {
    match finding {
        Finding::LastRunFailed {
            kind,
            run_id,
            status,
            error_code,
            customer_message,
            ..
        } => {
            let code = error_code
                .map(|code| format!(", code {code}"))
                .unwrap_or_default();
            let message = customer_message
                .as_deref()
                .map(|message| format!(": {}", cut(message)))
                .unwrap_or_default();
            format!("✗ {namespace}.{table}: last {kind} run {status} (run {run_id}{code}){message}")
        }
        Finding::NeverRan { kind } => {
            format!("✗ {namespace}.{table}: {kind} is enabled and has never run")
        }
        _ => format!("✗ {namespace}.{table}: {finding:?}"),
    }
}
