//! Every `r2-catalog` command, the real binary against httpmock: the request it sends, what it
//! prints and how it exits.

#[path = "../../tests/tests/common/mod.rs"]
mod common;
mod support;

use common::*;
use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use serde_json::json;
use support::*;

/// The Iceberg REST connection the CLI adds to a catalog of `bucket` named `warehouse`.
fn connection(bucket: &str, warehouse: &str) -> serde_json::Value {
    json!({
        "uri": format!("https://catalog.cloudflarestorage.com/{ACCOUNT_ID}/{bucket}"),
        "warehouse": warehouse,
    })
}

#[tokio::test]
async fn catalog_list_get_and_enable_print_the_result_with_its_connection() {
    let server = MockServer::start_async().await;
    let cases = [
        case(&["catalog", "list"], GET, "", "list-catalogs"),
        case(
            &["catalog", "get", BUCKET],
            GET,
            format!("/{BUCKET}"),
            "get-catalog-details",
        ),
        case(
            &["catalog", "enable", BUCKET],
            POST,
            format!("/{BUCKET}/enable"),
            "enable-catalog",
        ),
    ];
    for Case {
        args,
        method,
        path,
        expected: operation,
    } in cases
    {
        let path = catalog_path(&path);
        let mock = answer(&server, method, path, upstream_example(operation)).await;

        let output = run(&server, &args);

        let mut expected = without_nulls(upstream_example(operation)["result"].clone());
        match operation {
            "list-catalogs" => {
                expected["warehouses"][0]["connection"] =
                    connection("analytics-bucket", "account123_analytics-bucket");
                expected["warehouses"][1]["connection"] =
                    connection("logs-bucket", "account123_logs-bucket");
                assert_eq!(expected["warehouses"].as_array().map(Vec::len), Some(2));
            }
            // The catalog's own bucket, whatever the command named.
            "get-catalog-details" => {
                expected["connection"] =
                    connection("analytics-bucket", "account123_analytics-bucket")
            }
            // The activation names no bucket: the one enabled.
            _ => expected["connection"] = connection(BUCKET, "account123_my-bucket"),
        }
        assert_eq!(json_out(&output), expected, "{args:?}");
        mock.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn catalog_disable_says_what_it_did_on_stderr() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(catalog_path(&format!("/{BUCKET}/disable")));
            then.status(204);
        })
        .await;

    let output = run(&server, &["catalog", "disable", BUCKET, "--yes"]);

    assert_eq!(json_out(&output), json!(null));
    assert_eq!(
        stderr(&output),
        format!("Disabled the catalog of bucket {BUCKET}.\n")
    );
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_change_cloudflare_applied_without_a_result_exits_0_and_says_so() {
    let cases: [&[&str]; 3] = [
        &["catalog", "enable", BUCKET],
        &["maintenance", "update", BUCKET, "--compaction", "enabled"],
        &[
            "table",
            "maintenance",
            "update",
            BUCKET,
            "bronze",
            "events",
            "--compaction",
            "enabled",
        ],
    ];
    for args in cases {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.method(POST);
                then.status(200)
                    .json_body(json!({"success": true, "errors": [], "messages": []}));
            })
            .await;

        let output = run(&server, args);

        assert_eq!(json_out(&output), json!(null), "{args:?}");
        assert_eq!(
            stderr(&output),
            "done: Cloudflare applied the change and answered without details\n"
        );
        mock.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn catalog_enable_on_an_enabled_catalog_exits_4_with_the_conflict_and_where_to_look() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path(catalog_path(&format!("/{BUCKET}/enable")));
            then.status(409)
                .json_body(failure(40901, "Catalog already enabled"));
        })
        .await;

    let output = run(&server, &["catalog", "enable", BUCKET]);

    assert_eq!(output.status.code(), Some(4), "already enabled");
    assert_eq!(
        stderr(&output),
        format!(
            "error: Cloudflare API error (HTTP 409 Conflict)\n  40901: Catalog already enabled\n\
             hint: the catalog is already enabled: r2-catalog catalog get {BUCKET} shows it\n"
        )
    );
}

#[tokio::test]
async fn maintenance_get_and_update() {
    let server = MockServer::start_async().await;
    let path = catalog_path(&format!("/{BUCKET}/maintenance-configs"));
    let get = answer(
        &server,
        GET,
        path.clone(),
        upstream_example("get-maintenance-config"),
    )
    .await;
    let update = answer_update_example(&server, path.clone(), "update-maintenance-config").await;

    let current = run(&server, &["maintenance", "get", BUCKET]);
    let updated = run(
        &server,
        &[
            "maintenance",
            "update",
            BUCKET,
            "--compaction",
            "enabled",
            "--target-size-mb",
            "256",
            "--snapshot-expiration",
            "enabled",
            "--max-snapshot-age",
            "14d",
            "--min-snapshots-to-keep",
            "5",
        ],
    );

    assert_eq!(
        json_out(&current),
        upstream_example("get-maintenance-config")["result"]
    );
    assert_eq!(
        json_out(&updated),
        upstream_example("update-maintenance-config")["result"]
    );
    get.assert_calls_async(1).await;
    update.assert_calls_async(1).await;
}

#[tokio::test]
async fn maintenance_update_sends_only_the_flags_given() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(catalog_path(&format!("/{BUCKET}/maintenance-configs")))
                .json_body(json!({"snapshot_expiration": {"max_snapshot_age": "48h"}}));
            then.status(200)
                .json_body(upstream_example("update-maintenance-config"));
        })
        .await;

    let output = run(
        &server,
        &["maintenance", "update", BUCKET, "--max-snapshot-age", "48h"],
    );

    json_out(&output);
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn namespace_list_passes_parent_and_paging() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(catalog_path(&format!("/{BUCKET}/namespaces")))
                .query_param("parent", "bronze\u{1f}analytics")
                .query_param("page_size", "50")
                .query_param("page_token", "t1")
                .is_true(|request| request.query_params().len() == 3);
            then.status(200)
                .json_body(upstream_example("list-namespaces"));
        })
        .await;

    let output = run(
        &server,
        &[
            "namespace",
            "list",
            BUCKET,
            "--parent",
            "bronze.analytics",
            "--page-size",
            "50",
            "--page-token",
            "t1",
        ],
    );

    assert_eq!(
        json_out(&output),
        without_nulls(upstream_example("list-namespaces")["result"].clone())
    );
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn namespace_list_all_prints_one_combined_list() {
    let server = MockServer::start_async().await;
    let path = catalog_path(&format!("/{BUCKET}/namespaces"));
    let pages = [
        (
            None,
            json!({"namespaces": [["a"], ["b"]], "next_page_token": "t2"}),
        ),
        (
            Some("t2"),
            json!({"namespaces": [["c"]], "next_page_token": "t3"}),
        ),
        (
            Some("t3"),
            json!({"namespaces": [["d"]], "next_page_token": null}),
        ),
    ];
    let pages = pages.map(|(token, page)| (token, success(page)));
    serve_pages(&server, &path, &pages).await;

    let output = run(&server, &["namespace", "list", BUCKET, "--all"]);

    assert_eq!(
        json_out(&output),
        json!({"namespaces": [["a"], ["b"], ["c"], ["d"]]})
    );
}

#[tokio::test]
async fn table_list_get_and_maintenance() {
    let server = MockServer::start_async().await;
    let table = catalog_path(&format!(
        "/{BUCKET}/namespaces/bronze%1Fanalytics/tables/events"
    ));
    let list = server
        .mock_async(|when, then| {
            when.method(GET)
                .is_true(|request| {
                    request.uri().path()
                        == catalog_path(&format!("/{BUCKET}/namespaces/bronze%1Fanalytics/tables"))
                })
                .query_param("page_size", "10");
            then.status(200).json_body(upstream_example("list-tables"));
        })
        .await;
    let get = server
        .mock_async(|when, then| {
            let path = table.clone();
            when.method(GET)
                .is_true(move |request| request.uri().path() == path);
            then.status(200).json_body(upstream_example("get-table"));
        })
        .await;
    let maintenance_path = format!("{table}/maintenance-configs");
    let maintenance = server
        .mock_async(|when, then| {
            let path = maintenance_path.clone();
            when.method(GET)
                .is_true(move |request| request.uri().path() == path);
            then.status(200)
                .json_body(upstream_example("get-table-maintenance-config"));
        })
        .await;
    let update = server
        .mock_async(|when, then| {
            let path = maintenance_path.clone();
            when.method(POST)
                .is_true(move |request| request.uri().path() == path)
                .json_body(json!({"compaction": {"state": "disabled"}}));
            then.status(200)
                .json_body(upstream_example("update-table-maintenance-config"));
        })
        .await;

    let listed = run(
        &server,
        &[
            "table",
            "list",
            BUCKET,
            "bronze.analytics",
            "--page-size",
            "10",
        ],
    );
    let got = run(
        &server,
        &["table", "get", BUCKET, "bronze.analytics", "events"],
    );
    let current = run(
        &server,
        &[
            "table",
            "maintenance",
            "get",
            BUCKET,
            "bronze.analytics",
            "events",
        ],
    );
    let updated = run(
        &server,
        &[
            "table",
            "maintenance",
            "update",
            BUCKET,
            "bronze.analytics",
            "events",
            "--compaction",
            "disabled",
        ],
    );

    assert_eq!(
        json_out(&listed),
        without_nulls(upstream_example("list-tables")["result"].clone())
    );
    assert_eq!(
        json_out(&got)["identifier"],
        json!({"name": "events", "namespace": ["bronze"]})
    );
    assert_eq!(
        json_out(&current),
        upstream_example("get-table-maintenance-config")["result"]
    );
    assert_eq!(
        json_out(&updated),
        upstream_example("update-table-maintenance-config")["result"]
    );
    for mock in [&list, &get, &maintenance, &update] {
        mock.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn table_list_all_combines_pages() {
    let server = MockServer::start_async().await;
    let path = catalog_path(&format!("/{BUCKET}/namespaces/bronze/tables"));
    let first = json!({"identifiers": [{"namespace": ["bronze"], "name": "t1"}], "next_page_token": "p2", "table_uuids": ["u1"]});
    let second = json!({"identifiers": [{"namespace": ["bronze"], "name": "t2"}], "next_page_token": null, "table_uuids": ["u2"]});
    serve_pages(
        &server,
        &path,
        &[(None, success(first)), (Some("p2"), success(second))],
    )
    .await;

    let output = run(&server, &["table", "list", BUCKET, "bronze", "--all"]);

    assert_eq!(
        json_out(&output),
        json!({
            "identifiers": [{"namespace": ["bronze"], "name": "t1"}, {"namespace": ["bronze"], "name": "t2"}],
            "table_uuids": ["u1", "u2"],
        })
    );
}

#[tokio::test]
async fn bad_input_exits_2_names_the_problem_and_sends_nothing() {
    let server = MockServer::start_async().await;
    let catch_all = catch_all(&server).await;
    let cases: [(&[&str], &str); 11] = [
        (
            &["catalog", "get", "Bad_Bucket"],
            "invalid bucket name: may contain only lowercase letters, digits and hyphens",
        ),
        (
            &["namespace", "list", BUCKET, "--page-size", "0"],
            "invalid page size: must be between 1 and 1000",
        ),
        // With --all the refusal comes out of the stream of pages, still before any request.
        (
            &["namespace", "list", BUCKET, "--page-size", "1001", "--all"],
            "invalid page size: must be between 1 and 1000",
        ),
        (
            &[
                "table",
                "list",
                BUCKET,
                "bronze",
                "--page-size",
                "0",
                "--all",
            ],
            "invalid page size: must be between 1 and 1000",
        ),
        (
            &[
                "table",
                "maintenance",
                "runs",
                BUCKET,
                "bronze",
                "events",
                "--page-size",
                "101",
                "--all",
            ],
            "invalid page size: must be between 1 and 100 for maintenance runs",
        ),
        (
            &["namespace", "list", BUCKET, "--parent", "bronze..x"],
            "invalid namespace: a level must not be empty, \".\" or \"..\"",
        ),
        (
            &["table", "get", BUCKET, "bronze", ".."],
            "invalid table name: must not be empty, \".\" or \"..\"",
        ),
        (
            &["maintenance", "update", BUCKET, "--max-snapshot-age", "2w"],
            "invalid max snapshot age: must be a whole number followed by d, h, m or s (e.g. 7d, 48h)",
        ),
        (
            &[
                "maintenance",
                "update",
                BUCKET,
                "--min-snapshots-to-keep",
                "0",
            ],
            "invalid min snapshots to keep: must be at least 1",
        ),
        (
            &["maintenance", "update", BUCKET],
            "nothing to update: give at least one of",
        ),
        (
            &[
                "table",
                "maintenance",
                "update",
                BUCKET,
                "bronze",
                "t",
                "--target-size-mb",
                "100",
            ],
            "invalid value '100' for '--target-size-mb",
        ),
    ];
    for (args, message) in cases {
        let output = run(&server, args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(message),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(stdout(&output), "");
    }
    catch_all.assert_calls_async(0).await;
}

#[test]
fn completions_print_a_script_for_every_shell_without_credentials() {
    let expected = [
        ("bash", "complete -F _r2__catalog"),
        ("zsh", "#compdef r2-catalog"),
        ("fish", "complete -c r2-catalog"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[r2-catalog]"),
    ];
    for (shell, marker) in expected {
        // No environment at all: no token, no account id.
        let output = r2_catalog(&["completions", shell], &[], "");

        assert_eq!(
            output.status.code(),
            Some(0),
            "{shell}: {}",
            stderr(&output)
        );
        let script = stdout(&output);
        assert!(script.contains(marker), "{shell}: {script}");
        assert!(
            script.contains("delete"),
            "{shell}: subcommands are completed"
        );
        assert!(stderr(&output).is_empty());
    }
}

#[test]
fn completions_into_a_closed_pipe_fail_without_a_panic() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_r2-catalog"))
        .args(["completions", "zsh"])
        .env_clear()
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary starts");
    drop(child.stdout.take());

    let output = child.wait_with_output().expect("the binary finishes");

    assert_ne!(output.status.code(), Some(101), "{}", stderr(&output));
    assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
}

#[test]
fn an_unknown_shell_is_refused_with_the_choices() {
    let output = r2_catalog(&["completions", "tcsh"], &[], "");

    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("possible values: bash"),
        "{}",
        stderr(&output)
    );
}

/// `/accounts/…/basin-catalog/my-data-bucket/namespaces/bronze/tables/events` and `rest`.
fn events_path(rest: &str) -> String {
    catalog_path(&format!("/{BUCKET}/namespaces/bronze/tables/events{rest}"))
}

#[tokio::test]
async fn credential_status_prints_what_cloudflare_found() {
    let server = MockServer::start_async().await;
    let mock = answer(
        &server,
        GET,
        catalog_path(&format!("/{BUCKET}/credential/status")),
        success(json!({"status": "invalid"})),
    )
    .await;

    let output = run(&server, &["credential", "status", BUCKET]);

    assert_eq!(json_out(&output), json!({"status": "invalid"}));
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn table_maintenance_queue_sends_the_kind_and_request_id() {
    let server = MockServer::start_async().await;
    let id = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
    let answered = json!({"queued": true, "message": "queued for the next poll", "request_id": id});
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(events_path(
                    "/maintenance-configs/snapshot_expiration/queue",
                ))
                .json_body(json!({"request_id": id}));
            then.status(202).json_body(success(answered.clone()));
        })
        .await;

    let output = run(
        &server,
        &[
            "table",
            "maintenance",
            "queue",
            BUCKET,
            "bronze",
            "events",
            "snapshot-expiration",
            "--request-id",
            id,
        ],
    );

    assert_eq!(json_out(&output), answered);
    assert_eq!(stderr(&output), format!("request id {id}\n"));
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn table_maintenance_queue_without_an_id_sends_and_prints_a_random_one() {
    let server = RawServer::always(Reply::json(
        "202 Accepted",
        &[],
        &success(json!({"queued": true, "message": "queued"})),
    ));
    let queue = ["table", "maintenance", "queue", BUCKET, "bronze", "events"];

    let output = run_at(
        &server.url,
        &[&queue[..], &["snapshot_expiration"]].concat(),
    );

    assert_eq!(json_out(&output)["queued"], true);
    let printed = stderr(&output);
    let id = printed
        .strip_prefix("request id ")
        .and_then(|rest| rest.strip_suffix('\n'))
        .unwrap_or_else(|| panic!("{printed}"));
    assert!(cloudflare_r2_catalog::RequestId::new(id).is_ok(), "{id}");
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert!(
        requests[0].starts_with(&request_line(
            "POST",
            &events_path("/maintenance-configs/snapshot_expiration/queue")
        )),
        "{}",
        requests[0]
    );
    let body = requests[0].split("\r\n\r\n").nth(1).expect("a body");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(body).expect("JSON"),
        json!({"request_id": id})
    );
}

#[tokio::test]
async fn table_maintenance_queue_refuses_a_bad_kind_or_id_before_sending() {
    let server = MockServer::start_async().await;
    let nothing = catch_all(&server).await;
    let queue = ["table", "maintenance", "queue", BUCKET, "bronze", "events"];

    let bad_kind = run(&server, &[&queue[..], &["vacuum"]].concat());
    let bad_id = run(
        &server,
        &[&queue[..], &["compaction", "--request-id", "12345"]].concat(),
    );

    assert_eq!(bad_kind.status.code(), Some(2));
    assert!(
        stderr(&bad_kind)
            .contains("invalid KIND \"vacuum\": give compaction or snapshot-expiration"),
        "{}",
        stderr(&bad_kind)
    );
    assert_eq!(bad_id.status.code(), Some(2));
    assert_eq!(
        stderr(&bad_id),
        "error: invalid request id: must be a UUID: 32 hex digits grouped 8-4-4-4-12 with hyphens\n"
    );
    nothing.assert_calls_async(0).await;
}

#[tokio::test]
async fn table_maintenance_runs_lists_one_page_or_all() {
    let server = MockServer::start_async().await;
    let run_of = |id: i64| {
        json!({
            "run_id": id, "configuration_type": "compaction", "status": "succeeded",
            "started_at": "2026-11-30T10:00:00Z", "operation_results": [],
        })
    };
    let mocks = serve_pages(
        &server,
        &events_path("/maintenance-runs"),
        &[
            (
                None,
                success(json!({"runs": [run_of(2)], "next_page_token": "p2"})),
            ),
            (
                Some("p2"),
                success(json!({"runs": [run_of(1)], "next_page_token": null})),
            ),
        ],
    )
    .await;
    let runs = ["table", "maintenance", "runs", BUCKET, "bronze", "events"];

    let first = run(&server, &runs);
    let all = run(&server, &[&runs[..], &["--all"]].concat());
    let too_big = run(&server, &[&runs[..], &["--page-size", "500"]].concat());

    assert_eq!(
        json_out(&first),
        json!({"runs": [run_of(2)], "next_page_token": "p2"})
    );
    assert_eq!(json_out(&all), json!({"runs": [run_of(2), run_of(1)]}));
    assert_eq!(too_big.status.code(), Some(2));
    assert_eq!(
        stderr(&too_big),
        "error: invalid page size: must be between 1 and 100 for maintenance runs\n"
    );
    mocks[0].assert_calls_async(2).await;
    mocks[1].assert_calls_async(1).await;
}

#[tokio::test]
async fn paths_r2_catalog_sends_the_old_paths_but_credential_status_stays_basin() {
    let server = MockServer::start_async().await;
    let old = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(r2_catalog_path(&format!("/{BUCKET}/maintenance-configs")));
            then.status(200)
                .json_body(upstream_example("get-maintenance-config"));
        })
        .await;
    let status = answer(
        &server,
        GET,
        catalog_path(&format!("/{BUCKET}/credential/status")),
        success(json!({"status": "valid"})),
    )
    .await;
    let mut env = token_env(&server);
    env.push(("CLOUDFLARE_CATALOG_PATHS", "r2-catalog".to_owned()));

    let maintenance = r2_catalog(&["maintenance", "get", BUCKET], &borrowed(&env), "");
    let checked = run(
        &server,
        &["--paths", "r2-catalog", "credential", "status", BUCKET],
    );
    let wrong = run(&server, &["--paths", "r3-catalog", "catalog", "list"]);

    assert_eq!(json_out(&maintenance)["credential_status"], "present");
    assert_eq!(json_out(&checked), json!({"status": "valid"}));
    assert_eq!(wrong.status.code(), Some(2));
    assert!(
        stderr(&wrong).contains("invalid value 'r3-catalog' for '--paths <FAMILY>'"),
        "{}",
        stderr(&wrong)
    );
    old.assert_calls_async(1).await;
    status.assert_calls_async(1).await;
}

#[tokio::test]
async fn table_maintenance_queue_prints_its_request_id_even_when_it_fails() {
    let server = RawServer::always(Reply::json(
        "503 Service Unavailable",
        &[],
        &failure(10013, "busy"),
    ));
    let id = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";

    let output = run_at(
        &server.url,
        &[
            "table",
            "maintenance",
            "queue",
            BUCKET,
            "bronze",
            "events",
            "compaction",
            "--request-id",
            id,
        ],
    );

    assert_eq!(output.status.code(), Some(1));
    let printed = stderr(&output);
    assert!(
        printed.starts_with(&format!("request id {id}\nerror: ")),
        "{printed}"
    );
    assert_eq!(
        server.requests().len(),
        3,
        "the first attempt and two retries"
    );
}

#[tokio::test]
async fn a_change_answered_with_a_result_of_an_unknown_shape_prints_it_as_sent() {
    let server = MockServer::start_async().await;
    let odd = json!({"compaction": "enabled", "applied_at": 1764500000});
    let mock = answer(
        &server,
        POST,
        catalog_path(&format!("/{BUCKET}/maintenance-configs")),
        success(odd.clone()),
    )
    .await;

    let output = run(
        &server,
        &["maintenance", "update", BUCKET, "--compaction", "disabled"],
    );

    assert_eq!(json_out(&output), odd);
    assert_eq!(
        stderr(&output),
        "done: Cloudflare applied the change; its answer has a shape this version does not know, printed as sent\n"
    );
    mock.assert_calls_async(1).await;
}
