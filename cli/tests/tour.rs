//! `tour --against-cloudflare BUCKET` when it stops short: it tells how to remove the catalog
//! only when it enabled one, after a failure or a signal alike, and leaves a catalog that
//! someone else enabled meanwhile alone.

#[path = "../../tests/tests/common/mod.rs"]
mod common;
mod support;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

use cloudflare_r2_catalog_emulator::{Emulator, Fault, Operation};
use common::*;
use support::*;

/// The tour on [`BUCKET`] of `emulator`, as on Cloudflare.
const TOUR: [&str; 3] = ["tour", "--against-cloudflare", BUCKET];

/// The line the tour says on stderr when it leaves the catalog it enabled.
fn remove_hint() -> String {
    format!(
        "The tour stopped; the catalog it enabled is still there. To remove it: r2-catalog catalog disable {BUCKET} --yes && r2-catalog catalog delete {BUCKET} --yes\n"
    )
}

/// The status of [`BUCKET`]'s catalog, read back through `client`: the tour left it there.
async fn status_of(client: &cloudflare_r2_catalog::Client) -> String {
    let found = catalog(client).get().await.expect("still there");
    found.result.status.as_str().to_owned()
}

/// The methods of the requests `emulator` received after the first `before`, with the
/// operation each routed to.
fn asked(emulator: &Emulator, before: usize) -> Vec<(String, Option<Operation>)> {
    emulator.requests()[before..]
        .iter()
        .map(|request| (request.method.clone(), request.operation))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_catalog_enabled_by_someone_else_meanwhile_is_left_alone() {
    let (emulator, _, _) = emulator_and_client().await;
    // What a 409 on the tour's enable means: another party enabled the catalog after the
    // tour looked.
    emulator.inject(
        Fault::failure(409, 40901, "Catalog already enabled")
            .expect("a failure")
            .only(Operation::EnableCatalog),
    );
    let before = emulator.requests().len();

    let output = r2_catalog(
        &TOUR,
        &borrowed(&token_env_at(emulator.base_url())),
        "catalog-token\n",
    );

    assert_eq!(output.status.code(), Some(5), "{}", stderr(&output));
    let told = stderr(&output);
    assert!(
        told.starts_with(&format!(
            "The tour stopped: bucket {BUCKET} got a catalog meanwhile, which is not the tour's; it is left as it is.\n"
        )),
        "{told}"
    );
    assert!(!told.contains("To remove it"), "{told}");
    assert_eq!(
        asked(&emulator, before),
        [
            ("GET".to_owned(), Some(Operation::GetCatalogDetails)),
            ("POST".to_owned(), Some(Operation::EnableCatalog)),
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failure_after_the_tours_enable_tells_how_to_remove_its_catalog() {
    let (emulator, client, _) = emulator_and_client().await;
    emulator.inject(
        Fault::failure(403, 10000, "Authentication error")
            .expect("a failure")
            .only(Operation::UpdateMaintenanceConfig),
    );

    let output = r2_catalog(
        &TOUR,
        &borrowed(&token_env_at(emulator.base_url())),
        "catalog-token\n",
    );

    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
    assert!(
        stderr(&output).starts_with(&remove_hint()),
        "{}",
        stderr(&output)
    );
    assert_eq!(status_of(&client).await, "active");
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_after_the_tours_enable_tells_how_to_remove_its_catalog() {
    let (emulator, client, _) = emulator_and_client().await;
    // The credential's status is answered "wait": the tour holds there until interrupted.
    emulator
        .inject(Fault::rate_limited(Duration::from_secs(50)).only(Operation::GetCredentialStatus));
    let env = token_env_at(emulator.base_url());
    let mut child = Command::new(env!("CARGO_BIN_EXE_r2-catalog"))
        .args(TOUR)
        .env_clear()
        .envs(borrowed(&env))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    std::io::Write::write_all(&mut child.stdin.take().expect("piped"), b"catalog-token\n")
        .expect("the token");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
    let mut printed = String::new();
    let waiting = format!("$ r2-catalog credential status {BUCKET}\n");
    while !printed.ends_with(&waiting) {
        let read = stdout.read_line(&mut printed).expect("stdout");
        assert_ne!(read, 0, "ended before the status step: {printed}");
    }
    // Until the status was asked, and the answer to wait is being waited out.
    let status_asked = || {
        emulator
            .requests()
            .iter()
            .any(|request| request.operation == Some(Operation::GetCredentialStatus))
    };
    for _ in 0..1000 {
        if status_asked() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(status_asked(), "the status step sent nothing");

    let pid = rustix::process::Pid::from_child(&child);
    rustix::process::kill_process(pid, rustix::process::Signal::INT).expect("signalled");
    let status = child.wait().expect("it ends");

    stdout.read_to_string(&mut printed).expect("stdout");
    let mut error = String::new();
    child
        .stderr
        .take()
        .expect("piped")
        .read_to_string(&mut error)
        .expect("stderr");
    assert_eq!(status.code(), Some(130), "{error}");
    assert_eq!(
        error,
        format!(
            "{}interrupted: a change already sent may have been made; read the state back before doing it again\n",
            remove_hint()
        )
    );
    assert_eq!(status_of(&client).await, "active");
}

#[tokio::test(flavor = "multi_thread")]
async fn with_a_global_key_the_tour_notes_the_unchecked_step_and_goes_to_the_end() {
    let emulator = key_emulator().await;
    let env = key_env(&emulator);
    let env = borrowed(&env);

    let output = r2_catalog(&TOUR, &env, "catalog-token\n");

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let printed = stdout(&output);
    assert!(
        printed.contains("? Iceberg endpoint  not checked"),
        "{printed}"
    );
    assert!(
        printed.ends_with(&format!("Deleted the catalog of bucket {BUCKET}.\n")),
        "{printed}"
    );
}

/// The token is asked for before anything changes: cancelling the question leaves nothing.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_at_the_tours_token_question_changes_nothing() {
    use support::terminal::{CTRL_C, On, run_at_terminal};

    let (emulator, _, _) = emulator_and_client().await;
    let before = emulator.requests().len();
    let on = On {
        stdin: true,
        stdout: false,
        stderr: true,
    };

    let ran = run_at_terminal(
        &TOUR,
        &borrowed(&token_env_at(emulator.base_url())),
        on,
        &[("(typing is not shown): ", CTRL_C)],
    );

    assert_eq!(ran.code, Some(2), "{}", ran.shown);
    assert!(ran.echo_after, "echo stays off");
    assert!(!ran.shown.contains("To remove it"), "{}", ran.shown);
    assert_eq!(
        asked(&emulator, before),
        [("GET".to_owned(), Some(Operation::GetCatalogDetails))]
    );
}
