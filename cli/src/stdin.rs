//! Reading a line of stdin on a thread of its own, so that the runtime goes on meanwhile: a read
//! that blocked its one thread would leave Ctrl-C, SIGTERM and the others unanswered until
//! Enter. When a signal ends the command instead, the read is left waiting and the process
//! exits all the same.

use std::io::{BufRead, Read};

use zeroize::Zeroizing;

use crate::output::{self, Failure};
use crate::signals::Listening;

/// One line of stdin, at most `max_bytes` before its line ending, without the ending; every
/// copy wiped.
pub(crate) async fn read_line(max_bytes: u64) -> Result<Zeroizing<String>, Failure> {
    let (sender, receiver) = tokio::sync::oneshot::channel();
    // Not the runtime's blocking pool: its threads are waited for when the runtime ends.
    std::thread::spawn(move || {
        let _ = sender.send(read_line_now(max_bytes));
    });
    receiver
        .await
        .map_err(|_| Failure::Setup("the reader of stdin stopped".to_owned()))?
}

/// [`read_line`], unless one of the signals `stops` listens for comes first: then `None`, and
/// the line on the terminal is ended, so that what is said next starts on a line of its own.
pub(crate) async fn read_line_unless_stopped(
    max_bytes: u64,
    stops: &mut Listening,
) -> Result<Option<Zeroizing<String>>, Failure> {
    tokio::select! {
        line = read_line(max_bytes) => line.map(Some),
        _ = stops.next() => {
            output::note("");
            Ok(None)
        }
    }
}

/// One line of stdin, at most `max_bytes` before its line ending, without the ending; every
/// copy wiped. Blocks until the line, or the end of input, comes.
fn read_line_now(max_bytes: u64) -> Result<Zeroizing<String>, Failure> {
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
