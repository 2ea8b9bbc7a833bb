//! `catalog check`: each step against the emulator, passing, and failing at each step with what
//! to do; its JSON for scripts; and the first-run tour, which ends with a passing check.

#[path = "../../tests/tests/common/mod.rs"]
mod common;
mod support;

use cloudflare_r2_catalog_emulator::Emulator;
use common::*;
use httpmock::MockServer;
use serde_json::json;
use support::*;

/// `catalog check` of [`BUCKET`] against `emulator` (its Iceberg endpoint: `iceberg`), as text.
fn check(emulator: &Emulator, iceberg: &str) -> std::process::Output {
    let mut env = token_env_at(emulator.base_url());
    env.push(("CLOUDFLARE_ICEBERG_URL", iceberg.to_owned()));
    r2_catalog(
        &["catalog", "check", BUCKET, "--output", "text"],
        &borrowed(&env),
        "",
    )
}

/// The lines of a check of [`BUCKET`], then the verdict.
fn checked(lines: &str, ready: bool) -> String {
    let verdict = if ready {
        "Ready: an Iceberg engine can use this catalog with this token."
    } else {
        "Not ready: see the steps marked ✗."
    };
    format!("Checking the catalog of bucket {BUCKET}\n{lines}{verdict}\n")
}

const WAREHOUSE: &str = "0123456789abcdef0123456789abcdef_my-data-bucket";

/// The lines of a check whose token, catalog and Iceberg endpoint steps pass, around `middle`:
/// the lines of its credential and maintenance steps.
fn passing_lines(middle: &str) -> String {
    format!(
        "✓ API token         accepted
✓ Catalog           active, warehouse {WAREHOUSE}
{middle}✓ Iceberg endpoint  answers for warehouse {WAREHOUSE}
"
    )
}

/// The maintenance step of a catalog the emulator just enabled, compaction on (as Cloudflare
/// starts every catalog), with a valid credential: passing.
const NEW_MAINTENANCE: &str = "✓ Maintenance       compaction enabled (target 128 MB), snapshot expiration disabled (older than 7d, keep 100), every 1h
";

/// The maintenance step of a catalog whose compaction was turned off: passing, everything off.
const MAINTENANCE_OFF: &str = "✓ Maintenance       compaction disabled (target 128 MB), snapshot expiration disabled (older than 7d, keep 100), every 1h
";

/// `maintenance update BUCKET --compaction disabled`: a new catalog's maintenance all off, which
/// needs no credential.
const COMPACTION_OFF: [&str; 5] = ["maintenance", "update", BUCKET, "--compaction", "disabled"];

/// An emulator that accepts only [`API_TOKEN`] and [`CATALOG_TOKEN`], with [`BUCKET`].
async fn strict_emulator() -> Emulator {
    Emulator::builder()
        .bucket(BUCKET)
        .accept_token(API_TOKEN)
        .accept_token(CATALOG_TOKEN)
        .start()
        .await
        .expect("starts")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_catalog_ready_for_an_engine_passes_every_step() {
    let emulator = strict_emulator().await;
    let client = client_of(&emulator, &RecordedSleeps::default());
    catalog(&client).enable().await.expect("enabled");
    store(&client).await.expect("stored");

    let output = check(&emulator, emulator.iceberg_url());

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        checked(
            &passing_lines(&format!(
                "✓ Credential        stored and valid
{NEW_MAINTENANCE}"
            )),
            true
        )
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_credential_an_engine_is_served_and_maintenance_is_told_what_it_needs() {
    let (emulator, client, _) = emulator_and_client().await;
    catalog(&client).enable().await.expect("enabled");
    let off = run_at(emulator.base_url(), &COMPACTION_OFF);
    assert_eq!(off.status.code(), Some(0), "{}", stderr(&off));

    let output = check(&emulator, emulator.iceberg_url());

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        checked(
            &passing_lines(&format!(
                "! Credential        none stored: engines do not need one, maintenance does
                    → before turning maintenance on: r2-catalog credential store {BUCKET}
{MAINTENANCE_OFF}"
            )),
            true
        )
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_token_fails_the_first_step_and_skips_the_rest() {
    let emulator = Emulator::builder()
        .bucket(BUCKET)
        .accept_token("another-token-entirely")
        .start()
        .await
        .expect("starts");

    let output = check(&emulator, emulator.iceberg_url());

    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with(&format!("Checking the catalog of bucket {BUCKET}\n✗ API token         refused or lacking a permission (Cloudflare API error (HTTP 40")), "{text}");
    assert!(text.ends_with(
        "  → use an API token with R2 Data Catalog and R2 Storage permission on this account (CLOUDFLARE_API_TOKEN)
– Catalog           not checked
– Credential        not checked
– Maintenance       not checked
– Iceberg endpoint  not checked
Not ready: see the steps marked ✗.
"), "{text}");
    assert_eq!(stderr(&output), "");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_catalog_not_enabled_fails_with_the_command_that_enables_it() {
    let (emulator, _, _) = emulator_and_client().await;

    let output = check(&emulator, emulator.iceberg_url());

    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.contains("\n✓ API token         accepted\n✗ Catalog           "),
        "{text}"
    );
    assert!(
        text.ends_with(&format!(
            "                    → turn the catalog on: r2-catalog catalog enable {BUCKET}
– Credential        not checked
– Maintenance       not checked
– Iceberg endpoint  not checked
Not ready: see the steps marked ✗.
"
        )),
        "{text}"
    );
}

#[tokio::test]
async fn a_refused_credential_with_maintenance_on_fails_both_steps() {
    // The emulator never keeps a token that does not authenticate, but Cloudflare reports one
    // that stopped working (revoked, expired) as invalid.
    let server = MockServer::start_async().await;
    let maintenance = json!({
        "compaction": {"state": "enabled", "target_size_mb": "128"},
        "snapshot_expiration": {"state": "disabled", "max_snapshot_age": "7d", "min_snapshots_to_keep": 100},
        "interval": "1h",
    });
    let found = json!({
        "bucket": BUCKET, "id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "name": WAREHOUSE,
        "status": "active", "credential_status": "present", "maintenance_config": maintenance,
    });
    answer(
        &server,
        httpmock::Method::GET,
        catalog_path(&format!("/{BUCKET}")),
        success(found),
    )
    .await;
    let status = json!({"status": "invalid"});
    answer(
        &server,
        httpmock::Method::GET,
        catalog_path(&format!("/{BUCKET}/credential/status")),
        success(status),
    )
    .await;
    let current = json!({"credential_status": "present", "maintenance_config": maintenance});
    answer(
        &server,
        httpmock::Method::GET,
        catalog_path(&format!("/{BUCKET}/maintenance-configs")),
        success(current),
    )
    .await;
    server
        .mock_async(|when, then| {
            when.method(httpmock::Method::GET)
                .path(format!("/{ACCOUNT_ID}/{BUCKET}/v1/config"));
            then.status(200)
                .json_body(json!({"defaults": {}, "overrides": {}}));
        })
        .await;
    let mut env = token_env(&server);
    env.push(("CLOUDFLARE_ICEBERG_URL", server.base_url()));

    let output = r2_catalog(
        &["catalog", "check", BUCKET, "--output", "text"],
        &borrowed(&env),
        "",
    );

    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        checked(
            &passing_lines(&format!(
                "✗ Credential        stored, but refused: maintenance cannot run with it
                    → r2-catalog credential store {BUCKET} (a token with R2 Storage read and write)
✗ Maintenance       compaction enabled (target 128 MB), snapshot expiration disabled (older than 7d, keep 100), every 1h: on, but it cannot run without a valid credential
                    → r2-catalog credential store {BUCKET}
"
            )),
            false
        )
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_iceberg_endpoint_that_refuses_the_token_fails_the_last_step_with_steps_as_json() {
    let (emulator, client, _) = emulator_and_client().await;
    catalog(&client).enable().await.expect("enabled");
    store(&client).await.expect("stored");
    let iceberg = MockServer::start_async().await;
    let refused = iceberg
        .mock_async(|when, then| {
            when.method(httpmock::Method::GET)
                .path(format!("/{ACCOUNT_ID}/{BUCKET}/v1/config"))
                .query_param("warehouse", WAREHOUSE)
                .header("authorization", format!("Bearer {API_TOKEN}"));
            then.status(403).json_body(json!({"error": {
                "message": "token lacks R2 storage permission",
                "type": "ForbiddenException",
                "code": 403,
            }}));
        })
        .await;
    let mut env = token_env_at(emulator.base_url());
    env.push(("CLOUDFLARE_ICEBERG_URL", iceberg.base_url()));

    let output = r2_catalog(&["catalog", "check", BUCKET], &borrowed(&env), "");

    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["ready"], json!(false));
    assert_eq!(json["outcome"], json!("not_ready"));
    assert_eq!(json["bucket"], json!(BUCKET));
    let verdicts: Vec<(&str, &str)> = json["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|step| {
            (
                step["step"].as_str().unwrap_or(""),
                step["verdict"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        verdicts,
        [
            ("credentials", "passed"),
            ("catalog", "passed"),
            ("credential", "passed"),
            ("maintenance", "passed"),
            ("iceberg", "failed"),
        ]
    );
    assert_eq!(
        json["steps"][4],
        json!({
            "step": "iceberg",
            "verdict": "failed",
            "detail": "refused or lacking a permission (the Iceberg endpoint answered HTTP 403 Forbidden ForbiddenException: token lacks R2 storage permission)",
            "next": "the token needs R2 Data Catalog and R2 Storage permission (Admin Read only, or Admin Read & Write to write) for engines to use it",
        })
    );
    refused.assert_calls_async(1).await;
}

/// A global API key is never sent to the Iceberg endpoint, so a check with one cannot say an
/// engine is served: it names the key, marks the engine's step not checked, and exits 8, which
/// a script tells apart from ready (0) and not ready (1).
#[tokio::test(flavor = "multi_thread")]
async fn a_check_with_a_global_key_is_not_a_pass_and_never_asks_the_iceberg_endpoint() {
    let emulator = key_emulator().await;
    let env = key_env(&emulator);
    let env = borrowed(&env);
    let enabled = r2_catalog(&["catalog", "enable", BUCKET], &env, "");
    assert_eq!(enabled.status.code(), Some(0), "{}", stderr(&enabled));
    let off = r2_catalog(&COMPACTION_OFF, &env, "");
    assert_eq!(off.status.code(), Some(0), "{}", stderr(&off));

    let text = r2_catalog(&["catalog", "check", BUCKET, "--output", "text"], &env, "");
    let json = r2_catalog(&["catalog", "check", BUCKET, "--output", "json"], &env, "");

    assert_eq!(text.status.code(), Some(8), "{}", stderr(&text));
    assert_eq!(
        stdout(&text),
        format!(
            "Checking the catalog of bucket {BUCKET}
✓ Global API key    accepted
✓ Catalog           active, warehouse {WAREHOUSE}
! Credential        none stored: engines do not need one, maintenance does
                    → before turning maintenance on: r2-catalog credential store {BUCKET}
{MAINTENANCE_OFF}? Iceberg endpoint  not checked: engines need an API token, and this check uses a global API key
                    → check again with CLOUDFLARE_API_TOKEN set to the token engines will use
Not known to be ready: see the step marked ?.
"
        )
    );
    assert_eq!(json.status.code(), Some(8), "{}", stderr(&json));
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(
        (
            &json["ready"],
            &json["outcome"],
            &json["steps"][4]["verdict"]
        ),
        (&json!(false), &json!("not_checked"), &json!("unchecked"))
    );
    let iceberg_requests = emulator
        .requests()
        .into_iter()
        .filter(|request| request.path.ends_with("/v1/config"))
        .count();
    assert_eq!(iceberg_requests, 0);
}

#[test]
fn the_tour_walks_a_catalog_from_enable_to_delete_without_an_account() {
    // No credentials, no account, nothing in the environment.
    let output = r2_catalog(&["tour"], &[], "");

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let commands: Vec<&str> = text.lines().filter(|line| line.starts_with("$ ")).collect();
    assert_eq!(
        commands,
        [
            "$ r2-catalog catalog enable my-data-bucket",
            "$ echo \"$CATALOG_TOKEN\" | r2-catalog credential store my-data-bucket",
            "$ r2-catalog credential status my-data-bucket",
            "$ r2-catalog maintenance update my-data-bucket --compaction enabled --target-size-mb 256",
            "$ r2-catalog catalog list",
            "$ r2-catalog namespace list my-data-bucket",
            "$ r2-catalog catalog check my-data-bucket",
            "$ r2-catalog table maintenance update my-data-bucket --all-tables --compaction enabled",
            "$ r2-catalog table maintenance queue my-data-bucket bronze events compaction --wait --poll-interval 1 --timeout 60",
            "$ r2-catalog catalog report my-data-bucket",
            "$ r2-catalog catalog disable my-data-bucket --yes",
            "$ r2-catalog catalog delete my-data-bucket --force --yes",
        ]
    );
    for shown in [
        "Credential status: valid\n",
        "NAMESPACE\nbronze\n",
        "✓ Iceberg endpoint  answers for warehouse",
        "Ready: an Iceberg engine can use this catalog with this token.\n",
        "Deleted the catalog of bucket my-data-bucket.\n",
        "Compaction of table bronze.events of bucket my-data-bucket: succeeded (run 2, started ",
        "Updated the maintenance of 2 table(s) (",
        "✗ bronze.clicks: last compaction run failed (run 1, code 50002): Compaction failed: a data file could not be read\n",
        "Verdict: needs attention: 2 table(s) read: 1 whose last run failed\n",
    ] {
        assert!(text.contains(shown), "{shown:?} in {text}");
    }
    // The queue's request id, before it is sent, and that the wait began.
    let told = stderr(&output);
    let told: Vec<&str> = told.lines().collect();
    assert_eq!(told.len(), 2, "{told:?}");
    assert!(told[0].starts_with("request id "), "{told:?}");
    assert_eq!(
        told[1],
        "Queued compaction for table bronze.events of bucket my-data-bucket; waiting for its run."
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_tour_on_cloudflare_refuses_a_bucket_that_has_a_catalog() {
    let (emulator, client, _) = emulator_and_client().await;
    catalog(&client).enable().await.expect("enabled");
    catalog(&client).disable().await.expect("disabled");
    let before = emulator.requests().len();

    let output = r2_catalog(
        &["tour", "--against-cloudflare", BUCKET],
        &borrowed(&token_env_at(emulator.base_url())),
        "",
    );

    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).starts_with(&format!(
            "error: bucket {BUCKET} already has a catalog (enabled or not): the tour runs only on a bucket without one"
        )),
        "{}",
        stderr(&output)
    );
    // One look, and no change.
    assert_eq!(methods_since(&emulator, before), ["GET"]);
}

#[tokio::test]
async fn a_check_or_a_tour_has_no_dry_run() {
    let server = MockServer::start_async().await;
    let anything = catch_all(&server).await;
    for args in [
        &["catalog", "check", BUCKET, "--dry-run"][..],
        &["tour", "--dry-run"],
    ] {
        let output = run(&server, args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("has no --dry-run"),
            "{}",
            stderr(&output)
        );
    }
    anything.assert_calls_async(0).await;
}
