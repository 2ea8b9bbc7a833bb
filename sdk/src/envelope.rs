//! Cloudflare's v4 envelope, `{success, errors, messages, result}`, and the one place that turns
//! what an attempt came to into the SDK's [`Response`] or [`Error`].

use bytes::Bytes;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::value::RawValue;

use crate::error::{
    ApiError, DryRun, Error, OperationTimeout, Redirected, ResponseTooLarge, TransportError,
    UnexpectedBody,
};
use crate::head::ResponseMeta;
use crate::text::{REDACTED, Secrets};
use crate::transport::{Attempt, Planned};
use crate::wire::{Message, Messages};

/// A successful call: the envelope's `result`, with the informational `messages` that came with
/// it and the `cf-ray` id of the response.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Response<T> {
    /// The envelope's `result`.
    pub result: T,
    /// The envelope's `messages`.
    pub messages: Vec<Message>,
    /// The `cf-ray` header: the id Cloudflare support asks for.
    pub cf_ray: Option<String>,
    /// True when a retry found the change already made, after an earlier attempt of this call
    /// that may have reached Cloudflare lost its answer (the connection broke, or an edge
    /// answered 5xx): enabling found the catalog enabled (409), deleting found no catalog
    /// (404): the change holds, most likely made by this very call. Queueing maintenance found
    /// the day's limit reached (429, 42901): the lost attempt may have taken the last slot, or
    /// may have been refused too; its request id among the runs tells. `result` is then empty.
    /// Always false for reads and for the other changes, whose retries answer as the first
    /// attempt would have.
    pub already_applied: bool,
    /// A change's `result` as Cloudflare sent it, when it did not have the shape this SDK
    /// knows (a newer model, a field of another type): the change was applied (the envelope
    /// said success), `result` is then `None`, and its details are here. `None` otherwise, and
    /// always for reads, whose result must parse.
    pub unparsed_result: Option<serde_json::Value>,
}

impl<T> Response<T> {
    /// A response carrying `result` and nothing else: no messages, no `cf-ray`. For tests of
    /// code that takes the SDK's responses.
    ///
    /// ```
    /// use cloudflare_r2_catalog::{models::QueuedMaintenance, Response};
    ///
    /// let answer: Response<Option<QueuedMaintenance>> = Response::new(None);
    /// assert!(answer.result.is_none() && !answer.already_applied);
    /// ```
    pub fn new(result: T) -> Self {
        Self {
            result,
            messages: Vec::new(),
            cf_ray: None,
            already_applied: false,
            unparsed_result: None,
        }
    }

    /// The response a call returns for `result`, with the envelope's `messages` and the head's
    /// `cf-ray`, neither holding `secrets`.
    fn answered(result: T, messages: Messages, head: &ResponseMeta, secrets: Secrets<'_>) -> Self {
        Self {
            messages: messages.into_parts(secrets).0,
            cf_ray: head.cf_ray(secrets),
            ..Self::new(result)
        }
    }
}

/// An envelope as it arrives; its `result` stays text until it is known what to make of it.
#[derive(serde::Deserialize)]
struct Envelope<'a> {
    success: bool,
    #[serde(default)]
    errors: Messages,
    #[serde(default)]
    messages: Messages,
    #[serde(default, borrow)]
    result: Option<&'a RawValue>,
}

/// Judges the last attempt of a read, whose `result` is the point of the call: a success
/// envelope without one, or with one that is not the model `R`, is [`UnexpectedBody`]. Nothing
/// changed, so the caller can simply ask again.
pub(crate) fn read<R: DeserializeOwned>(
    attempt: Attempt,
    attempts: u32,
    secrets: Secrets<'_>,
) -> Result<Response<R>, Error> {
    let (head, body) = succeeded(attempt, attempts, secrets)?;
    let (head, envelope) = success_envelope(head, &body, secrets)?;
    let Some(raw) = envelope.result else {
        let reason = "the success envelope has no result";
        return Err(UnexpectedBody::from_answer(head, &body, reason, secrets).into());
    };
    match serde_json::from_str(raw.get()) {
        Ok(result) => Ok(Response::answered(
            result,
            envelope.messages,
            &head,
            secrets,
        )),
        Err(reason) => {
            let reason = format!("the result is not the expected model ({reason})");
            Err(UnexpectedBody::from_answer(head, &body, &reason, secrets).into())
        }
    }
}

/// Judges the last attempt of a change. The spec makes `result` optional in every success
/// envelope, and a change the server says it applied must never come back as a failure that a
/// caller, or a retry loop, would act on: any 2xx with an empty body or a success envelope is a
/// success. The result is `None` when there is none, or when it is not the model `R` (then kept,
/// secrets taken out, as [`Response::unparsed_result`]).
pub(crate) fn change<R: DeserializeOwned>(
    attempt: Attempt,
    attempts: u32,
    secrets: Secrets<'_>,
) -> Result<Response<Option<R>>, Error> {
    let (head, body) = succeeded(attempt, attempts, secrets)?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Response::answered(
            None,
            Messages::default(),
            &head,
            secrets,
        ));
    }
    let (head, envelope) = success_envelope(head, &body, secrets)?;
    // A `null` result reads as none.
    let raw = envelope.result.map(RawValue::get);
    let (result, unparsed) = match raw.map(serde_json::from_str::<R>) {
        None => (None, None),
        Some(Ok(result)) => (Some(result), None),
        Some(Err(_)) => {
            let mut unparsed = raw.and_then(|raw| serde_json::from_str(raw).ok());
            if let Some(value) = unparsed.as_mut() {
                secrets.redact_json(value);
            }
            (None, unparsed)
        }
    };
    Ok(Response {
        unparsed_result: unparsed,
        ..Response::answered(result, envelope.messages, &head, secrets)
    })
}

/// Judges the last attempt of a change documented to answer `204 No Content`, which is judged
/// as any change when a body comes: whatever its `result`, a success envelope says it was made.
pub(crate) fn no_content(
    attempt: Attempt,
    attempts: u32,
    secrets: Secrets<'_>,
) -> Result<Response<()>, Error> {
    let made = change::<IgnoredAny>(attempt, attempts, secrets)?;
    Ok(Response {
        messages: made.messages,
        cf_ray: made.cf_ray,
        ..Response::new(())
    })
}

/// The head and body of a 2xx answer; anything else as the [`Error`] it is.
fn succeeded(
    attempt: Attempt,
    attempts: u32,
    secrets: Secrets<'_>,
) -> Result<(ResponseMeta, Bytes), Error> {
    answered(attempt, attempts, secrets, refusal)
}

/// [`succeeded`] for a server whose error statuses `refused` reads (the Iceberg endpoint's are
/// not Cloudflare's envelope).
pub(crate) fn answered(
    attempt: Attempt,
    attempts: u32,
    secrets: Secrets<'_>,
    refused: impl FnOnce(ResponseMeta, &[u8], Secrets<'_>) -> Error,
) -> Result<(ResponseMeta, Bytes), Error> {
    match attempt {
        Attempt::Answered { head, body } if head.status.is_success() => Ok((head, body)),
        // Not followed (the HTTP client has no redirect policy), and its body is not read.
        Attempt::Answered { head, .. } if head.status.is_redirection() => {
            Err(Redirected::from_answer(&head, secrets).into())
        }
        Attempt::Answered { head, body } => Err(refused(head, &body, secrets)),
        Attempt::TooLarge { head, limit } => {
            Err(ResponseTooLarge::from_answer(&head, limit, secrets).into())
        }
        Attempt::Failed { source, .. } => Err(TransportError::new(source, attempts).into()),
        Attempt::Unsent(reason) => Err(Error::Request(reason)),
        Attempt::Abandoned { limit } => Err(OperationTimeout::new(limit, attempts).into()),
        Attempt::Planned(planned) => Err(dry_run(planned, secrets).into()),
        Attempt::Held(held) => Err(held.into()),
    }
}

/// What a dry-run client would have sent, without `secrets`. The secret the call carries (the
/// catalog token a store sends) goes by its field, however short: redaction in text skips short
/// secrets. A body that is not JSON (the generated code sends none such) is kept as redacted
/// text.
fn dry_run(planned: Planned, secrets: Secrets<'_>) -> DryRun {
    let Planned { method, url, body } = planned;
    let body = body.map(|body| match serde_json::from_slice(&body) {
        Ok(mut json) => {
            secrets.redact_json(&mut json);
            if let (Some(secret), serde_json::Value::Object(fields)) =
                (secrets.carried(), &mut json)
            {
                // What the redaction above left of the secret: all of it when it is short.
                let left = secrets.redacted(secret);
                for field in fields.values_mut().filter(|field| **field == *left) {
                    *field = serde_json::Value::from(REDACTED);
                }
            }
            json
        }
        Err(_) => {
            let text = String::from_utf8_lossy(&body);
            serde_json::Value::String(secrets.redacted(&text).into_owned())
        }
    });
    DryRun::new(method, secrets.redacted(url.as_str()).into_owned(), body)
}

/// The error an answer with an error status is: Cloudflare's failure envelope as an
/// [`ApiError`] with its codes, anything else (an empty body, a proxy's HTML page, a success
/// envelope) as an [`UnexpectedBody`] that keeps the status.
fn refusal(head: ResponseMeta, body: &[u8], secrets: Secrets<'_>) -> Error {
    match serde_json::from_slice::<Envelope<'_>>(body) {
        Ok(envelope) if !envelope.success => {
            ApiError::from_answer(head, envelope.errors, envelope.messages, secrets).into()
        }
        Ok(_) => {
            let reason = "a success envelope with an error status";
            UnexpectedBody::from_answer(head, b"", reason, secrets).into()
        }
        Err(reason) => UnexpectedBody::unparsable(head, body, &reason, secrets).into(),
    }
}

/// The envelope of a 2xx answer, if it is one that says success; a failure envelope is an
/// [`ApiError`] even inside a 2xx, and a body that is no envelope an [`UnexpectedBody`].
fn success_envelope<'a>(
    head: ResponseMeta,
    body: &'a [u8],
    secrets: Secrets<'_>,
) -> Result<(ResponseMeta, Envelope<'a>), Error> {
    match serde_json::from_slice::<Envelope<'a>>(body) {
        Ok(envelope) if envelope.success => Ok((head, envelope)),
        Ok(envelope) => {
            Err(ApiError::from_answer(head, envelope.errors, envelope.messages, secrets).into())
        }
        Err(reason) => Err(UnexpectedBody::unparsable(head, body, &reason, secrets).into()),
    }
}
