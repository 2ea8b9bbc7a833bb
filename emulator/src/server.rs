//! The HTTP side: accepts connections on loopback (over TLS when asked, speaking HTTP/2 when
//! the client picks it by ALPN), reads each request within limits, and
//! answers it in order: route (either path family), injected fault, credentials, the rate
//! limit, account, then the catalog rules. A path outside `/client/v4` may be the Iceberg
//! config route instead (see [`crate::iceberg`]), which takes no faults and is not rate
//! limited.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use cloudflare_r2_catalog::input::AccountId;

use crate::access::{Access, credential};
use crate::fault::FaultKind;
use crate::iceberg;
use crate::operation::{Operation, route};
use crate::rate::Metered;
use crate::record::RecordedRequest;
use crate::reply::{Reply, codes};
use crate::rules::Call;
use crate::world::{Shared, World};

/// The prefix every route of Cloudflare's v4 API sits under.
pub(crate) const API_PREFIX: &str = "/client/v4";

/// Cloudflare's rate limit headers (after the IETF RateLimit header draft): what is left of
/// the window, and the policy.
const RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");
const RATELIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");

/// Cloudflare's message with code 971, when a user goes past the global rate limit.
const THROTTLED_MESSAGE: &str = "Please wait and consider throttling your request speed";

/// The largest request body the emulator reads; the API's bodies are a few hundred bytes.
const MAX_REQUEST_BODY: usize = 64 * 1024;

/// How long a client may take to send a request's head, or to finish a TLS handshake.
const HEAD_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a client may take, by default, to send a request's body once its head has arrived
/// ([`EmulatorBuilder::body_timeout`](crate::EmulatorBuilder::body_timeout)): without a bound, a
/// client sending a byte now and then would hold its connection, and a task, for ever.
pub(crate) const BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves `listener`, over TLS with `acceptor`, until the task running this is aborted (which
/// drops every connection).
pub(crate) async fn serve(
    listener: TcpListener,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
    shared: Arc<Shared>,
) {
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        let Ok((stream, _)) = listener.accept().await else {
            // Out of file descriptors, say: wait instead of spinning.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        // Each answer goes out at once, as a server built for latency sends it; without this,
        // the frames of an HTTP/2 answer wait on the client's delayed acknowledgements.
        let _ = stream.set_nodelay(true);
        let shared = Arc::clone(&shared);
        let acceptor = acceptor.clone();
        connections.spawn(async move {
            let Some(acceptor) = acceptor else {
                shared.connections.fetch_add(1, Ordering::Relaxed);
                return serve_connection(stream, false, shared).await;
            };
            // A client that never finishes its handshake, or fails it, is its own business.
            let handshake = tokio::time::timeout(HEAD_TIMEOUT, acceptor.accept(stream)).await;
            let Ok(Ok(stream)) = handshake else { return };
            shared.connections.fetch_add(1, Ordering::Relaxed);
            let http2 = stream.get_ref().1.alpn_protocol() == Some(b"h2");
            serve_connection(stream, http2, shared).await;
        });
    }
}

/// Answers the requests of one connection, in HTTP/2 or HTTP/1.1.
async fn serve_connection(
    stream: impl AsyncRead + AsyncWrite + Unpin + Send + 'static,
    http2: bool,
    shared: Arc<Shared>,
) {
    let service = hyper::service::service_fn(move |request| {
        let shared = Arc::clone(&shared);
        async move { answer(&shared, request).await }
    });
    let io = TokioIo::new(stream);
    // A client that goes away mid-request is its own business.
    let _ = if http2 {
        hyper::server::conn::http2::Builder::new(TokioExecutor::new())
            .timer(TokioTimer::new())
            .serve_connection(io, service)
            .await
    } else {
        hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEAD_TIMEOUT)
            .serve_connection(io, service)
            .await
    };
}

/// What a request gets: an answer, or its connection closed without one (an injected fault).
#[derive(Debug, thiserror::Error)]
#[error("connection dropped on purpose (injected fault)")]
struct Dropped;

async fn answer(
    shared: &Shared,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Dropped> {
    let (parts, body) = request.into_parts();
    let segments = decoded_segments(parts.uri.path());
    // Outside `/client/v4`, the path may be the Iceberg endpoint's config route.
    let iceberg_target = if segments.is_none() {
        iceberg::target(parts.uri.path())
    } else {
        None
    };
    let routed = segments.and_then(|segments| route(&parts.method, &segments));
    let operation = routed.as_ref().map(|(operation, _)| *operation);
    let read = Limited::new(body, MAX_REQUEST_BODY).collect();
    let body = match tokio::time::timeout(shared.body_timeout, read).await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(_)) => {
            let reply = Reply::bad_request(format!(
                "request body over {MAX_REQUEST_BODY} bytes, or cut off"
            ));
            return Ok(unread(shared, &parts, operation, reply));
        }
        Err(_) => {
            let reply = Reply::failure(
                StatusCode::REQUEST_TIMEOUT,
                codes::REQUEST_TIMEOUT,
                format!(
                    "request body not received whole within {:?}",
                    shared.body_timeout
                ),
            );
            return Ok(unread(shared, &parts, operation, reply));
        }
    };
    let query: Vec<(String, String)> = parts
        .uri
        .query()
        .map(|query| {
            url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();

    let mut world = shared.lock();
    if let Some(target) = iceberg_target {
        let reply = iceberg::answer(
            &world.store,
            &shared.access,
            &parts.method,
            &parts.headers,
            &target,
            &query,
        );
        // Recorded with no operation: it is none of the management API's.
        world.record(recorded(&parts, None, Some(reply.status), &body));
        drop(world);
        let mut response = render(reply, None);
        if response.status() == StatusCode::METHOD_NOT_ALLOWED {
            let allow = HeaderValue::from_static("GET");
            response.headers_mut().insert(header::ALLOW, allow);
        }
        return Ok(response);
    }
    let fault = routed
        .as_ref()
        .and_then(|(operation, _)| world.take_fault(*operation));
    let answer_lost = fault == Some(FaultKind::AppliedThenDisconnect);
    // The rate limit's verdict, once it is counted: its headers go on the answer.
    let mut metered = None;
    let (reply, retry_after) = match (fault, &routed) {
        (Some(FaultKind::Disconnect), _) => (None, None),
        (Some(FaultKind::RateLimited { retry_after_secs }), _) => (
            Some(Reply::failure(
                StatusCode::TOO_MANY_REQUESTS,
                codes::RATE_LIMITED,
                "Please wait and consider throttling your request speed (injected fault)",
            )),
            Some(retry_after_secs),
        ),
        (Some(FaultKind::ServerError(status)), _) => (
            Some(Reply::failure(
                status,
                codes::INTERNAL,
                "Internal server error (injected fault)",
            )),
            None,
        ),
        (
            Some(FaultKind::Failure {
                status,
                code,
                message,
            }),
            _,
        ) => (Some(Reply::failure(status, code, message)), None),
        // Faults are only taken for routed requests.
        (_, None) => (
            Some(Reply::failure(
                StatusCode::NOT_FOUND,
                codes::NO_ROUTE,
                "No route for that URI",
            )),
            None,
        ),
        (None | Some(FaultKind::AppliedThenDisconnect), Some((operation, params))) => {
            let call = Call {
                operation: *operation,
                params,
                query: &query,
                body: &body,
                access: &shared.access,
            };
            // A fault's request is outside the rate limit, as every fault's is.
            let (reply, verdict) = carry_out(&mut world, &parts.headers, &call, !answer_lost);
            metered = verdict;
            let retry_after = metered
                .as_ref()
                .and_then(|metered| metered.retry_after_secs);
            // Carried out either way; with that fault, the answer is then lost.
            ((!answer_lost).then_some(reply), retry_after)
        }
    };
    world.record(recorded(
        &parts,
        operation,
        reply.as_ref().map(|reply| reply.status),
        &body,
    ));
    drop(world);
    reply
        .map(|reply| {
            let mut response = render(reply, retry_after);
            if let Some(metered) = &metered {
                let headers = response.headers_mut();
                headers.insert(RATELIMIT, metered.ratelimit.clone());
                headers.insert(RATELIMIT_POLICY, metered.policy.clone());
            }
            response
        })
        .ok_or(Dropped)
}

/// The answer to a request whose body was not read whole: `reply`, recorded without the body.
/// Answered before its body ended, the request's connection is closed once the answer is sent.
fn unread(
    shared: &Shared,
    parts: &http::request::Parts,
    operation: Option<Operation>,
    reply: Reply,
) -> Response<Full<Bytes>> {
    shared
        .lock()
        .record(recorded(parts, operation, Some(reply.status), &[]));
    render(reply, None)
}

/// What [`Emulator::requests`](crate::Emulator::requests) keeps of a request.
fn recorded(
    parts: &http::request::Parts,
    operation: Option<Operation>,
    status: Option<StatusCode>,
    body: &[u8],
) -> RecordedRequest {
    RecordedRequest {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        operation,
        status: status.map(|status| status.as_u16()),
        body: body.to_vec(),
    }
}

/// Answers `call` as Cloudflare would: its credentials first, then (when `metered`) the rate
/// limit, its account, and the catalog's rules. A request refused for its credentials has no
/// user to count against, so it is not counted (nor answered with the limit's headers); one
/// refused for the limit is not carried out.
fn carry_out(
    world: &mut World,
    headers: &HeaderMap,
    call: &Call<'_>,
    metered: bool,
) -> (Reply, Option<Metered>) {
    let Some(credential) = credential(call.access, headers) else {
        return (
            Reply::failure(
                StatusCode::UNAUTHORIZED,
                codes::AUTHENTICATION,
                "Authentication error",
            ),
            None,
        );
    };
    let verdict = world
        .limiter
        .as_mut()
        .filter(|_| metered)
        .map(|limiter| limiter.admit(credential, Instant::now()));
    if verdict.as_ref().is_some_and(|verdict| verdict.refused) {
        world.throttled = world.throttled.saturating_add(1);
        let reply = Reply::failure(
            StatusCode::TOO_MANY_REQUESTS,
            codes::RATE_LIMITED,
            THROTTLED_MESSAGE,
        );
        return (reply, verdict);
    }
    let reply = match check_account(call.access, &call.params.account) {
        Ok(()) => world.store.answer(&call.params.account, call),
        Err(reply) => reply,
    };
    (reply, verdict)
}

/// The path after `/client/v4`, split and percent-decoded; `None` if it is elsewhere or does
/// not decode to UTF-8.
fn decoded_segments(path: &str) -> Option<Vec<String>> {
    let rest = path.strip_prefix(API_PREFIX)?.strip_prefix('/')?;
    rest.split('/')
        .map(|segment| {
            percent_encoding::percent_decode_str(segment)
                .decode_utf8()
                .ok()
                .map(|text| text.into_owned())
        })
        .collect()
}

/// The account of a request whose credentials were accepted, checked the way Cloudflare checks
/// it: a malformed account id is 400, an account the emulator does not serve 403.
fn check_account(access: &Access, account: &str) -> Result<(), Reply> {
    let Ok(account) = AccountId::new(account) else {
        return Err(Reply::failure(
            StatusCode::BAD_REQUEST,
            codes::INVALID_OBJECT_IDENTIFIER,
            "Could not route to the account: perhaps your object identifier is invalid?",
        ));
    };
    if !access.serves(&account) {
        return Err(Reply::failure(
            StatusCode::FORBIDDEN,
            codes::FORBIDDEN,
            "Forbidden: these credentials have no access to that account",
        ));
    }
    Ok(())
}

fn render(reply: Reply, retry_after_secs: Option<u64>) -> Response<Full<Bytes>> {
    let has_body = reply.body.is_some();
    let body = reply
        .body
        .map(|json| Bytes::from(json.to_string()))
        .unwrap_or_default();
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = reply.status;
    let headers = response.headers_mut();
    if has_body {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    if let Some(seconds) = retry_after_secs {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    headers.insert("cf-ray", cf_ray());
    response
}

/// A `cf-ray` like Cloudflare's (16 hex digits and a location), so code that logs it has one.
fn cf_ray() -> HeaderValue {
    HeaderValue::from_str(&format!("{:016x}-EMU", fastrand::u64(..)))
        .unwrap_or_else(|_| HeaderValue::from_static("0000000000000000-EMU"))
}
