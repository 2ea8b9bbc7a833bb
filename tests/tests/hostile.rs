//! The client against broken or hostile servers, on raw sockets where an HTTP library would tidy
//! up the misbehaviour: redirects, answers that are not HTTP, bodies without end, cursors that
//! cycle, text that would act on a terminal, secrets echoed back, and headers that once panicked.

mod common;

use std::time::Duration;

use cloudflare_r2_catalog::{
    Client, Error, ListOptions,
    config::{MAX_HOLD, RetryConfig},
    error::{Redirected, ResponseTooLarge, TransportErrorKind},
};
use common::*;
use futures_util::{StreamExt, TryStreamExt};
use serde_json::json;

fn success_reply() -> Reply {
    Reply::json("200 OK", &[], &success(json!(null)))
}

#[tokio::test]
async fn redirects_are_errors_and_nothing_is_resent_anywhere() {
    let elsewhere = RawServer::always(success_reply());
    for status in [
        "301 Moved Permanently",
        "302 Found",
        "303 See Other",
        "307 Temporary Redirect",
        "308 Permanent Redirect",
    ] {
        let location = format!("{}/steal", elsewhere.url);
        let origin = RawServer::always(Reply::http(
            status,
            &[("location", &location), ("cf-ray", CF_RAY)],
            b"",
        ));
        for client in [
            origin.client(&RecordedSleeps::default()),
            Client::builder()
                .api_key(EMAIL, API_KEY)
                .account_id(ACCOUNT_ID)
                .base_url(&origin.url)
                .build()
                .unwrap(),
        ] {
            let error = store(&client).await.unwrap_err();

            let Error::Redirected(redirect) = &error else {
                panic!("{status}: expected a redirect error, got {error:?}")
            };
            assert_eq!(redirect.status.as_str(), &status[..3]);
            assert_eq!(redirect.location.as_deref(), Some(location.as_str()));
            assert_eq!(error.cf_ray(), Some(CF_RAY));
            assert!(!error.is_retryable());
            assert_eq!(
                error.to_string(),
                format!(
                    "the server answered with a redirect (HTTP {status}) to \"{location}\"; Cloudflare's API never redirects, so it was not followed [cf-ray {CF_RAY}]"
                )
            );
        }
        assert_eq!(
            origin.requests().len(),
            2,
            "{status}: one attempt per client"
        );
    }
    assert_eq!(
        elsewhere.requests(),
        Vec::<String>::new(),
        "nothing reached the other host"
    );
}

#[tokio::test]
async fn a_redirect_location_is_shown_escaped_and_cut() {
    // hyper refuses C0 controls in a header; C1 (CSI is U+009B) and bidi overrides get through.
    let hostile = format!("https://evil.test/\u{9b}2J\u{202e}{}", "a".repeat(5000));
    let origin = RawServer::always(Reply::Bytes(
        format!("HTTP/1.1 302 Found\r\nlocation: {hostile}\r\ncontent-length: 0\r\n\r\n")
            .into_bytes(),
    ));

    let error = store(&origin.client(&RecordedSleeps::default()))
        .await
        .unwrap_err();

    let Error::Redirected(Redirected { location, .. }) = &error else {
        panic!("expected a redirect error, got {error:?}")
    };
    assert_eq!(
        location.as_deref().map(|kept| kept.chars().count()),
        Some(2048),
        "kept, up to a bound"
    );
    let shown = error.to_string();
    assert!(shown.contains("evil.test/\\u{9b}2J\\u{202e}aaa"), "{shown}");
    assert!(!shown.contains('\u{9b}') && !shown.contains('\u{202e}'));
    assert!(shown.len() < 500, "{} bytes", shown.len());
}

#[tokio::test]
async fn answers_that_are_not_http_say_so_and_are_not_retried() {
    let many_headers: String = (0..10_000).map(|i| format!("x-h{i}: v\r\n")).collect();
    let cases: [(&str, Vec<u8>, &str); 5] = [
        (
            "not HTTP at all",
            b"SSH-2.0-OpenSSH_9.6\r\n\r\n".to_vec(),
            "invalid http version",
        ),
        (
            "a bad status line",
            b"HTTP/1.1 twohundred OK\r\n\r\n".to_vec(),
            "invalid",
        ),
        (
            "a 1 MB header",
            format!("HTTP/1.1 200 OK\r\nx-big: {}\r\n\r\n", "a".repeat(1 << 20)).into_bytes(),
            "too large",
        ),
        (
            "10,000 headers",
            format!("HTTP/1.1 200 OK\r\n{many_headers}\r\n").into_bytes(),
            "too large",
        ),
        (
            "two different Content-Lengths",
            b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\n{}".to_vec(),
            "content-length",
        ),
    ];
    for (case, reply, cause) in cases {
        let server = RawServer::always(Reply::Bytes(reply));
        let sleeps = RecordedSleeps::default();

        let error = store(&server.client(&sleeps)).await.unwrap_err();

        let Error::Transport(transport) = &error else {
            panic!("{case}: expected a transport error, got {error:?}")
        };
        assert_eq!(
            transport.kind(),
            TransportErrorKind::Protocol,
            "{case}: {error}"
        );
        assert_eq!(transport.attempts(), 1, "{case}");
        assert!(!error.is_retryable(), "{case}");
        assert_eq!(server.requests().len(), 1, "{case}: not retried");
        // Display names the kind; the causes are the source chain, shown once by the report.
        assert_eq!(
            error.to_string(),
            "invalid HTTP response after 1 attempt(s)",
            "{case}"
        );
        let shown = error.report().to_string();
        assert!(
            shown.starts_with("invalid HTTP response after 1 attempt(s): "),
            "{case}: {shown}"
        );
        assert!(shown.to_lowercase().contains(cause), "{case}: {shown}");
        // Each cause is told once: no error's Display repeats its source's.
        let mut current: &dyn std::error::Error = &error;
        while let Some(source) = current.source() {
            assert!(
                !current.to_string().contains(&source.to_string()),
                "{case}: {current} repeats {source}"
            );
            current = source;
        }
        assert!(
            std::error::Error::source(&error).is_some(),
            "{case}: the cause is kept"
        );
    }
}

#[tokio::test]
async fn retry_after_values_of_any_size_hold_or_fail_at_once_never_a_panic() {
    // Whether the value asks for longer than the client may wait (20 s): then the call fails
    // at once, saying until when, held at most MAX_HOLD; otherwise (no number: no ask) it waits
    // a backoff and retries.
    for (name, value, blocks) in [
        ("retry-after-ms", "1e30", true),
        ("retry-after-ms", "1e400", true),
        ("retry-after-ms", "inf", true),
        ("retry-after-ms", "NaN", false),
        ("retry-after-ms", "-5", false),
        ("retry-after", "99999999999999999999999", false),
        ("retry-after", "18446744073709551615", true),
        ("retry-after", "Fri, 31 Dec 9999 23:59:59 GMT", true),
    ] {
        let server = RawServer::start(move |connection| match connection {
            0 => Reply::json(
                "429 Too Many Requests",
                &[(name, value)],
                &failure(971, "slow down"),
            ),
            _ => success_reply(),
        });
        let sleeps = RecordedSleeps::default();
        let client = Client::builder()
            .api_token(API_TOKEN)
            .account_id(ACCOUNT_ID)
            .base_url(&server.url)
            .retry(
                RetryConfig::default()
                    .with_max_retry_after(Duration::from_secs(20))
                    .with_sleep(sleeps.clone()),
            )
            .build()
            .unwrap();

        let stored = store(&client).await;

        let waits = sleeps.waits();
        match stored {
            Err(Error::RateLimited(limited)) if blocks => {
                assert_eq!(limited.wait(), MAX_HOLD, "{name}: {value}");
                assert!(waits.is_empty(), "{name}: {value}: {waits:?}");
            }
            Ok(()) if !blocks => {
                assert_eq!(waits.len(), 1, "{name}: {value}");
                assert!(
                    waits[0] <= Duration::from_secs(1),
                    "{name}: {value}: {waits:?}"
                );
            }
            other => panic!("{name}: {value}: {other:?}"),
        }
        assert_eq!(client.rate_limit().throttled, 1, "{name}: {value}");
    }
}

/// A client of `server`, acting on [`ACCOUNT_ID`], whose response bodies may have at most
/// `limit` bytes.
fn limited_client(server: &RawServer, limit: u64) -> Client {
    Client::builder()
        .api_token(API_TOKEN)
        .account_id(ACCOUNT_ID)
        .base_url(&server.url)
        .max_response_bytes(limit)
        .retry(RetryConfig::default().with_sleep(RecordedSleeps::default()))
        .build()
        .unwrap()
}

/// A success envelope padded with spaces to exactly `length` bytes.
fn padded_success(length: usize) -> Vec<u8> {
    let mut body = success(json!(null)).to_string().into_bytes();
    body.resize(length, b' ');
    body
}

/// `body` in HTTP/1.1 chunked encoding, in chunks of 1000 bytes.
fn chunked(status: &str, body: &[u8]) -> Reply {
    let mut bytes = format!("HTTP/1.1 {status}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\ncf-ray: {CF_RAY}\r\n\r\n").into_bytes();
    for chunk in body.chunks(1000) {
        bytes.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        bytes.extend_from_slice(chunk);
        bytes.extend_from_slice(b"\r\n");
    }
    bytes.extend_from_slice(b"0\r\n\r\n");
    Reply::Bytes(bytes)
}

#[tokio::test]
async fn bodies_up_to_the_limit_pass_and_one_byte_more_fails_with_or_without_a_length() {
    const LIMIT: usize = 64 * 1024;
    let with_length =
        |length| Reply::http("200 OK", &[("cf-ray", CF_RAY)], &padded_success(length));
    for (case, fits, over) in [
        ("content-length", with_length(LIMIT), with_length(LIMIT + 1)),
        (
            "chunked",
            chunked("200 OK", &padded_success(LIMIT)),
            chunked("200 OK", &padded_success(LIMIT + 1)),
        ),
    ] {
        let server = RawServer::always(fits);
        store(&limited_client(&server, LIMIT as u64))
            .await
            .unwrap_or_else(|e| panic!("{case}: a body of exactly the limit: {e}"));

        let server = RawServer::always(over);
        let error = store(&limited_client(&server, LIMIT as u64))
            .await
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "the response body (HTTP 200 OK) is larger than the limit of {LIMIT} bytes; reading stopped there"
            ),
            "{case}"
        );
        let Error::ResponseTooLarge(ResponseTooLarge {
            status,
            limit,
            cf_ray,
            ..
        }) = &error
        else {
            panic!("{case}: {error:?}")
        };
        assert_eq!((status.as_u16(), *limit), (200, LIMIT as u64), "{case}");
        assert_eq!(cf_ray.as_deref(), Some(CF_RAY), "{case}");
        assert!(!error.is_retryable(), "{case}");
        assert_eq!(server.requests().len(), 1, "{case}: not retried");
    }
}

#[tokio::test]
async fn an_endless_body_stops_at_the_limit_and_is_not_retried() {
    for (case, head) in [
        (
            "declared 1 GB",
            "HTTP/1.1 200 OK\r\ncontent-length: 1073741824\r\n\r\n",
        ),
        (
            "no length, until close",
            "HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n",
        ),
    ] {
        let server = RawServer::always(Reply::Endless {
            head: head.as_bytes().to_vec(),
            chunk: vec![b'x'; 64 * 1024],
            total: 1 << 30,
        });

        let error = store(&limited_client(&server, 1 << 20)).await.unwrap_err();

        let Error::ResponseTooLarge(too_large) = &error else {
            panic!("{case}: {error:?}")
        };
        assert_eq!(too_large.status.as_u16(), 200, "{case}");
        assert_eq!(server.requests().len(), 1, "{case}: not retried");
        // The client hangs up, so the server's writes fail and its reply ends: a leaked
        // connection would leave it blocked on a full socket buffer. What it managed to write
        // is bounded by those buffers, nowhere near the gigabyte it offered.
        assert!(
            server
                .replies_ended_within(1, Duration::from_secs(10))
                .await,
            "{case}: the client kept the connection open"
        );
        let written = server.body_bytes_written();
        assert!(written < 64 << 20, "{case}: {written} bytes written");
    }
}

#[tokio::test]
async fn an_error_status_over_the_limit_is_retried_for_its_status_and_keeps_it() {
    let server = RawServer::always(Reply::Endless {
        head: b"HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\n\r\n".to_vec(),
        chunk: vec![b'x'; 64 * 1024],
        total: 1 << 30,
    });

    let error = store(&limited_client(&server, 1 << 20)).await.unwrap_err();

    assert!(
        matches!(&error, Error::ResponseTooLarge(e) if e.status.as_u16() == 503),
        "{error:?}"
    );
    assert_eq!(
        server.requests().len(),
        3,
        "a 503 is retried for its status; each attempt reads at most the limit"
    );
}

#[tokio::test]
async fn the_default_limit_is_16_mib() {
    let server = RawServer::always(Reply::http("200 OK", &[], &padded_success(16 << 20)));
    store(&server.client(&RecordedSleeps::default()))
        .await
        .unwrap();
    let server = RawServer::always(Reply::http("200 OK", &[], &padded_success((16 << 20) + 1)));
    let error = store(&server.client(&RecordedSleeps::default()))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::ResponseTooLarge(e) if e.limit == 16 << 20),
        "{error:?}"
    );
}

/// A namespace page whose `next_page_token` is `next`.
fn page(names: &[&str], next: Option<&str>) -> serde_json::Value {
    let namespaces: Vec<Vec<&str>> = names.iter().map(|name| vec![*name]).collect();
    success(json!({"namespaces": namespaces, "next_page_token": next}))
}

#[tokio::test]
async fn a_cursor_that_comes_back_ends_the_stream_with_an_error() {
    let server = httpmock::MockServer::start_async().await;
    let path = catalog_path(&format!("/{BUCKET}/namespaces"));
    serve_pages(
        &server,
        &path,
        &[
            (None, page(&["a"], Some("c1"))),
            (Some("c1"), page(&["b"], Some("c2"))),
            (Some("c2"), page(&["c"], Some("c1"))),
        ],
    )
    .await;
    let client = client(&server);

    let items: Vec<_> = catalog(&client)
        .namespaces()
        .pages(ListOptions::new())
        .collect()
        .await;

    assert_eq!(items.len(), 3);
    assert!(items[..2].iter().all(Result::is_ok));
    let error = items[2].as_ref().unwrap_err();
    assert!(
        matches!(error, Error::RepeatedCursor { pages: 2 }),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "the server sent a page cursor it had sent before (after 2 page(s)); stopped following it"
    );
}

#[tokio::test]
async fn fresh_cursors_forever_end_at_the_page_limit() {
    // Every answer names a next page never seen before: no cycle to notice.
    let server = RawServer::start(|index| {
        let next = format!("fresh-{index}");
        Reply::json("200 OK", &[], &page(&["n"], Some(&next)))
    });
    let client = server.client(&RecordedSleeps::default());
    let limit = 3;

    let items: Vec<_> = catalog(&client)
        .namespaces()
        .pages(ListOptions::new().max_pages(limit))
        .collect()
        .await;

    assert_eq!(items.len(), 4, "{items:?}");
    assert!(items[..3].iter().all(Result::is_ok));
    assert!(
        matches!(items[3], Err(Error::PageLimit { pages: 3 })),
        "{:?}",
        items[3]
    );
    let last = items[2].as_ref().unwrap();
    assert_eq!(
        last.next_page_token.as_deref(),
        Some("fresh-2"),
        "where to resume"
    );
    assert_eq!(
        items[3].as_ref().unwrap_err().to_string(),
        "stopped after 3 page(s), the most this listing may follow; the server offers more"
    );
    assert_eq!(server.requests().len(), 3);
    assert_eq!(
        ListOptions::new(),
        ListOptions::new().max_pages(ListOptions::DEFAULT_MAX_PAGES)
    );
}

#[tokio::test]
async fn a_cursor_pointing_back_at_the_starting_token_ends_the_stream() {
    let server = httpmock::MockServer::start_async().await;
    let path = catalog_path(&format!("/{BUCKET}/namespaces"));
    let mocks = serve_pages(
        &server,
        &path,
        &[(Some("start"), page(&["a"], Some("start")))],
    )
    .await;
    let client = client(&server);

    let result: Result<Vec<_>, _> = catalog(&client)
        .namespaces()
        .pages(ListOptions::new().page_token("start"))
        .try_collect()
        .await;

    assert!(
        matches!(result, Err(Error::RepeatedCursor { pages: 0 })),
        "{result:?}"
    );
    mocks[0].assert_calls_async(1).await;
}

#[tokio::test]
async fn api_error_text_is_escaped_cut_and_listed_only_in_part() {
    let hostile = format!(
        "bad\u{1b}]0;pwned\u{7}\r\nerror: forged line{}",
        "z".repeat(1000)
    );
    let mut errors = vec![json!({"code": 1001, "message": hostile})];
    errors.extend((0..9_999).map(|i| json!({"code": i, "message": "m"})));
    let body = json!({"success": false, "errors": errors, "messages": [], "result": null});
    let server = RawServer::always(Reply::json(
        "400 Bad Request",
        &[("cf-ray", "ray\u{9b}31m")],
        &body,
    ));

    let error = store(&server.client(&RecordedSleeps::default()))
        .await
        .unwrap_err();

    let Error::Api(api) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(api.errors.len(), 100, "the first 100 kept");
    assert_eq!(api.omitted_errors, 9_900, "the rest counted");
    assert_eq!(api.errors[0].message, hostile, "kept as sent");
    assert_eq!(api.cf_ray.as_deref(), Some("ray\\u{9b}31m"));
    let shown = error.to_string();
    assert!(
        shown.starts_with("Cloudflare API error (HTTP 400 Bad Request): 1001: bad\\u{1b}]0;pwned\\u{7}\\r\\nerror: forged linezzz"),
        "{shown}"
    );
    assert!(
        shown.contains("…; 0: m; 1: m; 2: m; 3: m; … and 9995 more [cf-ray ray\\u{9b}31m]"),
        "{shown}"
    );
    assert!(!shown.chars().any(char::is_control), "{shown}");
    assert!(shown.len() < 600, "{} bytes", shown.len());
}

#[tokio::test]
async fn a_tab_in_cf_ray_is_escaped_too() {
    // A TAB is a legal header byte that `HeaderValue::to_str` accepts as visible.
    let server = RawServer::always(Reply::json(
        "404 Not Found",
        &[("cf-ray", "ray\tforged=field")],
        &failure(40401, "Catalog not found"),
    ));

    let error = store(&server.client(&RecordedSleeps::default()))
        .await
        .unwrap_err();

    assert_eq!(error.cf_ray(), Some("ray\\tforged=field"));
    assert!(!error.to_string().contains('\t'), "{error}");
}

#[tokio::test]
async fn secrets_echoed_back_by_the_server_are_redacted_from_errors() {
    let echo = format!("token {CATALOG_TOKEN} rejected for {API_TOKEN}");
    for reply in [
        Reply::json("400 Bad Request", &[], &failure(1001, &echo)),
        Reply::http(
            "502 Bad Gateway",
            &[("content-type", "text/html")],
            echo.as_bytes(),
        ),
        Reply::http(
            "302 Found",
            &[("location", &format!("https://x.test/?t={CATALOG_TOKEN}"))],
            b"",
        ),
    ] {
        let server = RawServer::always(reply);
        let client = server.client(&RecordedSleeps::default());

        let error = store(&client).await.unwrap_err();

        let shown = format!("{error} {error:?}");
        assert!(
            !shown.contains(CATALOG_TOKEN) && !shown.contains(API_TOKEN),
            "{shown}"
        );
        assert!(shown.contains("** redacted **"), "{shown}");
    }
}

#[tokio::test]
async fn plain_http_to_a_remote_host_is_refused_before_anything_is_sent() {
    let error = Client::builder()
        .api_token(API_TOKEN)
        .base_url("http://api.example.com/client/v4")
        .build()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "refusing to send credentials in clear text to http://api.example.com/client/v4: plain http:// is allowed only to loopback hosts (127.0.0.0/8, ::1, localhost); use https://"
    );
}

#[tokio::test]
async fn an_https_base_url_speaks_tls_and_a_server_that_does_not_fails_the_handshake() {
    // The default build's TLS backend (rustls with ring, its provider set by the SDK, not
    // taken from a process-wide default): plain HTTP where a TLS handshake was expected is a
    // connection failure naming TLS, and no request, credentials included, is ever written.
    let server = RawServer::always(success_reply());
    let client = Client::builder()
        .api_token(API_TOKEN)
        .account_id(ACCOUNT_ID)
        .base_url(server.url.replace("http://", "https://"))
        .retry(RetryConfig::disabled())
        .build()
        .expect("valid config");

    let error = store(&client).await.expect_err("not TLS");

    let Error::Transport(transport) = &error else {
        panic!("expected a transport error, got {error:?}")
    };
    assert_eq!(transport.kind(), TransportErrorKind::Connect, "{error}");
    // rustls said so: its error sits in the chain, where hyper-rustls and reqwest wrap it in
    // io::Errors (whose `source()` skips what they wrap).
    fn rustls_in<'a>(cause: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
        if let Some(error) = cause.downcast_ref::<rustls::Error>() {
            return Some(error);
        }
        let io = cause.downcast_ref::<std::io::Error>()?;
        rustls_in(io.get_ref()?)
    }
    let rustls_error = std::iter::successors(
        Some(transport as &(dyn std::error::Error + 'static)),
        |cause| cause.source(),
    )
    .find_map(rustls_in);
    assert!(
        matches!(rustls_error, Some(rustls::Error::InvalidMessage(_))),
        "{rustls_error:?}: {error:?}"
    );
    let requests = server.requests();
    assert!(
        requests.iter().all(|request| !request.contains(API_TOKEN)),
        "{requests:?}"
    );
}
