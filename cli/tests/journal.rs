//! `--journal FILE` of a sweep, as a resume reads it: a line counts as done only for the same
//! account, endpoint, path family, bucket and operation; lines torn or not UTF-8 are passed over
//! without losing the lines around them; a journal too long to read back is refused before
//! anything is sent; a dry run writes no journal.

#[path = "../../tests/tests/common/mod.rs"]
mod common;
mod support;

use cloudflare_r2_catalog_emulator::Operation;
use common::*;
use support::sweeps::*;
use support::*;

/// Another account, which the emulator serves as it serves [`ACCOUNT_ID`].
const OTHER_ACCOUNT: &str = "fedcba9876543210fedcba9876543210";

/// [`UPDATE`] with `--journal journal`, then `more`.
fn update_journaled<'a>(journal: &'a str, more: &[&'a str]) -> Vec<&'a str> {
    [&UPDATE[..], &["--journal", journal], more].concat()
}

/// The tables `requests` updated, and in which account each.
fn updated_in(requests: &[cloudflare_r2_catalog_emulator::RecordedRequest]) -> Vec<String> {
    of(requests, Operation::UpdateTableMaintenanceConfig)
        .iter()
        .map(|request| {
            let account = request.path.split('/').nth(4).unwrap_or_default();
            let (namespace, table) = table_of_path(&request.path);
            format!("{account} {namespace}.{table}")
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journal_skips_only_what_the_same_account_endpoint_and_paths_did() {
    let emulator = seeded().await;
    let elsewhere = seeded().await;
    let dir = tempfile::tempdir().expect("a temp dir");
    let journal = dir.path().join("sweep.jsonl");
    let journal = journal.to_str().expect("a UTF-8 path");
    let enabled = cli(
        emulator.base_url(),
        &["catalog", "enable", BUCKET, "--account-id", OTHER_ACCOUNT],
    )
    .await;
    assert_eq!(enabled.status.code(), Some(0), "{}", stderr(&enabled));
    let first = cli(emulator.base_url(), &update_journaled(journal, &[])).await;
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));

    // Each differs from the journal's sweep in one field only, and so skips nothing.
    let others: [(&str, &[&str]); 3] = [
        (emulator.base_url(), &["--account-id", OTHER_ACCOUNT]),
        (emulator.base_url(), &["--paths", "r2-catalog"]),
        (elsewhere.base_url(), &[]),
    ];
    for (base_url, more) in others {
        let (before, before_elsewhere) = (emulator.requests().len(), elsewhere.requests().len());
        let output = cli(base_url, &update_journaled(journal, more)).await;

        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert_eq!(
            untimed(&stderr(&output)),
            "Updated the maintenance of 5 table(s)",
            "{more:?} at {base_url}"
        );
        let mut requests = since(&emulator, before);
        requests.extend(since(&elsewhere, before_elsewhere));
        assert_eq!(
            of(&requests, Operation::UpdateTableMaintenanceConfig).len(),
            TABLES.len(),
            "{more:?} at {base_url}"
        );
    }
    // B's updates went to B's catalog.
    let requests = emulator.requests();
    let in_other: Vec<String> = updated_in(&requests)
        .into_iter()
        .filter(|update| update.starts_with(OTHER_ACCOUNT))
        .collect();
    assert_eq!(in_other.len(), TABLES.len(), "{in_other:?}");

    // The journal's own sweep, again: everything skipped, nothing sent but listings.
    let before = emulator.requests().len();
    let again = cli(emulator.base_url(), &update_journaled(journal, &[])).await;

    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(
        untimed(&stderr(&again)),
        "Updated the maintenance of 0 table(s); 5 skipped, done in an earlier run"
    );
    assert_eq!(
        since(&emulator, before).len(),
        CATALOG_LISTINGS,
        "only listings"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn torn_and_non_utf8_lines_are_passed_over_without_swallowing_the_next_runs_lines() {
    let emulator = seeded().await;
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("sweep.jsonl");
    // Stray bytes that are not UTF-8, then a line torn by a full disk: no newline at its end.
    std::fs::write(
        &path,
        b"\xff\xfe not a line of a sweep\n{\"account\":\"0123",
    )
    .expect("written");
    let journal = path.to_str().expect("a UTF-8 path");

    let first = cli(emulator.base_url(), &update_journaled(journal, &[])).await;

    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let passed_over = format!(
        "note: the journal {journal} has 2 line(s) that are not JSON (a torn write, say): passed over\n"
    );
    assert!(
        stderr(&first).starts_with(&passed_over),
        "{}",
        stderr(&first)
    );
    let written = std::fs::read(&path).expect("the journal");
    let expected = [
        &b"\xff\xfe not a line of a sweep\n{\"account\":\"0123\n"[..],
        &first.stdout,
    ]
    .concat();
    assert_eq!(
        String::from_utf8_lossy(&written),
        String::from_utf8_lossy(&expected)
    );

    // Every table of the first run is read back, the first one's line included.
    let before = emulator.requests().len();
    let second = cli(emulator.base_url(), &update_journaled(journal, &[])).await;

    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    let summary = stderr(&second);
    let summary = summary.strip_prefix(&passed_over).expect("the note first");
    assert_eq!(
        untimed(summary),
        "Updated the maintenance of 0 table(s); 5 skipped, done in an earlier run"
    );
    let requests = since(&emulator, before);
    assert!(of(&requests, Operation::UpdateTableMaintenanceConfig).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journal_too_long_to_read_back_is_refused_before_anything_is_sent() {
    let emulator = seeded().await;
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("sweep.jsonl");
    let file = std::fs::File::create(&path).expect("created");
    // Sparse: 64 MiB of lines, and one byte more.
    file.set_len(64 * 1024 * 1024 + 1).expect("sized");
    let journal = path.to_str().expect("a UTF-8 path");
    let before = emulator.requests().len();

    let output = cli(emulator.base_url(), &update_journaled(journal, &[])).await;

    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        format!(
            "error: the journal {journal} is over 64 MiB, more than a sweep reads back: resume with a new journal file, or split this one\n"
        )
    );
    assert_eq!(stdout(&output), "");
    assert!(since(&emulator, before).is_empty(), "nothing sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_reads_the_journal_and_writes_none() {
    let emulator = seeded().await;
    let dir = tempfile::tempdir().expect("a temp dir");
    let absent = dir.path().join("absent.jsonl");
    let absent = absent.to_str().expect("a UTF-8 path");
    let kept = dir.path().join("kept.jsonl");
    let kept = kept.to_str().expect("a UTF-8 path");
    let first = cli(emulator.base_url(), &update_journaled(kept, &[])).await;
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let recorded = std::fs::read(kept).expect("the journal");

    let planned = cli(
        emulator.base_url(),
        &update_journaled(absent, &["--dry-run"]),
    )
    .await;
    let skipping = cli(emulator.base_url(), &update_journaled(kept, &["--dry-run"])).await;

    assert_eq!(planned.status.code(), Some(0), "{}", stderr(&planned));
    assert_eq!(json_lines(&stdout(&planned)).len(), TABLES.len());
    assert!(!std::path::Path::new(absent).exists(), "no journal created");
    assert_eq!(skipping.status.code(), Some(0), "{}", stderr(&skipping));
    assert_eq!(stdout(&skipping), "", "every table recorded done");
    assert_eq!(std::fs::read(kept).expect("the journal"), recorded);
}
