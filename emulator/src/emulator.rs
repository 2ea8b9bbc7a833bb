//! The running emulator: starting it from its builder, and the handle a test holds, which
//! seeds it, injects faults and reads back what it was asked.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use cloudflare_r2_catalog::input::{BucketName, Input, Namespace, TableName};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::builder::{EmulatorBuilder, Protocols};
use crate::certificate;
use crate::error::EmulatorError;
use crate::fault::Fault;
use crate::rate::Limiter;
use crate::record::RecordedRequest;
use crate::seed::{Seed, require_seeded_parent};
use crate::server;
use crate::state::Store;
use crate::world::{Shared, World};

impl EmulatorBuilder {
    /// Binds the address and serves on the current tokio runtime until the [`Emulator`] is
    /// dropped.
    pub async fn start(self) -> Result<Emulator, EmulatorError> {
        if let Some(error) = self.invalid {
            return Err(error.into());
        }
        if !self.listen.ip().is_loopback() {
            return Err(EmulatorError::NotLoopback(self.listen));
        }
        let listen_error = |source| EmulatorError::Listen {
            address: self.listen,
            source,
        };
        let certificates = self
            .tls
            .map(|protocols| {
                let offered: &[&[u8]] = match protocols {
                    Protocols::Http2AndHttp1 => &[b"h2", b"http/1.1"],
                    Protocols::Http1Only => &[b"http/1.1"],
                };
                certificate::make(self.listen.ip(), offered)
            })
            .transpose()
            .map_err(EmulatorError::Tls)?;
        let listener = TcpListener::bind(self.listen).await.map_err(listen_error)?;
        let address = listener.local_addr().map_err(listen_error)?;
        let mut store = Store::new(self.daily_queue_limit, self.run_plan);
        self.buckets
            .iter()
            .for_each(|bucket| store.add_bucket(bucket));
        let shared = Arc::new(Shared {
            access: self.access,
            body_timeout: self.body_timeout,
            world: Mutex::new(World {
                store,
                limiter: self.rate_limit.map(Limiter::new),
                throttled: 0,
                faults: Vec::new(),
                requests: VecDeque::new(),
                recorded_bytes: 0,
            }),
            connections: AtomicU64::new(0),
        });
        let (scheme, root_pem, acceptor) = match certificates {
            Some(made) => (
                "https",
                Some(made.root_pem),
                Some(tokio_rustls::TlsAcceptor::from(made.server)),
            ),
            None => ("http", None, None),
        };
        let server = tokio::spawn(server::serve(listener, acceptor, Arc::clone(&shared)));
        Ok(Emulator {
            base_url: format!("{scheme}://{address}{}", server::API_PREFIX),
            iceberg_url: format!("{scheme}://{address}"),
            root_pem,
            address,
            shared,
            server,
        })
    }
}

/// A running emulator; it stops serving, and closes its connections, when dropped, or when
/// [`Emulator::shutdown`] says so and waits for it.
#[derive(Debug)]
pub struct Emulator {
    base_url: String,
    iceberg_url: String,
    root_pem: Option<String>,
    address: SocketAddr,
    shared: Arc<Shared>,
    server: JoinHandle<()>,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Emulator {
    /// Stops serving and returns once the listening socket is closed, so its address can be
    /// bound again at once. Dropping the emulator stops it too, but closes the socket a moment
    /// later, on the runtime.
    pub async fn shutdown(mut self) {
        self.server.abort();
        // The task's future, and the listener in it, are dropped before its handle resolves;
        // it resolves as cancelled, which is what was asked.
        let _ = (&mut self.server).await;
    }

    /// A builder: no buckets, every account, any credentials, Cloudflare's rate limit
    /// ([`RateLimit::CLOUDFLARE`](crate::RateLimit::CLOUDFLARE)) and daily queue limit
    /// ([`DAILY_QUEUE_LIMIT`](crate::DAILY_QUEUE_LIMIT)), a free loopback port.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::new()
    }

    /// The API's base URL on this emulator, `http://127.0.0.1:PORT/client/v4` (`https://` with
    /// [`EmulatorBuilder::tls`]): what to give a client in place of
    /// `https://api.cloudflare.com/client/v4`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The base of its Iceberg REST endpoint, `http://127.0.0.1:PORT` (no path): what to use
    /// in place of `https://catalog.cloudflarestorage.com`, so a catalog's URI is
    /// `{iceberg_url}/{account_id}/{bucket}`. It serves only the config route,
    /// `GET {iceberg_url}/{account_id}/{bucket}/v1/config?warehouse={account_id}_{bucket}`.
    pub fn iceberg_url(&self) -> &str {
        &self.iceberg_url
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    /// The PEM certificate of the authority that signed this emulator's certificate, for a
    /// client to trust ([`ClientBuilder::add_root_certificate`]); `None` unless it serves TLS
    /// ([`EmulatorBuilder::tls`]). Made afresh at each start.
    ///
    /// [`ClientBuilder::add_root_certificate`]: cloudflare_r2_catalog::ClientBuilder::add_root_certificate
    pub fn root_certificate_pem(&self) -> Option<&str> {
        self.root_pem.as_deref()
    }

    /// The connections accepted so far; with TLS, those whose handshake completed. A client
    /// that speaks HTTP/2 carries its calls on one.
    pub fn connections(&self) -> u64 {
        self.shared.connections.load(Ordering::Relaxed)
    }

    /// Adds a bucket (in every account the emulator serves).
    pub fn add_bucket(&self, bucket: impl Input<BucketName>) -> Result<(), EmulatorError> {
        let bucket = bucket.into_valid()?;
        self.shared.lock().store.add_bucket(&bucket);
        Ok(())
    }

    /// Seeds a namespace into `bucket`'s catalog metadata, in every account: it is listed once
    /// the catalog is enabled, and keeps a catalog from being deleted without `force`. A nested
    /// namespace needs its parent seeded first ([`EmulatorError::MissingParent`]).
    pub fn add_namespace(
        &self,
        bucket: impl Input<BucketName>,
        namespace: impl Input<Namespace>,
    ) -> Result<(), EmulatorError> {
        let (bucket, namespace) = (bucket.into_valid()?, namespace.into_valid()?);
        let store = &mut self.shared.lock().store;
        require_seeded_parent(store, &bucket, &namespace)?;
        if store.add_namespace(&bucket, &namespace) {
            Ok(())
        } else {
            Err(EmulatorError::UnknownBucket(bucket.to_string()))
        }
    }

    /// Seeds a table (and its namespace, if not there yet) into `bucket`, in every account. A
    /// nested namespace needs its parent seeded first ([`EmulatorError::MissingParent`]).
    pub fn add_table(
        &self,
        bucket: impl Input<BucketName>,
        namespace: impl Input<Namespace>,
        table: impl Input<TableName>,
    ) -> Result<(), EmulatorError> {
        let (bucket, namespace, table) = (
            bucket.into_valid()?,
            namespace.into_valid()?,
            table.into_valid()?,
        );
        let store = &mut self.shared.lock().store;
        require_seeded_parent(store, &bucket, &namespace)?;
        if store.add_table(&bucket, &namespace, &table) {
            Ok(())
        } else {
            Err(EmulatorError::UnknownBucket(bucket.to_string()))
        }
    }

    /// Seeds everything `seed` names: its buckets, their namespaces and tables. The whole seed
    /// is checked first, and nothing of it is seeded if any of it is refused: a name that
    /// breaks the API's rules, or a nested namespace (listed, or a table's) whose parent is
    /// neither in the seed nor already in the bucket ([`EmulatorError::MissingParent`]).
    pub fn seed(&self, seed: &Seed) -> Result<(), EmulatorError> {
        seed.apply(&mut self.shared.lock().store)
    }

    /// Makes the next requests fail as `fault` says; faults apply in the order injected.
    pub fn inject(&self, fault: Fault) {
        if fault.times > 0 {
            self.shared.lock().faults.push(fault);
        }
    }

    /// The requests received so far, oldest first: the most recent ones, at most
    /// [`RECORDED_REQUESTS`](crate::RECORDED_REQUESTS) of them and
    /// [`RECORDED_BYTES`](crate::RECORDED_BYTES) of their methods, paths, queries and bodies.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.iter().cloned().collect()
    }

    /// How many requests it has refused for the rate limit (429, code 971) since it started:
    /// those that went past a credential's quota, and those made during the block that
    /// followed. An injected [`Fault::rate_limited`] is not counted.
    pub fn throttled(&self) -> u64 {
        self.shared.lock().throttled
    }
}
