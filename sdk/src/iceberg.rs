//! Cloudflare's Iceberg REST endpoint, the one query engines talk to: the single request the
//! SDK sends it, `GET <endpoint>/<account>/<bucket>/v1/config?warehouse=<warehouse>`, which
//! tells whether an engine holding the client's token can reach a catalog.

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue, USER_AGENT};
use serde::{Deserialize, Serialize};

use crate::envelope::{self, Response};
use crate::error::{Error, IcebergError, UnexpectedBody};
use crate::text::Secrets;
use crate::transport::{self, Attempt, Planned};
use crate::validate::{AccountId, BucketName, ValidationError};

/// An Iceberg REST catalog's configuration (`CatalogConfig` in the Iceberg REST spec): the
/// properties a client starts from and those the server imposes. Fields a newer server sends
/// are ignored; properties are kept as sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IcebergConfig {
    /// Properties the client may override.
    #[serde(default)]
    pub defaults: serde_json::Map<String, serde_json::Value>,
    /// Properties the server imposes (Cloudflare's include the catalog's `prefix`).
    #[serde(default)]
    pub overrides: serde_json::Map<String, serde_json::Value>,
    /// The routes the server supports, when it lists them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Vec<String>>,
}

impl IcebergConfig {
    /// A configuration with no properties, for tests of code that takes one.
    pub fn new() -> Self {
        Self::default()
    }
}

/// Where the Iceberg endpoint is, and what reaches it: an HTTP client without a proxy when the
/// endpoint is plain `http://` on loopback, and the client's own API token (the endpoint takes
/// no other kind of credential).
#[derive(Debug, Clone)]
pub(crate) struct Iceberg {
    url: reqwest::Url,
    http: reqwest::Client,
    authorization: Option<HeaderValue>,
    user_agent: HeaderValue,
}

impl Iceberg {
    pub(crate) fn new(
        url: reqwest::Url,
        http: reqwest::Client,
        authorization: Option<HeaderValue>,
        user_agent: HeaderValue,
    ) -> Self {
        Self {
            url,
            http,
            authorization,
            user_agent,
        }
    }

    /// The endpoint's URL.
    pub(crate) fn url(&self) -> &reqwest::Url {
        &self.url
    }

    /// The config request for the catalog of `bucket` in `account_id`, as `warehouse`. The
    /// ids are validated, so each is exactly one path segment; the warehouse, which comes
    /// from the server, is encoded as a query value.
    pub(crate) fn config_request(
        &self,
        account_id: &AccountId,
        bucket: &BucketName,
        warehouse: &str,
    ) -> Result<reqwest::Request, Error> {
        let authorization = self.authorization.clone().ok_or_else(|| {
            ValidationError::new(
                "credentials",
                "the Iceberg endpoint takes an API token, not a global API key",
            )
        })?;
        let mut url = self.url.clone();
        url.path_segments_mut()
            .map_err(|()| Error::Request("the Iceberg URL cannot have a path".to_owned()))?
            .pop_if_empty()
            .extend([account_id.as_ref(), bucket.as_ref(), "v1", "config"]);
        url.query_pairs_mut().append_pair("warehouse", warehouse);
        let mut request = reqwest::Request::new(reqwest::Method::GET, url);
        let headers = request.headers_mut();
        headers.insert(AUTHORIZATION, authorization);
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(USER_AGENT, self.user_agent.clone());
        Ok(request)
    }

    /// Sends `request` once (a check, not retried: what it finds is the answer) and reads at
    /// most `limit` bytes of the answer.
    pub(crate) async fn send(&self, request: reqwest::Request, limit: u64) -> Attempt {
        transport::send(&self.http, request, limit).await
    }
}

/// The request a dry run would have sent.
pub(crate) fn planned(request: &reqwest::Request) -> Attempt {
    Attempt::Planned(Planned {
        method: request.method().clone(),
        url: request.url().clone(),
        body: None,
    })
}

/// What the endpoint's answer says: its config, or the error it is.
pub(crate) fn judge(
    attempt: Attempt,
    secrets: Secrets<'_>,
) -> Result<Response<IcebergConfig>, Error> {
    let (head, body) = envelope::answered(attempt, 1, secrets, |head, body, secrets| {
        IcebergError::from_answer(&head, body, secrets).into()
    })?;
    match serde_json::from_slice::<IcebergConfig>(&body) {
        Ok(config) => Ok(Response {
            cf_ray: head.cf_ray(secrets),
            ..Response::new(config)
        }),
        Err(reason) => Err(UnexpectedBody::unparsable(head, &body, &reason, secrets).into()),
    }
}
