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

/// A refused root certificate, as [`ConfigError::RootCertificate`] reports it.
fn refused(reason: impl std::fmt::Display) -> ConfigError {
    ConfigError::RootCertificate {
        reason: reason.to_string(),
    }
}

/// Why PEM text with no certificate in it is refused, by either backend.
const NO_CERTIFICATE: &str = "no certificate in the PEM text";

/// `builder` with this build's TLS backend: the platform's, held to TLS 1.2 or later, as the
/// rustls backends are, trusting the system's roots and every certificate in `roots` (PEM),
/// and offering HTTP/2 and HTTP/1.1 by ALPN (reqwest's `native-tls` feature asks for both).
#[cfg(feature = "native-tls")]
pub(crate) fn configure(
    builder: reqwest::ClientBuilder,
    roots: &[Vec<u8>],
) -> Result<reqwest::ClientBuilder, ConfigError> {
    let mut builder = builder
        .tls_backend_native()
        .tls_version_min(reqwest::tls::Version::TLS_1_2);
    for pem in roots {
        // Every certificate of the text: `Certificate::from_pem` would read only the first.
        let found = reqwest::Certificate::from_pem_bundle(pem).map_err(refused)?;
        if found.is_empty() {
            return Err(refused(NO_CERTIFICATE));
        }
        for certificate in found {
            builder = builder.add_root_certificate(certificate);
        }
    }
    Ok(builder)
}

/// `builder` with rustls, its crypto provider, the platform's certificate verifier (the system's
/// roots, as reqwest's own rustls backend uses) also trusting `roots` (PEM), and HTTP/2 then
/// HTTP/1.1 offered by ALPN: a server that picks `h2` carries every call on one connection.
#[cfg(all(
    not(feature = "native-tls"),
    any(feature = "rustls-ring", feature = "rustls-aws-lc")
))]
pub(crate) fn configure(
    builder: reqwest::ClientBuilder,
    roots: &[Vec<u8>],
) -> Result<reqwest::ClientBuilder, ConfigError> {
    use std::sync::Arc;

    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;

    let mut extra = Vec::new();
    for pem in roots {
        let found = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(refused)?;
        if found.is_empty() {
            return Err(refused(NO_CERTIFICATE));
        }
        extra.extend(found);
    }

    #[cfg(feature = "rustls-aws-lc")]
    let provider = rustls::crypto::aws_lc_rs::default_provider();
    #[cfg(not(feature = "rustls-aws-lc"))]
    #[allow(
        deprecated,
        reason = "rustls 0.23.48 deprecates ring's provider, which has no post-quantum key \
                  exchange, and offers no other way to build it in 0.23: ring stays the \
                  quick-to-build default, `rustls-aws-lc` the post-quantum choice"
    )]
    let provider = rustls::crypto::ring::default_provider();
    let provider = Arc::new(provider);

    let failed = |error: rustls::Error| ConfigError::HttpClient(format!("TLS: {error}"));
    let verifier = if extra.is_empty() {
        rustls_platform_verifier::Verifier::new(provider.clone())
    } else {
        rustls_platform_verifier::Verifier::new_with_extra_roots(extra, provider.clone())
    }
    .map_err(failed)?;
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(failed)?
        // rustls files every verifier it did not write under `dangerous()`; this one is the
        // platform's full verification, exactly what reqwest's own rustls backend installs.
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(builder.tls_backend_preconfigured(tls))
}
