//! `r2-catalog emulate`: the real binary serving, and the real binary's API commands against it.

#[path = "../../tests/tests/common/mod.rs"]
mod common;
mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::json;
use support::*;

/// `r2-catalog emulate` on a free loopback port, killed when dropped.
struct Emulating {
    child: Child,
    base_url: String,
    /// What it printed on stderr once serving.
    banner: String,
}

impl Emulating {
    fn start(args: &[&str]) -> Self {
        Self::start_with(args, &[])
    }

    /// `emulate args…` with only `env` in its environment.
    fn start_with(args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_r2-catalog"))
            .args(["emulate", "--listen", "127.0.0.1:0"])
            .args(args)
            .env_clear()
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut line)
            .expect("it prints its URL");
        // Up to the line that says how to stop it; nothing follows until it stops.
        let mut stderr = BufReader::new(child.stderr.take().expect("piped"));
        let mut banner = String::new();
        while !banner
            .lines()
            .last()
            .is_some_and(|last| last.contains("Ctrl-C"))
        {
            let read = stderr.read_line(&mut banner).expect("its banner");
            assert_ne!(read, 0, "the banner ends: {banner}");
        }
        Self {
            child,
            base_url: line.trim_end().to_owned(),
            banner,
        }
    }

    fn run(&self, args: &[&str], stdin: &str) -> std::process::Output {
        let env = [
            ("CLOUDFLARE_API_TOKEN", API_TOKEN),
            ("CLOUDFLARE_ACCOUNT_ID", ACCOUNT_ID),
            ("CLOUDFLARE_BASE_URL", self.base_url.as_str()),
        ];
        r2_catalog(args, &env, stdin)
    }
}

impl Drop for Emulating {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_cli_drives_a_whole_catalog_lifecycle_against_emulate() {
    let emulating = Emulating::start(&["--bucket", BUCKET]);
    assert!(
        emulating.base_url.starts_with("http://127.0.0.1:")
            && emulating.base_url.ends_with("/client/v4"),
        "{}",
        emulating.base_url
    );

    let enabled = json_out(&emulating.run(&["catalog", "enable", BUCKET], ""));
    let warehouse = format!("{ACCOUNT_ID}_{BUCKET}");
    assert_eq!(enabled["name"], json!(warehouse));
    assert_eq!(enabled["connection"]["warehouse"], json!(warehouse));

    let stored = emulating.run(&["credential", "store", BUCKET], "a-catalog-token\n");
    assert_eq!(stored.status.code(), Some(0), "{}", stderr(&stored));
    let maintenance = json_out(&emulating.run(
        &[
            "maintenance",
            "update",
            BUCKET,
            "--compaction",
            "enabled",
            "--target-size-mb",
            "512",
        ],
        "",
    ));
    assert_eq!(maintenance["compaction"]["target_size_mb"], json!("512"));
    let read = json_out(&emulating.run(&["maintenance", "get", BUCKET], ""));
    assert_eq!(read["credential_status"], json!("present"));
    assert_eq!(
        read["maintenance_config"]["compaction"]["state"],
        json!("enabled")
    );

    let disabled = emulating.run(&["catalog", "disable", BUCKET, "--yes"], "");
    assert_eq!(disabled.status.code(), Some(0), "{}", stderr(&disabled));
    let got = json_out(&emulating.run(&["catalog", "get", BUCKET], ""));
    assert_eq!(got["status"], json!("inactive"));
    let deleted = emulating.run(&["catalog", "delete", BUCKET, "--yes"], "");
    assert_eq!(deleted.status.code(), Some(0), "{}", stderr(&deleted));
    let gone = emulating.run(&["catalog", "get", BUCKET], "");
    assert_eq!(gone.status.code(), Some(3), "not found");
    assert!(
        stderr(&gone).contains("40401: Catalog not found"),
        "{}",
        stderr(&gone)
    );
    assert!(
        stderr(&gone).ends_with(&format!(
            "hint: turn the catalog on: r2-catalog catalog enable {BUCKET}\n"
        )),
        "{}",
        stderr(&gone)
    );
}

/// A seed file in `dir` giving [`BUCKET`] the table `bronze.events`.
fn events_seed(dir: &std::path::Path) -> std::path::PathBuf {
    let seed = dir.join("seed.json");
    let tables = json!([{"namespace": ["bronze"], "name": "events"}]);
    std::fs::write(
        &seed,
        json!({"buckets": {BUCKET: {"tables": tables}}}).to_string(),
    )
    .expect("the seed is written");
    seed
}

#[test]
fn a_seed_file_and_bad_options_are_checked_before_serving() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let seed = events_seed(dir.path());
    let emulating = Emulating::start(&["--seed", seed.to_str().unwrap()]);
    json_out(&emulating.run(&["catalog", "enable", BUCKET], ""));
    let tables = json_out(&emulating.run(&["table", "list", BUCKET, "bronze"], ""));
    assert_eq!(tables["identifiers"][0]["name"], json!("events"));

    let public = r2_catalog(&["emulate", "--listen", "0.0.0.0:0"], &[], "");
    assert_eq!(public.status.code(), Some(2));
    assert!(
        stderr(&public).contains("loopback only"),
        "{}",
        stderr(&public)
    );
    std::fs::write(&seed, "{\"bucket\": {}}").unwrap();
    let typo = r2_catalog(&["emulate", "--seed", seed.to_str().unwrap()], &[], "");
    assert_eq!(typo.status.code(), Some(2));
    assert!(stderr(&typo).contains("unknown field"), "{}", stderr(&typo));
}

/// Runs `r2-catalog args…` with an empty environment, which must exit within 20 seconds: a
/// refusal that let the emulator start would serve until killed.
fn exited(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_r2-catalog"))
        .args(args)
        .env_clear()
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().expect("its status").is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    // Still serving: killed, so that the assertions on its exit code fail.
    let _ = child.kill();
    child.wait_with_output().expect("its output")
}

#[test]
fn a_seed_with_a_nested_namespace_but_not_its_parent_is_refused() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let seed = dir.path().join("seed.json");
    let seeds = [
        json!({"buckets": {BUCKET: {"namespaces": [["bronze"], ["silver", "raw"]]}}}),
        json!({"buckets": {BUCKET: {"tables": [{"namespace": ["silver", "raw"], "name": "events"}]}}}),
    ];
    for contents in seeds {
        std::fs::write(&seed, contents.to_string()).expect("written");
        let path = seed.to_str().expect("a UTF-8 path");
        let refused = exited(&["emulate", "--listen", "127.0.0.1:0", "--seed", path]);
        assert_eq!(
            (refused.status.code(), stdout(&refused), stderr(&refused)),
            (
                Some(2),
                String::new(),
                format!(
                    "error: cannot emulate: namespace silver.raw of bucket {BUCKET} has no parent: seed namespace silver too (a namespace is listed only under its parent)\n"
                )
            ),
            "{contents}"
        );
    }
}

#[test]
fn a_seed_with_a_run_the_api_could_not_list_is_refused() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let seed = dir.path().join("seed.json");
    let contents = json!({"buckets": {BUCKET: {"tables": [{"namespace": ["bronze"], "name": "events", "runs": [
        {"kind": "compaction", "status": "succeeded", "started_at": "2026-11-24T14:30:45Z",
         "duration_ms": 10, "customer_message": "\u{1b}[2Jforged"},
    ]}]}}});
    std::fs::write(&seed, contents.to_string()).expect("written");
    let path = seed.to_str().expect("a UTF-8 path");
    let refused = exited(&["emulate", "--listen", "127.0.0.1:0", "--seed", path]);
    assert_eq!(
        (refused.status.code(), stdout(&refused), stderr(&refused)),
        (
            Some(2),
            String::new(),
            format!(
                "error: cannot emulate: run 1 (newest first) of table events in namespace bronze of bucket {BUCKET} has an error_code or customer_message, which only a run over without succeeding has\n"
            )
        )
    );
}

#[test]
fn emulate_refuses_the_client_flags_given_on_its_command_line() {
    let listen = ["--listen", "127.0.0.1:0"];
    let cases: [(&[&str], &str); 4] = [
        (&["emulate", listen[0], listen[1], "--dry-run"], "--dry-run"),
        (
            &["--output", "json", "emulate", listen[0], listen[1]],
            "--output",
        ),
        (&["emulate", listen[0], listen[1], "--json"], "--json"),
        (
            &["emulate", listen[0], listen[1], "--account-id", ACCOUNT_ID],
            "--account-id",
        ),
    ];
    for (args, flag) in cases {
        let refused = exited(args);
        assert_eq!(
            (refused.status.code(), stdout(&refused), stderr(&refused)),
            (
                Some(2),
                String::new(),
                format!(
                    "error: `emulate` serves the API rather than calling it: it has no {flag}\n"
                )
            ),
            "{args:?}"
        );
    }
}

#[test]
fn the_banner_says_which_credentials_work_and_what_to_export() {
    let emulating = Emulating::start(&[]);
    let base_url = &emulating.base_url;
    let iceberg_url = base_url.strip_suffix("/client/v4").expect("the API's base");
    assert_eq!(
        emulating.banner,
        format!(
            "Basin Catalog (formerly R2 Data Catalog) emulator at {base_url}, serving both /accounts/<id>/basin-catalog/… and /accounts/<id>/r2-catalog/….
Rate limit: 1200 requests per 300 s per credential, then all of its requests 429 for 300 s, as on Cloudflare (--rate-limit QUOTA/SECONDS or off to change it).
Daily queue limit: 24 maintenance requests per table per UTC day, as on Cloudflare (--daily-queue-limit N or off to change it).
Maintenance runs: running for 2 s, then succeeded (--run-duration SECONDS and --runs-end-as succeeded or failed to change it).
It accepts any non-empty API token and serves any account (any id of 32 hexadecimal characters). In another shell:
export CLOUDFLARE_BASE_URL={base_url}
export CLOUDFLARE_ICEBERG_URL={iceberg_url}
export CLOUDFLARE_ACCOUNT_ID=0123456789abcdef0123456789abcdef
export CLOUDFLARE_API_TOKEN=emulator-token
Ctrl-C stops it.
"
        )
    );
    // What it says works does: the variables exported, a command runs.
    let env = [
        ("CLOUDFLARE_BASE_URL", base_url.as_str()),
        ("CLOUDFLARE_ACCOUNT_ID", "0123456789abcdef0123456789abcdef"),
        ("CLOUDFLARE_API_TOKEN", "emulator-token"),
    ];
    let listed = r2_catalog(&["catalog", "list"], &env, "");
    assert_eq!(listed.status.code(), Some(0), "{}", stderr(&listed));
}

#[test]
fn a_restricted_banner_names_its_accounts_but_never_the_tokens() {
    let other = "fedcba9876543210fedcba9876543210";
    // Client settings in the environment, for the other commands, are no reason to refuse.
    let emulating = Emulating::start_with(
        &[
            "--accept-token",
            API_TOKEN,
            "--account",
            ACCOUNT_ID,
            "--account",
            other,
        ],
        &[
            ("CLOUDFLARE_ACCOUNT_ID", other),
            ("CLOUDFLARE_BASE_URL", "https://api.example.com/client/v4"),
            ("CLOUDFLARE_CATALOG_PATHS", "r2-catalog"),
        ],
    );
    let base_url = &emulating.base_url;
    let iceberg_url = base_url.strip_suffix("/client/v4").expect("the API's base");
    assert_eq!(
        emulating.banner,
        format!(
            "Basin Catalog (formerly R2 Data Catalog) emulator at {base_url}, serving both /accounts/<id>/basin-catalog/… and /accounts/<id>/r2-catalog/….
Rate limit: 1200 requests per 300 s per credential, then all of its requests 429 for 300 s, as on Cloudflare (--rate-limit QUOTA/SECONDS or off to change it).
Daily queue limit: 24 maintenance requests per table per UTC day, as on Cloudflare (--daily-queue-limit N or off to change it).
Maintenance runs: running for 2 s, then succeeded (--run-duration SECONDS and --runs-end-as succeeded or failed to change it).
It accepts only the API tokens given with --accept-token and serves only accounts {ACCOUNT_ID}, {other}. In another shell:
export CLOUDFLARE_BASE_URL={base_url}
export CLOUDFLARE_ICEBERG_URL={iceberg_url}
export CLOUDFLARE_ACCOUNT_ID={ACCOUNT_ID}
export CLOUDFLARE_API_TOKEN=<one of the --accept-token tokens>
Ctrl-C stops it.
"
        )
    );
    assert!(!emulating.banner.contains(API_TOKEN));
}

/// `GET {base_url}{path}` with [`API_TOKEN`], over a plain TCP connection: the status and the
/// rate limit's headers (`Ratelimit`, `Ratelimit-Policy`, `Retry-After`), as the emulator
/// sends them to any client.
fn limit_headers(
    base_url: &str,
    path: &str,
) -> (u16, Option<String>, Option<String>, Option<String>) {
    use std::io::{Read, Write};

    let rest = base_url.strip_prefix("http://").expect("plain HTTP");
    let (address, prefix) = rest.split_once('/').expect("a path");
    let mut stream = std::net::TcpStream::connect(address).expect("connects");
    let request = format!(
        "GET /{prefix}{path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {API_TOKEN}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).expect("sent");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("an answer");
    let (head, _) = answer.split_once("\r\n\r\n").expect("a head");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .expect("a status");
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(": "))
        .map(|(name, value)| (name.to_ascii_lowercase(), value.to_owned()))
        .collect();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(found, _)| found == name)
            .map(|(_, value)| value.clone())
    };
    (
        status,
        header("ratelimit"),
        header("ratelimit-policy"),
        header("retry-after"),
    )
}

#[test]
fn rate_limit_sets_the_limit_the_banner_states() {
    let emulating = Emulating::start(&["--rate-limit", "2/4", "--daily-queue-limit", "off"]);
    let lines: Vec<&str> = emulating.banner.lines().collect();
    assert_eq!(
        lines[1..3],
        [
            "Rate limit: 2 requests per 4 s per credential, then all of its requests 429 for 4 s (--rate-limit QUOTA/SECONDS or off to change it).",
            "Daily queue limit: off (--daily-queue-limit N to set one).",
        ]
    );
    let catalogs = format!("/accounts/{ACCOUNT_ID}/basin-catalog");
    let answers: Vec<_> = (0..3)
        .map(|_| limit_headers(&emulating.base_url, &catalogs))
        .collect();
    let policy = Some("\"default\";q=2;w=4".to_owned());
    let ratelimit = |remaining: u32| Some(format!("\"default\";r={remaining};t=4"));
    assert_eq!(
        answers,
        [
            (200, ratelimit(1), policy.clone(), None),
            (200, ratelimit(0), policy.clone(), None),
            (429, ratelimit(0), policy, Some("4".to_owned())),
        ]
    );
}

#[test]
fn rate_limit_off_serves_without_a_limit_or_its_headers() {
    let emulating = Emulating::start(&["--rate-limit", "off", "--daily-queue-limit", "3"]);
    let lines: Vec<&str> = emulating.banner.lines().collect();
    assert_eq!(
        lines[1..3],
        [
            "Rate limit: off (--rate-limit QUOTA/SECONDS to set one).",
            "Daily queue limit: 3 maintenance requests per table per UTC day (--daily-queue-limit N or off to change it).",
        ]
    );
    let catalogs = format!("/accounts/{ACCOUNT_ID}/basin-catalog");
    assert_eq!(
        limit_headers(&emulating.base_url, &catalogs),
        (200, None, None, None)
    );
}

#[test]
fn a_bad_limit_exits_2_saying_what_it_takes() {
    let rate = "'--rate-limit <QUOTA/SECONDS|off>'";
    let daily = "'--daily-queue-limit <N|off>'";
    let cases = [
        (
            "--rate-limit",
            "60",
            rate,
            "expected QUOTA/SECONDS, such as 1200/300, or off",
        ),
        (
            "--rate-limit",
            "0/4",
            rate,
            "QUOTA must be a whole number of requests, at least 1",
        ),
        (
            "--rate-limit",
            "x/4",
            rate,
            "QUOTA must be a whole number of requests, at least 1",
        ),
        (
            "--rate-limit",
            "60/0",
            rate,
            "SECONDS must be a whole number of seconds, at least 1",
        ),
        (
            "--rate-limit",
            "60/1.5",
            rate,
            "SECONDS must be a whole number of seconds, at least 1",
        ),
        (
            "--rate-limit",
            "Off",
            rate,
            "expected QUOTA/SECONDS, such as 1200/300, or off",
        ),
        (
            "--daily-queue-limit",
            "4294967296",
            daily,
            "expected a whole number of requests, or off",
        ),
        (
            "--daily-queue-limit",
            "none",
            daily,
            "expected a whole number of requests, or off",
        ),
    ];
    for (flag, value, argument, reason) in cases {
        let refused = exited(&["emulate", "--listen", "127.0.0.1:0", flag, value]);
        let first_line = stderr(&refused)
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned();
        assert_eq!(
            (refused.status.code(), stdout(&refused), first_line),
            (
                Some(2),
                String::new(),
                format!("error: invalid value '{value}' for {argument}: {reason}")
            ),
            "{flag} {value}"
        );
    }
}

/// The exit code and the last line of stderr (the hint) of `output`.
fn code_and_hint(output: &std::process::Output) -> (Option<i32>, String) {
    let stderr = stderr(output);
    let hint = stderr.lines().last().unwrap_or_default().to_owned();
    (output.status.code(), hint)
}

#[test]
fn the_failures_people_hit_exit_with_their_own_code_and_say_what_to_do() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let seed = events_seed(dir.path());
    let emulating = Emulating::start(&[
        "--seed",
        seed.to_str().expect("a UTF-8 path"),
        "--bucket",
        "other-bucket",
        "--daily-queue-limit",
        "1",
    ]);

    let not_enabled = emulating.run(&["maintenance", "get", BUCKET], "");
    assert_eq!(
        code_and_hint(&not_enabled),
        (
            Some(3),
            format!("hint: turn the catalog on: r2-catalog catalog enable {BUCKET}")
        )
    );
    let enabled = emulating.run(&["catalog", "enable", BUCKET], "");
    assert_eq!(enabled.status.code(), Some(0), "{}", stderr(&enabled));
    let again = emulating.run(&["catalog", "enable", BUCKET], "");
    assert_eq!(again.status.code(), Some(4), "already enabled");
    let no_credential = emulating.run(
        &["maintenance", "update", BUCKET, "--compaction", "enabled"],
        "",
    );
    assert_eq!(
        code_and_hint(&no_credential),
        (
            Some(1),
            format!(
                "hint: store the token maintenance runs with first: r2-catalog credential store {BUCKET} (reads it from stdin)"
            )
        )
    );
    let not_empty = emulating.run(&["catalog", "delete", BUCKET, "--yes"], "");
    assert_eq!(not_empty.status.code(), Some(5), "conflict");
    let queue = [
        "table",
        "maintenance",
        "queue",
        BUCKET,
        "bronze",
        "events",
        "compaction",
    ];
    assert_eq!(emulating.run(&queue, "").status.code(), Some(0));
    assert_eq!(
        code_and_hint(&emulating.run(&queue, "")),
        (
            Some(7),
            "hint: the table's queue limit for the day is reached: queue again tomorrow".to_owned()
        )
    );
    let no_bucket = emulating.run(&["catalog", "get", "no-such-bucket"], "");
    assert_eq!(no_bucket.status.code(), Some(3), "{}", stderr(&no_bucket));
    let bad = emulating.run(&["catalog", "get", "Bad_Bucket"], "");
    assert_eq!(bad.status.code(), Some(2), "nothing sent");
}

#[test]
fn run_duration_and_runs_end_as_reach_the_emulators_runs() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let seed = events_seed(dir.path());
    let seed = seed.to_str().unwrap();
    let runs = ["table", "maintenance", "runs", BUCKET, "bronze", "events"];
    let queue = [
        "table",
        "maintenance",
        "queue",
        BUCKET,
        "bronze",
        "events",
        "compaction",
    ];

    // Runs that last an hour are still running when listed.
    let long = Emulating::start(&["--seed", seed, "--run-duration", "3600"]);
    json_out(&long.run(&["catalog", "enable", BUCKET], ""));
    json_out(&long.run(&queue, ""));
    let listed = json_out(&long.run(&runs, ""));
    assert_eq!(listed["runs"][0]["status"], json!("running"));
    assert_eq!(listed["runs"][0]["completed_at"], json!(null));
    drop(long);

    // Runs of 50 ms that fail: failed, with the emulator's code and message, once ended.
    let failing = Emulating::start(&[
        "--seed",
        seed,
        "--run-duration",
        "0.05",
        "--runs-end-as",
        "failed",
    ]);
    assert!(
        failing.banner.contains(
            "\nMaintenance runs: running for 0.05 s, then failed (--run-duration SECONDS and --runs-end-as succeeded or failed to change it).\n"
        ),
        "{}",
        failing.banner
    );
    json_out(&failing.run(&["catalog", "enable", BUCKET], ""));
    let queued_at = Instant::now();
    json_out(&failing.run(&queue, ""));
    let run = loop {
        let listed = json_out(&failing.run(&runs, ""));
        let run = listed["runs"][0].clone();
        if run["status"] != json!("running") {
            break run;
        }
        assert!(queued_at.elapsed() < Duration::from_secs(20), "it ends");
        std::thread::sleep(Duration::from_millis(10));
    };
    assert!(queued_at.elapsed() >= Duration::from_millis(50));
    assert_eq!(run["status"], json!("failed"));
    assert_eq!(run["duration_ms"], json!(50));
    assert_eq!(
        run["primary_error_code"],
        json!(cloudflare_r2_catalog_emulator::RUN_FAILURE_CODE)
    );
    assert_eq!(
        run["customer_message"],
        json!(cloudflare_r2_catalog_emulator::RUN_FAILURE_MESSAGE)
    );
}

#[test]
fn a_bad_run_duration_or_outcome_exits_2_saying_what_it_takes() {
    for (flag, value, expected) in [
        (
            "--run-duration",
            "-1",
            "expected a number of seconds from 0 to 86400, such as 2 or 0.05",
        ),
        (
            "--run-duration",
            "soon",
            "expected a number of seconds from 0 to 86400, such as 2 or 0.05",
        ),
        (
            "--run-duration",
            "1e18",
            "expected a number of seconds from 0 to 86400, such as 2 or 0.05",
        ),
        ("--runs-end-as", "cancelled", "expected succeeded or failed"),
    ] {
        let flag_value = format!("{flag}={value}");
        let refused = exited(&["emulate", "--listen", "127.0.0.1:0", &flag_value]);
        assert_eq!(refused.status.code(), Some(2), "{flag} {value}");
        assert!(
            stderr(&refused).contains(expected),
            "{flag} {value}: {}",
            stderr(&refused)
        );
    }
}
