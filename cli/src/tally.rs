//! What a sweep has come to so far: the counts, the line each table gets, the failures grouped
//! by cause, and the two things a person reads: the progress line (with the rate, the limit in
//! force and the time left) and the summary.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use cloudflare_r2_catalog::{Error, models::RateLimitStatus, sweep::Swept};
use serde_json::{Map, Value, json};

use crate::output::{plan_json, secrets_redacted};

/// How many failures of one cause a person sees as they come; the others are counted in the
/// summary, so that a thousand tables refused alike do not print a thousand lines.
const SHOWN_PER_CAUSE: u64 = 3;

/// How many causes are told apart; failures of any further cause (a server answering each
/// table with a code of its own) are counted together.
const MAX_CAUSES: usize = 20;

/// The cause failures past [`MAX_CAUSES`] are counted under.
const OTHER_CAUSES: &str = "other causes";

/// The counts a sweep's summary gives.
#[derive(Default)]
pub(crate) struct Tally {
    pub(crate) done: u64,
    pub(crate) failed: u64,
    planned: u64,
    pub(crate) unlisted: u64,
    /// The tables found so far, and whether that is all of them.
    pub(crate) listed: Option<(u64, bool)>,
    /// Failures (tables and listings) by cause: how many, and one shown as an example.
    causes: BTreeMap<String, Cause>,
}

/// A table's or listing's outcome, counted: its JSON line, and the line a person sees for it
/// if it failed and is not one too many of its cause.
pub(crate) struct Added {
    pub(crate) line: Value,
    pub(crate) shown: Option<String>,
}

#[derive(Default)]
struct Cause {
    count: u64,
    example: String,
}

impl Tally {
    /// Counts `item`, and returns its JSON line (the fields that name the sweep, then the
    /// table's) and what a person sees of it. `None` for a count of tables listed, which has
    /// no line.
    pub(crate) fn add(&mut self, item: Swept<Value>, sweep: &Map<String, Value>) -> Option<Added> {
        let mut line = Value::Object(sweep.clone());
        let mut failure = None;
        match item {
            Swept::Table { table, outcome } => {
                line["namespace"] = json!(table.namespace().to_string());
                line["table"] = json!(table.name().as_ref());
                match outcome {
                    Ok(result) => {
                        self.done += 1;
                        line["ok"] = json!(true);
                        line["result"] = result;
                    }
                    Err(Error::DryRun(plan)) => {
                        self.planned += 1;
                        line["dry_run"] = plan_json(&plan);
                    }
                    Err(error) => {
                        self.failed += 1;
                        line["ok"] = json!(false);
                        line["error"] = error_json(&error);
                        failure = Some(cause(&error));
                    }
                }
            }
            Swept::Unlisted { namespace, error } => {
                self.unlisted += 1;
                line["namespace"] = json!(namespace.map(|namespace| namespace.to_string()));
                line["ok"] = json!(false);
                line["unlisted"] = json!(true);
                line["error"] = error_json(&error);
                failure = Some(cause(&error));
            }
            Swept::Listed { tables, complete } => {
                self.listed = Some((tables, complete));
                return None;
            }
            // A kind of item this version does not know: counted as a failure, never dropped.
            _ => {
                self.failed += 1;
                line["ok"] = json!(false);
            }
        }
        let line = secrets_redacted(line);
        let shown = failure.and_then(|cause| self.failure_shown(&line, cause));
        Some(Added { line, shown })
    }

    /// The line a person sees for `line`, a failure of `cause`: the first few of each cause,
    /// then one saying the rest are counted, then nothing.
    fn failure_shown(&mut self, line: &Value, name: String) -> Option<String> {
        let error = line.get("error")?;
        let message = error["message"].as_str().unwrap_or_default();
        let shown = format!("✗ {}: {message}", failed_what(line));
        let name = if self.causes.len() < MAX_CAUSES || self.causes.contains_key(&name) {
            name
        } else {
            OTHER_CAUSES.to_owned()
        };
        let cause = self.causes.entry(name.clone()).or_default();
        cause.count += 1;
        if cause.count == 1 {
            cause.example = message.to_owned();
        }
        match cause.count {
            count if count <= SHOWN_PER_CAUSE => Some(shown),
            count if count == SHOWN_PER_CAUSE + 1 => Some(format!(
                "✗ more failures of this cause ({name}) are counted in the summary, not shown"
            )),
            _ => None,
        }
    }

    pub(crate) fn finished(&self) -> u64 {
        self.done + self.failed + self.planned
    }

    /// The progress line: tables done of those found, the rate, the limit in force, the time
    /// left at that limit, and the wait when Cloudflare holds the token's calls.
    pub(crate) fn progress(&self, elapsed: Duration, limit: &RateLimitStatus) -> String {
        let finished = self.finished();
        let (found, complete) = self.listed.unwrap_or((finished, false));
        let more = if complete { "" } else { "+" };
        let mut line = format!(
            "tables: {finished}/{found}{more} done, {} failed",
            self.failed
        );
        let per_second = finished as f64 / elapsed.as_secs_f64().max(0.001);
        let allowed = limit
            .quota
            .zip(limit.window)
            .map(|(quota, window)| quota as f64 / window.as_secs_f64().max(1.0));
        match allowed {
            // Near the limit's average; a sweep spending a window's quota as it opens goes
            // faster for a moment, one slowed by others slower.
            Some(allowed) if (0.8 * allowed..=1.25 * allowed).contains(&per_second) => {
                line.push_str(&format!(", {per_second:.1}/s, Cloudflare's limit"));
            }
            Some(allowed) => line.push_str(&format!(
                ", {per_second:.1}/s (Cloudflare's limit {allowed:.1}/s)"
            )),
            None => line.push_str(&format!(", {per_second:.1}/s")),
        }
        let left = found.saturating_sub(finished);
        if left > 0 {
            // At the limit once what remains of this window's quota is used, if that is not
            // enough; at the pace so far otherwise.
            let beyond = left.saturating_sub(limit.remaining.unwrap_or(0));
            let seconds = match allowed {
                Some(allowed) if beyond > 0 => beyond as f64 / allowed,
                _ => left as f64 / per_second.max(0.001),
            };
            let at_least = if complete { "about" } else { "at least" };
            line.push_str(&format!("; {at_least} {} left", eta(seconds)));
        }
        let now = SystemTime::now();
        if let Some(held) = limit
            .held_until
            .and_then(|until| until.duration_since(now).ok())
        {
            line = format!(
                "waiting for Cloudflare's rate limit: {} left · {line}",
                clock(held)
            );
        }
        line
    }

    /// The summary: what was done (`done`), what failed, by cause when some failures were not
    /// shown, what was skipped, the time, the rate and the 429 answers seen (`throttled`).
    pub(crate) fn summary(
        &self,
        done: String,
        skipped: usize,
        elapsed: Duration,
        throttled: u64,
    ) -> String {
        let mut summary = if self.planned > 0 {
            format!(
                "Dry run: {} table request(s) printed, none sent",
                self.planned
            )
        } else {
            done
        };
        if self.failed > 0 {
            summary.push_str(&format!("; {} failed", self.failed));
        }
        if self.unlisted > 0 {
            summary.push_str(&format!(
                "; {} listing(s) failed, their tables not reached",
                self.unlisted
            ));
        }
        if skipped > 0 {
            summary.push_str(&format!("; {skipped} skipped, done in an earlier run"));
        }
        let seconds = elapsed.as_secs_f64();
        let rate = self.finished() as f64 / seconds.max(0.001);
        summary.push_str(&format!(
            " ({seconds:.1} s, {rate:.0} tables/s, {throttled} answer(s) 429)."
        ));
        if self
            .causes
            .values()
            .any(|cause| cause.count > SHOWN_PER_CAUSE)
        {
            summary.push_str("\nFailures by cause:");
            for (name, cause) in &self.causes {
                summary.push_str(&format!(
                    "\n  {} × {name}, such as: {}",
                    cause.count, cause.example
                ));
            }
        }
        summary
    }
}

/// What a failed table's line says of its error: the text, the status and Cloudflare's codes.
pub(crate) fn error_json(error: &Error) -> Value {
    json!({
        "message": error.report().to_string(),
        "status": error.status().map(|status| status.as_u16()),
        "codes": error.codes(),
    })
}

/// What failures are grouped by: the status and codes of an answer, or the kind of failure
/// without one.
fn cause(error: &Error) -> String {
    // A few codes name a cause; a server may send any number.
    let codes: Vec<String> = error.codes().iter().take(3).map(i64::to_string).collect();
    match (error.status(), error.is_rate_limited()) {
        (Some(status), _) if codes.is_empty() => format!("HTTP {}", status.as_u16()),
        (Some(status), _) => format!("HTTP {} (code {})", status.as_u16(), codes.join(", ")),
        (None, true) => "Cloudflare's rate limit, nothing sent".to_owned(),
        (None, false) => match error {
            Error::Transport(transport) => format!("no answer: {}", transport.kind()),
            Error::OperationTimeout(_) => "the operation timeout".to_owned(),
            Error::InvalidInput(_) => "a name the API refuses".to_owned(),
            _ => "another failure".to_owned(),
        },
    }
}

/// What failed, as a person reads it: the table, or the listing.
fn failed_what(line: &Value) -> String {
    match (line["namespace"].as_str(), line["table"].as_str()) {
        (Some(namespace), Some(table)) => format!("{namespace}.{table}"),
        (Some(namespace), None) => format!("namespace {namespace} (not listed)"),
        (None, _) => "the catalog's namespaces (not listed)".to_owned(),
    }
}

/// A wait as a clock, `m:ss`.
fn clock(wait: Duration) -> String {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

/// A time left, rounded as a person says it.
fn eta(seconds: f64) -> String {
    match seconds {
        seconds if seconds < 90.0 => format!("{:.0} s", seconds.max(1.0)),
        seconds if seconds < 90.0 * 60.0 => format!("{:.0} min", seconds / 60.0),
        seconds => format!("{:.1} h", seconds / 3600.0),
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use cloudflare_r2_catalog::models::RateLimitStatus;

    use super::{Tally, clock, eta};

    #[test]
    fn times_read_as_people_say_them() {
        assert_eq!(clock(Duration::from_millis(252_100)), "4:13");
        assert_eq!(clock(Duration::from_secs(59)), "0:59");
        assert_eq!(eta(0.2), "1 s");
        assert_eq!(eta(2160.0), "36 min");
        assert_eq!(eta(9000.0), "2.5 h");
    }

    #[test]
    fn the_progress_line_tells_the_rate_the_limit_and_the_time_left() {
        let tally = Tally {
            done: 400,
            listed: Some((9_040, true)),
            ..Tally::default()
        };
        let mut limit = RateLimitStatus::default();
        limit.quota = Some(1200);
        limit.window = Some(Duration::from_secs(300));
        limit.remaining = Some(0);
        assert_eq!(
            tally.progress(Duration::from_secs(100), &limit),
            "tables: 400/9040 done, 0 failed, 4.0/s, Cloudflare's limit; about 36 min left"
        );
        limit.held_until = Some(SystemTime::now() + Duration::from_secs(252));
        let held = tally.progress(Duration::from_secs(100), &limit);
        assert!(
            held.starts_with("waiting for Cloudflare's rate limit: 4:1"),
            "{held}"
        );
        let unknown = Tally {
            done: 10,
            listed: Some((30, false)),
            ..Tally::default()
        };
        assert_eq!(
            unknown.progress(Duration::from_secs(10), &RateLimitStatus::default()),
            "tables: 10/30+ done, 0 failed, 1.0/s; at least 20 s left"
        );
    }
}
