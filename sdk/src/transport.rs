//! Sending one attempt: the `ClientHooks::exec` behind every generated operation, which puts
//! the request under the client's path family, traces the attempt, limits what its response body may cost, and notes what its response looked like
//! in a task-local record.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use tracing::Instrument;

use crate::error::{BodyOverLimit, Report};
use crate::generated::{self, ResponseValue};
use crate::head::{CF_RAY, ResponseMeta, logged_ray_id};
use crate::wire::{BareEnvelope, Routes};

/// What the transport saw of one attempt: which operation and attempt it was, the most bytes
/// its response body may have, and the head of the response it handed to the generated code
/// (none when no response came back). The head is boxed to keep this small: tokio swaps a
/// task-local in and out of its slot on every poll.
#[derive(Debug)]
pub(crate) struct Exchange {
    pub(crate) operation: &'static str,
    pub(crate) attempt: u32,
    pub(crate) body_limit: u64,
    pub(crate) response: Option<Box<ResponseMeta>>,
}

impl Exchange {
    /// The head of a response that reached the generated code with this `status` and these
    /// `headers`: the transport's record, which holds the headers it took. Without a record
    /// (the call did not go through [`observe`]) the headers were never taken.
    pub(crate) fn take_head(
        &mut self,
        status: StatusCode,
        headers: &HeaderMap,
    ) -> Box<ResponseMeta> {
        self.response
            .take()
            .unwrap_or_else(|| Box::new(ResponseMeta::new(status, headers.clone())))
    }
}

/// The most bytes a response body may have unless the client is told otherwise: 16 MiB, far
/// above what the API answers (a page of a thousand tables with details is well under 1 MiB).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

tokio::task_local! {
    /// The exchange of the attempt running on this task. It exists because the generated code
    /// drops a response's status and headers when its body fails to parse, and the SDK must
    /// still report them, and retry on them.
    static EXCHANGE: RefCell<Exchange>;
}

/// What a generated operation method returns.
pub(crate) type Outcome<T> = Result<ResponseValue<T>, generated::Error<BareEnvelope>>;

/// One attempt as the rest of the SDK sees it: the parsed body of a documented success with the
/// head it came with, or what the generated client reported instead. Both sides are a few words,
/// so the result moves cheaply through the retry loop; the generated client's error is large and
/// rare, hence boxed.
pub(crate) type Attempt<T> = Result<Answer<T>, Box<generated::Error<BareEnvelope>>>;

/// A documented success: the response's head and its parsed body.
#[derive(Debug)]
pub(crate) struct Answer<T> {
    pub(crate) head: Box<ResponseMeta>,
    pub(crate) body: T,
}

/// Runs attempt number `attempt` of a generated call, whose response body may have at most
/// `body_limit` bytes, and returns what it yielded with the exchange the transport recorded.
pub(crate) async fn observe<T>(
    attempt: u32,
    body_limit: u64,
    call: impl Future<Output = Outcome<T>>,
) -> (Attempt<T>, Exchange) {
    let exchange = Exchange {
        operation: "",
        attempt,
        body_limit,
        response: None,
    };
    EXCHANGE
        .scope(RefCell::new(exchange), async {
            let outcome = call.await;
            let mut exchange = EXCHANGE.with(|slot| {
                let mut slot = slot.borrow_mut();
                Exchange {
                    response: slot.response.take(),
                    ..*slot
                }
            });
            let attempt = match outcome {
                Ok(value) => Ok(Answer {
                    head: exchange.take_head(value.status(), value.headers()),
                    body: value.into_inner(),
                }),
                Err(error) => Err(Box::new(error)),
            };
            (attempt, exchange)
        })
        .await
}

impl ClientHooks<Routes> for generated::Client {
    async fn exec(
        &self,
        mut request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        self.inner().route(request.url_mut(), info.operation_id);
        let (attempt, body_limit) = EXCHANGE
            .try_with(|exchange| {
                let exchange = exchange.borrow();
                (exchange.attempt, exchange.body_limit)
            })
            .unwrap_or((1, DEFAULT_MAX_RESPONSE_BYTES));
        let span = tracing::debug_span!(
            "r2_catalog.request",
            operation = info.operation_id,
            attempt,
            method = %request.method(),
            path = request.url().path(),
        );
        let started = Instant::now();
        let mut outcome = self
            .client()
            .execute(request)
            .instrument(span.clone())
            .await;
        span.in_scope(|| log_attempt(attempt, &outcome, started));
        record(info.operation_id, attempt, outcome.as_mut().ok());
        outcome.map(|response| limited(response, body_limit))
    }
}

/// `response` with a body that fails once it goes over `limit` bytes. This is the one place
/// the limit is enforced: every operation's body, parsed by the generated code or by the
/// envelope judge, is read through here. A body whose `Content-Length` is within the limit is
/// left as it is: hyper never reads past a declared length, so it cannot go over, and the
/// common case pays nothing.
fn limited(response: reqwest::Response, limit: u64) -> reqwest::Response {
    if response
        .content_length()
        .is_some_and(|length| length <= limit)
    {
        return response;
    }
    let (head, body) = http::Response::from(response).into_parts();
    let body = reqwest::Body::wrap(LimitedBody {
        inner: body,
        remaining: limit,
        limit,
    });
    reqwest::Response::from(http::Response::from_parts(head, body))
}

/// A response body that fails with [`BodyOverLimit`] instead of yielding more than `limit`
/// bytes in all. A declared length over the limit fails before anything is read; otherwise
/// reading stops at the first chunk that would cross it, so at most one chunk of hyper's read
/// buffer is read past the limit, and none of it is kept.
struct LimitedBody {
    inner: reqwest::Body,
    remaining: u64,
    limit: u64,
}

impl Body for LimitedBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let limit = self.limit;
        let over = move || Poll::Ready(Some(Err(BodyOverLimit { limit }.into())));
        if self.inner.size_hint().lower() > self.remaining {
            return over();
        }
        let frame = match Pin::new(&mut self.inner).poll_frame(context) {
            Poll::Ready(Some(Ok(frame))) => frame,
            Poll::Ready(Some(Err(error))) => return Poll::Ready(Some(Err(error.into()))),
            Poll::Ready(None) => return Poll::Ready(None),
            Poll::Pending => return Poll::Pending,
        };
        let length = frame.data_ref().map_or(0, |data| data.len());
        match self
            .remaining
            .checked_sub(u64::try_from(length).unwrap_or(u64::MAX))
        {
            Some(remaining) => {
                self.remaining = remaining;
                Poll::Ready(Some(Ok(frame)))
            }
            None => over(),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

fn log_attempt(attempt: u32, outcome: &reqwest::Result<reqwest::Response>, started: Instant) {
    // Field values are only evaluated when the event is enabled, so this costs nothing unless
    // someone listens at debug level.
    match outcome {
        Ok(response) => tracing::debug!(
            attempt,
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
            attempt,
            error = %Report::new(error),
            duration_ms = started.elapsed().as_millis() as u64,
            "transport error"
        ),
    }
}

/// Hands what attempt `attempt` of `operation` got back to the [`observe`] call in scope on this
/// task. The generated code reads only a response's status and body, yet would copy every header
/// into its `ResponseValue`: the record takes the headers instead. Outside `observe` there is
/// nobody to tell, and the response keeps them.
fn record(operation: &'static str, attempt: u32, response: Option<&mut reqwest::Response>) {
    let _ = EXCHANGE.try_with(|slot| {
        let mut slot = slot.borrow_mut();
        slot.operation = operation;
        slot.attempt = attempt;
        slot.response = response.map(|response| {
            let headers = std::mem::take(response.headers_mut());
            Box::new(ResponseMeta::new(response.status(), headers))
        });
    });
}
