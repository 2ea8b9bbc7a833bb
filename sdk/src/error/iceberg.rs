//! The error statuses of Cloudflare's Iceberg REST endpoint, read with its error model.

use std::fmt;

use reqwest::StatusCode;

use crate::head::ResponseMeta;
use crate::text::{Secrets, shown};

use super::answer::SNIPPET_CHARS;

/// An error status from Cloudflare's Iceberg REST endpoint, with what its error model
/// (`{"error": {"message", "type", "code"}}`) said, if the body was that.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct IcebergError {
    /// The HTTP status (401 and 403: the token is refused or lacks a permission; 404: no such
    /// catalog or warehouse; 400: a bad request, such as a missing warehouse).
    pub status: StatusCode,
    /// The error's type, such as `NotAuthorizedException` (at most 200 characters).
    pub error_type: Option<String>,
    /// The error's message, as the server sent it (at most 1,000 characters; `Display`
    /// escapes control characters and shows the first 300).
    pub message: Option<String>,
    /// The `cf-ray` header.
    pub cf_ray: Option<String>,
}

impl IcebergError {
    /// The error of an answer with `status` and no error model: no type, no message, no
    /// `cf-ray`. For tests of code that handles the SDK's errors; it behaves as one
    /// [`crate::handles::CatalogHandle::iceberg_config`] returns.
    ///
    /// ```
    /// use cloudflare_r2_catalog::{Error, error::{IcebergError, StatusCode}};
    ///
    /// let refused = IcebergError::new(StatusCode::FORBIDDEN)
    ///     .with_error_type("NotAuthorizedException")
    ///     .with_message("Token lacks permission");
    /// assert_eq!(
    ///     refused.to_string(),
    ///     "the Iceberg endpoint answered HTTP 403 Forbidden NotAuthorizedException: Token lacks permission"
    /// );
    /// assert!(Error::from(refused).is_auth());
    /// ```
    pub fn new(status: StatusCode) -> Self {
        Self {
            status,
            error_type: None,
            message: None,
            cf_ray: None,
        }
    }

    /// This error with the type its error model named, kept as given (the SDK's own are cut
    /// to 200 characters).
    #[must_use]
    pub fn with_error_type(mut self, error_type: impl Into<String>) -> Self {
        self.error_type = Some(error_type.into());
        self
    }

    /// This error with the message its error model carried, kept as given: unlike the SDK's
    /// own, not searched for the client's secrets, nor cut to 1,000 characters.
    #[must_use]
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// This error with the `cf-ray` id of the answer, kept as given.
    #[must_use]
    pub fn with_cf_ray(mut self, cf_ray: impl Into<String>) -> Self {
        self.cf_ray = Some(cf_ray.into());
        self
    }

    /// The error the endpoint's answer is. The secrets are taken out before anything is kept.
    pub(crate) fn from_answer(meta: &ResponseMeta, body: &[u8], secrets: Secrets<'_>) -> Self {
        #[derive(serde::Deserialize)]
        struct Body {
            error: Model,
        }
        #[derive(serde::Deserialize)]
        struct Model {
            message: Option<String>,
            #[serde(rename = "type")]
            error_type: Option<String>,
        }
        let model = serde_json::from_slice::<Body>(body)
            .ok()
            .map(|body| body.error);
        let kept = |text: Option<String>, chars: usize| {
            text.map(|text| {
                secrets
                    .redacted(&text)
                    .chars()
                    .take(chars)
                    .collect::<String>()
            })
        };
        let (message, error_type) = match model {
            Some(model) => (model.message, model.error_type),
            None => (None, None),
        };
        Self {
            status: meta.status,
            error_type: kept(error_type, 200),
            message: kept(message, SNIPPET_CHARS),
            cf_ray: meta.cf_ray(secrets),
        }
    }
}

impl fmt::Display for IcebergError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the Iceberg endpoint answered HTTP {}", self.status)?;
        if let Some(error_type) = &self.error_type {
            write!(f, " {}", shown(error_type))?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {}", shown(message))?;
        }
        if let Some(ray) = &self.cf_ray {
            write!(f, " [cf-ray {}]", shown(ray))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use reqwest::header::{HeaderMap, HeaderValue};
    use zeroize::Zeroizing;

    use super::*;

    fn head(status: StatusCode) -> ResponseMeta {
        let mut headers = HeaderMap::new();
        headers.insert("cf-ray", HeaderValue::from_static("8f1e2d3c4b5a6978-AMS"));
        ResponseMeta::new(status, headers)
    }

    #[test]
    fn a_built_error_is_the_one_the_sdk_makes_of_the_same_answer() {
        let body = br#"{"error": {"message": "Token lacks permission", "type": "NotAuthorizedException", "code": 403}}"#;
        let made = IcebergError::from_answer(&head(StatusCode::FORBIDDEN), body, Secrets::new(&[]));
        let built = IcebergError::new(StatusCode::FORBIDDEN)
            .with_error_type("NotAuthorizedException")
            .with_message("Token lacks permission")
            .with_cf_ray("8f1e2d3c4b5a6978-AMS");
        assert_eq!(built, made);
        assert_eq!(built.to_string(), made.to_string());

        let bare = IcebergError::from_answer(&head(StatusCode::NOT_FOUND), b"", Secrets::new(&[]));
        assert_eq!(
            IcebergError::new(StatusCode::NOT_FOUND).with_cf_ray("8f1e2d3c4b5a6978-AMS"),
            bare
        );
    }

    #[test]
    fn a_built_error_keeps_its_message_as_given_where_the_sdk_redacts_an_answers() {
        let secret = "api-token-SECRET-1a2b3c";
        let body = format!(r#"{{"error": {{"message": "bad token {secret}"}}}}"#);
        let held = [Zeroizing::new(secret.to_owned())];
        let made = IcebergError::from_answer(
            &head(StatusCode::UNAUTHORIZED),
            body.as_bytes(),
            Secrets::new(&held),
        );
        assert!(!made.to_string().contains(secret), "{made}");
        let built =
            IcebergError::new(StatusCode::UNAUTHORIZED).with_message(format!("bad token {secret}"));
        assert!(built.to_string().contains(secret), "{built}");
    }
}
