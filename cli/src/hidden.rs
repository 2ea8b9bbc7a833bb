//! Reading a secret typed at a terminal without showing it: echo off while it is typed, and
//! back on whatever happens: Enter, end of input, Ctrl-C, Ctrl-\, SIGTERM, SIGHUP.

use zeroize::Zeroizing;

use crate::output::Failure;

/// The longest line a terminal in canonical mode passes on whole: Linux keeps 4095 bytes of a
/// line and drops what is typed or pasted past them, so a line this long may have been cut.
#[cfg(target_os = "linux")]
const TERMINAL_LINE_LIMIT: usize = 4095;
/// macOS and the BSDs keep `MAX_CANON`, 1024 bytes, the line's end included.
#[cfg(all(unix, not(target_os = "linux")))]
const TERMINAL_LINE_LIMIT: usize = 1023;

/// Asks `question` on stderr and reads one line from the terminal on stdin, echo off, at most
/// `max_bytes` long (and shorter than a terminal cuts lines at); `cancelled` is what a signal
/// that stops the command reports.
#[cfg(unix)]
pub(crate) async fn read_hidden(
    question: &str,
    max_bytes: u64,
    cancelled: &str,
) -> Result<Zeroizing<String>, Failure> {
    use rustix::termios::{LocalModes, OptionalActions, tcgetattr, tcsetattr};

    use crate::output;
    use crate::signals::Listening;
    use crate::stdin;

    let unusable = |error: std::io::Error| {
        Failure::Setup(format!("cannot read the token at the terminal: {error}"))
    };
    // Registered before echo goes off: from here, a signal is an answer, not the end.
    let mut stops = Listening::start().map_err(unusable)?;
    let stdin = std::io::stdin();
    let shown = tcgetattr(&stdin).map_err(|error| unusable(error.into()))?;
    let mut hidden = shown.clone();
    hidden.local_modes.remove(LocalModes::ECHO);
    // The Enter that ends the line still moves the cursor on.
    hidden.local_modes.insert(LocalModes::ECHONL);
    // Flush: what was typed before the question (and shown) is not taken as the answer. Echo
    // goes off before the question shows, so nothing typed after it is ever shown.
    tcsetattr(&stdin, OptionalActions::Flush, &hidden).map_err(|error| unusable(error.into()))?;
    let _restore = Restore(shown);
    output::prompt(question);
    let Some(line) = stdin::read_line_unless_stopped(max_bytes, &mut stops).await? else {
        return Err(Failure::Cancelled(cancelled.to_owned()));
    };
    if line.len() >= TERMINAL_LINE_LIMIT {
        return Err(Failure::Setup(format!(
            "the token typed is {TERMINAL_LINE_LIMIT} bytes or longer, where a terminal cuts a line, so it may not be whole: pipe it on stdin instead"
        )));
    }
    Ok(line)
}

/// Puts the terminal's settings back as they were.
#[cfg(unix)]
struct Restore(rustix::termios::Termios);

#[cfg(unix)]
impl Drop for Restore {
    fn drop(&mut self) {
        // Nothing more can be done if the terminal is gone.
        let _ = rustix::termios::tcsetattr(
            std::io::stdin(),
            rustix::termios::OptionalActions::Now,
            &self.0,
        );
    }
}

/// Elsewhere the token comes piped on stdin only.
#[cfg(not(unix))]
pub(crate) async fn read_hidden(
    _question: &str,
    _max_bytes: u64,
    _cancelled: &str,
) -> Result<Zeroizing<String>, Failure> {
    Err(Failure::Setup(
        "reading a token at the terminal is not supported here: pipe it on stdin".to_owned(),
    ))
}
