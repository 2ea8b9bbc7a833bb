//! Reading a secret typed at a terminal without showing it: echo off while it is typed, and
//! back on whatever happens: Enter, end of input, Ctrl-C, Ctrl-\, SIGTERM, SIGHUP.

use std::io::{BufRead, Read};

use zeroize::Zeroizing;

use crate::output::Failure;

/// The longest line a terminal in canonical mode passes on whole: Linux keeps 4095 bytes of a
/// line and drops what is typed or pasted past them, so a line this long may have been cut.
#[cfg(unix)]
const TERMINAL_LINE_LIMIT: usize = 4095;

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
    // A thread of its own, not the runtime's blocking pool: on Ctrl-C the read is left
    // waiting, and the process must still be free to exit.
    let (sender, receiver) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let _ = sender.send(read_line(max_bytes));
    });
    let line = tokio::select! {
        line = receiver => line.map_err(|_| Failure::Setup("the token reader stopped".to_owned()))??,
        _ = stops.next() => {
            output::note("");
            return Err(Failure::Cancelled(cancelled.to_owned()));
        }
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

/// One line of stdin, at most `max_bytes` before its line ending, without the ending; every
/// copy wiped.
pub(crate) fn read_line(max_bytes: u64) -> Result<Zeroizing<String>, Failure> {
    let unreadable =
        |reason: String| Failure::Setup(format!("cannot read the token from stdin: {reason}"));
    let mut line = Zeroizing::new(Vec::new());
    // Room for the ending ("\r\n") after the longest token.
    std::io::stdin()
        .lock()
        .take(max_bytes + 2)
        .read_until(b'\n', &mut line)
        .map_err(|error| unreadable(error.to_string()))?;
    let mut token: &[u8] = &line;
    token = token.strip_suffix(b"\n").unwrap_or(token);
    token = token.strip_suffix(b"\r").unwrap_or(token);
    if token.len() as u64 > max_bytes {
        return Err(unreadable(format!("longer than {max_bytes} bytes")));
    }
    let token = std::str::from_utf8(token).map_err(|_| unreadable("not UTF-8".to_owned()))?;
    Ok(Zeroizing::new(token.to_owned()))
}
