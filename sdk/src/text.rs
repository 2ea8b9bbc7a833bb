//! Text a server controls, shown safely: control characters escaped so that they show instead of
//! acting on a terminal or forging log lines, and the length bounded.

use std::fmt;

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
/// which reorder the text around them.
fn acts_on_display(character: char) -> bool {
    character.is_control() || matches!(character, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::{sanitized, shown};

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
}
