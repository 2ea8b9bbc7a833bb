//! Sending requests: the `ClientHooks::exec` behind every generated operation, which makes the
//! attempts the retry policy allows, traces them, and notes what the final response looked like.

use std::cell::RefCell;
use std::future::Future;
use std::time::Instant;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName};
use tracing::Instrument;

use crate::generated;
use crate::retry::RetryConfig;

/// The state the generated client carries for its hooks (its "inner type").
#[derive(Clone, Debug)]
pub(crate) struct Transport {
    pub(crate) retry: RetryConfig,
}

/// What the SDK keeps of a response's head: enough to report on it without the body.
#[derive(Clone, Debug)]
pub(crate) struct ResponseMeta {
    pub(crate) status: StatusCode,
    pub(crate) content_type: Option<String>,
    pub(crate) cf_ray: Option<String>,
}

impl ResponseMeta {
    pub(crate) fn new(status: StatusCode, headers: &HeaderMap) -> Self {
        let text = |name: HeaderName| {
            headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        };
        Self {
            status,
            content_type: text(CONTENT_TYPE),
            cf_ray: text(HeaderName::from_static("cf-ray")),
        }
    }
}

/// What the transport saw during one call: how many attempts it made, and the head of the
/// response it handed to the generated code.
#[derive(Clone, Debug, Default)]
pub(crate) struct Exchange {
    pub(crate) attempts: u32,
    pub(crate) response: Option<ResponseMeta>,
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
                let response = outcome
                    .as_ref()
                    .ok()
                    .map(|response| ResponseMeta::new(response.status(), response.headers()));
                log_attempt(attempt, &outcome, response.as_ref(), attempt_started);
                match (
                    retry.delay_after(info.operation_id, attempt, &outcome),
                    spare,
                ) {
                    (Some(delay), Some(next)) => {
                        tracing::info!(attempt, delay_ms = delay.as_millis() as u64, "retrying");
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
                            response,
                        });
                        return outcome;
                    }
                }
            }
        }
        .instrument(span)
        .await
    }
}

fn log_attempt(
    attempt: u32,
    outcome: &reqwest::Result<reqwest::Response>,
    response: Option<&ResponseMeta>,
    started: Instant,
) {
    let duration_ms = started.elapsed().as_millis() as u64;
    match (outcome, response) {
        (Err(error), _) => {
            tracing::debug!(attempt, error = %error, duration_ms, "transport error");
        }
        (Ok(_), Some(meta)) => {
            tracing::debug!(
                attempt,
                status = meta.status.as_u16(),
                cf_ray = meta.cf_ray.as_deref().unwrap_or_default(),
                duration_ms,
                "response"
            );
        }
        (Ok(_), None) => {}
    }
}

/// Hands the exchange to the [`observe`] call in scope on this task.
fn record(exchange: Exchange) {
    // Outside `observe` there is nobody to tell; that is not an error.
    let _ = EXCHANGE.try_with(|slot| *slot.borrow_mut() = exchange);
}
