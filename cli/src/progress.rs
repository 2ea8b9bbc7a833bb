//! The line a person at a terminal sees while a long command works (`--all`, `--all-tables`):
//! a spinner, what has been done so far and the time taken, on stderr, redrawn in place and
//! wiped when done. Nothing at all when stderr is not a terminal (indicatif draws only on one),
//! nor while `RUST_LOG` logs are written there.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::output::{note, sanitize};
use crate::render;

/// The progress line's layout: a spinner, the counts, the time so far.
const PROGRESS_TEMPLATE: &str = "{spinner} {msg} ({elapsed})";

pub(crate) struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// Shows `message` until told otherwise.
    pub(crate) fn start(message: &str) -> Self {
        // Log lines (RUST_LOG) go to stderr too, and would tear a line redrawn in place.
        let target = if std::env::var_os("RUST_LOG").is_some() {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let bar = ProgressBar::with_draw_target(None, target);
        // The template is this file's constant, checked by a test below.
        if let Ok(style) = ProgressStyle::with_template(PROGRESS_TEMPLATE) {
            bar.set_style(style);
        }
        bar.set_message(message.to_owned());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Self { bar }
    }

    /// Shows `message` instead, sanitized and on one line: it may carry server text.
    pub(crate) fn show(&self, message: String) {
        self.bar
            .set_message(sanitize(&render::one_line(&message)).into_owned());
    }

    /// Prints `line` on stderr (sanitized), above the progress line.
    pub(crate) fn note(&self, line: &str) {
        self.bar.suspend(|| note(line));
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::PROGRESS_TEMPLATE;

    #[test]
    fn the_progress_template_is_valid() {
        assert!(indicatif::ProgressStyle::with_template(PROGRESS_TEMPLATE).is_ok());
    }
}
