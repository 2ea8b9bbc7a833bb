//! One attempt: the `ClientHooks::exec` every generated operation sends through, which prepares
//! the request as the client sends it ([`Outgoing::prepare`]) and sends it (or, for a dry-run
//! client, hands it back unsent), and the reading of what came back, whole and within
//! the client's limit, into an [`Attempt`].

use std::time::Instant;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use tracing::Instrument;

use crate::error::{RateLimited, Report};
use crate::generated::{self, ByteStream, ResponseValue};
use crate::head::{CF_RAY, ResponseMeta, logged_ray_id};
use crate::wire::Outgoing;

/// The most bytes a response body may have unless the client is told otherwise: 16 MiB, far
/// above what the API answers (a page of a thousand tables with details is well under 1 MiB).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

/// What a generated operation returns: codegen gives progenitor the operations without their
/// responses, so each returns any 2xx as a stream and anything else as the response itself,
/// head and body intact (see `xtask/src/codegen/spec.rs`, `answers_as_bytes`).
pub(crate) type Sent = Result<ResponseValue<ByteStream>, generated::Error<()>>;

/// What one attempt came to.
#[derive(Debug)]
pub(crate) enum Attempt {
    /// A response, its body read whole.
    Answered { head: ResponseMeta, body: Bytes },
    /// A response whose body is larger than `limit` bytes: it was not read past the limit.
    TooLarge { head: ResponseMeta, limit: u64 },
    /// No response, or one whose body broke off (`head` says which).
    Failed {
        source: reqwest::Error,
        head: Option<ResponseMeta>,
    },
    /// The request could not be built.
    Unsent(String),
    /// Cut off in flight when the call's operation timeout, `limit`, passed.
    Abandoned { limit: std::time::Duration },
    /// Built by a dry-run client and not sent.
    Planned(Planned),
    /// Not sent: Cloudflare's rate limit holds the client's calls for longer than this one may
    /// wait.
    Held(RateLimited),
}

/// A request a dry-run client built and did not send, as the hook below hands it back.
#[derive(Debug, Clone)]
pub(crate) struct Planned {
    pub(crate) method: reqwest::Method,
    pub(crate) url: reqwest::Url,
    pub(crate) body: Option<Bytes>,
}

impl Planned {
    /// `request` as a stand-in response that carries it: progenitor's hook can only return a
    /// response or a transport error, and a request not sent is neither. Its status is not a
    /// success, so the generated code hands the response back whole, and [`attempt`] takes the
    /// request out before it looks at anything else.
    fn into_stand_in(request: reqwest::Request) -> reqwest::Response {
        let planned = Self {
            method: request.method().clone(),
            url: request.url().clone(),
            body: request
                .body()
                .and_then(reqwest::Body::as_bytes)
                .map(Bytes::copy_from_slice),
        };
        let mut stand_in = http::Response::new(reqwest::Body::from(Bytes::new()));
        *stand_in.status_mut() = http::StatusCode::NOT_IMPLEMENTED;
        stand_in.extensions_mut().insert(planned);
        reqwest::Response::from(stand_in)
    }
}

impl Attempt {
    /// The response's head, when one came.
    pub(crate) fn head(&self) -> Option<&ResponseMeta> {
        match self {
            Self::Answered { head, .. } | Self::TooLarge { head, .. } => Some(head),
            Self::Failed { head, .. } => head.as_ref(),
            Self::Unsent(_) | Self::Abandoned { .. } | Self::Planned(_) | Self::Held(_) => None,
        }
    }
}

/// Awaits a generated call and reads its response body, at most `limit` bytes of it.
pub(crate) async fn attempt(sent: impl Future<Output = Sent>, limit: u64) -> Attempt {
    match sent.await {
        Ok(answer) => {
            let head = ResponseMeta::new(answer.status(), answer.headers().clone());
            let declared = answer.content_length();
            read(head, declared, answer.into_inner_stream(), limit).await
        }
        Err(generated::Error::UnexpectedResponse(mut response)) => {
            if let Some(planned) = response.extensions_mut().remove::<Planned>() {
                return Attempt::Planned(planned);
            }
            answer(response, limit).await
        }
        Err(
            generated::Error::CommunicationError(source)
            | generated::Error::ResponseBodyError(source)
            | generated::Error::InvalidUpgrade(source),
        ) => Attempt::Failed { source, head: None },
        // Bodies are never parsed by the generated code (it is given no response types), so
        // these come only from building the request.
        Err(error) => Attempt::Unsent(error.to_string()),
    }
}

/// Sends `request` with `http`, outside the generated client (the Iceberg endpoint's one
/// request), and reads the answer as [`attempt`] does.
pub(crate) async fn send(http: &reqwest::Client, request: reqwest::Request, limit: u64) -> Attempt {
    match http.execute(request).await {
        Ok(response) => answer(response, limit).await,
        Err(source) => Attempt::Failed { source, head: None },
    }
}

/// `response` with its body read, at most `limit` bytes of it.
async fn answer(mut response: reqwest::Response, limit: u64) -> Attempt {
    let headers = std::mem::take(response.headers_mut());
    let head = ResponseMeta::new(response.status(), headers);
    // A redirect is reported by its head alone; its body is no answer of Cloudflare's.
    if head.status.is_redirection() {
        let body = Bytes::new();
        return Attempt::Answered { head, body };
    }
    let declared = response.content_length();
    read(head, declared, response.bytes_stream(), limit).await
}

/// The body of the response with `head`, read chunk by chunk until it ends or goes over
/// `limit` bytes. A declared length over the limit fails before anything is read.
async fn read(
    head: ResponseMeta,
    declared: Option<u64>,
    chunks: impl Stream<Item = reqwest::Result<Bytes>>,
    limit: u64,
) -> Attempt {
    if declared.is_some_and(|length| length > limit) {
        return Attempt::TooLarge { head, limit };
    }
    let mut chunks = std::pin::pin!(chunks);
    let mut body = Vec::new();
    while let Some(chunk) = chunks.next().await {
        let chunk = match chunk {
            Ok(chunk) => chunk,
            Err(source) => {
                let head = Some(head);
                return Attempt::Failed { source, head };
            }
        };
        let within = body
            .len()
            .checked_add(chunk.len())
            .and_then(|length| u64::try_from(length).ok())
            .is_some_and(|length| length <= limit);
        if !within {
            return Attempt::TooLarge { head, limit };
        }
        body.extend_from_slice(&chunk);
    }
    Attempt::Answered {
        head,
        body: body.into(),
    }
}

impl ClientHooks<Outgoing> for generated::Client {
    async fn exec(
        &self,
        mut request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        self.inner().prepare(&mut request, info.operation_id);
        if self.inner().dry_run() {
            return Ok(Planned::into_stand_in(request));
        }
        let span = tracing::debug_span!(
            "r2_catalog.request",
            operation = info.operation_id,
            method = %request.method(),
            path = request.url().path(),
        );
        let started = Instant::now();
        let sent = self
            .client()
            .execute(request)
            .instrument(span.clone())
            .await;
        // Field values are only evaluated when the event is enabled, so this costs nothing
        // unless someone listens at debug level.
        span.in_scope(|| match &sent {
            Ok(response) => tracing::debug!(
                status = response.status().as_u16(),
                cf_ray = response
                    .headers()
                    .get(CF_RAY)
                    .map(|ray| logged_ray_id(ray).unwrap_or("(not a ray id)"))
                    .unwrap_or_default(),
                duration_ms = started.elapsed().as_millis() as u64,
                "response"
            ),
            Err(error) => tracing::debug!(
                error = %Report::new(error),
                duration_ms = started.elapsed().as_millis() as u64,
                "transport error"
            ),
        });
        sent
    }
}
