//! Cloudflare's rate limit, against an emulator that enforces it as Cloudflare documents it
//! (scaled down to seconds): sweeps alone and beside another client finish every table once
//! without a 429, a sweep that starts blocked waits and finishes, a call into a long block fails
//! at once saying until when, and holds hold for queueing and past a sweep's retry budget.

mod common;

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use cloudflare_r2_catalog::{
    Client, Error, MaintenanceKind,
    config::RateShare,
    models::{CompactionUpdate, MaintenanceState, MaintenanceUpdate},
    sweep::Swept,
};
use cloudflare_r2_catalog_emulator::{Emulator, EmulatorBuilder, Fault, Operation, RateLimit};
use common::*;
use futures_util::StreamExt;
use httpmock::MockServer;
use integration_tests::plain_http;

/// The longest a test here may take before it counts as hung.
const HUNG: Duration = Duration::from_secs(60);

/// An emulator built from `emulator` (with its rate limit) with [`BUCKET`] holding `tables`
/// tables in namespaces `a` and `b` (half each).
async fn seeded(emulator: EmulatorBuilder, tables: usize) -> Emulator {
    let emulator = emulator.bucket(BUCKET).start().await.expect("starts");
    for index in 0..tables {
        let namespace = if index % 2 == 0 { "a" } else { "b" };
        emulator
            .add_table(BUCKET, namespace, format!("t{index}").as_str())
            .expect("a valid table");
    }
    emulator
}

/// A client of the API at `url` with the SDK's defaults: real waits.
fn client_at(url: &str) -> Client {
    Client::builder()
        .api_token(API_TOKEN)
        .account_id(ACCOUNT_ID)
        .base_url(url)
        .build()
        .expect("a client")
}

/// Compaction on: a new catalog has it on, so its tables may turn it on.
fn compaction_on() -> MaintenanceUpdate {
    MaintenanceUpdate {
        compaction: Some(CompactionUpdate {
            state: Some(MaintenanceState::Enabled),
            ..CompactionUpdate::default()
        }),
        ..MaintenanceUpdate::default()
    }
}

/// Updates every table of the catalog with `client`'s sweep at `share`; the tables updated,
/// each asserted to be reported once and to have succeeded.
async fn sweep_all(client: &Client, share: RateShare) -> HashSet<String> {
    let swept = catalog(client)
        .sweep()
        .rate_share(share)
        .update_maintenance(compaction_on())
        .expect("a valid update");
    let items = tokio::time::timeout(HUNG, swept.collect::<Vec<_>>())
        .await
        .expect("the sweep ends");
    let mut done = HashSet::new();
    for item in items {
        match item {
            Swept::Table {
                table,
                outcome: Ok(_),
            } => assert!(done.insert(format!("{}.{}", table.namespace(), table.name()))),
            Swept::Listed { .. } => {}
            other => panic!("{other:?}"),
        }
    }
    done
}

/// How many update requests each table got, answered 200.
fn updates_per_table(emulator: &Emulator) -> Vec<usize> {
    let mut per_table = std::collections::HashMap::<String, usize>::new();
    for request in emulator.requests() {
        if request.operation == Some(Operation::UpdateTableMaintenanceConfig)
            && request.status == Some(200)
        {
            *per_table.entry(request.path.clone()).or_default() += 1;
        }
    }
    per_table.into_values().collect()
}

/// Spends `emulator`'s quota and one more request with raw calls, so that Cloudflare's block
/// is on; returns when it is.
async fn block(emulator: &Emulator, quota: u32) {
    let http = plain_http();
    let url = format!(
        "{}/accounts/{ACCOUNT_ID}/basin-catalog/{BUCKET}",
        emulator.base_url()
    );
    for _ in 0..=quota {
        http.get(&url)
            .bearer_auth(API_TOKEN)
            .send()
            .await
            .expect("answered");
    }
    assert_eq!(emulator.throttled(), 1, "blocked");
}

#[tokio::test]
async fn a_sweep_alone_on_its_token_finishes_every_table_once_without_a_429() {
    const TABLES: usize = 60;
    let limit = RateLimit::new(20, Duration::from_secs(1)).expect("a valid limit");
    let emulator = seeded(Emulator::builder().rate_limit(limit), TABLES).await;
    let client = client_at(emulator.base_url());
    catalog(&client).enable().await.expect("enabled");

    let started = Instant::now();
    let done = sweep_all(&client, cloudflare_r2_catalog::config::DEFAULT_RATE_SHARE).await;

    assert_eq!(done.len(), TABLES);
    assert_eq!(updates_per_table(&emulator), vec![1; TABLES]);
    assert_eq!(emulator.throttled(), 0);
    assert_eq!(client.rate_limit().throttled, 0);
    // At most 20 a second: the 64 requests (the enable, three listings, 60 updates) cannot
    // have gone out in under three windows.
    assert!(
        started.elapsed() > Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let status = client.rate_limit();
    assert_eq!(status.quota, Some(20));
    assert_eq!(status.window, Some(Duration::from_secs(1)));
}

#[tokio::test]
async fn a_sweep_beside_a_client_using_a_fifth_of_the_quota_leaves_both_without_a_429() {
    const TABLES: usize = 250;
    // 50 requests a second; the other client sends 10 a second, a fifth of them.
    let limit = RateLimit::new(100, Duration::from_secs(2)).expect("a valid limit");
    let emulator = seeded(Emulator::builder().rate_limit(limit), TABLES).await;
    let sweeper = client_at(emulator.base_url());
    catalog(&sweeper).enable().await.expect("enabled");
    let other = client_at(emulator.base_url());
    let sweeping = Arc::new(AtomicBool::new(true));
    let reader = {
        let (other, sweeping) = (other.clone(), Arc::clone(&sweeping));
        tokio::spawn(async move {
            let mut reads = 0;
            // A steady user: a tick missed while it waited is not made up in a burst.
            let mut ticks = tokio::time::interval(Duration::from_millis(100));
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            while sweeping.load(Ordering::Relaxed) {
                ticks.tick().await;
                catalog(&other)
                    .get()
                    .await
                    .expect("the other client is never refused");
                reads += 1;
            }
            reads
        })
    };

    let done = sweep_all(&sweeper, cloudflare_r2_catalog::config::DEFAULT_RATE_SHARE).await;
    sweeping.store(false, Ordering::Relaxed);
    let reads = reader.await.expect("the reader ends");

    assert_eq!(done.len(), TABLES);
    assert_eq!(updates_per_table(&emulator), vec![1; TABLES]);
    assert!(reads > 20, "the other client kept reading: {reads}");
    assert_eq!(emulator.throttled(), 0);
    assert_eq!(sweeper.rate_limit().throttled, 0);
    assert_eq!(other.rate_limit().throttled, 0);
}

#[tokio::test]
async fn a_sweep_that_starts_while_blocked_learns_it_from_one_429_waits_and_finishes() {
    const TABLES: usize = 10;
    let limit = RateLimit::new(5, Duration::from_secs(1))
        .and_then(|limit| limit.with_block(Duration::from_secs(2)))
        .expect("a valid limit");
    let emulator = seeded(Emulator::builder().rate_limit(limit), TABLES).await;
    // Enabled by a client of its own, then the window left to pass.
    catalog(&client_at(emulator.base_url()))
        .enable()
        .await
        .expect("enabled");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    block(&emulator, 5).await;

    let client = client_at(emulator.base_url());
    let started = Instant::now();
    let done = sweep_all(&client, RateShare::percent(100).expect("valid")).await;

    assert_eq!(done.len(), TABLES);
    assert_eq!(updates_per_table(&emulator), vec![1; TABLES]);
    // The sweep's first call, sent alone, met the block; the others waited with it.
    assert_eq!(client.rate_limit().throttled, 1);
    assert_eq!(emulator.throttled(), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_call_into_a_long_block_fails_at_once_saying_until_when_and_holds_the_client() {
    let limit = RateLimit::new(3, Duration::from_secs(1))
        .and_then(|limit| limit.with_block(Duration::from_secs(300)))
        .expect("a valid limit");
    let emulator = seeded(Emulator::builder().rate_limit(limit), 0).await;
    block(&emulator, 3).await;
    let client = client_at(emulator.base_url());

    let started = Instant::now();
    let error = catalog(&client).get().await.expect_err("blocked");
    let failed_at = SystemTime::now();

    assert!(started.elapsed() < Duration::from_secs(5), "failed at once");
    let Error::RateLimited(limited) = &error else {
        panic!("{error:?}");
    };
    assert!(limited.is_block());
    // Retry-After rounds up what is left of the block: a second may have passed.
    assert!(
        (Duration::from_secs(298)..=Duration::from_secs(300)).contains(&limited.wait()),
        "{limited:?}"
    );
    let until = limited.until().duration_since(failed_at).expect("ahead");
    assert!(until.abs_diff(limited.wait()) < Duration::from_secs(2));
    assert_eq!(error.codes(), [971]);
    assert!(error.to_string().starts_with(&format!(
        "Cloudflare blocks this token's API calls for {} s, until ",
        limited.wait().as_secs()
    )));
    // The next call is not sent: the client holds.
    let before = emulator.requests().len();
    let held = catalog(&client).get().await.expect_err("held");
    assert!(matches!(&held, Error::RateLimited(held) if held.answer().is_none()));
    assert_eq!(emulator.requests().len(), before);
    assert_eq!(client.rate_limit().throttled, 1);
}

#[tokio::test]
async fn a_rate_limited_queue_is_held_and_sent_again_past_the_sweeps_budget_but_not_a_daily_limit()
{
    const TABLES: usize = 6;
    let emulator = seeded(Emulator::builder().no_rate_limit(), TABLES).await;
    let client = client_at(emulator.base_url());
    catalog(&client).enable().await.expect("enabled");
    emulator.inject(
        Fault::rate_limited(Duration::from_millis(200))
            .times(4)
            .only(Operation::QueueTableMaintenance),
    );
    emulator.inject(
        Fault::daily_limit_reached()
            .times(1)
            .only(Operation::QueueTableMaintenance),
    );

    let swept = catalog(&client)
        .sweep()
        .retry_budget(0)
        .queue_maintenance(MaintenanceKind::Compaction)
        .expect("a known kind");
    let started = Instant::now();
    let items = tokio::time::timeout(HUNG, swept.collect::<Vec<_>>())
        .await
        .expect("the sweep ends");

    // Each 429 held the sweep's calls for its Retry-After (200 ms, rounded up to a second).
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    let outcomes: Vec<_> = items
        .into_iter()
        .filter_map(|item| match item {
            Swept::Table { outcome, .. } => Some(outcome),
            _ => None,
        })
        .collect();
    assert_eq!(outcomes.len(), TABLES);
    let refused: Vec<_> = outcomes
        .iter()
        .filter_map(|outcome| outcome.as_ref().err())
        .collect();
    assert_eq!(
        refused.len(),
        1,
        "only the daily limit is an outcome: {refused:?}"
    );
    assert!(refused[0].is_daily_limit_reached());
    let queues: Vec<_> = emulator
        .requests()
        .into_iter()
        .filter(|request| request.operation == Some(Operation::QueueTableMaintenance))
        .map(|request| request.status)
        .collect();
    // Each 429 was sent again, the 42901 was not: six tables, four waits, one refusal.
    assert_eq!(queues.len(), TABLES + 4, "{queues:?}");
    assert_eq!(
        queues.iter().filter(|status| **status == Some(429)).count(),
        5,
        "{queues:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_429_holds_every_waiting_call_before_any_of_them_is_sent() {
    // The first call, sent alone, is told to wait two seconds (no Ratelimit headers, as an
    // injected fault or a proxy would answer); every other call waited for its answer.
    let server = RawServer::start(|connection| match connection {
        0 => Reply::json(
            "429 Too Many Requests",
            &[("retry-after", "2")],
            &failure(971, "Please wait"),
        ),
        _ => Reply::json("200 OK", &[], &success(serde_json::json!(null))),
    });
    let client = client_at(&server.url);
    let started = Instant::now();

    let calls: Vec<_> = (0..8)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                store(&client).await.expect("stored after the wait");
                started.elapsed()
            })
        })
        .collect();
    let mut took = Vec::new();
    for call in calls {
        took.push(call.await.expect("the call ends"));
    }

    assert!(
        took.iter().all(|took| *took >= Duration::from_millis(1900)),
        "no call went during the hold: {took:?}"
    );
    assert_eq!(
        server.requests().len(),
        9,
        "the 429, its retry and seven others"
    );
    assert_eq!(client.rate_limit().throttled, 1);
}

#[tokio::test]
async fn a_call_waits_for_the_call_sent_alone_at_most_a_second() {
    // The first call, sent alone, is answered after five seconds: another call does not wait
    // for it that long.
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(httpmock::Method::GET)
                .path(catalog_path(&format!("/{BUCKET}")));
            then.status(200)
                .delay(Duration::from_secs(5))
                .json_body(success(serde_json::json!({"id": "x", "name": "x", "bucket": BUCKET, "status": "active"})));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(httpmock::Method::POST).path(CREDENTIAL_PATH);
            then.status(200).json_body(success(serde_json::json!(null)));
        })
        .await;
    let client = client_at(&server.base_url());
    let slow = tokio::spawn({
        let client = client.clone();
        async move { catalog(&client).get().await.map(drop) }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;

    let started = Instant::now();
    store(&client).await.expect("stored");

    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(!slow.is_finished(), "the first call is still out");
    slow.abort();
}

#[tokio::test]
async fn only_a_429_holds_the_client_and_a_daily_limit_is_never_a_block() {
    let server = MockServer::start_async().await;
    let path = catalog_path(&format!(
        "/{BUCKET}/namespaces/bronze/tables/events/maintenance-configs/compaction/queue"
    ));
    // The day's queue limit, with a long Retry-After: a refusal of this call alone.
    let daily = server
        .mock_async(|when, then| {
            when.method(httpmock::Method::POST).path(path.as_str());
            then.status(429)
                .header("retry-after", "40000")
                .json_body(failure(
                    42901,
                    "The daily accepted-request limit has been reached",
                ));
        })
        .await;
    // A success that carries a Retry-After: nothing to wait for.
    let stored = server
        .mock_async(|when, then| {
            when.method(httpmock::Method::POST).path(CREDENTIAL_PATH);
            then.status(200)
                .header("retry-after", "3600")
                .json_body(success(serde_json::json!(null)));
        })
        .await;
    let client = client_at(&server.base_url());

    let refused = queue_compaction(&client, &cloudflare_r2_catalog::RequestId::random())
        .await
        .expect_err("the day's limit");
    store(&client).await.expect("a success is a success");
    store(&client).await.expect("and holds nothing");

    assert!(
        refused.is_daily_limit_reached() && !refused.is_retryable(),
        "{refused:?}"
    );
    assert!(!matches!(refused, Error::RateLimited(_)), "{refused:?}");
    daily.assert_calls_async(1).await;
    stored.assert_calls_async(2).await;
    assert_eq!(client.rate_limit().held_until, None);
}

#[tokio::test]
async fn a_503_with_a_long_retry_after_is_that_calls_wait_not_a_block() {
    let server = MockServer::start_async().await;
    let sleeps = RecordedSleeps::default();
    let (failing, succeeding) = {
        let failing = server
            .mock_async(|when, then| {
                when.method(httpmock::Method::POST).path(CREDENTIAL_PATH);
                then.status(503)
                    .header("retry-after", "3600")
                    .json_body(failure(10000, "unavailable"));
            })
            .await;
        failing.up_to_n_times_async(1).await;
        let succeeding = server
            .mock_async(|when, then| {
                when.method(httpmock::Method::POST).path(CREDENTIAL_PATH);
                then.status(200).json_body(success(serde_json::json!(null)));
            })
            .await;
        (failing, succeeding)
    };
    let client = builder(&server, &sleeps).build().expect("a client");

    store(&client).await.expect("retried after its own wait");

    // Cut to the retry policy's 60 s, and waited by this call alone.
    assert_eq!(sleeps.waits(), [Duration::from_secs(60)]);
    assert_eq!(client.rate_limit().held_until, None);
    failing.assert_calls_async(1).await;
    succeeding.assert_calls_async(1).await;
}
