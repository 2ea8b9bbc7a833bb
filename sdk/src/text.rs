//! Text a server controls, kept and shown safely: the secrets a call sent taken out before
//! anything is kept or cut, control characters escaped so that they show instead of acting on a
//! terminal or forging log lines, and the length bounded.

use std::borrow::Cow;
use std::fmt;

use zeroize::Zeroizing;

/// How many characters of one piece of server text (an error message, a `Location`) are shown.
pub(crate) const SHOWN_CHARS: usize = 300;

/// How many characters of a short server-provided id (`cf-ray`) an error keeps.
pub(crate) const ID_CHARS: usize = 64;

/// Displays `text` with control characters escaped, cut after `max_chars` characters (then `…`).
pub(crate) struct Shown<'a> {
    text: &'a str,
    max_chars: usize,
}

/// `text` as [`Shown`], cut after [`SHOWN_CHARS`].
pub(crate) fn shown(text: &str) -> Shown<'_> {
    Shown {
        text,
        max_chars: SHOWN_CHARS,
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Runs of plain text are written whole; only what acts on a display is escaped.
        let mut plain_from = 0;
        for (index, (at, character)) in self.text.char_indices().enumerate() {
            if index == self.max_chars {
                f.write_str(&self.text[plain_from..at])?;
                return f.write_str("…");
            }
            if acts_on_display(character) {
                f.write_str(&self.text[plain_from..at])?;
                write!(f, "{}", character.escape_debug())?;
                plain_from = at + character.len_utf8();
            }
        }
        f.write_str(&self.text[plain_from..])
    }
}

/// `text` escaped and cut to `max_chars`, as an owned string: for ids kept in errors.
pub(crate) fn sanitized(text: &str, max_chars: usize) -> String {
    Shown { text, max_chars }.to_string()
}

/// Characters that change what a terminal shows rather than showing themselves: C0 and C1
/// controls and DEL (ESC, BEL, CR, newline, CSI …), and the bidirectional overrides and isolates,
/// which reorder the text around them. What the SDK escapes in server text, and what a program
/// printing text it did not write (the `r2-catalog` CLI) should escape too.
///
/// ```
/// use cloudflare_r2_catalog::__cli::acts_on_display;
///
/// assert!(acts_on_display('\u{1b}') && acts_on_display('\u{202e}'));
/// assert!(!acts_on_display('é'));
/// ```
pub fn acts_on_display(character: char) -> bool {
    character.is_control() || matches!(character, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// What replaces a secret found in text.
pub const REDACTED: &str = "** redacted **";

/// The shortest secret searched for in text. Cloudflare's tokens and keys are 37 to 40
/// characters; a shorter "secret" (a placeholder in a test, `x`) would be found in every word
/// and garble the text without protecting anything.
const REDACTABLE_LEN: usize = 8;

/// `text` with every occurrence of each of `secrets` (those long enough to search for) replaced
/// by [`REDACTED`]: the one redaction of the SDK, and of [`Redactions`]. The longest go first,
/// so that a secret inside a longer one cannot break the longer one up and leave its ends.
fn redact_all<'t, 's>(
    text: &'t str,
    secrets: impl IntoIterator<Item = &'s str> + Clone,
) -> Cow<'t, str> {
    let found = |secret: &&str| secret.len() >= REDACTABLE_LEN && text.contains(*secret);
    // The common case, text without a secret (every answer's cf-ray), costs no allocation.
    if !secrets.clone().into_iter().any(|secret| found(&secret)) {
        return Cow::Borrowed(text);
    }
    let mut secrets: Vec<&str> = secrets.into_iter().filter(found).collect();
    secrets.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
    let mut text = Cow::Borrowed(text);
    for secret in secrets {
        if text.contains(secret) {
            text = Cow::Owned(text.replace(secret, REDACTED));
        }
    }
    text
}

/// Secrets to keep out of text a program prints: the SDK's own redaction, for the text it did
/// not make itself (a result that echoes a token, a log line). Each secret is wiped from memory
/// when this is dropped; one shorter than 8 characters is not searched for.
///
/// ```
/// use cloudflare_r2_catalog::__cli::{REDACTED, Redactions};
///
/// let mut secrets = Redactions::new();
/// secrets.add("token-1234567890");
/// assert_eq!(secrets.redact("echo token-1234567890"), format!("echo {REDACTED}"));
/// ```
#[derive(Default)]
pub struct Redactions {
    secrets: Vec<Zeroizing<String>>,
}

impl Redactions {
    /// None yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps `secret` out of whatever is redacted from now on.
    pub fn add(&mut self, secret: &str) {
        if secret.len() >= REDACTABLE_LEN {
            self.secrets.push(Zeroizing::new(secret.to_owned()));
        }
    }

    /// `text` with every secret replaced by [`REDACTED`].
    pub fn redact<'t>(&self, text: &'t str) -> Cow<'t, str> {
        redact_all(text, self.secrets.iter().map(|secret| secret.as_str()))
    }

    /// `value` with every secret replaced by [`REDACTED`] in each of its strings and object
    /// keys, at any depth: for JSON a server sent, which may echo a token, before it is shown.
    ///
    /// ```
    /// use cloudflare_r2_catalog::__cli::{REDACTED, Redactions};
    /// use serde_json::json;
    ///
    /// let mut secrets = Redactions::new();
    /// secrets.add("token-1234567890");
    /// let mut answer = json!({"echo": ["token-1234567890"], "token-1234567890": 1});
    /// secrets.redact_json(&mut answer);
    /// assert_eq!(answer, json!({"echo": [REDACTED], REDACTED: 1}));
    /// ```
    pub fn redact_json(&self, value: &mut serde_json::Value) {
        redact_json_with(value, &|text| self.redact(text));
    }
}

/// `value` with `redact` applied to each of its strings and object keys, at any depth: the one
/// walk of [`Redactions::redact_json`] and [`Secrets::redact_json`].
fn redact_json_with(value: &mut serde_json::Value, redact: &impl Fn(&str) -> Cow<'_, str>) {
    use serde_json::Value;
    match value {
        Value::String(text) => {
            if let Cow::Owned(redacted) = redact(text) {
                *text = redacted;
            }
        }
        Value::Array(items) => {
            for item in items {
                redact_json_with(item, redact);
            }
        }
        Value::Object(fields) => {
            *fields = std::mem::take(fields)
                .into_iter()
                .map(|(key, mut value)| {
                    let key = redact(&key).into_owned();
                    redact_json_with(&mut value, redact);
                    (key, value)
                })
                .collect();
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Never shows the secrets.
impl fmt::Debug for Redactions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactions({} secrets)", self.secrets.len())
    }
}

/// The secrets a call sent: the client's token or key and any header values it was given
/// (`held`), and a catalog token being stored (`carried`). A server, or whatever answers in its
/// place, may echo them, so every piece of server text the SDK keeps passes
/// [`Secrets::redacted`] first, before it is cut to length: a cut can then only fall inside the
/// replacement, never leave the first characters of a secret behind.
#[derive(Clone, Copy, Default)]
pub(crate) struct Secrets<'a> {
    held: &'a [Zeroizing<String>],
    carried: Option<&'a str>,
}

impl<'a> Secrets<'a> {
    /// The secrets every call of a client sends.
    pub(crate) fn new(held: &'a [Zeroizing<String>]) -> Self {
        Self {
            held,
            carried: None,
        }
    }

    /// These secrets and `secret`, which one call carries besides the client's.
    pub(crate) fn and(self, secret: &'a str) -> Self {
        Self {
            carried: Some(secret),
            ..self
        }
    }

    /// `text` with every occurrence of every secret long enough to search for replaced by
    /// [`REDACTED`].
    pub(crate) fn redacted<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let held = self.held.iter().map(|secret| secret.as_str());
        redact_all(text, held.chain(self.carried))
    }

    /// `value` with these secrets taken out of its strings and keys, as
    /// [`Redactions::redact_json`] does: a server may echo the token it was sent.
    pub(crate) fn redact_json(&self, value: &mut serde_json::Value) {
        redact_json_with(value, &|text| self.redacted(text));
    }

    /// The secret this call carries besides the client's, if one.
    pub(crate) fn carried(&self) -> Option<&'a str> {
        self.carried
    }
}

#[cfg(test)]
mod tests {
    use super::{Secrets, sanitized, shown};

    #[test]
    fn controls_show_as_escapes() {
        let hostile = "ok\u{1b}]0;pwned\u{7}\r\nerror: forged\u{9b}2J\u{202e}";
        assert_eq!(
            shown(hostile).to_string(),
            "ok\\u{1b}]0;pwned\\u{7}\\r\\nerror: forged\\u{9b}2J\\u{202e}"
        );
    }

    #[test]
    fn plain_text_is_unchanged_and_long_text_is_cut() {
        assert_eq!(
            shown("Catalog not found. é ✓").to_string(),
            "Catalog not found. é ✓"
        );
        assert_eq!(sanitized("abcdef", 3), "abc…");
        assert_eq!(sanitized("abc", 3), "abc");
        assert_eq!(shown(&"x".repeat(10_000)).to_string().chars().count(), 301);
    }

    #[test]
    fn a_secret_inside_a_longer_one_leaves_nothing_of_the_longer_one() {
        let held = ["abcdefgh".to_owned().into()];
        let secrets = Secrets::new(&held).and("zzabcdefghyy");
        assert_eq!(secrets.redacted("x zzabcdefghyy x"), "x ** redacted ** x");
    }

    #[test]
    fn every_secret_is_replaced_and_short_ones_are_not_searched_for() {
        let held =
            ["token-123456", "short", "header-value-1"].map(|secret| secret.to_owned().into());
        let secrets = Secrets::new(&held).and("key-abcdefgh");
        assert_eq!(
            secrets.redacted("a token-123456 b key-abcdefgh c short token-123456 header-value-1"),
            "a ** redacted ** b ** redacted ** c short ** redacted ** ** redacted **"
        );
        assert_eq!(Secrets::default().redacted("token-123456"), "token-123456");
    }
}
