//! The headers the SDK sets on every request: its `User-Agent`, and those the caller adds.

use reqwest::header::{HeaderName, HeaderValue};

use crate::error::ConfigError;
use crate::secret::SecretString;
use crate::text::shown;

/// The `User-Agent` every request carries.
const USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// The headers the SDK sets itself, and those HTTP sets: not for [`ClientBuilder::header`](super::ClientBuilder::header).
const RESERVED_HEADERS: [&str; 15] = [
    "authorization",
    "x-auth-email",
    "x-auth-key",
    "accept",
    "content-type",
    "user-agent",
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "te",
    "upgrade",
    // The SDK reads bodies as they come: an encoding or a range would make every answer
    // unreadable, an applied change included.
    "accept-encoding",
    "content-encoding",
    "range",
];

/// A header given to [`ClientBuilder::header`](super::ClientBuilder::header), as it is sent: its value marked sensitive.
pub(super) fn added_header(
    name: &str,
    value: &SecretString,
) -> Result<(HeaderName, HeaderValue), ConfigError> {
    let refused = |reason| ConfigError::Header {
        name: shown(name).to_string(),
        reason,
    };
    let name = HeaderName::try_from(name).map_err(|_| refused("not a valid header name"))?;
    if RESERVED_HEADERS.contains(&name.as_str()) {
        return Err(refused("the SDK or HTTP sets this header itself"));
    }
    let mut value = HeaderValue::from_str(value.expose())
        .map_err(|_| refused("the value is not a valid header value"))?;
    value.set_sensitive(true);
    Ok((name, value))
}

/// The `User-Agent`: the SDK's own, then `suffix` if one is given and fit to send.
pub(super) fn user_agent(suffix: Option<&str>) -> Result<String, ConfigError> {
    let Some(suffix) = suffix else {
        return Ok(USER_AGENT.to_owned());
    };
    let fits = !suffix.trim().is_empty()
        && suffix.len() <= MAX_USER_AGENT_SUFFIX
        && suffix
            .bytes()
            .all(|byte| byte == b' ' || byte.is_ascii_graphic());
    if !fits {
        return Err(ConfigError::UserAgent {
            reason: "the suffix must be 1 to 256 characters of visible ASCII and spaces",
        });
    }
    Ok(format!("{USER_AGENT} {}", suffix.trim()))
}

/// The longest user-agent suffix: a product token or two, not a payload.
const MAX_USER_AGENT_SUFFIX: usize = 256;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ClientBuilder;

    #[test]
    fn a_user_agent_suffix_follows_the_sdks_own_and_must_be_visible_ascii() {
        assert_eq!(user_agent(None), Ok(USER_AGENT.to_owned()));
        assert_eq!(
            user_agent(Some(" my-app/2.3 (ops) ")),
            Ok(format!("{USER_AGENT} my-app/2.3 (ops)"))
        );
        let long = "x".repeat(MAX_USER_AGENT_SUFFIX + 1);
        for bad in [
            "",
            "  ",
            "tab\there",
            "line\r\nX-Injected: 1",
            "caf\u{e9}",
            long.as_str(),
        ] {
            let refused = ClientBuilder::new()
                .api_token("t")
                .user_agent_suffix(bad)
                .build()
                .map(drop);
            assert!(
                matches!(refused, Err(ConfigError::UserAgent { .. })),
                "{bad:?}: {refused:?}"
            );
        }
    }
}
