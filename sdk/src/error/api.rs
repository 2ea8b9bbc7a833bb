//! Cloudflare's failure envelope: its status, codes, messages and `cf-ray`.

use std::fmt;

use reqwest::StatusCode;

use crate::head::ResponseMeta;
use crate::text::{Secrets, shown};
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
    /// The error Cloudflare's failure envelope with `errors` and an HTTP `status` makes: no
    /// `messages`, no `cf-ray`, not retryable until said otherwise. For tests of code that
    /// handles the SDK's errors; it behaves as one a call returns (its [`crate::Error`]
    /// predicates, its `Display`).
    ///
    /// The text is kept as given: unlike the errors the SDK makes from an answer, it is not
    /// searched for the client's secrets, nor cut to the first 100 items.
    ///
    /// ```
    /// use cloudflare_r2_catalog::{error::{ApiError, StatusCode}, Error, models::Message};
    ///
    /// let api = ApiError::new(StatusCode::CONFLICT, [Message::new(40901, "Catalog already enabled")])
    ///     .with_cf_ray("8f1e2d3c4b5a6978-AMS");
    /// assert_eq!(
    ///     api.to_string(),
    ///     "Cloudflare API error (HTTP 409 Conflict): 40901: Catalog already enabled [cf-ray 8f1e2d3c4b5a6978-AMS]"
    /// );
    /// assert!(Error::from(api).is_conflict());
    /// ```
    pub fn new(status: StatusCode, errors: impl IntoIterator<Item = Message>) -> Self {
        Self {
            status,
            errors: errors.into_iter().collect(),
            omitted_errors: 0,
            messages: Vec::new(),
            cf_ray: None,
            retryable: false,
        }
    }

    /// This error with the envelope's informational `messages`, kept as given.
    #[must_use]
    pub fn with_messages(mut self, messages: impl IntoIterator<Item = Message>) -> Self {
        self.messages = messages.into_iter().collect();
        self
    }

    /// This error with the `cf-ray` id of the answer, kept as given.
    #[must_use]
    pub fn with_cf_ray(mut self, cf_ray: impl Into<String>) -> Self {
        self.cf_ray = Some(cf_ray.into());
        self
    }

    /// This error as one the retry policy retries for its operation, or not: what
    /// [`Error::is_retryable`](crate::Error::is_retryable) says of it. The SDK decides it by
    /// the operation (a 409 is retried for some, final for others), so it is not read from
    /// the status; false unless set.
    #[must_use]
    pub fn with_retryable(mut self, retryable: bool) -> Self {
        self.retryable = retryable;
        self
    }

    /// The error Cloudflare's failure envelope makes, without `secrets`.
    pub(crate) fn from_answer(
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
                true => write!(f, "\n  cf-ray: {}", shown(ray))?,
                false => write!(f, " [cf-ray {}]", shown(ray))?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use reqwest::header::{HeaderMap, HeaderValue};
    use zeroize::Zeroizing;

    use super::*;
    use crate::error::Error;

    /// The error the SDK makes of `envelope`, answered with `status` and `cf_ray`, with
    /// `secrets` taken out.
    fn answered(status: StatusCode, envelope: &str, cf_ray: &str, secrets: &[&str]) -> ApiError {
        #[derive(serde::Deserialize)]
        struct Failure {
            errors: Messages,
            messages: Messages,
        }
        let failure: Failure = serde_json::from_str(envelope).expect("an envelope");
        let mut headers = HeaderMap::new();
        headers.insert("cf-ray", HeaderValue::from_str(cf_ray).expect("a header"));
        let held: Vec<_> = secrets
            .iter()
            .map(|s| Zeroizing::new(s.to_string()))
            .collect();
        ApiError::from_answer(
            ResponseMeta::new(status, headers),
            failure.errors,
            failure.messages,
            Secrets::new(&held),
        )
    }

    #[test]
    fn a_built_error_is_the_one_the_sdk_makes_of_the_same_answer() {
        let envelope = r#"{"errors": [{"code": 40401, "message": "Catalog not found"}, {"message": "no code"}],
            "messages": [{"code": 1, "message": "see docs"}]}"#;
        let made = answered(StatusCode::NOT_FOUND, envelope, "8f1e2d3c4b5a6978-AMS", &[]);
        let built = ApiError::new(
            StatusCode::NOT_FOUND,
            [
                Message::new(40401, "Catalog not found"),
                Message::without_code("no code"),
            ],
        )
        .with_messages([Message::new(1, "see docs")])
        .with_cf_ray("8f1e2d3c4b5a6978-AMS");
        assert_eq!(built, made);
        assert_eq!(built.to_string(), made.to_string());
        assert_eq!(format!("{built:#}"), format!("{made:#}"));
    }

    #[test]
    fn a_built_errors_text_is_escaped_as_an_answers_is() {
        let forged = ApiError::new(StatusCode::CONFLICT, [Message::new(1, "a\nb")])
            .with_cf_ray("ray\n  forged: line");
        assert_eq!(
            format!("{forged:#}"),
            "Cloudflare API error (HTTP 409 Conflict)\n  1: a\\nb\n  cf-ray: ray\\n  forged: line"
        );
    }

    #[test]
    fn a_built_error_answers_the_predicates_as_the_sdks_own() {
        let error = Error::from(ApiError::new(
            StatusCode::NOT_FOUND,
            [Message::new(
                crate::codes::CATALOG_NOT_FOUND,
                "Catalog not found",
            )],
        ));
        assert!(error.is_catalog_not_found() && error.is_not_found());
        assert_eq!(error.codes(), [40401]);
        assert_eq!(error.cf_ray(), None);
        assert!(!error.is_retryable() && !error.is_table_not_found());

        let unavailable = ApiError::new(StatusCode::SERVICE_UNAVAILABLE, []);
        assert!(!Error::from(unavailable.clone()).is_retryable());
        assert!(Error::from(unavailable.with_retryable(true)).is_retryable());
    }

    #[test]
    fn a_built_error_keeps_its_text_as_given_where_the_sdk_redacts_an_answers() {
        let secret = "api-token-SECRET-1a2b3c";
        let envelope = format!(
            r#"{{"errors": [{{"code": 10000, "message": "bad {secret}"}}], "messages": []}}"#
        );
        let made = answered(StatusCode::FORBIDDEN, &envelope, "r", &[secret]);
        assert!(!made.to_string().contains(secret), "{made}");
        let built = ApiError::new(
            StatusCode::FORBIDDEN,
            [Message::new(10000, format!("bad {secret}"))],
        );
        assert!(built.to_string().contains(secret), "{built}");
    }

    #[test]
    fn many_built_errors_are_listed_as_the_sdk_lists_them() {
        let built = ApiError::new(
            StatusCode::BAD_REQUEST,
            (1..=7).map(|code| Message::new(code, "x")),
        );
        assert_eq!(built.errors_beyond(5), 2);
        assert_eq!(
            built.to_string(),
            "Cloudflare API error (HTTP 400 Bad Request): 1: x; 2: x; 3: x; 4: x; 5: x; … and 2 more"
        );
    }
}
