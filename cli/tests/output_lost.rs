//! Output that cannot be written after a change was sent: never exit 2 ("nothing was sent").
//! A closed pipe (`| head -1`) exits 141, as shells report it, without a word; a full disk
//! exits 9 and says what may have been carried out. A sweep stops starting tables, lets those
//! in flight finish, keeps journaling when stdout is gone, and says what it did.

#[path = "../../tests/tests/common/mod.rs"]
mod common;
mod support;

use cloudflare_r2_catalog_emulator::Operation;
use common::*;
use support::sweeps::*;
use support::*;

/// What the CLI adds after a full disk's error.
#[cfg(target_os = "linux")]
const MAY_HAVE_BEEN_CARRIED_OUT: &str =
    "; what was sent may have been carried out: read the state back before doing it again\n";

/// Whether `emulator` holds an active catalog in [`BUCKET`], read back through the CLI.
async fn is_enabled(emulator: &cloudflare_r2_catalog_emulator::Emulator) -> bool {
    let got = cli(emulator.base_url(), &["catalog", "get", BUCKET]).await;
    assert_eq!(got.status.code(), Some(0), "{}", stderr(&got));
    let catalog: serde_json::Value = serde_json::from_slice(&got.stdout).expect("JSON");
    catalog["status"] == "active"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_whose_reader_closed_the_pipe_exits_141_and_was_made() {
    let (emulator, _, _) = emulator_and_client().await;

    let output = cli_into(
        emulator.base_url(),
        &["catalog", "enable", BUCKET],
        closed_pipe(),
    )
    .await;

    assert_eq!(output.status.code(), Some(141), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
    assert!(is_enabled(&emulator).await);
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_whose_result_meets_a_full_disk_exits_9_and_says_it_may_have_been_made() {
    let (emulator, _, _) = emulator_and_client().await;

    let output = cli_into(
        emulator.base_url(),
        &["catalog", "enable", BUCKET],
        full_disk(),
    )
    .await;

    assert_eq!(output.status.code(), Some(9), "{}", stderr(&output));
    let error = stderr(&output);
    assert!(
        error.starts_with("error: cannot write the result: ")
            && error.ends_with(MAY_HAVE_BEEN_CARRIED_OUT),
        "{error}"
    );
    assert!(is_enabled(&emulator).await);
}

/// [`UPDATE`] one table at a time, journaled to `journal`.
fn one_at_a_time(journal: &str) -> Vec<&str> {
    [&UPDATE[..], &["--concurrency", "1", "--journal", journal]].concat()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sweep_whose_stdout_closes_stops_keeps_journaling_and_resumes_from_the_journal() {
    let emulator = seeded().await;
    let dir = tempfile::tempdir().expect("a temp dir");
    let journal = dir.path().join("sweep.jsonl");
    let journal = journal.to_str().expect("a UTF-8 path");
    let before = emulator.requests().len();

    let output = cli_into(emulator.base_url(), &one_at_a_time(journal), closed_pipe()).await;

    assert_eq!(output.status.code(), Some(141), "{}", stderr(&output));
    let error = stderr(&output);
    let (summary, stopped) = error.split_once('\n').expect("two lines");
    assert_eq!(
        untimed(&format!("{summary}\n")),
        "Updated the maintenance of 1 table(s)"
    );
    assert_eq!(
        stopped,
        "stopped: stdout was closed; no table was started after that, and the tables in flight finished; the journal records every table that ended: run the same command with the same --journal to go on\n"
    );
    let requests = since(&emulator, before);
    let updated = acted_on(&of(&requests, Operation::UpdateTableMaintenanceConfig));
    assert_eq!(updated.len(), 1, "{updated:?}");
    let recorded = json_lines(&std::fs::read_to_string(journal).expect("the journal"));
    assert_eq!(by_table(&recorded).into_keys().collect::<Vec<_>>(), updated);

    let before = emulator.requests().len();
    let resumed = cli(emulator.base_url(), &one_at_a_time(journal)).await;

    assert_eq!(resumed.status.code(), Some(0), "{}", stderr(&resumed));
    assert_eq!(
        untimed(&stderr(&resumed)),
        "Updated the maintenance of 4 table(s); 1 skipped, done in an earlier run"
    );
    let requests = since(&emulator, before);
    let mut every = acted_on(&of(&requests, Operation::UpdateTableMaintenanceConfig));
    every.extend(updated);
    every.sort();
    assert_eq!(every, owned(&TABLES), "each table updated exactly once");
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sweep_whose_journal_meets_a_full_disk_stops_and_prints_what_ended() {
    let emulator = seeded().await;
    let before = emulator.requests().len();

    let output = cli(emulator.base_url(), &one_at_a_time("/dev/full")).await;

    assert_eq!(output.status.code(), Some(9), "{}", stderr(&output));
    let error = stderr(&output);
    let (summary, stopped) = error.split_once('\n').expect("two lines");
    assert_eq!(
        untimed(&format!("{summary}\n")),
        "Updated the maintenance of 1 table(s)"
    );
    assert!(
        stopped.starts_with("error: cannot write the journal /dev/full: ")
            && stopped.ends_with("; no table was started after that, and the tables in flight finished; stdout has the line of every table that ended, the journal does not: keep those lines\n"),
        "{stopped}"
    );
    let requests = since(&emulator, before);
    let updated = acted_on(&of(&requests, Operation::UpdateTableMaintenanceConfig));
    let printed = by_table(&json_lines(&stdout(&output)));
    assert_eq!(printed.into_keys().collect::<Vec<_>>(), updated);
    assert_eq!(updated.len(), 1);
}

/// As text, a sweep prints no line per table on stdout: with the journal gone, nothing holds
/// the outcomes of the tables that ended, and it says so.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_sweep_whose_journal_meets_a_full_disk_says_the_outcomes_are_not_recorded() {
    let emulator = seeded().await;

    let output = cli(
        emulator.base_url(),
        &[&one_at_a_time("/dev/full")[..], &["--output", "text"]].concat(),
    )
    .await;

    assert_eq!(output.status.code(), Some(9), "{}", stderr(&output));
    assert!(
        stderr(&output).ends_with(&format!(
            "; no table was started after that, and the tables in flight finished{MAY_HAVE_BEEN_CARRIED_OUT}"
        )),
        "{}",
        stderr(&output)
    );
}
