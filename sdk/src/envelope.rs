//! Cloudflare's v4 envelope, `{success, errors, messages, result}`, and the one place that turns
//! what the generated client returns into the SDK's [`Response`] or [`Error`].

use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

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
    /// use cloudflare_r2_catalog::{QueuedMaintenance, Response};
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

/// A generated success-body type: the envelope fields every operation's 200 body has.
pub(crate) trait Envelope {
    /// What the operation returns as its result.
    type Result: DeserializeOwned;
    /// Splits the envelope into `success`, `errors`, `messages` and the result, or `None` when
    /// the operation needs a result and the envelope has none.
    fn into_parts(self) -> (bool, Messages, Messages, Option<Self::Result>);
    /// The result of a success envelope whose `result` is missing or does not parse: `None`
    /// for a read, which has nothing to return without it; for a change, "applied, no
    /// details".
    fn without_result() -> Option<Self::Result>;
    /// `result` without `secrets`, for an operation whose result may echo one: only the stored
    /// credential's free-form object can hold the token it was sent.
    fn without_secrets(result: Self::Result, _secrets: Secrets<'_>) -> Self::Result {
        result
    }
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
            fn without_result() -> Option<Self::Result> {
                None
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
    GetCredentialStatusResponse => CredentialCheck,
    ListTableMaintenanceRunsResponse => MaintenanceRunPage,
}

/// Changes: the spec makes `result` optional in every success envelope, and a change the server
/// says it applied must never come back as a failure that a caller, or a retry loop, would act
/// on. Their result is an `Option`: `None` when the envelope says success and carries none, or
/// one this SDK cannot parse (kept as [`Response::unparsed_result`]).
macro_rules! changes {
    ($($response:ident => $result:ty),* $(,)?) => {$(
        impl Envelope for types::$response {
            type Result = Option<$result>;
            fn into_parts(self) -> (bool, Messages, Messages, Option<Self::Result>) {
                (*self.success, self.errors, self.messages, Some(self.result))
            }
            fn without_result() -> Option<Self::Result> {
                Some(None)
            }
        }
    )*};
}

changes! {
    EnableCatalogResponse => types::CatalogActivation,
    UpdateMaintenanceConfigResponse => types::MaintenanceConfig,
    UpdateTableMaintenanceConfigResponse => types::TableMaintenanceConfig,
    QueueTableMaintenanceResponse => types::QueuedMaintenance,
}

/// Storing a credential: a change answered with any object (`result: null` in practice:
/// `StoredCredential`), which a server may fill with the token it was sent.
impl Envelope for types::StoreCredentialsResponse {
    type Result = Option<serde_json::Map<String, serde_json::Value>>;
    fn into_parts(self) -> (bool, Messages, Messages, Option<Self::Result>) {
        (*self.success, self.errors, self.messages, Some(self.result))
    }
    fn without_result() -> Option<Self::Result> {
        Some(None)
    }
    fn without_secrets(result: Self::Result, secrets: Secrets<'_>) -> Self::Result {
        let object = serde_json::Value::Object(result?);
        match without_secrets(object, secrets) {
            serde_json::Value::Object(object) => Some(object),
            _ => None,
        }
    }
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
        Err(error) => return Box::pin(unparsed::<T>(*error, exchange, secrets)).await,
    };
    let (success, errors, messages, result) = body.into_parts();
    if !success {
        return Err(ApiError::new(*head, errors, messages, secrets).into());
    }
    match result.or_else(T::without_result) {
        Some(result) => Ok(Response::answered(
            T::without_secrets(result, secrets),
            messages,
            &head,
            secrets,
        )),
        None => {
            let reason = "the success envelope has no result";
            Err(UnexpectedBody::new(*head, b"", reason, secrets).into())
        }
    }
}

/// Judges an attempt the generated code did not turn into its success type: a 2xx body that did
/// not parse as the operation's model, or a 2xx status the operation does not document, is
/// read as an envelope of any result. Its `success` decides: a change that says it succeeded
/// did succeed, with its result parsed if it can be and kept raw if not; a read needs its
/// result to parse. Anything else is a [`failure`].
async fn unparsed<T: Envelope>(
    error: generated::Error<BareEnvelope>,
    mut exchange: Exchange,
    secrets: Secrets<'_>,
) -> Result<Response<T::Result>, Error> {
    let (meta, body) = match error {
        generated::Error::InvalidResponsePayload(body, reason) => match exchange.response.take() {
            Some(meta) if meta.status.is_success() => (*meta, body),
            meta => {
                exchange.response = meta;
                let error = generated::Error::InvalidResponsePayload(body, reason);
                return Err(failure(error, exchange, secrets).await);
            }
        },
        generated::Error::UnexpectedResponse(response) if response.status().is_success() => {
            let meta = *exchange.take_head(response.status(), response.headers());
            let body = response
                .bytes()
                .await
                .map_err(|source| unread(source, Some(&meta), exchange.attempt, secrets))?;
            (meta, body)
        }
        error => return Err(failure(error, exchange, secrets).await),
    };
    if let Some(nothing) = T::without_result()
        && body.iter().all(u8::is_ascii_whitespace)
    {
        return Ok(applied(nothing, meta, Messages::default(), None, secrets));
    }
    let envelope = match serde_json::from_slice::<AnyEnvelope>(&body) {
        Ok(envelope) => envelope,
        Err(reason) => return Err(UnexpectedBody::unparsable(meta, &body, &reason, secrets).into()),
    };
    if !envelope.success {
        return Err(ApiError::new(meta, envelope.errors, envelope.messages, secrets).into());
    }
    // Kept as text until it is known to be needed: only a change that cannot parse it keeps
    // it as a JSON tree, which can take many times the body's size.
    let raw = envelope.result.as_deref().map_or("null", RawValue::get);
    match (serde_json::from_str::<T::Result>(raw), T::without_result()) {
        (Ok(result), _) => Ok(Response::answered(
            T::without_secrets(result, secrets),
            envelope.messages,
            &meta,
            secrets,
        )),
        (Err(_), Some(nothing)) => {
            let raw = serde_json::from_str(raw).ok();
            Ok(applied(nothing, meta, envelope.messages, raw, secrets))
        }
        (Err(reason), None) => {
            let reason = if envelope.result.is_none() {
                "the success envelope has no result".to_owned()
            } else {
                format!("the result is not the expected model ({reason})")
            };
            Err(UnexpectedBody::new(meta, &body, &reason, secrets).into())
        }
    }
}

/// A change's success without a result the SDK could read: `nothing` (a change's
/// [`Envelope::without_result`]), with the raw result when there was one.
fn applied<R>(
    nothing: R,
    meta: ResponseMeta,
    messages: Messages,
    raw: Option<serde_json::Value>,
    secrets: Secrets<'_>,
) -> Response<R> {
    Response {
        unparsed_result: raw
            .filter(|raw| !raw.is_null())
            .map(|raw| without_secrets(raw, secrets)),
        ..Response::answered(nothing, messages, &meta, secrets)
    }
}

/// `value` with the secrets taken out of every string in it, keys included: a server may echo
/// the token it was sent.
fn without_secrets(value: serde_json::Value, secrets: Secrets<'_>) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(text) => Value::String(secrets.redacted(&text).into_owned()),
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|item| without_secrets(item, secrets))
                .collect(),
        ),
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(key, value)| {
                    let key = secrets.redacted(&key).into_owned();
                    (key, without_secrets(value, secrets))
                })
                .collect(),
        ),
        other => other,
    }
}

/// An envelope with any `result`, or none.
#[derive(serde::Deserialize)]
struct AnyEnvelope {
    success: bool,
    #[serde(default)]
    errors: Messages,
    #[serde(default)]
    messages: Messages,
    #[serde(default)]
    result: Option<Box<RawValue>>,
}

/// Judges one call documented to answer `204 No Content`. Any other 2xx with an empty body, or
/// with a success envelope (whatever its `result`), is accepted too: the envelope is what the
/// rest of the API answers.
pub(crate) async fn judge_no_content(
    attempt: Attempt<()>,
    exchange: Exchange,
    secrets: Secrets<'_>,
) -> Result<Response<()>, Error> {
    let error = match attempt {
        Ok(answer) => {
            let messages = Messages::default();
            return Ok(Response::answered((), messages, &answer.head, secrets));
        }
        Err(error) => *error,
    };
    Box::pin(unparsed::<NoContent>(error, exchange, secrets))
        .await
        .map(|response| Response {
            result: (),
            messages: response.messages,
            cf_ray: response.cf_ray,
            ..Response::new(())
        })
}

/// A change documented without a body, judged like the others when a body comes: whatever its
/// `result`, a success envelope says it was made.
struct NoContent;

impl Envelope for NoContent {
    type Result = Option<serde::de::IgnoredAny>;
    fn into_parts(self) -> (bool, Messages, Messages, Option<Self::Result>) {
        (true, Messages::default(), Messages::default(), Some(None))
    }
    fn without_result() -> Option<Self::Result> {
        Some(None)
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
        // A status the spec does not list for the operation (429, 502, …); a 2xx is judged as
        // a success by `unparsed` before it comes here.
        Generated::UnexpectedResponse(response) => {
            match read_envelope(response, exchange, secrets).await {
                Ok((meta, envelope)) if envelope.success => UnexpectedBody::new(
                    meta,
                    b"",
                    "a success envelope with an error status",
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
