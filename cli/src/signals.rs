//! The signals that end a command before it is done: Ctrl-C (SIGINT), and on Unix SIGTERM,
//! Ctrl-\ (SIGQUIT) and SIGHUP too. Answered rather than left to their default, which would end
//! the process without running its clean-up: the terminal's echo, turned off while a token is
//! typed, would stay off (dash, Debian's `/bin/sh`, does not repair it).

/// A signal that stops a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// SIGINT: Ctrl-C.
    Interrupt,
    /// SIGTERM: `kill`, a service manager, a CI job's timeout.
    Terminate,
    /// SIGQUIT: Ctrl-\.
    Quit,
    /// SIGHUP: the terminal went away.
    Hangup,
}

impl Stop {
    /// 128 + the signal's number, as shells report a command it ended.
    pub(crate) fn exit_code(self) -> u8 {
        128 + match self {
            Self::Hangup => 1,
            Self::Interrupt => 2,
            Self::Quit => 3,
            Self::Terminate => 15,
        }
    }

    /// The signal's name, `SIGTERM`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Interrupt => "SIGINT",
            Self::Terminate => "SIGTERM",
            Self::Quit => "SIGQUIT",
            Self::Hangup => "SIGHUP",
        }
    }
}

/// Listening for the signals that stop a command, from the moment it is made: one that comes
/// later is kept until [`Listening::next`] reads it.
#[cfg(unix)]
pub(crate) struct Listening {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
    quit: tokio::signal::unix::Signal,
    hangup: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Listening {
    /// Starts listening (within a Tokio runtime). Once a signal is listened for, this process
    /// no longer takes its default action: whoever listens must answer it.
    pub(crate) fn start() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
            quit: signal(SignalKind::quit())?,
            hangup: signal(SignalKind::hangup())?,
        })
    }

    /// The next signal to come.
    pub(crate) async fn next(&mut self) -> Stop {
        tokio::select! {
            Some(()) = self.interrupt.recv() => Stop::Interrupt,
            Some(()) = self.terminate.recv() => Stop::Terminate,
            Some(()) = self.quit.recv() => Stop::Quit,
            Some(()) = self.hangup.recv() => Stop::Hangup,
            else => std::future::pending().await,
        }
    }
}

/// Elsewhere, Ctrl-C alone.
#[cfg(not(unix))]
pub(crate) struct Listening;

#[cfg(not(unix))]
impl Listening {
    /// Starts listening (nothing to register ahead here).
    pub(crate) fn start() -> std::io::Result<Self> {
        Ok(Self)
    }

    /// The next Ctrl-C.
    pub(crate) async fn next(&mut self) -> Stop {
        match tokio::signal::ctrl_c().await {
            Ok(()) => Stop::Interrupt,
            Err(_) => std::future::pending().await,
        }
    }
}
