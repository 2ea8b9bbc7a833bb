//! Asking before a command that destroys state: `catalog disable` and `catalog delete`, which the
//! spec marks `x-forge-require-confirmation`.

use std::io::IsTerminal;

use crate::output::{self, Failure};
use crate::signals::Listening;
use crate::stdin;

/// The longest answer read: a `y` and a newline is all it takes, and a terminal (or whatever
/// pretends to be one) must not make the CLI read without end.
const ANSWER_BYTES: u64 = 256;

/// Goes on when `yes` was given (`--yes`), or when the person at the terminal, told what
/// `command` will do (`consequence`), answers yes to `question`. Otherwise the command stops
/// before anything is sent: declined at the terminal, or with no terminal to ask at (stdin and
/// stderr must both be one: the answer is read from the first, the question shown on the second).
pub(crate) async fn confirm(
    command: &str,
    consequence: &str,
    question: &str,
    yes: bool,
) -> Result<(), Failure> {
    if yes {
        return Ok(());
    }
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(Failure::Setup(format!(
            "`{command}` needs confirmation and there is no terminal to ask at; pass --yes to go ahead"
        )));
    }
    output::prompt(&format!("{consequence}\n{question} [y/N] "));
    // A signal (Ctrl-C …) while the question waits is a no: nothing was sent yet.
    let mut stops = Listening::start()
        .map_err(|error| Failure::Setup(format!("cannot ask at the terminal: {error}")))?;
    // End of input (Ctrl-D) or an unreadable answer is no answer, and no is the default.
    let agreed = stdin::read_line_unless_stopped(ANSWER_BYTES, &mut stops)
        .await
        .is_ok_and(|answer| {
            answer
                .is_some_and(|answer| matches!(answer.trim().to_lowercase().as_str(), "y" | "yes"))
        });
    if agreed {
        Ok(())
    } else {
        Err(Failure::Cancelled(format!(
            "`{command}` cancelled; nothing was sent"
        )))
    }
}
