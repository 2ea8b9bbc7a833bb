//! Test-only crate: the suites live in `tests/tests/`. What they share that the CLI's suites
//! (which include `tests/tests/common` by path) cannot build lives here, and the doctests of the
//! README and the guides, which use the SDK and the emulator both.

/// A plain HTTP client, for requests the SDK would not send as they are (past a rate limit,
/// say).
pub fn plain_http() -> reqwest::Client {
    // reqwest is built here without a rustls provider (the SDK hands it one); the emulator
    // speaks plain HTTP, but reqwest wants one to build a client.
    #[allow(
        deprecated,
        reason = "rustls 0.23.48 deprecates ring's provider (no post-quantum key exchange) and \
                  has no other way to build it; this client speaks plain HTTP"
    )]
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a plain HTTP client")
}

// The Rust blocks of the README and of every page in docs/, compiled as doctests so that they
// cannot drift from the API: `cargo test -p integration-tests --doc`. This crate's
// dependencies (the SDK, the emulator, tokio, futures-util, serde_json) are theirs. Every page
// is here, with Rust blocks or not yet, so that one added later is compiled too;
// `xtask/tests/docs.rs` checks that none is missing.

/// Includes each page as the doc comment of an item of its own, so that rustdoc compiles its
/// Rust blocks.
macro_rules! doctests {
    ($($item:ident: $page:literal),* $(,)?) => {
        $(
            #[cfg(doctest)]
            #[doc = include_str!(concat!("../../", $page))]
            pub struct $item;
        )*
    };
}

doctests! {
    ReadmeDoctests: "README.md",
    DocsIndexDoctests: "docs/README.md",
    ApiPolicyDoctests: "docs/api-policy.md",
    BenchmarksDoctests: "docs/benchmarks.md",
    CliDoctests: "docs/cli.md",
    EmulatorDoctests: "docs/emulator.md",
    LibraryDoctests: "docs/library.md",
    MaintainersDoctests: "docs/maintainers.md",
    RateLimitsDoctests: "docs/rate-limits.md",
    SecurityDoctests: "docs/security.md",
}
