//! `table maintenance queue … --wait`: following the run a queue made until it ends, with its
//! status at a terminal as it goes, then how it ended, and an exit code that says it: 0 only
//! for `succeeded`. With `--all-tables`, every run the sweep queued, at once, with a summary
//! by final status.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::{Duration, Instant};

use clap::Args;
use cloudflare_r2_catalog::{
    Error, MaintenanceKind, RequestId, Response,
    config::RateShare,
    handles::TableHandle,
    models::{MaintenanceRun, QueuedMaintenance, RunStatus},
    wait::{MAX_FOLLOWED_AT_ONCE, RunProgress, Waiting},
};
use futures_util::StreamExt;
use serde_json::{Map, Value, json};

use crate::Context;
use crate::output::{Failure, Format, exit, note, print_json, print_parts, secrets_redacted};
use crate::progress::Progress;
use crate::render;
use crate::signals::{Listening, Stop};
use crate::views;

/// The flags that make `queue` wait for the run it queued.
#[derive(Args)]
pub(crate) struct WaitFlags {
    /// Wait for the run queued to end, showing its status at a terminal, then print how it
    /// ended (each step, the error code and message of a failure). Exits 0 only if it
    /// succeeded, 10 if it ended otherwise (failed, interrupted, timed_out, cancelled), 11 if
    /// it had not ended at --timeout (it goes on). With --all-tables, waits for every run
    /// queued and sums them up by final status.
    #[arg(long)]
    wait: bool,
    /// With --wait: give up waiting after SECONDS (default 3600: Cloudflare's scheduler takes
    /// queued maintenance when it next polls, and runs maintenance hourly).
    #[arg(
        long,
        value_name = "SECONDS",
        requires = "wait",
        value_parser = clap::value_parser!(u64).range(1..=7 * 24 * 3600)
    )]
    timeout: Option<u64>,
    /// With --wait: look at the runs again after SECONDS (default 5), then twice as long each
    /// time, up to a minute (or SECONDS, if longer).
    #[arg(
        long,
        value_name = "SECONDS",
        requires = "wait",
        value_parser = clap::value_parser!(u64).range(1..=3600)
    )]
    poll_interval: Option<u64>,
}

impl WaitFlags {
    /// Whether the command waits for the run it queues.
    pub(crate) fn waits(&self) -> bool {
        self.wait
    }

    /// How to wait, if the command waits: with `rate_share` of the token's quota for its polls
    /// when given (a sweep's `--rate-share`).
    pub(crate) fn waiting(&self, rate_share: Option<RateShare>) -> Option<Waiting> {
        if !self.wait {
            return None;
        }
        let mut waiting = Waiting::new();
        if let Some(seconds) = self.timeout {
            waiting = waiting.timeout(Duration::from_secs(seconds));
        }
        if let Some(seconds) = self.poll_interval {
            waiting = waiting.poll_interval(Duration::from_secs(seconds));
        }
        if let Some(share) = rate_share {
            waiting = waiting.rate_share(share);
        }
        Some(waiting)
    }
}

/// Whether Cloudflare's answer to a queue leaves a run to wait for: not when it says it queued
/// nothing (`queued: false`); when its answer has no shape this version knows, perhaps.
pub(crate) fn queued_a_run(queued: &Response<Option<QueuedMaintenance>>) -> bool {
    queued.result.as_ref().is_none_or(|answer| answer.queued)
}

/// Waits for the run of `kind` queued on `table` as `request_id` (`queued`, Cloudflare's
/// answer), until it ends or a signal comes from `stops`, then prints how it went: as text, its
/// outcome; as JSON, `{request_id, queued, over, run, error}`, the run as last listed (`null`
/// if never) and why the wait stopped short, if it did. The exit code says how it ended.
pub(crate) async fn one(
    context: &Context,
    table: &TableHandle,
    kind: &MaintenanceKind,
    request_id: &RequestId,
    queued: &Response<Option<QueuedMaintenance>>,
    waiting: &Waiting,
    mut stops: Listening,
) -> Result<(), Failure> {
    let format = context.format;
    let answer = match (&queued.result, &queued.unparsed_result) {
        (None, Some(unparsed)) => unparsed.clone(),
        (result, _) => serde_json::to_value(result)?,
    };
    let print = |over: bool, run: Option<&MaintenanceRun>, error: Option<String>| match format {
        Format::Json => print_json(&json!({
            "request_id": request_id,
            "queued": answer,
            "over": over,
            "run": run,
            "error": error,
        })),
        Format::Text => match run.filter(|_| over) {
            Some(run) => print_parts([outcome(table, run).as_str()]),
            None => Ok(()),
        },
    };
    let runs_command = format!(
        "r2-catalog table maintenance runs {} '{}' '{}'",
        table.bucket(),
        table.namespace(),
        table.name()
    );
    if !queued_a_run(queued) {
        let nothing = "Cloudflare queued nothing (its answer says queued: false): there is no run to wait for";
        print(false, None, Some(nothing.to_owned()))?;
        note(nothing);
        return Err(Failure::Verdict(exit::FAILURE));
    }
    let maybe = if queued.already_applied {
        "Maybe queued"
    } else {
        "Queued"
    };
    // The queueing is done whatever the wait comes to: said before it starts.
    note(&format!(
        "{maybe} {kind} for table {}.{} of bucket {}; waiting for its run.",
        table.namespace(),
        table.name(),
        table.bucket()
    ));
    let named = format!("{kind} of {}.{}", table.namespace(), table.name());
    let progress = (format == Format::Text).then(|| Progress::start(&format!("{named}: queued")));
    let mut polls = table.maintenance().follow(request_id, waiting);
    let mut last: Option<RunProgress> = None;
    let mut failed = None;
    let mut stopped = None;
    loop {
        let polled = tokio::select! {
            polled = polls.next() => polled,
            stop = stops.next() => {
                stopped = Some(stop);
                break;
            }
        };
        match polled {
            Some(Ok(seen)) => {
                if let Some(progress) = &progress {
                    progress.show(format!("{named}: {}", status_of(seen.run.as_ref())));
                }
                last = Some(seen);
            }
            Some(Err(error)) => failed = Some(error),
            None => break,
        }
    }
    drop(progress);
    let run = last.and_then(|seen| seen.run);
    let over =
        failed.is_none() && stopped.is_none() && run.as_ref().is_some_and(MaintenanceRun::is_over);
    let why = match (stopped, &failed) {
        (Some(stop), _) => Some(format!(
            "stopped waiting ({}): the run goes on",
            stop.name()
        )),
        (None, Some(error)) => Some(error.report().to_string()),
        (None, None) => None,
    };
    print(over, run.as_ref(), why.clone())?;
    if let Some(stop) = stopped {
        note(&format!(
            "{}; {runs_command} shows it",
            why.unwrap_or_default()
        ));
        return Err(Failure::Verdict(stop.exit_code()));
    }
    match (failed, run) {
        (Some(Error::RunNotOver(not_over)), _) => {
            note(&not_over.to_string());
            note(&format!("hint: {runs_command} shows it"));
            Err(Failure::Verdict(exit::STILL_RUNNING))
        }
        (Some(error), _) => {
            note(&format!(
                "queued as {request_id}, but the wait for its run stopped short:"
            ));
            Err(error.into())
        }
        (None, Some(run)) if run.status == RunStatus::Succeeded => Ok(()),
        (None, _) => Err(Failure::Verdict(exit::RUN_FAILED)),
    }
}

/// What a person reads of a run at one poll: its status, or that it is not listed yet.
fn status_of(run: Option<&MaintenanceRun>) -> String {
    match run {
        None => "queued, not started yet".to_owned(),
        Some(run) => format!(
            "{} (run {}, started {})",
            run.status, run.run_id, run.started_at
        ),
    }
}

/// How a run ended, for a person: a sentence, the failure's code and message if any, then a
/// table of its steps.
fn outcome(table: &TableHandle, run: &MaintenanceRun) -> String {
    let took = run
        .duration_ms
        .map(|ms| format!(", took {:.1} s", ms as f64 / 1000.0))
        .unwrap_or_default();
    // One line, whatever the server's timestamps and kind hold.
    let mut text = render::one_line(&format!(
        "{} of table {}.{} of bucket {}: {} (run {}, started {}{took}).",
        capitalized(run.configuration_type.as_str()),
        table.namespace(),
        table.name(),
        table.bucket(),
        run.status,
        run.run_id,
        run.started_at,
    ));
    if let Some(failure) = failure_of(run) {
        text.push('\n');
        text.push_str(&failure);
    }
    let steps: Vec<Value> = run
        .operation_results
        .iter()
        .map(|step| {
            json!({
                "step": step.operation.as_str(),
                "status": step.status.as_str(),
                "duration_ms": step.duration_ms,
                "error_code": step.error_code,
            })
        })
        .collect();
    if !steps.is_empty() {
        let steps = secrets_redacted(Value::Array(steps));
        let rows = steps.as_array().map(Vec::as_slice).unwrap_or_default();
        text.push('\n');
        text.push_str(
            views::table(rows, &["step", "status", "duration_ms", "error_code"]).trim_end(),
        );
    }
    text
}

/// The error code and message of a run that carries them, on one line.
fn failure_of(run: &MaintenanceRun) -> Option<String> {
    let message = run.customer_message.as_deref().map(render::one_line);
    match (run.primary_error_code, message) {
        (None, None) => None,
        (Some(code), None) => Some(format!("Error {code}.")),
        (None, Some(message)) => Some(message),
        (Some(code), Some(message)) => Some(format!("Error {code}: {message}")),
    }
}

fn capitalized(text: &str) -> String {
    let mut characters = text.chars();
    characters
        .next()
        .map(|first| first.to_uppercase().chain(characters).collect::<String>())
        .unwrap_or_default()
        .replace('_', " ")
}

/// How many runs that did not succeed a person at a terminal sees as they end; the others are
/// counted in the summary.
const SHOWN_RUNS: u64 = 20;

/// The most runs one command waits for, all at once: a sweep over more tables queues them all,
/// and says how many it did not wait for.
pub(crate) const MAX_WAITED: usize = MAX_FOLLOWED_AT_ONCE;

/// How the runs of a sweep ended, by final status.
#[derive(Default)]
pub(crate) struct RunTally {
    /// By the statuses this version knows, and `other` for the rest: a server cannot grow the
    /// progress line and the summary with statuses of its own.
    by_status: BTreeMap<String, u64>,
    not_over: u64,
    unfollowed: u64,
    left: u64,
    not_waited: u64,
}

impl RunTally {
    /// The exit code it calls for, if not 0: a run that did not succeed first, then one that
    /// could not be followed, then one still going.
    pub(crate) fn verdict(&self) -> Option<Failure> {
        let ended_otherwise = self
            .by_status
            .iter()
            .any(|(status, count)| status != RunStatus::Succeeded.as_str() && *count > 0);
        if ended_otherwise {
            Some(Failure::Verdict(exit::RUN_FAILED))
        } else if self.unfollowed > 0 {
            Some(Failure::Unready)
        } else if self.not_over > 0 || self.left > 0 || self.not_waited > 0 {
            Some(Failure::Verdict(exit::STILL_RUNNING))
        } else {
            None
        }
    }

    fn waiting(&self) -> String {
        let ended: Vec<String> = self
            .by_status
            .iter()
            .map(|(status, count)| format!("{count} {status}"))
            .collect();
        let ended = if ended.is_empty() {
            "none ended".to_owned()
        } else {
            ended.join(", ")
        };
        format!("runs: {ended}; {} waiting", self.left)
    }

    fn summary(&self, elapsed: Duration) -> String {
        let mut parts: Vec<String> = self
            .by_status
            .iter()
            .map(|(status, count)| format!("{count} {status}"))
            .collect();
        if self.not_over > 0 {
            parts.push(format!(
                "{} not ended at --timeout (they go on)",
                self.not_over
            ));
        }
        if self.unfollowed > 0 {
            parts.push(format!("{} could not be followed", self.unfollowed));
        }
        if self.left > 0 {
            parts.push(format!("{} not waited for (they go on)", self.left));
        }
        if self.not_waited > 0 {
            parts.push(format!(
                "{} queued past the {MAX_WAITED} a command waits for (they go on)",
                self.not_waited
            ));
        }
        if parts.is_empty() {
            parts.push("none".to_owned());
        }
        format!(
            "Runs: {} ({:.1} s).",
            parts.join(", "),
            elapsed.as_secs_f64()
        )
    }
}

/// Waits for each of `runs` as `waiting` says, until they end or `stop` completes: one JSON
/// line per run as it ends (`fields`, which name the sweep, first), or at a terminal a
/// progress line and a line for each run that did not succeed; then the summary by final
/// status.
pub(crate) async fn all(
    format: Format,
    fields: &Map<String, Value>,
    runs: Vec<(TableHandle, RequestId)>,
    not_waited: u64,
    waiting: &Waiting,
    stop: impl Future<Output = Stop>,
) -> Result<RunTally, Failure> {
    let started = Instant::now();
    let mut tally = RunTally {
        left: runs.len() as u64,
        not_waited,
        ..RunTally::default()
    };
    let progress = (format == Format::Text).then(|| Progress::start(&tally.waiting()));
    let mut waited = waiting.all(runs);
    let mut stop = std::pin::pin!(stop);
    let mut stopped = None;
    let mut noted = 0u64;
    loop {
        let ended = tokio::select! {
            ended = waited.next() => ended,
            signal = &mut stop => {
                stopped = Some(signal);
                break;
            }
        };
        let Some(ended) = ended else { break };
        tally.left = tally.left.saturating_sub(1);
        let mut line = Value::Object(fields.clone());
        line["namespace"] = json!(ended.table.namespace().to_string());
        line["table"] = json!(ended.table.name().as_ref());
        line["request_id"] = json!(ended.request_id);
        let shown = match &ended.outcome {
            Ok(run) => {
                let status = match run.status.is_known() {
                    true => run.status.as_str(),
                    false => "other",
                };
                *tally.by_status.entry(status.to_owned()).or_default() += 1;
                line["over"] = json!(true);
                line["run"] = serde_json::to_value(run)?;
                (run.status != RunStatus::Succeeded).then(|| {
                    let failure = failure_of(run).map(|text| format!(": {text}"));
                    format!(
                        "{} (run {}){}",
                        run.status,
                        run.run_id,
                        failure.unwrap_or_default()
                    )
                })
            }
            Err(Error::RunNotOver(not_over)) => {
                tally.not_over += 1;
                line["over"] = json!(false);
                line["last_status"] = json!(not_over.last_status());
                Some(not_over.to_string())
            }
            Err(error) => {
                tally.unfollowed += 1;
                line["over"] = json!(false);
                line["error"] = json!(error.report().to_string());
                Some(format!("could not be followed: {}", error.report()))
            }
        };
        match &progress {
            None => print_parts([line.to_string().as_str()])?,
            Some(progress) => {
                if let Some(shown) = shown {
                    noted += 1;
                    let table = format!("{}.{}", ended.table.namespace(), ended.table.name());
                    if noted <= SHOWN_RUNS {
                        progress.note(&format!("✗ {table}: {shown}"));
                    } else if noted == SHOWN_RUNS + 1 {
                        progress.note(
                            "✗ more runs that did not succeed are counted in the summary, not shown",
                        );
                    }
                }
                progress.show(tally.waiting());
            }
        }
    }
    drop(progress);
    let summary = tally.summary(started.elapsed());
    match format {
        Format::Text => print_parts([summary.as_str()])?,
        Format::Json => note(&summary),
    }
    match stopped {
        Some(signal) => {
            note(&format!(
                "stopped waiting ({}): the runs not waited for go on; `table maintenance runs` shows each",
                signal.name()
            ));
            Err(Failure::Verdict(signal.exit_code()))
        }
        None => Ok(tally),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(tally: &RunTally) -> Option<u8> {
        tally.verdict().map(|failure| match failure {
            Failure::Verdict(code) => code,
            Failure::Unready => exit::FAILURE,
            _ => u8::MAX,
        })
    }

    #[test]
    fn a_run_that_did_not_succeed_comes_first_then_one_not_followed_then_one_not_over() {
        let ended = |statuses: &[(&str, u64)]| RunTally {
            by_status: statuses
                .iter()
                .map(|(status, count)| ((*status).to_owned(), *count))
                .collect(),
            ..RunTally::default()
        };
        assert_eq!(verdict(&ended(&[("succeeded", 3)])), None);
        let not_over = RunTally {
            not_over: 1,
            ..ended(&[("succeeded", 3)])
        };
        assert_eq!(verdict(&not_over), Some(exit::STILL_RUNNING));
        let unfollowed = RunTally {
            unfollowed: 1,
            ..not_over
        };
        assert_eq!(verdict(&unfollowed), Some(exit::FAILURE));
        let failed = RunTally {
            unfollowed: 1,
            ..ended(&[("succeeded", 3), ("other", 1)])
        };
        assert_eq!(verdict(&failed), Some(exit::RUN_FAILED));
        // Runs queued and not waited for go on: not known to have succeeded.
        for left_going in [
            RunTally {
                not_waited: 2,
                ..ended(&[("succeeded", 3)])
            },
            RunTally {
                left: 2,
                ..ended(&[("succeeded", 3)])
            },
        ] {
            assert_eq!(verdict(&left_going), Some(exit::STILL_RUNNING));
        }
    }
}
