//! An error with the chain of its causes, on one line and shown safely.

use std::fmt;

use crate::text::shown;

/// `error` and every error under it.
pub(super) fn causes<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(error), |cause| cause.source())
}

/// An error and the chain of its causes on one line, joined with `: `, each shown safely (a
/// cause can quote a URL or server text) and a text repeated by the next cause shown once:
/// what [`Error::report`](super::Error::report) returns, and what the CLI prints.
///
/// ```
/// # fn show(error: &cloudflare_r2_catalog::Error) {
/// eprintln!("error: {}", error.report());
/// # }
/// ```
pub struct Report<'a>(&'a (dyn std::error::Error + 'static));

impl<'a> Report<'a> {
    /// The report of any error: the SDK's, or one of the emulator's.
    pub fn new(error: &'a (dyn std::error::Error + 'static)) -> Self {
        Self(error)
    }
}

/// With `{:#}`, each cause is shown in its own alternate form: an [`ApiError`](super::ApiError) one item per
/// line (what the `r2-catalog` CLI prints).
impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines = f.alternate();
        let mut previous = String::new();
        for (index, cause) in causes(self.0).take(MAX_CAUSES).enumerate() {
            let text = if lines {
                format!("{cause:#}")
            } else {
                cause.to_string()
            };
            if text == previous {
                continue;
            }
            if index > 0 {
                f.write_str(": ")?;
            }
            if lines {
                // Line by line: the line breaks are the alternate form's own (server text in
                // it is escaped already); anything else that acts on a terminal is escaped.
                for (number, line) in text.split('\n').enumerate() {
                    if number > 0 {
                        f.write_str("\n")?;
                    }
                    write!(f, "{}", shown(line))?;
                }
            } else {
                write!(f, "{}", shown(&text))?;
            }
            previous = text;
        }
        Ok(())
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

/// How deep a [`Report`] follows a chain; real ones are three or four deep.
const MAX_CAUSES: usize = 8;
