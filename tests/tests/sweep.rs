//! Sweeps (`CatalogHandle::sweep`): one table operation over every table of a catalog, or of a
//! namespace and those under it. Pinned here, by the emulator's request log rather than by
//! messages:
//!
//! - every listed table is acted on exactly once and reported exactly once, nested namespaces
//!   included, `within` reaching a namespace's descendants and nothing else, all over one
//!   HTTP/2 connection;
//! - the pace: a `Retry-After` told to one call holds every call of the sweep (the recorded
//!   waits), and the retry budget bounds the retries of all calls together, exactly; once it is
//!   spent, a table's 429 is its reported outcome; the handle a sweep reports retries afterwards
//!   as the client's own do, whatever the sweep spent;
//! - resuming: `stop_when` ends a sweep with every started table reported, and `skip` with the
//!   tables reported done makes a second run act on exactly the others; after a dropped
//!   stream, the resumed run still reaches every table not reported done;
//! - listings: a failed one is one `Swept::Unlisted` naming its namespace, the rest is still
//!   swept; a namespace listed outside the namespace asked about is reported, never followed;
//!   a table or namespace a listing repeats is still acted on once;
//! - what is refused before anything is sent, and queueing's fresh request id per table;
//! - on a dry-run client, the listings alone are sent and each table's request is planned.

mod common;

use std::collections::{HashMap, HashSet};
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cloudflare_r2_catalog::{
    Client, Error, ListOptions, MaintenanceKind,
    config::RetryConfig,
    error::StatusCode,
    handles::TableHandle,
    input::{Namespace, TableName},
    models::{CompactionUpdate, MaintenanceState, MaintenanceUpdate, SnapshotExpirationUpdate},
    sweep::Swept,
};
use cloudflare_r2_catalog_emulator::{
    Emulator, EmulatorBuilder, Fault, Operation, RecordedRequest,
};
use common::{
    BUCKET, RecordedSleeps, catalog, catalog_path, client, client_of, serve_pages, store, success,
};
use futures_util::future::{AbortHandle, Abortable};
use futures_util::{FutureExt, Stream, StreamExt};
use httpmock::Method::GET;
use httpmock::MockServer;
use percent_encoding::percent_decode_str;
use serde_json::{Value, json};

/// A table, as the sweep names it and `Sweep::skip` takes it.
type Key = (Namespace, TableName);

/// How long any sweep here may take before the test calls it hung.
const HUNG: Duration = Duration::from_secs(30);

/// The server's `Retry-After` in the rate-limit tests.
const RETRY_AFTER: Duration = Duration::from_secs(2);

fn namespace(text: &str) -> Namespace {
    text.parse().expect("a valid namespace")
}

fn key(table: &TableHandle) -> Key {
    (table.namespace().clone(), table.name().clone())
}

fn tables(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).expect("not zero")
}

/// An emulator built from `emulator` with [`BUCKET`] holding `tables_per_namespace` tables
/// (`t0`, `t1` …) in each of `namespaces` (dotted, parents listed before their children), its
/// catalog enabled with snapshot expiration on (which a table's needs, 40013 otherwise); a
/// client on it with recorded retry waits; and every table seeded.
async fn seeded(
    emulator: EmulatorBuilder,
    namespaces: &[&str],
    tables_per_namespace: usize,
) -> (Emulator, Client, RecordedSleeps, HashSet<Key>) {
    let emulator = emulator.bucket(BUCKET).start().await.expect("starts");
    let mut all = HashSet::new();
    for dotted in namespaces {
        for index in 0..tables_per_namespace {
            let name = format!("t{index}");
            emulator
                .add_table(BUCKET, *dotted, name.as_str())
                .expect("a valid table");
            all.insert((
                namespace(dotted),
                TableName::new(name).expect("a valid name"),
            ));
        }
    }
    let sleeps = RecordedSleeps::default();
    let client = client_of(&emulator, &sleeps);
    catalog(&client).enable().await.expect("enabled");
    store(&client).await.expect("stored");
    catalog(&client)
        .maintenance()
        .update(&expiration_on())
        .await
        .expect("the catalog's snapshot expiration on");
    (emulator, client, sleeps, all)
}

/// A valid update: snapshot expiration on.
fn expiration_on() -> MaintenanceUpdate {
    MaintenanceUpdate {
        snapshot_expiration: Some(SnapshotExpirationUpdate {
            state: Some(MaintenanceState::Enabled),
            ..SnapshotExpirationUpdate::default()
        }),
        ..MaintenanceUpdate::default()
    }
}

/// What a sweep reported, in order: each table's outcome, and each listing that failed.
struct Report<T> {
    tables: Vec<(Key, Result<T, Error>)>,
    unlisted: Vec<(Option<Namespace>, Error)>,
}

impl<T> Report<T> {
    fn from_items(items: Vec<Swept<T>>) -> Self {
        let mut report = Self {
            tables: Vec::new(),
            unlisted: Vec::new(),
        };
        for item in items {
            match item {
                Swept::Table { table, outcome } => report.tables.push((key(&table), outcome)),
                Swept::Unlisted { namespace, error } => report.unlisted.push((namespace, error)),
                Swept::Listed { .. } => {}
                _ => panic!("an item this suite does not know"),
            }
        }
        report
    }

    /// Every table reported, each asserted to be reported only once.
    fn reported(&self) -> HashSet<Key> {
        let mut seen = HashSet::new();
        for (table, _) in &self.tables {
            assert!(seen.insert(table.clone()), "{table:?} reported twice");
        }
        seen
    }

    /// The tables whose outcome was a success.
    fn succeeded(&self) -> HashSet<Key> {
        self.tables
            .iter()
            .filter(|(_, outcome)| outcome.is_ok())
            .map(|(table, _)| table.clone())
            .collect()
    }

    /// The tables whose outcome was a failure, with it.
    fn failed(&self) -> Vec<(&Key, &Error)> {
        self.tables
            .iter()
            .filter_map(|(table, outcome)| outcome.as_ref().err().map(|error| (table, error)))
            .collect()
    }
}

/// Runs `swept` to its end (failing the test if it hangs) and sorts what it reported.
async fn sweep_to_end<T>(swept: impl Stream<Item = Swept<T>>) -> Report<T> {
    Report::from_items(sweep_to_end_items(swept).await)
}

/// What `swept` reported, in order, once it ended (failing the test if it hangs), but its
/// counts of tables listed, which are checked here: they never fall, and the last, the only
/// complete one, counts every table reported.
async fn sweep_to_end_items<T>(swept: impl Stream<Item = Swept<T>>) -> Vec<Swept<T>> {
    let items = tokio::time::timeout(HUNG, swept.collect::<Vec<_>>())
        .await
        .expect("the sweep ends");
    let counts: Vec<(u64, bool)> = items
        .iter()
        .filter_map(|item| match item {
            Swept::Listed { tables, complete } => Some((*tables, *complete)),
            _ => None,
        })
        .collect();
    let reported = items
        .iter()
        .filter(|item| matches!(item, Swept::Table { .. }))
        .count() as u64;
    assert!(
        counts.windows(2).all(|pair| pair[0].0 <= pair[1].0),
        "{counts:?}"
    );
    let complete = counts.iter().filter(|(_, complete)| *complete).count();
    assert!(complete <= 1, "{counts:?}");
    // A sweep cut short (`take`, a stop) has no complete count.
    if complete == 1 {
        assert_eq!(counts.last(), Some(&(reported, true)), "{counts:?}");
    }
    items
        .into_iter()
        .filter(|item| !matches!(item, Swept::Listed { .. }))
        .collect()
}

/// The namespace and table a request's path names (`…/namespaces/{ns}/tables/{table}/…`), if
/// it names a table.
fn table_of(request: &RecordedRequest) -> Option<Key> {
    let segments: Vec<&str> = request.path.split('/').collect();
    let at = segments
        .iter()
        .position(|segment| *segment == "namespaces")?;
    if segments.get(at + 2) != Some(&"tables") {
        return None;
    }
    let table = segments.get(at + 3)?;
    Some((
        namespace_in(segments[at + 1]),
        TableName::new(decoded(table)).expect("a valid name"),
    ))
}

/// The namespace of a path segment as sent: percent-encoded levels joined by U+001F.
fn namespace_in(segment: &str) -> Namespace {
    Namespace::new(decoded(segment).split('\u{1f}')).expect("a valid namespace")
}

fn decoded(segment: &str) -> String {
    percent_decode_str(segment)
        .decode_utf8()
        .expect("UTF-8")
        .into_owned()
}

/// How many requests of `operation` each table got, counting only those answered `status`
/// when it is given.
fn per_table(
    requests: &[RecordedRequest],
    operation: Operation,
    status: Option<u16>,
) -> HashMap<Key, usize> {
    let mut counts = HashMap::new();
    for request in requests {
        if request.operation == Some(operation) && status.is_none_or(|s| request.status == Some(s))
        {
            let table = table_of(request).expect("a table's request");
            *counts.entry(table).or_insert(0) += 1;
        }
    }
    counts
}

/// How many of `requests` were of `operation`.
fn count(requests: &[RecordedRequest], operation: Operation) -> usize {
    requests
        .iter()
        .filter(|request| request.operation == Some(operation))
        .count()
}

/// How many of `requests` were listings, of namespaces or of tables.
fn listings(requests: &[RecordedRequest]) -> usize {
    count(requests, Operation::ListNamespaces) + count(requests, Operation::ListTables)
}

/// The requests the emulator received after the first `since`.
fn requests_since(emulator: &Emulator, since: usize) -> Vec<RecordedRequest> {
    emulator.requests().split_off(since)
}

#[tokio::test]
async fn a_sweep_over_http2_updates_every_table_once_on_one_connection() {
    let (emulator, client, _, all) = seeded(Emulator::builder().tls(), &["a", "a.x", "b"], 5).await;
    let before = emulator.requests().len();

    let swept = catalog(&client)
        .sweep()
        .update_maintenance(expiration_on())
        .expect("a valid update");
    let report = sweep_to_end(swept).await;

    assert!(report.unlisted.is_empty(), "{:?}", report.unlisted);
    assert_eq!(report.reported(), all);
    assert_eq!(report.succeeded(), all);
    let requests = requests_since(&emulator, before);
    let updates = per_table(&requests, Operation::UpdateTableMaintenanceConfig, None);
    assert_eq!(updates.len(), all.len(), "{updates:?}");
    assert!(updates.values().all(|n| *n == 1), "{updates:?}");
    assert!(
        requests.iter().all(|request| request.status == Some(200)),
        "{requests:?}"
    );
    // The top level, then each namespace's tables and the namespaces under it.
    assert_eq!(listings(&requests), 1 + 2 * 3);
    assert_eq!(requests.len(), listings(&requests) + all.len());
    assert_eq!(emulator.connections(), 1);

    let before = emulator.requests().len();
    let within = sweep_to_end(
        catalog(&client)
            .sweep()
            .within(namespace("a"))
            .get_maintenance(),
    )
    .await;
    let under_a: HashSet<Key> = all
        .iter()
        .filter(|(namespace, _)| namespace.levels()[0] == "a")
        .cloned()
        .collect();
    assert_eq!(under_a.len(), 10);
    assert!(within.unlisted.is_empty(), "{:?}", within.unlisted);
    assert_eq!(within.reported(), under_a);
    assert_eq!(within.succeeded(), under_a);
    let requests = requests_since(&emulator, before);
    let reads = per_table(&requests, Operation::GetTableMaintenanceConfig, Some(200));
    assert_eq!(reads.keys().cloned().collect::<HashSet<_>>(), under_a);
    assert!(reads.values().all(|n| *n == 1), "{reads:?}");
    // `a`'s tables and namespaces, then `a.x`'s: nothing of `b`, nor of the top level.
    assert_eq!(listings(&requests), 4);
    assert_eq!(requests.len(), 4 + under_a.len());
    for request in &requests {
        assert!(!request.path.contains("/namespaces/b/"), "{request:?}");
        if request.operation == Some(Operation::ListNamespaces) {
            let query = request.query.as_deref().unwrap_or_default();
            assert!(query.contains("parent="), "{request:?}");
        }
    }
    assert_eq!(emulator.connections(), 1);
}

#[tokio::test]
async fn a_rate_limit_holds_the_whole_sweep_and_retries_stay_within_the_budget() {
    const BUDGET: u32 = 10;
    const LIMITED: usize = 4;
    let (emulator, client, sleeps, all) = seeded(Emulator::builder(), &["a", "b"], 6).await;
    emulator.inject(
        Fault::rate_limited(RETRY_AFTER)
            .times(LIMITED)
            .only(Operation::UpdateTableMaintenanceConfig),
    );
    let before = emulator.requests().len();

    let swept = catalog(&client)
        .sweep()
        .concurrency(tables(2))
        .retry_budget(BUDGET)
        .update_maintenance(expiration_on())
        .expect("a valid update");
    let report = sweep_to_end(swept).await;

    assert!(report.unlisted.is_empty(), "{:?}", report.unlisted);
    assert_eq!(report.reported(), all);
    let requests = requests_since(&emulator, before);
    let done = per_table(
        &requests,
        Operation::UpdateTableMaintenanceConfig,
        Some(200),
    );
    let limited = per_table(
        &requests,
        Operation::UpdateTableMaintenanceConfig,
        Some(429),
    );
    assert_eq!(limited.values().sum::<usize>(), LIMITED, "{limited:?}");
    for (table, outcome) in &report.tables {
        match outcome {
            Ok(_) => assert_eq!(done.get(table), Some(&1), "{table:?}"),
            Err(error) => {
                assert_eq!(done.get(table), None, "{table:?}");
                assert_eq!(error.status(), Some(StatusCode::TOO_MANY_REQUESTS));
            }
        }
    }
    // Each 429 was retried, or was the outcome of a table that spent its own retries.
    let retries = LIMITED - report.failed().len();
    let updates = count(&requests, Operation::UpdateTableMaintenanceConfig);
    assert_eq!(updates, all.len() + retries);
    assert!(requests.len() <= listings(&requests) + all.len() + BUDGET as usize);
    assert_eq!(requests.len(), listings(&requests) + updates);

    // The server's wait, held for every call: each attempt that started within it (the
    // retries, and the first attempts of the tables after the first two) waited the rest of
    // it, and no wait was longer.
    let waits = sleeps.waits();
    assert!(waits.iter().all(|wait| *wait <= RETRY_AFTER), "{waits:?}");
    assert!(
        waits.iter().any(|wait| *wait > RETRY_AFTER / 2),
        "{waits:?}"
    );
    assert!(waits.len() > retries, "{retries} retries, waits {waits:?}");
}

#[tokio::test]
async fn a_sweep_waits_out_429s_without_spending_its_retry_budget() {
    const LIMITED: usize = 10;
    let (emulator, client, _, all) = seeded(Emulator::builder(), &["a", "b", "c"], 4).await;
    emulator.inject(
        Fault::rate_limited(RETRY_AFTER)
            .times(LIMITED)
            .only(Operation::UpdateTableMaintenanceConfig),
    );
    let before = emulator.requests().len();

    let swept = catalog(&client)
        .sweep()
        .concurrency(tables(4))
        .retry_budget(0)
        .update_maintenance(expiration_on())
        .expect("a valid update");
    let report = sweep_to_end(swept).await;

    assert!(report.unlisted.is_empty(), "{:?}", report.unlisted);
    assert_eq!(report.succeeded(), all);
    let requests = requests_since(&emulator, before);
    let limited = per_table(
        &requests,
        Operation::UpdateTableMaintenanceConfig,
        Some(429),
    );
    assert_eq!(limited.values().sum::<usize>(), LIMITED);
    let done = per_table(
        &requests,
        Operation::UpdateTableMaintenanceConfig,
        Some(200),
    );
    assert_eq!(done.keys().cloned().collect::<HashSet<_>>(), all);
    assert!(done.values().all(|n| *n == 1), "{done:?}");
    assert_eq!(requests.len(), listings(&requests) + all.len() + LIMITED);
}

#[tokio::test]
async fn once_the_budget_is_spent_a_failing_table_is_reported_with_its_503() {
    const BUDGET: u32 = 2;
    const LIMITED: usize = 10;
    let (emulator, client, _, all) = seeded(Emulator::builder(), &["a", "b", "c"], 4).await;
    emulator.inject(
        Fault::server_error(503)
            .expect("a 5xx")
            .times(LIMITED)
            .only(Operation::UpdateTableMaintenanceConfig),
    );
    let before = emulator.requests().len();

    let swept = catalog(&client)
        .sweep()
        .concurrency(tables(4))
        .retry_budget(BUDGET)
        .update_maintenance(expiration_on())
        .expect("a valid update");
    let report = sweep_to_end(swept).await;

    assert!(report.unlisted.is_empty(), "{:?}", report.unlisted);
    assert_eq!(report.reported(), all);
    let requests = requests_since(&emulator, before);
    let updates = count(&requests, Operation::UpdateTableMaintenanceConfig);
    assert_eq!(
        updates,
        all.len() + BUDGET as usize,
        "exactly the budget retried"
    );
    assert_eq!(
        requests.len(),
        listings(&requests) + all.len() + BUDGET as usize
    );
    let limited = per_table(
        &requests,
        Operation::UpdateTableMaintenanceConfig,
        Some(503),
    );
    assert_eq!(limited.values().sum::<usize>(), LIMITED);
    // Of the 10 503s, two were retried: the other eight are tables' outcomes.
    let failed = report.failed();
    assert_eq!(failed.len(), LIMITED - BUDGET as usize, "{failed:?}");
    for (table, error) in &failed {
        assert_eq!(
            error.status(),
            Some(StatusCode::SERVICE_UNAVAILABLE),
            "{table:?}: {error:?}"
        );
        assert!(limited.contains_key(*table), "{table:?}");
    }
    let done = per_table(
        &requests,
        Operation::UpdateTableMaintenanceConfig,
        Some(200),
    );
    let succeeded = report.succeeded();
    assert_eq!(succeeded.len(), all.len() - failed.len());
    assert_eq!(done.keys().cloned().collect::<HashSet<_>>(), succeeded);
    assert!(done.values().all(|n| *n == 1), "{done:?}");
}

/// A signal for `Sweep::stop_when`, and what fires it.
fn stop_signal() -> (AbortHandle, impl Future<Output = ()> + Send + 'static) {
    let (fire, registration) = AbortHandle::new_pair();
    let signal = Abortable::new(std::future::pending::<()>(), registration).map(drop);
    (fire, signal)
}

#[tokio::test]
async fn a_stopped_sweep_resumed_with_its_done_tables_skipped_updates_each_table_once() {
    const STOP_AFTER: usize = 3;
    const CONCURRENCY: usize = 2;
    let (emulator, client, _, all) = seeded(Emulator::builder(), &["a", "a.x", "b"], 4).await;
    let start = emulator.requests().len();

    let (fire, signal) = stop_signal();
    let swept = catalog(&client)
        .sweep()
        .concurrency(tables(CONCURRENCY))
        .stop_when(signal)
        .update_maintenance(expiration_on())
        .expect("a valid update");
    let mut swept = std::pin::pin!(swept);
    let mut items = Vec::new();
    while let Some(item) = tokio::time::timeout(HUNG, swept.next())
        .await
        .expect("the sweep goes on")
    {
        items.push(item);
        if items.len() == STOP_AFTER {
            fire.abort();
        }
    }
    let first = Report::from_items(items);

    assert!(first.unlisted.is_empty(), "{:?}", first.unlisted);
    let done = first.succeeded();
    assert_eq!(
        first.reported(),
        done,
        "every table started is reported, done"
    );
    // The tables in flight when the signal came finish; none starts after it.
    assert!(
        (STOP_AFTER..=STOP_AFTER + CONCURRENCY).contains(&done.len()),
        "{} done",
        done.len()
    );
    assert!(done.len() < all.len());
    let first_requests = requests_since(&emulator, start);
    let first_updates = per_table(
        &first_requests,
        Operation::UpdateTableMaintenanceConfig,
        None,
    );
    assert_eq!(first_updates.keys().cloned().collect::<HashSet<_>>(), done);

    let second = sweep_to_end(
        catalog(&client)
            .sweep()
            .concurrency(tables(CONCURRENCY))
            .skip(done.clone())
            .update_maintenance(expiration_on())
            .expect("a valid update"),
    )
    .await;

    let rest: HashSet<Key> = all.difference(&done).cloned().collect();
    assert!(second.unlisted.is_empty(), "{:?}", second.unlisted);
    assert_eq!(second.reported(), rest);
    assert_eq!(second.succeeded(), rest);
    let all_requests = requests_since(&emulator, start);
    let updates = per_table(
        &all_requests,
        Operation::UpdateTableMaintenanceConfig,
        Some(200),
    );
    assert_eq!(updates.keys().cloned().collect::<HashSet<_>>(), all);
    assert!(updates.values().all(|n| *n == 1), "{updates:?}");
    assert_eq!(
        count(&all_requests, Operation::UpdateTableMaintenanceConfig),
        all.len()
    );
}

#[tokio::test]
async fn a_dropped_sweep_resumed_with_its_done_tables_skipped_reaches_every_other_table() {
    const REPORTED: usize = 3;
    let (emulator, client, _, all) = seeded(Emulator::builder(), &["a", "a.x", "b"], 4).await;
    let before = emulator.requests().len();

    let swept = catalog(&client)
        .sweep()
        .concurrency(tables(2))
        .update_maintenance(expiration_on())
        .expect("a valid update");
    let tables_only = swept.filter(|item| std::future::ready(matches!(item, Swept::Table { .. })));
    let first = sweep_to_end(tables_only.take(REPORTED)).await;
    assert!(first.unlisted.is_empty(), "{:?}", first.unlisted);
    assert_eq!(first.reported().len(), REPORTED);
    let done = first.succeeded();
    assert_eq!(done.len(), REPORTED);

    let between = emulator.requests().len();
    let second = sweep_to_end(
        catalog(&client)
            .sweep()
            .concurrency(tables(2))
            .skip(done.clone())
            .update_maintenance(expiration_on())
            .expect("a valid update"),
    )
    .await;

    let rest: HashSet<Key> = all.difference(&done).cloned().collect();
    assert!(second.unlisted.is_empty(), "{:?}", second.unlisted);
    assert_eq!(second.reported(), rest);
    assert_eq!(second.succeeded(), rest);
    // A call in flight when the stream was dropped may have been carried out too, so a table
    // not reported done may be updated twice; none reported done is touched again.
    let second_requests = requests_since(&emulator, between);
    let second_updates = per_table(
        &second_requests,
        Operation::UpdateTableMaintenanceConfig,
        None,
    );
    assert!(
        second_updates.keys().all(|table| !done.contains(table)),
        "{second_updates:?}"
    );
    let updated = per_table(
        &requests_since(&emulator, before),
        Operation::UpdateTableMaintenanceConfig,
        Some(200),
    );
    assert_eq!(updated.keys().cloned().collect::<HashSet<_>>(), all);
}

#[tokio::test]
async fn a_failed_table_listing_is_reported_once_and_the_rest_is_still_swept() {
    let (emulator, client, _, all) = seeded(Emulator::builder(), &["a", "a.x", "b"], 3).await;
    emulator.inject(
        Fault::server_error(500)
            .expect("a 5xx")
            .only(Operation::ListTables),
    );
    let before = emulator.requests().len();

    let report = sweep_to_end(
        catalog(&client)
            .sweep()
            .retry_budget(0)
            .update_maintenance(expiration_on())
            .expect("a valid update"),
    )
    .await;

    // Breadth first, `a`'s tables are the first listed: that listing failed, and its
    // namespaces were still listed, `a.x` with them.
    let a = namespace("a");
    assert_eq!(report.unlisted.len(), 1, "{:?}", report.unlisted);
    let (unlisted, error) = &report.unlisted[0];
    assert_eq!(unlisted.as_ref(), Some(&a));
    assert_eq!(error.status(), Some(StatusCode::INTERNAL_SERVER_ERROR));
    let rest: HashSet<Key> = all.iter().filter(|(n, _)| *n != a).cloned().collect();
    assert_eq!(report.reported(), rest);
    assert_eq!(report.succeeded(), rest);
    let requests = requests_since(&emulator, before);
    let failed_listings: Vec<&RecordedRequest> = requests
        .iter()
        .filter(|request| request.status == Some(500))
        .collect();
    assert_eq!(failed_listings.len(), 1, "{requests:?}");
    assert_eq!(failed_listings[0].operation, Some(Operation::ListTables));
    assert!(
        failed_listings[0].path.ends_with("/namespaces/a/tables"),
        "{:?}",
        failed_listings[0]
    );
    let updates = per_table(&requests, Operation::UpdateTableMaintenanceConfig, None);
    assert_eq!(updates.keys().cloned().collect::<HashSet<_>>(), rest);
    assert!(updates.values().all(|n| *n == 1), "{updates:?}");
}

#[tokio::test]
async fn a_failed_top_level_listing_is_the_sweeps_only_item() {
    let (emulator, client, _, _) = seeded(Emulator::builder(), &["a", "b"], 2).await;
    emulator.inject(
        Fault::server_error(503)
            .expect("a 5xx")
            .only(Operation::ListNamespaces),
    );
    let before = emulator.requests().len();

    let once = client.with_retry(RetryConfig::disabled());
    let report = sweep_to_end(catalog(&once).sweep().get_maintenance()).await;

    assert!(report.tables.is_empty());
    assert_eq!(report.unlisted.len(), 1, "{:?}", report.unlisted);
    let (unlisted, error) = &report.unlisted[0];
    assert_eq!(unlisted, &None);
    assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(requests_since(&emulator, before).len(), 1);
}

#[tokio::test]
async fn a_handle_a_sweep_reported_retries_afterwards_as_a_fresh_one_does() {
    let (emulator, client, sleeps, all) = seeded(Emulator::builder(), &["a"], 1).await;
    // A sweep whose budget is spent from its start.
    let items =
        sweep_to_end_items(catalog(&client).sweep().retry_budget(0).get_maintenance()).await;
    let [
        Swept::Table {
            table,
            outcome: Ok(_),
        },
    ] = items.as_slice()
    else {
        panic!("one table read: {items:?}");
    };
    assert_eq!(all, HashSet::from([key(table)]));

    emulator.inject(Fault::server_error(503).expect("a 5xx").times(1));
    let before = emulator.requests().len();
    let updated = table.maintenance().update(&expiration_on()).await;

    assert!(updated.is_ok(), "{updated:?}");
    let answered: Vec<_> = requests_since(&emulator, before)
        .iter()
        .map(|request| (request.operation, table_of(request), request.status))
        .collect();
    let update = Some(Operation::UpdateTableMaintenanceConfig);
    let this = Some(key(table));
    assert_eq!(
        answered,
        [(update, this.clone(), Some(503)), (update, this, Some(200))]
    );
    assert_eq!(sleeps.waits().len(), 1, "{:?}", sleeps.waits());
}

#[tokio::test]
async fn a_dry_run_sweep_lists_for_real_and_plans_each_tables_request() {
    let (emulator, client, sleeps, all) = seeded(Emulator::builder(), &["a", "a.x", "b"], 2).await;
    let before = emulator.requests().len();
    let dry = client.with_dry_run();

    let swept = catalog(&dry)
        .sweep()
        .update_maintenance(expiration_on())
        .expect("a valid update");
    let report = sweep_to_end(swept).await;

    assert!(report.unlisted.is_empty(), "{:?}", report.unlisted);
    assert_eq!(report.reported(), all);
    let tables_url = format!(
        "{}{}",
        emulator.base_url(),
        catalog_path(&format!("/{BUCKET}/namespaces"))
    );
    for ((namespace, name), outcome) in &report.tables {
        let Err(Error::DryRun(plan)) = outcome else {
            panic!("{namespace}.{name}: not planned: {outcome:?}");
        };
        // Levels joined by U+001F, percent-encoded.
        let wire = namespace.levels().join("%1F");
        let url = format!("{tables_url}/{wire}/tables/{name}/maintenance-configs");
        let body = json!({"snapshot_expiration": {"state": "enabled"}});
        assert_eq!(
            (plan.method.as_str(), plan.url.as_str(), plan.body.as_ref()),
            ("POST", url.as_str(), Some(&body))
        );
        // The plan the table's own call on the dry-run client makes.
        let table = catalog(&dry)
            .table(namespace.clone(), name.clone())
            .expect("a valid table");
        let direct = table.maintenance().update(&expiration_on()).await;
        assert!(
            matches!(&direct, Err(Error::DryRun(direct)) if direct == plan),
            "{direct:?}"
        );
    }
    // Only the listings went out: the top level, then each namespace's tables and the
    // namespaces under it.
    let requests = requests_since(&emulator, before);
    assert_eq!(requests.len(), 1 + 2 * 3, "{requests:?}");
    assert_eq!(listings(&requests), requests.len(), "{requests:?}");
    assert!(
        requests
            .iter()
            .all(|request| request.method == "GET" && request.status == Some(200)),
        "{requests:?}"
    );
    assert!(sleeps.waits().is_empty(), "{:?}", sleeps.waits());
}

/// A namespace page of `namespaces`, each given by its levels.
fn namespace_page(namespaces: &[&[&str]]) -> Value {
    success(json!({"namespaces": namespaces, "next_page_token": null}))
}

/// A table page of `names` in the namespace whose levels `wire` joins with U+001F.
fn table_page(wire: &str, names: &[&str], next: Option<&str>) -> Value {
    let levels: Vec<&str> = wire.split('\u{1f}').collect();
    let identifiers: Vec<Value> = names
        .iter()
        .map(|name| json!({"namespace": levels, "name": name}))
        .collect();
    success(json!({"identifiers": identifiers, "next_page_token": next}))
}

/// Sweeps `within("a")` on `server` with an operation that sends nothing, returning what it
/// was run on, in order, and what the sweep reported.
async fn acted_on_within_a(server: &MockServer) -> (Vec<Key>, Report<()>) {
    let client = client(server);
    let calls: Arc<Mutex<Vec<Key>>> = Arc::default();
    let acted = Arc::clone(&calls);
    let report = sweep_to_end(
        catalog(&client)
            .sweep()
            .within(namespace("a"))
            .run(move |table| {
                acted.lock().expect("not poisoned").push(key(&table));
                async { Ok(()) }
            }),
    )
    .await;
    let calls = calls.lock().expect("not poisoned").clone();
    (calls, report)
}

/// Answers the namespaces listed under `parent` (as sent: levels joined by U+001F).
async fn serve_children<'a>(
    server: &'a MockServer,
    parent: &str,
    children: &[&[&str]],
) -> httpmock::Mock<'a> {
    let body = namespace_page(children);
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(catalog_path(&format!("/{BUCKET}/namespaces")))
                .query_param("parent", parent);
            then.status(200).json_body(body);
        })
        .await
}

#[tokio::test]
async fn a_namespace_listed_outside_the_one_listed_is_reported_and_not_followed() {
    for hostile in [
        &["b"][..],
        &["a"][..],
        &["a", "x", "y"][..],
        &["b", "x"][..],
    ] {
        let server = MockServer::start_async().await;
        let a_tables = server
            .mock_async(|when, then| {
                when.method(GET)
                    .path(catalog_path(&format!("/{BUCKET}/namespaces/a/tables")));
                then.status(200).json_body(table_page("a", &["t0"], None));
            })
            .await;
        let under_a = serve_children(&server, "a", &[hostile]).await;
        // Following `b`, or `b.x`, would list its tables.
        let followed = server
            .mock_async(|when, then| {
                when.path_includes("/namespaces/b");
                then.status(500);
            })
            .await;

        let (calls, report) = acted_on_within_a(&server).await;

        let t0 = (namespace("a"), TableName::new("t0").expect("a valid name"));
        assert_eq!(calls, std::slice::from_ref(&t0), "{hostile:?}");
        assert_eq!(report.succeeded(), HashSet::from([t0]), "{hostile:?}");
        assert_eq!(report.reported().len(), 1, "{hostile:?}");
        assert_eq!(
            report.unlisted.len(),
            1,
            "{hostile:?}: {:?}",
            report.unlisted
        );
        let (unlisted, error) = &report.unlisted[0];
        assert_eq!(unlisted.as_ref(), Some(&namespace("a")), "{hostile:?}");
        assert!(
            matches!(error, Error::InvalidInput(_)),
            "{hostile:?}: {error:?}"
        );
        a_tables.assert_calls_async(1).await;
        under_a.assert_calls_async(1).await;
        followed.assert_calls_async(0).await;
    }
}

#[tokio::test]
async fn operations_with_invalid_input_are_refused_before_anything_is_sent() {
    let (emulator, client, _, _) = seeded(Emulator::builder(), &["a"], 2).await;
    let before = emulator.requests().len();

    let paused = MaintenanceUpdate {
        compaction: Some(CompactionUpdate {
            state: Some(MaintenanceState::Other("paused".to_owned())),
            target_size_mb: None,
        }),
        ..MaintenanceUpdate::default()
    };
    assert!(catalog(&client).sweep().update_maintenance(paused).is_err());
    let paused_expiration = MaintenanceUpdate {
        snapshot_expiration: Some(SnapshotExpirationUpdate {
            state: Some(MaintenanceState::Other("paused".to_owned())),
            ..SnapshotExpirationUpdate::default()
        }),
        ..MaintenanceUpdate::default()
    };
    assert!(
        catalog(&client)
            .sweep()
            .update_maintenance(paused_expiration)
            .is_err()
    );
    assert!(
        catalog(&client)
            .sweep()
            .queue_maintenance(MaintenanceKind::from("vacuum"))
            .is_err()
    );
    let too_large = ListOptions::new().page_size(101);
    assert!(catalog(&client).sweep().runs(too_large).is_err());

    assert_eq!(emulator.requests().len(), before);
}

#[tokio::test]
async fn queueing_sends_each_table_a_request_id_of_its_own_and_returns_it() {
    let (emulator, client, _, all) = seeded(Emulator::builder(), &["a", "a.x", "b"], 3).await;
    let before = emulator.requests().len();

    let report = sweep_to_end(
        catalog(&client)
            .sweep()
            .queue_maintenance(MaintenanceKind::Compaction)
            .expect("a known kind"),
    )
    .await;

    assert!(report.unlisted.is_empty(), "{:?}", report.unlisted);
    assert_eq!(report.reported(), all);
    let requests = requests_since(&emulator, before);
    let mut sent = HashMap::new();
    for request in &requests {
        if request.operation != Some(Operation::QueueTableMaintenance) {
            continue;
        }
        assert_eq!(request.status, Some(202), "{request:?}");
        let body: Value = serde_json::from_slice(&request.body).expect("a JSON body");
        let id = body["request_id"]
            .as_str()
            .expect("a request id")
            .to_owned();
        let table = table_of(request).expect("a table's request");
        assert_eq!(sent.insert(table, id), None, "queued twice");
    }
    assert_eq!(sent.len(), all.len());
    let distinct: HashSet<&String> = sent.values().collect();
    assert_eq!(distinct.len(), all.len(), "{sent:?}");
    for (table, outcome) in &report.tables {
        let queued = outcome.as_ref().expect("queued");
        assert_eq!(
            Some(&queued.request_id.to_string()),
            sent.get(table),
            "{table:?}"
        );
    }
}

#[tokio::test]

async fn a_table_listed_twice_is_acted_on_and_reported_once() {
    let server = MockServer::start_async().await;
    let pages = serve_pages(
        &server,
        &catalog_path(&format!("/{BUCKET}/namespaces/a/tables")),
        &[
            (None, table_page("a", &["t0", "t1"], Some("p2"))),
            (Some("p2"), table_page("a", &["t1", "t2"], None)),
        ],
    )
    .await;
    let under_a = serve_children(&server, "a", &[]).await;

    let (calls, report) = acted_on_within_a(&server).await;

    assert!(report.unlisted.is_empty(), "{:?}", report.unlisted);
    let expected: Vec<Key> = ["t0", "t1", "t2"]
        .into_iter()
        .map(|t| (namespace("a"), TableName::new(t).expect("a valid name")))
        .collect();
    assert_eq!(calls.len(), expected.len(), "acted on: {calls:?}");
    assert_eq!(report.tables.len(), expected.len(), "reported twice");
    assert_eq!(
        calls.into_iter().collect::<HashSet<_>>(),
        expected.into_iter().collect()
    );
    for page in &pages {
        page.assert_calls_async(1).await;
    }
    under_a.assert_calls_async(1).await;
}

#[tokio::test]

async fn a_namespace_listed_twice_is_walked_once() {
    let server = MockServer::start_async().await;
    let a_tables = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(catalog_path(&format!("/{BUCKET}/namespaces/a/tables")));
            then.status(200).json_body(table_page("a", &[], None));
        })
        .await;
    let under_a = serve_children(&server, "a", &[&["a", "x"], &["a", "x"]]).await;
    let ax_tables = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(catalog_path(&format!("/{BUCKET}/namespaces/a%1Fx/tables")));
            then.status(200)
                .json_body(table_page("a\u{1f}x", &["u0"], None));
        })
        .await;
    let under_ax = serve_children(&server, "a\u{1f}x", &[]).await;

    let (calls, report) = acted_on_within_a(&server).await;

    assert!(report.unlisted.is_empty(), "{:?}", report.unlisted);
    let u0 = (
        namespace("a.x"),
        TableName::new("u0").expect("a valid name"),
    );
    assert_eq!(calls, std::slice::from_ref(&u0), "acted on");
    assert_eq!(report.reported(), HashSet::from([u0]));
    a_tables.assert_calls_async(1).await;
    under_a.assert_calls_async(1).await;
    ax_tables.assert_calls_async(1).await;
    under_ax.assert_calls_async(1).await;
}

#[tokio::test]
async fn tables_are_acted_on_as_their_page_arrives_before_the_listing_goes_on() {
    // Two pages of tables in one namespace: 1,000, then one more.
    let (emulator, client, _, _) = seeded(Emulator::builder().no_rate_limit(), &["a"], 1001).await;
    let before = emulator.requests().len();

    let swept = catalog(&client)
        .sweep()
        .concurrency(tables(1))
        .get_maintenance()
        .filter(|item| std::future::ready(matches!(item, Swept::Table { .. })));
    let first = sweep_to_end_items(swept.take(1)).await;

    assert_eq!(first.len(), 1);
    let operations: Vec<_> = requests_since(&emulator, before)
        .iter()
        .map(|request| request.operation)
        .collect();
    let read = operations
        .iter()
        .position(|operation| *operation == Some(Operation::GetTableMaintenanceConfig))
        .expect("a table read");
    let table_pages = operations[..read]
        .iter()
        .filter(|operation| **operation == Some(Operation::ListTables))
        .count();
    assert_eq!(table_pages, 1, "{operations:?}");
}

#[tokio::test]
async fn a_page_with_more_items_than_asked_for_is_refused_in_place_of_its_tables() {
    let server = MockServer::start_async().await;
    let names: Vec<String> = (0..=ListOptions::MAX_PAGE_SIZE)
        .map(|index| format!("t{index}"))
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    serve_pages(
        &server,
        &catalog_path(&format!("/{BUCKET}/namespaces/a/tables")),
        &[(None, table_page("a", &names, Some("more")))],
    )
    .await;
    serve_children(&server, "a", &[]).await;

    let (acted, report) = acted_on_within_a(&server).await;

    assert!(acted.is_empty(), "{acted:?}");
    assert_eq!(report.unlisted.len(), 1, "{:?}", report.unlisted);
    let (namespace, error) = &report.unlisted[0];
    assert_eq!(
        namespace.as_ref().map(ToString::to_string),
        Some("a".to_owned())
    );
    assert!(
        error
            .to_string()
            .contains("more items than the 1000 asked for"),
        "{error}"
    );
}

#[tokio::test]
async fn a_namespace_page_with_more_items_than_asked_for_ends_its_listing_there() {
    let server = MockServer::start_async().await;
    serve_pages(
        &server,
        &catalog_path(&format!("/{BUCKET}/namespaces/a/tables")),
        &[(None, table_page("a", &[], None))],
    )
    .await;
    let children: Vec<Vec<String>> = (0..=ListOptions::MAX_PAGE_SIZE)
        .map(|index| vec!["a".to_owned(), format!("n{index}")])
        .collect();
    let namespaces_path = catalog_path(&format!("/{BUCKET}/namespaces"));
    let first = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(namespaces_path.as_str())
                .query_param("parent", "a")
                .query_param_missing("page_token");
            then.status(200).json_body(success(
                json!({"namespaces": children, "next_page_token": "more"}),
            ));
        })
        .await;
    let next = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(namespaces_path.as_str())
                .query_param("page_token", "more");
            then.status(200).json_body(namespace_page(&[]));
        })
        .await;

    let (acted, report) = acted_on_within_a(&server).await;

    assert!(acted.is_empty(), "{acted:?}");
    assert_eq!(report.unlisted.len(), 1, "{:?}", report.unlisted);
    assert!(
        report.unlisted[0]
            .1
            .to_string()
            .contains("more items than the 1000 asked for"),
        "{:?}",
        report.unlisted
    );
    first.assert_calls_async(1).await;
    next.assert_calls_async(0).await;
}
