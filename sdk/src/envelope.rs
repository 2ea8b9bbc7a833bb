//! Cloudflare's v4 envelope, `{success, errors, messages, result}`, and the one place that turns
//! what the generated client returns into the SDK's [`Response`] or [`Error`].

use crate::error::{
    ApiError, BodyOverLimit, Error, Redirected, ResponseTooLarge, TransportError, UnexpectedBody,
};
use crate::generated::{self, types};
use crate::head::ResponseMeta;
use crate::text::Secrets;
use crate::transport::{Answer, Attempt, Exchange};
use crate::wire::{BareEnvelope, Message, Messages};

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
    /// (404). The change holds, most likely made by this very call; `result` is then empty.
    /// Always false for reads and for the other changes, whose retries answer as the first
    /// attempt would have.
    pub already_applied: bool,
}

/// A generated success-body type: the envelope fields every operation's 200 body has.
pub(crate) trait Envelope {
    /// What the operation returns as its result.
    type Result;
    /// Splits the envelope into `success`, `errors`, `messages` and the result, or `None` when
    /// the operation needs a result and the envelope has none.
    fn into_parts(self) -> (bool, Messages, Messages, Option<Self::Result>);
}

/// Reads, whose `result` is the point of the call: a success envelope without one is reported
/// as [`UnexpectedBody`]. Nothing changed, so the caller can simply ask again.
macro_rules! reads {
    ($($response:ident => $result:ident),* $(,)?) => {$(
        impl Envelope for types::$response {
            type Result = types::$result;
            fn into_parts(self) -> (bool, Messages, Messages, Option<Self::Result>) {
                (*self.success, self.errors, self.messages, self.result)
            }
        }
    )*};
}

reads! {
    ListCatalogsResponse => CatalogList,
    GetCatalogDetailsResponse => Catalog,
    GetMaintenanceConfigResponse => CatalogMaintenance,
    ListNamespacesResponse => NamespacePage,
    ListTablesResponse => TablePage,
    GetTableResponse => Table,
    GetTableMaintenanceConfigResponse => TableMaintenance,
}

/// Changes: the spec makes `result` optional in every success envelope, and a change the server
/// says it applied must never come back as a failure that a caller, or a retry loop, would act
/// on. Their result is an `Option`: `None` when the envelope says success and carries none.
macro_rules! changes {
    ($($response:ident => $result:ty),* $(,)?) => {$(
        impl Envelope for types::$response {
            type Result = Option<$result>;
            fn into_parts(self) -> (bool, Messages, Messages, Option<Self::Result>) {
                (*self.success, self.errors, self.messages, Some(self.result))
            }
        }
    )*};
}

changes! {
    EnableCatalogResponse => types::CatalogActivation,
    UpdateMaintenanceConfigResponse => types::MaintenanceConfig,
    UpdateTableMaintenanceConfigResponse => types::TableMaintenanceConfig,
    // Answered `result: null` in practice: `StoredCredential`.
    StoreCredentialsResponse => serde_json::Map<String, serde_json::Value>,
}

/// Judges the last attempt of a call that answers with an envelope, with what the transport saw
/// of it; no server text is kept with `secrets` in it. With [`judge_no_content`], the only place
/// a response becomes `Ok` or an [`Error`].
pub(crate) async fn judge<T: Envelope>(
    attempt: Attempt<T>,
    exchange: Exchange,
    secrets: Secrets<'_>,
) -> Result<Response<T::Result>, Error> {
    let Answer { head, body } = match attempt {
        Ok(answer) => answer,
        // The failure paths are boxed so that their state does not weigh on every call's future.
        Err(error) => return Err(Box::pin(failure(*error, exchange, secrets)).await),
    };
    let (success, errors, messages, result) = body.into_parts();
    if !success {
        return Err(ApiError::new(*head, errors, messages, secrets).into());
    }
    match result {
        Some(result) => Ok(Response {
            result,
            messages: messages.into_parts(secrets).0,
            cf_ray: head.cf_ray(secrets),
            already_applied: false,
        }),
        None => {
            let reason = "the success envelope has no result";
            Err(UnexpectedBody::new(*head, b"", reason, secrets).into())
        }
    }
}

/// Judges one call documented to answer `204 No Content`. A 2xx with a success envelope instead
/// is accepted too: the envelope is what the rest of the API answers.
pub(crate) async fn judge_no_content(
    attempt: Attempt<()>,
    exchange: Exchange,
    secrets: Secrets<'_>,
) -> Result<Response<()>, Error> {
    let error = match attempt {
        Ok(answer) => {
            return Ok(Response {
                result: (),
                messages: Vec::new(),
                cf_ray: answer.head.cf_ray(secrets),
                already_applied: false,
            });
        }
        Err(error) => *error,
    };
    match error {
        generated::Error::UnexpectedResponse(response) if response.status().is_success() => {
            let (meta, envelope) = Box::pin(read_envelope(response, exchange, secrets)).await?;
            if envelope.success {
                Ok(Response {
                    result: (),
                    messages: envelope.messages.into_parts(secrets).0,
                    cf_ray: meta.cf_ray(secrets),
                    already_applied: false,
                })
            } else {
                Err(ApiError::new(meta, envelope.errors, envelope.messages, secrets).into())
            }
        }
        error => Err(Box::pin(failure(error, exchange, secrets)).await),
    }
}

/// Turns everything the generated client reports as an error into the SDK's [`Error`].
async fn failure(
    error: generated::Error<BareEnvelope>,
    mut exchange: Exchange,
    secrets: Secrets<'_>,
) -> Error {
    use generated::Error as Generated;
    match error {
        Generated::ErrorResponse(value) => {
            let meta = *exchange.take_head(value.status(), value.headers());
            let envelope = value.into_inner();
            ApiError::new(meta, envelope.errors, envelope.messages, secrets).into()
        }
        // The generated code keeps only the body here; the head comes from the transport.
        Generated::InvalidResponsePayload(body, reason) => match exchange.response {
            Some(meta) => UnexpectedBody::unparsable(*meta, &body, &reason, secrets).into(),
            None => Error::Request(format!("unreadable response body: {reason}")),
        },
        // Not followed (the HTTP client has no redirect policy), and its body is not read.
        Generated::UnexpectedResponse(response) if response.status().is_redirection() => {
            let head = exchange.take_head(response.status(), response.headers());
            Redirected::new(&head, secrets).into()
        }
        // A status the spec does not list for the operation (429, 502, …).
        Generated::UnexpectedResponse(response) => {
            match read_envelope(response, exchange, secrets).await {
                Ok((meta, envelope)) if envelope.success => UnexpectedBody::new(
                    meta,
                    b"",
                    "a success envelope with a status the operation does not document",
                    secrets,
                )
                .into(),
                Ok((meta, envelope)) => {
                    ApiError::new(meta, envelope.errors, envelope.messages, secrets).into()
                }
                Err(error) => error,
            }
        }
        Generated::CommunicationError(source)
        | Generated::ResponseBodyError(source)
        | Generated::InvalidUpgrade(source) => unread(
            source,
            exchange.response.as_deref(),
            exchange.attempt,
            secrets,
        ),
        Generated::InvalidRequest(reason) | Generated::Custom(reason) => Error::Request(reason),
    }
}

/// The error for a response (with head `head`, if one came) that could not be read on attempt
/// `attempt`: its body went over the client's limit, or the connection failed.
fn unread(
    source: reqwest::Error,
    head: Option<&ResponseMeta>,
    attempt: u32,
    secrets: Secrets<'_>,
) -> Error {
    match (BodyOverLimit::in_chain(&source), head) {
        (Some(over), Some(head)) => ResponseTooLarge::new(head, over.limit, secrets).into(),
        _ => TransportError::new(source, attempt).into(),
    }
}

/// Reads the envelope of a response the generated code did not parse.
async fn read_envelope(
    response: reqwest::Response,
    mut exchange: Exchange,
    secrets: Secrets<'_>,
) -> Result<(ResponseMeta, BareEnvelope), Error> {
    let meta = *exchange.take_head(response.status(), response.headers());
    let body = response
        .bytes()
        .await
        .map_err(|source| unread(source, Some(&meta), exchange.attempt, secrets))?;
    match serde_json::from_slice::<BareEnvelope>(&body) {
        Ok(envelope) => Ok((meta, envelope)),
        Err(reason) => Err(UnexpectedBody::unparsable(meta, &body, &reason, secrets).into()),
    }
}
