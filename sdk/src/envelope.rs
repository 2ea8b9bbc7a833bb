//! Cloudflare's v4 envelope, `{success, errors, messages, result}`, and the one place that turns
//! what the generated client returns into the SDK's [`Response`] or [`Error`].

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{ApiError, Error, TransportError, UnexpectedBody};
use crate::generated::{self, ResponseValue};
use crate::transport::{Exchange, ResponseMeta};

/// One `{code, message}` item of an envelope's `errors` or `messages`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Message {
    /// Cloudflare's numeric code (absent in some failure envelopes).
    #[serde(default)]
    pub code: Option<i64>,
    /// The human-readable text.
    #[serde(default)]
    pub message: String,
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.code {
            Some(code) => write!(f, "{code}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// The list type the generated code uses for `errors` and `messages` (see the xtask's settings).
pub(crate) type Messages = Vec<Message>;

/// The body of a documented error status. `success` is required, so a JSON body that is not an
/// envelope fails to parse and is reported as [`Error::UnexpectedBody`] with its text.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct FailureEnvelope {
    success: bool,
    #[serde(default)]
    errors: Messages,
    #[serde(default)]
    messages: Messages,
}

impl fmt::Display for FailureEnvelope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "failure envelope with {} error(s)", self.errors.len())
    }
}

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
}

/// A generated success-body type: the envelope fields every operation's 200 body has.
pub(crate) trait Envelope {
    /// The operation's `result`.
    type Result;
    fn into_parts(self) -> (bool, Messages, Messages, Self::Result);
}

impl Envelope for generated::types::StoreCredentialsResponse {
    type Result = Option<serde_json::Map<String, serde_json::Value>>;
    fn into_parts(self) -> (bool, Messages, Messages, Self::Result) {
        (*self.success, self.errors, self.messages, self.result)
    }
}

/// What a generated operation method returns.
pub(crate) type Outcome<T> = Result<ResponseValue<T>, generated::Error<FailureEnvelope>>;

/// Judges one call: the generated client's outcome plus what the transport saw. This is the only
/// place a response becomes `Ok` or an [`Error`].
pub(crate) async fn judge<T: Envelope>(
    outcome: Outcome<T>,
    exchange: Exchange,
) -> Result<Response<T::Result>, Error> {
    use generated::Error as Generated;
    match outcome {
        Ok(value) => {
            let meta = ResponseMeta::new(value.status(), value.headers());
            let (success, errors, messages, result) = value.into_inner().into_parts();
            if success {
                Ok(Response {
                    result,
                    messages,
                    cf_ray: meta.cf_ray,
                })
            } else {
                Err(ApiError::new(meta, errors, messages).into())
            }
        }
        Err(Generated::ErrorResponse(value)) => {
            let meta = ResponseMeta::new(value.status(), value.headers());
            let failure = value.into_inner();
            Err(ApiError::new(meta, failure.errors, failure.messages).into())
        }
        // The generated code keeps only the body here; the head comes from the transport.
        Err(Generated::InvalidResponsePayload(body, _)) => match exchange.response {
            Some(meta) => Err(UnexpectedBody::new(meta, &body).into()),
            None => Err(Error::Request(
                "a response body was rejected, but no response was recorded".to_owned(),
            )),
        },
        // A status the spec does not document (429, 502, …): judge its body here.
        Err(Generated::UnexpectedResponse(response)) => {
            let meta = ResponseMeta::new(response.status(), response.headers());
            let body = response
                .bytes()
                .await
                .map_err(|source| TransportError::new(source, exchange.attempts))?;
            Err(match serde_json::from_slice::<FailureEnvelope>(&body) {
                Ok(failure) => ApiError::new(meta, failure.errors, failure.messages).into(),
                Err(_) => UnexpectedBody::new(meta, &body).into(),
            })
        }
        Err(
            Generated::CommunicationError(source)
            | Generated::ResponseBodyError(source)
            | Generated::InvalidUpgrade(source),
        ) => Err(TransportError::new(source, exchange.attempts).into()),
        Err(Generated::InvalidRequest(reason) | Generated::Custom(reason)) => {
            Err(Error::Request(reason))
        }
    }
}
