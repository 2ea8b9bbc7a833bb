//! The emulator's global API rate limit, seen over real HTTP with a plain client (no SDK, whose
//! pacing would hide it): Cloudflare's headers on every counted answer, the 429 with code 971
//! and `Retry-After` past the quota, the block, the fresh window after it, one count per
//! credential, and what is not counted.

mod common;

use std::time::Duration;

use cloudflare_r2_catalog_emulator::{Emulator, EmulatorError, Fault, Operation, RateLimit};
use common::{ACCOUNT_ID, API_KEY, API_TOKEN, BUCKET, EMAIL};
use integration_tests::plain_http;
use serde_json::{Value, json};

/// How a request authenticates.
#[derive(Clone, Copy)]
enum Auth {
    Token(&'static str),
    Key(&'static str, &'static str),
    Nothing,
}

/// What the tests read of an answer.
#[derive(Debug, PartialEq, Eq)]
struct Answer {
    status: u16,
    ratelimit: Option<String>,
    policy: Option<String>,
    retry_after: Option<String>,
    body: Value,
}

impl Answer {
    /// The status and the three rate-limit headers.
    fn head(&self) -> (u16, Option<&str>, Option<&str>, Option<&str>) {
        (
            self.status,
            self.ratelimit.as_deref(),
            self.policy.as_deref(),
            self.retry_after.as_deref(),
        )
    }

    fn code(&self) -> Option<i64> {
        self.body["errors"][0]["code"].as_i64()
    }
}

/// Sends `method url` with `auth`, and reads the answer.
async fn send(http: &reqwest::Client, method: &str, url: &str, auth: Auth) -> Answer {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let request = http.request(method, url);
    let request = match auth {
        Auth::Token(token) => request.bearer_auth(token),
        Auth::Key(email, key) => request
            .header("X-Auth-Email", email)
            .header("X-Auth-Key", key),
        Auth::Nothing => request,
    };
    let response = request.send().await.expect("an answer");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|value| value.to_str().unwrap().to_owned())
    };
    let (ratelimit, policy, retry_after) = (
        header("ratelimit"),
        header("ratelimit-policy"),
        header("retry-after"),
    );
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Answer {
        status,
        ratelimit,
        policy,
        retry_after,
        body,
    }
}

/// The URLs of one emulator's routes.
struct Routes {
    catalogs: String,
    catalog: String,
    enable: String,
}

impl Routes {
    fn of(emulator: &Emulator, family: &str) -> Self {
        let catalogs = format!("{}/accounts/{ACCOUNT_ID}/{family}", emulator.base_url());
        Self {
            catalog: format!("{catalogs}/{BUCKET}"),
            enable: format!("{catalogs}/{BUCKET}/enable"),
            catalogs,
        }
    }
}

async fn start(builder: cloudflare_r2_catalog_emulator::EmulatorBuilder) -> Emulator {
    builder.bucket(BUCKET).start().await.expect("starts")
}

fn ratelimit(remaining: u32, seconds: u64) -> String {
    format!("\"default\";r={remaining};t={seconds}")
}

/// Cloudflare's answer past the limit.
fn throttled_body() -> Value {
    json!({
        "success": false,
        "errors": [{"code": 971, "message": "Please wait and consider throttling your request speed"}],
        "messages": [],
        "result": null,
    })
}

const TOKEN: Auth = Auth::Token(API_TOKEN);

#[tokio::test]
async fn past_its_quota_a_credential_gets_971_then_is_blocked_then_starts_afresh() {
    let limit = RateLimit::new(5, Duration::from_secs(10))
        .unwrap()
        .with_block(Duration::from_secs(1))
        .unwrap();
    let emulator = start(Emulator::builder().rate_limit(limit)).await;
    let routes = Routes::of(&emulator, "basin-catalog");
    let http = plain_http();
    let policy = Some("\"default\";q=5;w=10");
    let bad_bucket = format!("{}/Bad_Bucket", routes.catalogs);

    // Successes and failures alike carry the headers, counting down the window.
    let answered = [
        (&routes.catalogs, 200),
        (&routes.catalog, 404),
        (&bad_bucket, 400),
        (&routes.catalogs, 200),
        (&routes.catalogs, 200),
    ];
    for (remaining, (url, status)) in (0..5).rev().zip(answered) {
        let answer = send(&http, "GET", url, TOKEN).await;
        let expected = ratelimit(remaining, 10);
        assert_eq!(
            answer.head(),
            (status, Some(expected.as_str()), policy, None),
            "{url}"
        );
    }

    // The sixth request starts the block; one during the block is refused alike.
    for _ in 0..2 {
        let refused = send(&http, "POST", &routes.enable, TOKEN).await;
        let expected = ratelimit(0, 1);
        assert_eq!(
            refused.head(),
            (429, Some(expected.as_str()), policy, Some("1"))
        );
        assert_eq!(refused.body, throttled_body());
    }
    assert_eq!(emulator.throttled(), 2);
    let recorded: Vec<_> = emulator.requests()[5..]
        .iter()
        .map(|request| (request.operation, request.status))
        .collect();
    assert_eq!(recorded, [(Some(Operation::EnableCatalog), Some(429)); 2]);

    tokio::time::sleep(Duration::from_millis(1050)).await;
    // A fresh window; and neither refused enable was carried out.
    let after = send(&http, "GET", &routes.catalog, TOKEN).await;
    let expected = ratelimit(4, 10);
    assert_eq!(after.head(), (404, Some(expected.as_str()), policy, None));
    assert_eq!(after.code(), Some(40401), "{:?}", after.body);
    let enabled = send(&http, "POST", &routes.enable, TOKEN).await;
    let expected = ratelimit(3, 10);
    assert_eq!(enabled.head(), (200, Some(expected.as_str()), policy, None));
    assert_eq!(emulator.throttled(), 2);
}

#[tokio::test]
async fn a_window_that_ends_without_a_block_starts_afresh() {
    let limit = RateLimit::new(2, Duration::from_secs(1)).unwrap();
    let emulator = start(Emulator::builder().rate_limit(limit)).await;
    let routes = Routes::of(&emulator, "basin-catalog");
    let http = plain_http();
    let policy = Some("\"default\";q=2;w=1");

    for remaining in [1, 0] {
        let answer = send(&http, "GET", &routes.catalogs, TOKEN).await;
        let expected = ratelimit(remaining, 1);
        assert_eq!(answer.head(), (200, Some(expected.as_str()), policy, None));
    }
    tokio::time::sleep(Duration::from_millis(1050)).await;
    let answer = send(&http, "GET", &routes.catalogs, TOKEN).await;
    let expected = ratelimit(1, 1);
    assert_eq!(answer.head(), (200, Some(expected.as_str()), policy, None));
    assert_eq!(emulator.throttled(), 0);
}

#[tokio::test]
async fn each_credential_has_its_own_quota_and_block() {
    let limit = RateLimit::new(1, Duration::from_secs(60)).unwrap();
    let emulator = start(Emulator::builder().rate_limit(limit)).await;
    let routes = Routes::of(&emulator, "basin-catalog");
    let http = plain_http();
    let cases = [
        (Auth::Token("token-a"), 200),
        (Auth::Token("token-a"), 429),
        (Auth::Token("token-b"), 200),
        (Auth::Key(EMAIL, API_KEY), 200),
        (Auth::Key("other@example.com", API_KEY), 200),
        (Auth::Key(EMAIL, "another-key"), 200),
        (Auth::Key(EMAIL, API_KEY), 429),
        // Blocked, token-a still is.
        (Auth::Token("token-a"), 429),
    ];
    for (index, (auth, status)) in cases.into_iter().enumerate() {
        let answer = send(&http, "GET", &routes.catalogs, auth).await;
        let retry_after = (status == 429).then_some("60");
        let expected = ratelimit(0, 60);
        assert_eq!(
            answer.head(),
            (
                status,
                Some(expected.as_str()),
                Some("\"default\";q=1;w=60"),
                retry_after
            ),
            "request {index}"
        );
    }
    assert_eq!(emulator.throttled(), 3);
}

#[tokio::test]
async fn both_path_families_count_against_one_quota() {
    let limit = RateLimit::new(2, Duration::from_secs(60)).unwrap();
    let emulator = start(Emulator::builder().rate_limit(limit)).await;
    let (basin, r2) = (
        Routes::of(&emulator, "basin-catalog"),
        Routes::of(&emulator, "r2-catalog"),
    );
    let http = plain_http();
    let answers = [
        send(&http, "GET", &basin.catalogs, TOKEN).await,
        send(&http, "GET", &r2.catalogs, TOKEN).await,
        send(&http, "GET", &basin.catalogs, TOKEN).await,
    ];
    let statuses = answers.each_ref().map(Answer::head);
    let policy = Some("\"default\";q=2;w=60");
    let (one, none) = (ratelimit(1, 60), ratelimit(0, 60));
    assert_eq!(
        statuses,
        [
            (200, Some(one.as_str()), policy, None),
            (200, Some(none.as_str()), policy, None),
            (429, Some(none.as_str()), policy, Some("60")),
        ]
    );
}

#[tokio::test]
async fn no_user_another_route_a_fault_and_the_iceberg_route_are_not_counted() {
    let limit = RateLimit::new(1, Duration::from_secs(60)).unwrap();
    let emulator = start(Emulator::builder().rate_limit(limit)).await;
    let routes = Routes::of(&emulator, "basin-catalog");
    let http = plain_http();
    let iceberg = format!(
        "{}/{ACCOUNT_ID}/{BUCKET}/v1/config?warehouse={ACCOUNT_ID}_{BUCKET}",
        emulator.iceberg_url()
    );
    let unknown = format!("{}/no-such-route", routes.catalog);

    // Twice over: before the credential's one request, and during its block.
    for round in 0..2 {
        let anonymous = send(&http, "GET", &routes.catalogs, Auth::Nothing).await;
        assert_eq!(anonymous.head(), (401, None, None, None), "round {round}");
        let empty = send(&http, "GET", &routes.catalogs, Auth::Token("")).await;
        assert_eq!(empty.head(), (401, None, None, None), "round {round}");
        let unrouted = send(&http, "GET", &unknown, TOKEN).await;
        assert_eq!(
            (unrouted.head(), unrouted.code()),
            ((404, None, None, None), Some(7000)),
            "round {round}"
        );
        let config = send(&http, "GET", &iceberg, TOKEN).await;
        assert_eq!(config.head(), (404, None, None, None), "round {round}");
        // A fault answers first, even during a block; an injected 429 is not the limit's.
        emulator.inject(Fault::server_error(503).unwrap());
        emulator.inject(Fault::rate_limited(Duration::from_secs(7)));
        let faulted = send(&http, "GET", &routes.catalogs, TOKEN).await;
        assert_eq!(faulted.head(), (503, None, None, None), "round {round}");
        let injected = send(&http, "GET", &routes.catalogs, TOKEN).await;
        assert_eq!(
            (injected.head(), injected.code()),
            ((429, None, None, Some("7")), Some(971)),
            "round {round}"
        );

        let counted = send(&http, "GET", &routes.catalogs, TOKEN).await;
        let expected = ratelimit(0, 60);
        let (status, retry_after) = if round == 0 {
            (200, None)
        } else {
            (429, Some("60"))
        };
        assert_eq!(
            counted.head(),
            (
                status,
                Some(expected.as_str()),
                Some("\"default\";q=1;w=60"),
                retry_after
            ),
            "round {round}"
        );
        if round == 0 {
            // Past the quota: the block starts.
            let refused = send(&http, "GET", &routes.catalogs, TOKEN).await;
            assert_eq!(refused.status, 429);
        }
    }
    assert_eq!(emulator.throttled(), 2);
}

#[tokio::test]
async fn by_default_the_limit_is_cloudflares_1200_requests_per_300_seconds() {
    let emulator = start(Emulator::builder()).await;
    let routes = Routes::of(&emulator, "basin-catalog");
    let http = plain_http();
    let policy = Some("\"default\";q=1200;w=300");

    let started = std::time::Instant::now();
    let first = send(&http, "GET", &routes.catalogs, TOKEN).await;
    let expected = ratelimit(1199, 300);
    assert_eq!(first.head(), (200, Some(expected.as_str()), policy, None));
    for _ in 1..1199 {
        assert_eq!(
            send(&http, "GET", &routes.catalogs, TOKEN).await.status,
            200
        );
    }
    let last = send(&http, "GET", &routes.catalogs, TOKEN).await;
    // 1,200 requests may take a second or more on a loaded machine: the window's end is then
    // as many seconds nearer, never further.
    let elapsed = started.elapsed().as_secs();
    let reset = (300 - elapsed..=300)
        .rev()
        .find(|seconds| last.ratelimit == Some(ratelimit(0, *seconds)))
        .unwrap_or_else(|| panic!("{:?} after {elapsed} s", last.ratelimit));
    let expected = ratelimit(0, reset);
    assert_eq!(last.head(), (200, Some(expected.as_str()), policy, None));
    // The block starts whole.
    let refused = send(&http, "GET", &routes.catalogs, TOKEN).await;
    let expected = ratelimit(0, 300);
    assert_eq!(
        refused.head(),
        (429, Some(expected.as_str()), policy, Some("300"))
    );
    assert_eq!(refused.body, throttled_body());
    assert_eq!(emulator.throttled(), 1);
}

#[tokio::test]
async fn without_a_limit_nothing_is_refused_and_no_headers_are_sent() {
    let emulator = start(Emulator::builder().no_rate_limit()).await;
    let routes = Routes::of(&emulator, "basin-catalog");
    let http = plain_http();

    for index in 0..=RateLimit::CLOUDFLARE.quota() {
        let answer = send(&http, "GET", &routes.catalogs, TOKEN).await;
        assert_eq!(answer.head(), (200, None, None, None), "request {index}");
    }
    assert_eq!(emulator.throttled(), 0);
}

#[test]
fn a_rate_limit_needs_a_quota_a_window_and_a_block() {
    let second = Duration::from_secs(1);
    let refusals = [
        (
            RateLimit::new(0, second),
            "the quota must be at least 1 request",
        ),
        (
            RateLimit::new(1, Duration::ZERO),
            "the window must be longer than zero",
        ),
        (
            RateLimit::new(1, second).and_then(|limit| limit.with_block(Duration::ZERO)),
            "the block must be longer than zero",
        ),
    ];
    for (refused, reason) in refusals {
        let Err(error) = refused else {
            panic!("accepted: {refused:?}")
        };
        assert!(
            matches!(error, EmulatorError::InvalidRateLimit(_)),
            "{error:?}"
        );
        assert_eq!(error.to_string(), format!("invalid rate limit: {reason}"));
    }

    let cloudflare = RateLimit::CLOUDFLARE;
    let five_minutes = Duration::from_secs(300);
    assert_eq!(
        (cloudflare.quota(), cloudflare.window(), cloudflare.block()),
        (1200, five_minutes, five_minutes)
    );
    let scaled = RateLimit::new(5, Duration::from_millis(1500)).unwrap();
    assert_eq!(
        (scaled.quota(), scaled.window(), scaled.block()),
        (5, Duration::from_millis(1500), Duration::from_millis(1500))
    );
    let blocked_longer = scaled.with_block(Duration::from_secs(4)).unwrap();
    assert_eq!(blocked_longer.block(), Duration::from_secs(4));
    assert_eq!(blocked_longer.window(), Duration::from_millis(1500));
}
