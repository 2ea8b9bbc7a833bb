//! Changes retried after their answer was lost: the emulator carries a request out and drops the
//! connection, the SDK retries, and the retry finds the change already made. The call reports
//! the change made (`already_applied`), never the retry's 409 or 404 as a failure; and only
//! when an earlier attempt may have reached the server.

mod common;

use cloudflare_r2_catalog::{
    Client, Error, RequestId,
    models::{CatalogStatus, RunStatus},
};
use cloudflare_r2_catalog_emulator::{Emulator, Fault, Operation};
use common::*;

/// Each request the emulator received, as (operation, status answered).
fn exchanges(emulator: &Emulator) -> Vec<(Option<Operation>, Option<u16>)> {
    emulator
        .requests()
        .iter()
        .map(|request| (request.operation, request.status))
        .collect()
}

#[tokio::test]
async fn enable_whose_answer_was_lost_is_reported_enabled() {
    let (emulator, client, _) = emulator_and_client().await;
    emulator.inject(Fault::applied_then_disconnect().only(Operation::EnableCatalog));

    let enabled = catalog(&client)
        .enable()
        .await
        .expect("the first attempt enabled it");

    assert!(enabled.already_applied);
    assert!(enabled.result.is_none());
    assert!(enabled.cf_ray.is_some(), "the 409's cf-ray is kept");
    assert_eq!(
        exchanges(&emulator),
        [
            (Some(Operation::EnableCatalog), None),
            (Some(Operation::EnableCatalog), Some(409)),
        ]
    );
    let catalog = catalog(&client).get().await.unwrap();
    assert_eq!(catalog.result.status, CatalogStatus::Active);
}

#[tokio::test]
async fn delete_whose_answer_was_lost_is_reported_deleted() {
    let (emulator, client, _) = emulator_and_client().await;
    let catalog = catalog(&client);
    catalog.enable().await.unwrap();
    emulator.inject(Fault::applied_then_disconnect().only(Operation::DeleteCatalog));

    let deleted = catalog
        .delete()
        .await
        .expect("the first attempt deleted it");

    assert!(deleted.already_applied);
    assert_eq!(
        exchanges(&emulator)[1..],
        [
            (Some(Operation::DeleteCatalog), None),
            (Some(Operation::DeleteCatalog), Some(404)),
        ]
    );
    let gone = catalog.get().await.unwrap_err();
    assert!(gone.is_not_found(), "{gone}");
}

#[tokio::test]
async fn disable_whose_answer_was_lost_is_answered_by_the_retry() {
    let (emulator, client, _) = emulator_and_client().await;
    let catalog = catalog(&client);
    catalog.enable().await.unwrap();
    emulator.inject(Fault::applied_then_disconnect().only(Operation::DisableCatalog));

    let disabled = catalog.disable().await.expect("disabled");

    // Disabling a disabled catalog answers 204, as Cloudflare does: the retry's own answer.
    assert!(!disabled.already_applied);
    assert_eq!(
        exchanges(&emulator)[1..],
        [
            (Some(Operation::DisableCatalog), None),
            (Some(Operation::DisableCatalog), Some(204)),
        ]
    );
    let got = catalog.get().await.unwrap();
    assert_eq!(got.result.status, CatalogStatus::Inactive);
}

#[tokio::test]
async fn disable_that_finds_no_catalog_after_a_server_error_is_not_found() {
    // Turning a catalog off never removes it, so the retry's 404 was not this call's doing.
    let (emulator, client, _) = emulator_and_client().await;
    emulator.inject(
        Fault::server_error(502)
            .unwrap()
            .only(Operation::DisableCatalog),
    );

    let missing = catalog(&client)
        .disable()
        .await
        .expect_err("there is no catalog");

    assert!(missing.is_not_found(), "{missing}");
    assert_eq!(
        exchanges(&emulator),
        [
            (Some(Operation::DisableCatalog), Some(502)),
            (Some(Operation::DisableCatalog), Some(404)),
        ]
    );
}

#[tokio::test]
async fn a_status_on_a_page_that_is_not_the_envelope_says_nothing_was_made() {
    let server = RawServer::losing_the_first_answer(Reply::http(
        "409 Conflict",
        &[("content-type", "text/html")],
        b"<html>proxy says no</html>",
    ));

    let error = catalog(&server.client(&RecordedSleeps::default()))
        .enable()
        .await
        .expect_err("an HTML 409 is no catalog");

    assert!(
        matches!(&error, Error::UnexpectedBody(page) if page.status == 409),
        "{error}"
    );
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn the_same_answers_are_failures_when_no_earlier_attempt_could_have_made_the_change() {
    let (emulator, client, _) = emulator_and_client().await;
    let catalog = catalog(&client);
    catalog.enable().await.unwrap();

    // Asked once: someone else's catalog, already enabled.
    let conflict = catalog.enable().await.unwrap_err();
    assert!(conflict.is_conflict(), "{conflict}");

    // Turned away first (429 is a refusal, not a lost answer), then 409: still a conflict.
    emulator.inject(Fault::rate_limited(std::time::Duration::ZERO).only(Operation::EnableCatalog));
    let conflict = catalog.enable().await.unwrap_err();
    assert!(matches!(&conflict, Error::Api(api) if api.status == 409));

    // A catalog that was never there, deleted once: not found.
    catalog.delete().await.unwrap();
    let missing = catalog.delete().await.unwrap_err();
    assert!(missing.is_not_found(), "{missing}");

    assert_eq!(
        exchanges(&emulator)[1..],
        [
            (Some(Operation::EnableCatalog), Some(409)),
            (Some(Operation::EnableCatalog), Some(429)),
            (Some(Operation::EnableCatalog), Some(409)),
            (Some(Operation::DeleteCatalog), Some(204)),
            (Some(Operation::DeleteCatalog), Some(404)),
        ]
    );
}

#[tokio::test]
async fn a_connection_closed_without_an_answer_then_409_is_an_enabled_catalog() {
    let server = RawServer::losing_the_first_answer(Reply::json(
        "409 Conflict",
        &[("cf-ray", CF_RAY)],
        &failure(40901, "Catalog already enabled"),
    ));

    let enabled = catalog(&server.client(&RecordedSleeps::default()))
        .enable()
        .await
        .expect("the first attempt may have enabled it");

    assert!(enabled.already_applied);
    assert!(enabled.result.is_none());
    assert_eq!(enabled.cf_ray.as_deref(), Some(CF_RAY));
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let enable_line = request_line("POST", &catalog_path(&format!("/{BUCKET}/enable")));
    assert!(
        requests
            .iter()
            .all(|request| request.starts_with(&enable_line))
    );
}

/// An emulator allowing `bronze.events` `daily_limit` queue requests a day, its catalog
/// enabled, and a client.
async fn queueing_allowed(daily_limit: u32) -> (Emulator, Client) {
    let emulator = Emulator::builder()
        .bucket(BUCKET)
        .daily_queue_limit(daily_limit)
        .run_duration(std::time::Duration::ZERO)
        .start()
        .await
        .expect("starts");
    let client = client_of(&emulator, &RecordedSleeps::default());
    with_a_table(emulator, client).await
}

#[tokio::test]
async fn queueing_whose_answer_was_lost_and_that_used_the_days_last_slot_is_reported_queued() {
    let (emulator, client) = queueing_allowed(1).await;
    emulator.inject(Fault::applied_then_disconnect().only(Operation::QueueTableMaintenance));
    // Cloudflare answers a repeated request id with the original result; a retry that finds
    // the day's limit instead (an id it forgot, say) is what this tests, so it is injected.
    emulator.inject(Fault::daily_limit_reached().only(Operation::QueueTableMaintenance));
    let request_id = RequestId::random();

    let queued = queue_compaction(&client, &request_id)
        .await
        .expect("the first attempt queued it");

    assert!(queued.already_applied);
    assert!(queued.result.is_none());
    assert_eq!(
        exchanges(&emulator)[1..],
        [
            (Some(Operation::QueueTableMaintenance), None),
            (Some(Operation::QueueTableMaintenance), Some(429)),
        ]
    );
    let runs = runs_of_events(&client).await;
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].request_id, Some(request_id.to_string()));
    assert_eq!(runs[0].status, RunStatus::Succeeded);
}

#[tokio::test]
async fn queueing_whose_answer_was_lost_is_answered_by_the_retry_with_the_original_result() {
    let (emulator, client) = queueing_allowed(1).await;
    emulator.inject(Fault::applied_then_disconnect().only(Operation::QueueTableMaintenance));
    let request_id = RequestId::random();

    let queued = queue_compaction(&client, &request_id)
        .await
        .expect("the retry answers what the first attempt did");

    // The retry's own answer, not a reconciliation: the emulator remembers the request id.
    assert!(!queued.already_applied);
    let result = queued.result.expect("the original result");
    assert_eq!(result.request_id, Some(request_id.to_string()));
    assert!(result.queued);
    assert_eq!(
        exchanges(&emulator)[1..],
        [
            (Some(Operation::QueueTableMaintenance), None),
            (Some(Operation::QueueTableMaintenance), Some(202)),
        ]
    );
    let runs = runs_of_events(&client).await;
    assert_eq!(runs.len(), 1, "queued once, though the day allows one");
    assert_eq!(runs[0].request_id, Some(request_id.to_string()));
}

#[tokio::test]
async fn the_daily_limit_without_a_lost_answer_is_a_failure() {
    let (emulator, client) = queueing_allowed(0).await;

    let refused = queue_compaction(&client, &RequestId::random())
        .await
        .expect_err("no slot today");

    assert!(refused.is_daily_limit_reached(), "{refused}");
    assert_eq!(
        exchanges(&emulator)[1..],
        [(Some(Operation::QueueTableMaintenance), Some(429))]
    );
}

#[tokio::test]
async fn a_lost_queue_answer_followed_by_an_executor_conflict_is_a_failure() {
    let (emulator, client) = queueing_allowed(100).await;
    emulator.inject(Fault::applied_then_disconnect().only(Operation::QueueTableMaintenance));
    emulator.inject(Fault::queue_conflict().only(Operation::QueueTableMaintenance));

    let refused = queue_compaction(&client, &RequestId::random())
        .await
        .expect_err("nothing says it was queued");

    assert_eq!(refused.status().map(|s| s.as_u16()), Some(409));
    assert!(!refused.is_daily_limit_reached(), "{refused}");
    assert_eq!(
        exchanges(&emulator)[1..],
        [
            (Some(Operation::QueueTableMaintenance), None),
            (Some(Operation::QueueTableMaintenance), Some(409)),
        ]
    );
}

#[tokio::test]
async fn a_lost_queue_answer_then_a_rate_limit_is_waited_out_and_the_repeat_answers_the_first_run()
{
    let (emulator, client) = queueing_allowed(100).await;
    emulator.inject(Fault::applied_then_disconnect().only(Operation::QueueTableMaintenance));
    emulator.inject(
        Fault::failure(429, 971, "Please wait")
            .unwrap()
            .only(Operation::QueueTableMaintenance),
    );
    let request_id = RequestId::random();

    let queued = queue_compaction(&client, &request_id)
        .await
        .expect("Cloudflare's rate limit is waited out, and the same id finds the run");

    assert!(queued.result.is_some(), "{queued:?}");
    assert_eq!(
        exchanges(&emulator)[1..],
        [
            (Some(Operation::QueueTableMaintenance), None),
            (Some(Operation::QueueTableMaintenance), Some(429)),
            (Some(Operation::QueueTableMaintenance), Some(202)),
        ]
    );
    let runs = runs_of_events(&client).await;
    assert_eq!(runs.len(), 1, "queued once");
    assert_eq!(runs[0].request_id, Some(request_id.to_string()));
}
