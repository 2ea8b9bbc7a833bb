//! `r2-catalog emulate`: the real binary serving, and the real binary's API commands against it.

#[path = "../../tests/tests/common/mod.rs"]
mod common;
mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use common::*;
use serde_json::json;
use support::*;

/// `r2-catalog emulate` on a free loopback port, killed when dropped.
struct Emulating {
    child: Child,
    base_url: String,
}

impl Emulating {
    fn start(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_r2-catalog"))
            .args(["emulate", "--listen", "127.0.0.1:0"])
            .args(args)
            .env_clear()
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut line)
            .expect("it prints its URL");
        Self {
            child,
            base_url: line.trim_end().to_owned(),
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

#[test]
fn a_seed_file_and_bad_options_are_checked_before_serving() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let seed = dir.path().join("seed.json");
    std::fs::write(
        &seed,
        json!({"buckets": {BUCKET: {"tables": [{"namespace": ["bronze"], "name": "events"}]}}})
            .to_string(),
    )
    .unwrap();
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

/// The exit code and the last line of stderr (the hint) of `output`.
fn code_and_hint(output: &std::process::Output) -> (Option<i32>, String) {
    let stderr = stderr(output);
    let hint = stderr.lines().last().unwrap_or_default().to_owned();
    (output.status.code(), hint)
}

#[test]
fn the_failures_people_hit_exit_with_their_own_code_and_say_what_to_do() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let seed = dir.path().join("seed.json");
    std::fs::write(
        &seed,
        json!({"buckets": {BUCKET: {"tables": [{"namespace": ["bronze"], "name": "events"}]}}})
            .to_string(),
    )
    .expect("written");
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
