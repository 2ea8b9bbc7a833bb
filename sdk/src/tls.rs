//! The TLS backend of the HTTP client, chosen by cargo feature: `rustls-ring` (the default),
//! `rustls-aws-lc` or `native-tls`. A rustls backend is handed to reqwest fully configured, with
//! its crypto provider named here: the client never depends on a process-wide default provider
//! that another crate may or may not have installed.

#[cfg(not(any(
    feature = "rustls-ring",
    feature = "rustls-aws-lc",
    feature = "native-tls"
)))]
compile_error!(
    "cloudflare-r2-catalog needs a TLS backend: enable the feature `rustls-ring` (the default), `rustls-aws-lc` or `native-tls`"
);

use crate::error::ConfigError;

/// The TLS backend this build uses, as [`crate::Client`]'s `Debug` shows it.
pub(crate) const BACKEND: &str = if cfg!(feature = "native-tls") {
    "native-tls"
} else if cfg!(feature = "rustls-aws-lc") {
    "rustls-aws-lc"
} else {
    "rustls-ring"
};

/// `builder` with this build's TLS backend: the platform's, held to TLS 1.2 or later, as the
/// rustls backends are.
#[cfg(feature = "native-tls")]
pub(crate) fn configure(
    builder: reqwest::ClientBuilder,
) -> Result<reqwest::ClientBuilder, ConfigError> {
    Ok(builder
        .tls_backend_native()
        .tls_version_min(reqwest::tls::Version::TLS_1_2))
}

/// `builder` with rustls, its crypto provider, the platform's certificate verifier (the system's
/// roots, as reqwest's own rustls backend uses), and HTTP/1.1 as the only ALPN protocol (the
/// client speaks nothing else).
#[cfg(all(
    not(feature = "native-tls"),
    any(feature = "rustls-ring", feature = "rustls-aws-lc")
))]
pub(crate) fn configure(
    builder: reqwest::ClientBuilder,
) -> Result<reqwest::ClientBuilder, ConfigError> {
    use std::sync::Arc;

    #[cfg(feature = "rustls-aws-lc")]
    let provider = rustls::crypto::aws_lc_rs::default_provider();
    #[cfg(not(feature = "rustls-aws-lc"))]
    let provider = rustls::crypto::ring::default_provider();
    let provider = Arc::new(provider);

    let failed = |error: rustls::Error| ConfigError::HttpClient(format!("TLS: {error}"));
    let verifier = rustls_platform_verifier::Verifier::new(provider.clone()).map_err(failed)?;
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(failed)?
        // rustls files every verifier it did not write under `dangerous()`; this one is the
        // platform's full verification, exactly what reqwest's own rustls backend installs.
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(builder.tls_backend_preconfigured(tls))
}
