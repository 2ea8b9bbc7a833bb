//! Proxies: the environment's are honoured for remote hosts, an explicit one replaces them, and
//! plain http to loopback (an emulator, a local mock) never goes through any, so no proxy ever
//! sees a request in clear text by accident. The proxy variables are process-wide, so this file
//! holds one test, which sets them before any client is built.

mod common;

use std::time::Duration;

use cloudflare_r2_catalog::{
    Error,
    error::{ConfigError, TransportErrorKind},
};
use common::*;
use serde_json::json;

/// A "proxy" that answers everything 502 and keeps what it was asked.
fn proxy() -> RawServer {
    RawServer::always(Reply::http("502 Bad Gateway", &[], b""))
}

fn no_retries(base_url: &str) -> cloudflare_r2_catalog::ClientBuilder {
    builder_at(base_url, &RecordedSleeps::default())
        .max_retries(0)
        .connect_timeout(Duration::from_millis(300))
}

#[test]
fn loopback_http_bypasses_every_proxy_and_remote_hosts_honour_them() {
    let from_environment = proxy();
    let named = proxy();
    for variable in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        // SAFETY: this binary's only test sets them before it builds a client or a runtime;
        // no other thread reads the environment meanwhile.
        unsafe { std::env::set_var(variable, &from_environment.url) };
    }
    // A machine's own exemptions would bypass the proxies this test expects requests at.
    for variable in ["NO_PROXY", "no_proxy"] {
        // SAFETY: as above.
        unsafe { std::env::remove_var(variable) };
    }
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");

    // Plain http to loopback: straight to the server, whatever the environment says.
    let server = RawServer::always(Reply::json("200 OK", &[], &success(json!(null))));
    let direct = no_retries(&server.url).build().expect("valid");
    runtime.block_on(store(&direct)).expect("stored");
    // Even a proxy named explicitly.
    let direct_too = no_retries(&server.url)
        .proxy(&named.url)
        .build()
        .expect("valid");
    runtime.block_on(store(&direct_too)).expect("stored");
    assert_eq!(
        server.request_lines(),
        [
            request_line("POST", CREDENTIAL_PATH),
            request_line("POST", CREDENTIAL_PATH),
        ]
    );

    // https to a remote host: through the environment's proxy, as a CONNECT tunnel that keeps
    // the credentials inside TLS.
    let remote = no_retries("https://api.example.invalid/client/v4")
        .build()
        .expect("valid");
    let refused = runtime
        .block_on(store(&remote))
        .expect_err("the proxy says 502");
    assert!(matches!(&refused, Error::Transport(_)), "{refused}");

    // An explicit proxy replaces the environment's.
    let through_named = no_retries("https://api.example.invalid/client/v4")
        .proxy(&named.url)
        .build()
        .expect("valid");
    runtime
        .block_on(store(&through_named))
        .expect_err("the proxy says 502");

    // http to a remote host, allowed in clear text: the environment's proxy, unless told not to.
    let unroutable = "http://192.0.2.1:9";
    let insecure = no_retries(unroutable).allow_insecure_http(true);
    let proxied = insecure.clone().build().expect("valid");
    runtime
        .block_on(store(&proxied))
        .expect_err("the proxy says 502");
    let not_proxied = insecure.no_proxy().build().expect("valid");
    let unreachable = runtime
        .block_on(store(&not_proxied))
        .expect_err("nothing listens there");
    match &unreachable {
        Error::Transport(error) => assert!(
            matches!(
                error.kind(),
                TransportErrorKind::Connect | TransportErrorKind::Timeout
            ),
            "{unreachable}"
        ),
        other => panic!("{other}"),
    }

    // A remote Iceberg endpoint beside a loopback base URL (the API on an emulator, engines on
    // Cloudflare): through the proxy, as any remote host, the environment's or the one named.
    for named_proxy in [None, Some(&named.url)] {
        let mut builder = no_retries(&server.url).iceberg_url("https://iceberg.example.invalid");
        if let Some(url) = named_proxy {
            builder = builder.proxy(url);
        }
        let checking = builder.build().expect("valid");
        let refused = runtime
            .block_on(catalog(&checking).iceberg_config("warehouse"))
            .expect_err("the proxy says 502");
        assert!(matches!(&refused, Error::Transport(_)), "{refused}");
    }

    assert_eq!(
        from_environment.request_lines(),
        [
            request_line("CONNECT", "api.example.invalid:443"),
            request_line("POST", &format!("{unroutable}{CREDENTIAL_PATH}")),
            request_line("CONNECT", "iceberg.example.invalid:443"),
        ]
    );
    assert_eq!(
        named.request_lines(),
        [
            request_line("CONNECT", "api.example.invalid:443"),
            request_line("CONNECT", "iceberg.example.invalid:443"),
        ]
    );
    let tunnelled = &from_environment.requests()[0];
    assert!(!tunnelled.contains(API_TOKEN) && !tunnelled.contains(CATALOG_TOKEN));

    // A proxy URL that cannot be used is refused, without echoing it.
    let error = no_retries("https://api.example.invalid")
        .proxy("http://user:hunter2@[::1")
        .build()
        .unwrap_err();
    assert_eq!(
        error,
        ConfigError::Proxy {
            reason: "it must be an absolute http, https or socks URL"
        }
    );
}
