//! The emulator's TLS: a CA made at start, a leaf for loopback signed by it, and the server
//! configuration that presents the leaf. Only the CA's certificate leaves the emulator
//! ([`Emulator::root_certificate_pem`](crate::Emulator::root_certificate_pem)); its key is dropped
//! once the leaf is signed.

use std::net::IpAddr;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

/// What serving TLS needs: the CA's certificate for clients to trust, and the server's
/// configuration.
pub(crate) struct Certificates {
    pub(crate) root_pem: String,
    pub(crate) server: Arc<rustls::ServerConfig>,
}

/// A fresh CA, and a leaf for `localhost`, `127.0.0.1` and `ip` (the address listened on)
/// signed by it, served with ALPN `protocols` in order of preference.
pub(crate) fn make(ip: IpAddr, protocols: &[&[u8]]) -> Result<Certificates, String> {
    let failed = |error: rcgen::Error| format!("making the emulator's certificate: {error}");
    let mut root = CertificateParams::new(Vec::<String>::new()).map_err(failed)?;
    root.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    root.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    root.distinguished_name
        .push(DnType::CommonName, "r2-catalog emulator root");
    let root =
        CertifiedIssuer::self_signed(root, KeyPair::generate().map_err(failed)?).map_err(failed)?;

    let names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        ip.to_string(),
    ];
    let mut leaf = CertificateParams::new(names).map_err(failed)?;
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.distinguished_name
        .push(DnType::CommonName, "r2-catalog emulator");
    let leaf_key = KeyPair::generate().map_err(failed)?;
    let leaf = leaf.signed_by(&leaf_key, &root).map_err(failed)?;

    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    #[allow(
        deprecated,
        reason = "rustls 0.23.48 deprecates ring's provider, which has no post-quantum key \
                  exchange, and offers no other way to build it in 0.23: a loopback test \
                  server needs none, and ring is what rcgen signs with here"
    )]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|builder| {
            builder
                .with_no_client_auth()
                .with_single_cert(vec![leaf.der().clone()], key)
        })
        .map_err(|error| format!("configuring the emulator's TLS: {error}"))?;
    server.alpn_protocols = protocols.iter().map(|protocol| protocol.to_vec()).collect();
    Ok(Certificates {
        root_pem: root.pem(),
        server: Arc::new(server),
    })
}
