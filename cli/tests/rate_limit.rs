//! Cloudflare's rate limit as a person and a script meet it: a call into a long block exits 7
//! saying how long and until when, a sweep that starts held counts the wait down at a terminal
//! and finishes, failures of one cause are grouped, and the summary counts the 429s.

#[path = "../../tests/tests/common/mod.rs"]
mod common;
mod support;

use std::time::{Duration, Instant};

use cloudflare_r2_catalog_emulator::{Emulator, Fault, Operation, RateLimit};
use common::*;
use support::sweeps::*;
use support::terminal::{AtTerminal, On};
use support::*;

const GET_CATALOG: [&str; 3] = ["catalog", "get", BUCKET];

/// The binary at a terminal (stdout and stderr), against `base_url`.
async fn at_terminal(base_url: &str, args: &[&str]) -> AtTerminal {
    let on = On::OUTPUT;
    cli_at_terminal(base_url, args, on).await
}

/// Whether `text` is a time of day, `HH:MM:SS`.
fn is_clock(text: &str) -> bool {
    let parts: Vec<&str> = text.split(':').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|part| part.len() == 2 && part.bytes().all(|byte| byte.is_ascii_digit()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_into_a_long_block_exits_7_at_once_saying_how_long_and_until_when() {
    let limit = RateLimit::new(3, Duration::from_secs(60))
        .and_then(|limit| limit.with_block(Duration::from_secs(300)))
        .expect("a valid limit");
    let emulator = seeded_on(Emulator::builder().rate_limit(limit)).await;
    // The enable took one request: two more spend the quota, and the next run, a process that
    // knows nothing of it, meets the block.
    for _ in 0..2 {
        let output = cli(emulator.base_url(), &GET_CATALOG).await;
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    }
    let started = Instant::now();

    let output = cli(emulator.base_url(), &GET_CATALOG).await;

    assert!(started.elapsed() < Duration::from_secs(10), "at once");
    assert_eq!(output.status.code(), Some(7), "{}", stderr(&output));
    assert_eq!(stdout(&output), "");
    let stderr = stderr(&output);
    let mut lines = stderr.lines();
    let error = lines.next().expect("an error line");
    let clock = error
        .strip_prefix("error: Cloudflare blocks this token's API calls for 300 s, until ")
        .and_then(|rest| rest.split_once(" UTC"))
        .map(|(clock, _)| clock)
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(is_clock(clock), "{stderr}");
    assert!(
        error.ends_with(" UTC: Cloudflare API error (HTTP 429 Too Many Requests)"),
        "Cloudflare's answer is kept: {stderr}"
    );
    assert_eq!(
        lines.next(),
        Some("  971: Please wait and consider throttling your request speed")
    );
    assert!(
        lines
            .next()
            .is_some_and(|ray| ray.starts_with("  cf-ray: "))
    );
    assert_eq!(
        lines.next(),
        Some(
            "hint: Cloudflare allows 1,200 API requests per 5 minutes per user; every API call of this user (the dashboard, terraform, other tokens) is refused until then. Sweeps (--all-tables) keep to the limit and wait blocks out"
        ),
        "{stderr}"
    );
    assert_eq!(emulator.throttled(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sweep_told_to_wait_counts_the_wait_down_finishes_and_counts_the_429() {
    let emulator = seeded().await;
    let before = emulator.requests().len();
    // The sweep's first call, its listing of namespaces, is told to wait three seconds.
    emulator.inject(Fault::rate_limited(Duration::from_secs(3)).times(1));
    let started = Instant::now();

    let ran = at_terminal(emulator.base_url(), &GET_ALL).await;

    assert_eq!(ran.code, Some(0), "{}", ran.shown);
    assert!(started.elapsed() >= Duration::from_secs(3));
    assert!(
        ran.shown
            .contains("waiting for Cloudflare's rate limit: 0:0"),
        "{}",
        ran.shown
    );
    let summary = ran
        .shown
        .lines()
        .find(|line| line.starts_with("Read the maintenance of 5 table(s) ("))
        .unwrap_or_else(|| panic!("{}", ran.shown));
    assert_eq!(throttled(&format!("{summary}\n")), 1);
    let requests = since(&emulator, before);
    assert_eq!(
        requests
            .iter()
            .filter(|request| request.status == Some(429))
            .count(),
        1
    );
    assert_eq!(of(&requests, Operation::GetTableMaintenanceConfig).len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_of_one_cause_are_shown_three_times_then_counted_by_cause() {
    let emulator = seeded().await;
    let forbidden = || {
        Fault::failure(403, 10000, "Authentication error")
            .expect("a failure status")
            .times(TABLES.len())
            .only(Operation::GetTableMaintenanceConfig)
    };
    emulator.inject(forbidden());

    // At a terminal: three failures, then one line saying the rest are counted.
    let ran = at_terminal(emulator.base_url(), &GET_ALL).await;

    assert_eq!(ran.code, Some(1), "{}", ran.shown);
    // Three failures shown (and the summary's example), then one line saying the rest are
    // counted.
    assert_eq!(ran.shown.matches("✗ ").count(), 4, "{}", ran.shown);
    assert_eq!(
        ran.shown
            .matches(": Cloudflare API error (HTTP 403 Forbidden): 10000: Authentication error")
            .count(),
        4,
        "{}",
        ran.shown
    );
    assert!(
        ran.shown.contains(
            "✗ more failures of this cause (HTTP 403 (code 10000)) are counted in the summary, not shown\n"
        ),
        "{}",
        ran.shown
    );

    // Piped: every line on stdout, and the summary on stderr by cause.
    emulator.inject(forbidden());
    let output = cli(emulator.base_url(), &GET_ALL).await;

    assert_eq!(output.status.code(), Some(1));
    assert_eq!(json_lines(&stdout(&output)).len(), 5);
    let stderr = stderr(&output);
    let (summary, causes) = stderr
        .split_once("\nFailures by cause:\n")
        .unwrap_or_else(|| panic!("{stderr}"));
    assert_eq!(
        untimed(&format!("{summary}\n")),
        "Read the maintenance of 0 table(s); 5 failed"
    );
    assert!(
        causes.starts_with(
            "  5 × HTTP 403 (code 10000), such as: Cloudflare API error (HTTP 403 Forbidden): 10000: Authentication error [cf-ray "
        ),
        "{causes}"
    );
    assert_eq!(causes.lines().count(), 1, "{causes}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_share_outside_1_to_100_is_refused_before_anything_is_sent() {
    let emulator = seeded().await;
    let before = emulator.requests().len();
    for share in ["0", "101", "half"] {
        let args = [&GET_ALL[..], &["--rate-share", share]].concat();

        let output = cli(emulator.base_url(), &args).await;

        assert_eq!(output.status.code(), Some(2), "{share}");
        assert!(
            stderr(&output).contains("--rate-share <PERCENT>"),
            "{share}: {}",
            stderr(&output)
        );
    }
    assert_eq!(emulator.requests().len(), before);

    let args = [&GET_ALL[..], &["--rate-share", "100"]].concat();
    let output = cli(emulator.base_url(), &args).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}
