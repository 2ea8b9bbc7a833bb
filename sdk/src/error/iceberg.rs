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
    /// The secrets are taken out before anything is kept.
    pub(crate) fn new(meta: &ResponseMeta, body: &[u8], secrets: Secrets<'_>) -> Self {
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
            write!(f, " [cf-ray {ray}]")?;
        }
        Ok(())
    }
}
