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
    assert_eq!(gone.status.code(), Some(1));
    assert!(
        stderr(&gone).contains("40401: Catalog not found"),
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
