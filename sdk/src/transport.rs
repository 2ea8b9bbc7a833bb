//! Sending requests: the `ClientHooks::exec` behind every generated operation, which makes the
//! attempts the retry policy allows, traces them, and notes what the final response looked like.

use std::cell::RefCell;
use std::future::Future;
use std::time::Instant;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use tracing::Instrument;

use crate::generated;
use crate::retry::RetryConfig;

/// The state the generated client carries for its hooks (its "inner type").
#[derive(Clone, Debug)]
pub(crate) struct Transport {
    pub(crate) retry: RetryConfig,
}

/// What the SDK keeps of a response's head: enough to report on it without the body. The
/// header values are shared with the response (no copy) until an error or result needs text.
#[derive(Clone, Debug)]
pub(crate) struct ResponseMeta {
    pub(crate) status: StatusCode,
    content_type: Option<HeaderValue>,
    cf_ray: Option<HeaderValue>,
}

/// Cloudflare's request id header.
const CF_RAY: HeaderName = HeaderName::from_static("cf-ray");

impl ResponseMeta {
    pub(crate) fn new(status: StatusCode, headers: &HeaderMap) -> Self {
        Self {
            status,
            content_type: headers.get(CONTENT_TYPE).cloned(),
            cf_ray: headers.get(CF_RAY).cloned(),
        }
    }

    /// The `cf-ray` header, when present and readable.
    pub(crate) fn cf_ray(&self) -> Option<&str> {
        self.cf_ray.as_ref().and_then(|value| value.to_str().ok())
    }

    /// The `Content-Type` header, when present and readable.
    pub(crate) fn content_type(&self) -> Option<&str> {
        self.content_type
            .as_ref()
            .and_then(|value| value.to_str().ok())
    }
}

/// What the transport saw during one call: how many attempts it made, and the head of the
/// response it handed to the generated code.
#[derive(Clone, Debug, Default)]
pub(crate) struct Exchange {
    pub(crate) attempts: u32,
    pub(crate) response: Option<ResponseMeta>,
}

impl Exchange {
    /// The head of the response the generated code parsed into `value`: the transport's record,
    /// which exists whenever a response came back.
    pub(crate) fn head_of<T>(self, value: &progenitor_client::ResponseValue<T>) -> ResponseMeta {
        self.response
            .unwrap_or_else(|| ResponseMeta::new(value.status(), value.headers()))
    }
}

tokio::task_local! {
    /// The exchange of the call running on this task. It exists because the generated code
    /// drops a response's status and headers when its body fails to parse, and the SDK must
    /// still report them.
    static EXCHANGE: RefCell<Exchange>;
}

/// Runs one generated call and returns its outcome with the exchange the transport recorded.
pub(crate) async fn observe<T>(call: impl Future<Output = T>) -> (T, Exchange) {
    EXCHANGE
        .scope(RefCell::new(Exchange::default()), async {
            let outcome = call.await;
            (outcome, EXCHANGE.with(RefCell::take))
        })
        .await
}

impl ClientHooks<Transport> for generated::Client {
    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let retry = &self.inner().retry;
        let span = tracing::debug_span!(
            "r2_catalog.request",
            operation = info.operation_id,
            method = %request.method(),
            path = request.url().path(),
        );
        // Boxed to keep the generated operation's future small (see `Client::send`).
        Box::pin(
            async move {
                let started = Instant::now();
                let mut request = request;
                let mut attempt = 1;
                loop {
                    // A copy for the next attempt, made only while one is allowed. The JSON bodies
                    // are in memory, so cloning succeeds.
                    let spare = if attempt <= retry.max_retries() {
                        request.try_clone()
                    } else {
                        None
                    };
                    let attempt_started = Instant::now();
                    let outcome = self.client().execute(request).await;
                    log_attempt(attempt, &outcome, attempt_started);
                    match (
                        retry.delay_after(info.operation_id, attempt, &outcome),
                        spare,
                    ) {
                        (Some(delay), Some(next)) => {
                            tracing::info!(
                                attempt,
                                delay_ms = delay.as_millis() as u64,
                                "retrying"
                            );
                            retry.sleep(delay).await;
                            request = next;
                            attempt += 1;
                        }
                        _ => {
                            tracing::debug!(
                                attempts = attempt,
                                duration_ms = started.elapsed().as_millis() as u64,
                                "finished"
                            );
                            record(Exchange {
                                attempts: attempt,
                                response: outcome.as_ref().ok().map(|response| {
                                    ResponseMeta::new(response.status(), response.headers())
                                }),
                            });
                            return outcome;
                        }
                    }
                }
            }
            .instrument(span),
        )
        .await
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
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default(),
            duration_ms = started.elapsed().as_millis() as u64,
            "response"
        ),
        Err(error) => tracing::debug!(
            attempt,
            error = %error,
            duration_ms = started.elapsed().as_millis() as u64,
            "transport error"
        ),
    }
}

/// Hands the exchange to the [`observe`] call in scope on this task.
fn record(exchange: Exchange) {
    // Outside `observe` there is nobody to tell; that is not an error.
    let _ = EXCHANGE.try_with(|slot| *slot.borrow_mut() = exchange);
}
