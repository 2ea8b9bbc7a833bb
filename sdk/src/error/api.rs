//! Cloudflare's failure envelope: its status, codes, messages and `cf-ray`.

use std::fmt;

use reqwest::StatusCode;

use crate::head::ResponseMeta;
use crate::text::Secrets;
use crate::wire::{Message, Messages};

/// Cloudflare answered with its envelope and `success: false`, or with an error status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The `{code, message}` items of the envelope's `errors`: all of them, up to the first 100.
    pub errors: Vec<Message>,
    /// How many more `errors` the envelope had beyond those kept in [`ApiError::errors`].
    pub omitted_errors: u64,
    /// The envelope's `messages` (up to the first 100).
    pub messages: Vec<Message>,
    /// The `cf-ray` header.
    pub cf_ray: Option<String>,
    pub(super) retryable: bool,
}

/// How many of an envelope's errors `Display` lists before "… and N more".
const LISTED_ERRORS: usize = 5;

impl ApiError {
    pub(crate) fn new(
        meta: ResponseMeta,
        errors: Messages,
        messages: Messages,
        secrets: Secrets<'_>,
    ) -> Self {
        let (errors, omitted_errors) = errors.into_parts(secrets);
        Self {
            status: meta.status,
            errors,
            omitted_errors,
            messages: messages.into_parts(secrets).0,
            cf_ray: meta.cf_ray(secrets),
            retryable: false,
        }
    }

    /// How many errors are not in the first `listed`: those kept beyond them and those the
    /// envelope had beyond the kept ones.
    pub fn errors_beyond(&self, listed: usize) -> u64 {
        let kept_beyond = self.errors.len().saturating_sub(listed);
        u64::try_from(kept_beyond)
            .unwrap_or(u64::MAX)
            .saturating_add(self.omitted_errors)
    }

    /// Whether the envelope carries an error with `code`.
    pub fn has_code(&self, code: i64) -> bool {
        self.errors.iter().any(|error| error.code == Some(code))
    }

    /// The codes of every error in the envelope.
    pub fn codes(&self) -> Vec<i64> {
        self.errors.iter().filter_map(|error| error.code).collect()
    }
}

/// On one line, or with `{:#}` one item per line, as a terminal shows it:
///
/// ```text
/// Cloudflare API error (HTTP 409 Conflict): 40901: Catalog already enabled [cf-ray 8f1e…-AMS]
///
/// Cloudflare API error (HTTP 409 Conflict)
///   40901: Catalog already enabled
///   cf-ray: 8f1e…-AMS
/// ```
impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines = f.alternate();
        write!(f, "Cloudflare API error (HTTP {})", self.status)?;
        for (index, error) in self.errors.iter().take(LISTED_ERRORS).enumerate() {
            f.write_str(match (lines, index) {
                (true, _) => "\n  ",
                (false, 0) => ": ",
                (false, _) => "; ",
            })?;
            write!(f, "{error}")?;
        }
        let more = self.errors_beyond(LISTED_ERRORS);
        if more > 0 {
            f.write_str(if lines { "\n  " } else { "; " })?;
            write!(f, "… and {more} more")?;
        }
        if let Some(ray) = &self.cf_ray {
            match lines {
                true => write!(f, "\n  cf-ray: {ray}")?,
                false => write!(f, " [cf-ray {ray}]")?,
            }
        }
        Ok(())
    }
}
