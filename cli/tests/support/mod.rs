//! Running the real `r2-catalog` binary in tests.
#![allow(dead_code)] // each suite uses its own subset

use std::io::Write;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use httpmock::MockServer;

use crate::common::{ACCOUNT_ID, API_TOKEN};

pub mod sweeps;

/// Runs `r2-catalog` with `args`, only the environment given in `env` (nothing inherited from
/// the developer's shell), and `stdin` on its standard input.
pub fn r2_catalog(args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    r2_catalog_into(args, env, stdin, Stdio::piped())
}

/// [`r2_catalog`] with its stdout going to `stdout` (a closed pipe, `/dev/full` …); the output
/// returned then holds no stdout.
pub fn r2_catalog_into(
    args: &[&str],
    env: &[(&str, &str)],
    stdin: &str,
    stdout: impl Into<Stdio>,
) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_r2-catalog"))
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    // A command that fails before reading stdin closes it early; that is not a test failure.
    let written = child
        .stdin
        .take()
        .expect("piped")
        .write_all(stdin.as_bytes());
    if let Err(error) = written {
        assert_eq!(
            error.kind(),
            std::io::ErrorKind::BrokenPipe,
            "writing stdin: {error}"
        );
    }
    child.wait_with_output().expect("the binary finishes")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Environment variables for one run of the binary.
pub type Env = [(&'static str, String)];

/// The environment of an operator with an API token and an account id, aimed at `server`.
pub fn token_env(server: &MockServer) -> Vec<(&'static str, String)> {
    token_env_at(&server.base_url())
}

/// [`token_env`] aimed at `base_url` (a raw server).
pub fn token_env_at(base_url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("CLOUDFLARE_API_TOKEN", API_TOKEN.to_owned()),
        ("CLOUDFLARE_ACCOUNT_ID", ACCOUNT_ID.to_owned()),
        ("CLOUDFLARE_BASE_URL", base_url.to_owned()),
    ]
}

pub fn borrowed<'a>(env: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    env.iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect()
}

/// Runs `r2-catalog args…` as an operator with an API token would, against `server`.
pub fn run(server: &MockServer, args: &[&str]) -> Output {
    r2_catalog(args, &borrowed(&token_env(server)), "")
}

/// [`run`] against a raw server at `base_url`.
pub fn run_at(base_url: &str, args: &[&str]) -> Output {
    r2_catalog(args, &borrowed(&token_env_at(base_url)), "")
}

/// An emulator with [`BUCKET`](crate::common::BUCKET) that accepts only the global API key
/// [`API_KEY`](crate::common::API_KEY) of [`EMAIL`](crate::common::EMAIL).
pub async fn key_emulator() -> cloudflare_r2_catalog_emulator::Emulator {
    cloudflare_r2_catalog_emulator::Emulator::builder()
        .bucket(crate::common::BUCKET)
        .accept_key(crate::common::EMAIL, crate::common::API_KEY)
        .start()
        .await
        .expect("starts")
}

/// The environment of an operator with a global API key, aimed at `emulator` (its Iceberg
/// endpoint included).
pub fn key_env(emulator: &cloudflare_r2_catalog_emulator::Emulator) -> Vec<(&'static str, String)> {
    vec![
        ("CLOUDFLARE_EMAIL", crate::common::EMAIL.to_owned()),
        ("CLOUDFLARE_API_KEY", crate::common::API_KEY.to_owned()),
        ("CLOUDFLARE_ACCOUNT_ID", ACCOUNT_ID.to_owned()),
        ("CLOUDFLARE_BASE_URL", emulator.base_url().to_owned()),
        ("CLOUDFLARE_ICEBERG_URL", emulator.iceberg_url().to_owned()),
    ]
}

/// Where a command's stdout goes when its reader is gone: a pipe whose reading end is closed,
/// as `| head -1` leaves it once it has its line.
pub fn closed_pipe() -> std::io::PipeWriter {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    writer
}

/// Where a command's stdout goes when the disk is full: writes fail with ENOSPC.
pub fn full_disk() -> std::fs::File {
    std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full")
}

/// What the command printed on stdout, parsed as JSON; panics with stderr if it failed.
pub fn json_out(output: &Output) -> serde_json::Value {
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(output));
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

/// `value` without its null object fields: the SDK's models leave out what the server left
/// null, so this is how an upstream example prints.
pub fn without_nulls(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .filter(|(_, value)| !value.is_null())
                .map(|(key, value)| (key, without_nulls(value)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

/// One row of a case table: a command line, the request it makes (its method, and its path
/// under the catalog API: see `catalog_path`), and what else the row expects (`T`).
pub struct Case<T> {
    pub args: Vec<&'static str>,
    pub method: httpmock::Method,
    pub path: String,
    pub expected: T,
}

/// The [`Case`] of `args`, which make a `method` request to `path` and expect `expected`.
pub fn case<T>(
    args: &[&'static str],
    method: httpmock::Method,
    path: impl Into<String>,
    expected: T,
) -> Case<T> {
    Case {
        args: args.to_vec(),
        method,
        path: path.into(),
        expected,
    }
}

/// Running the binary with some of its streams on a pseudo-terminal, as a person at a terminal
/// runs it.
#[cfg(unix)]
pub mod terminal {
    use std::fs::File;
    use std::io::{Read, Write};
    use std::process::{Command, Stdio};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
    use rustix::termios::{LocalModes, Winsize, tcgetattr, tcsetwinsize};

    /// Which of the child's streams are the terminal; the others are pipes.
    #[derive(Clone, Copy)]
    pub struct On {
        pub stdin: bool,
        pub stdout: bool,
        pub stderr: bool,
    }

    impl On {
        /// stdout on the terminal; stdin and stderr pipes (the progress line is not drawn on a
        /// pipe).
        pub const STDOUT: Self = Self {
            stdin: false,
            stdout: true,
            stderr: false,
        };
        /// stdout and stderr on the terminal, as a person sees a command: its result, and its
        /// progress line and notes.
        pub const OUTPUT: Self = Self {
            stdin: false,
            stdout: true,
            stderr: true,
        };
    }

    /// What a run left: its exit code, what it wrote to the streams that were pipes, everything
    /// the terminal showed (with `\r\n` read as `\n`), and whether the terminal echoed typing
    /// again once it exited.
    pub struct AtTerminal {
        pub code: Option<i32>,
        pub stdout: String,
        pub stderr: String,
        pub shown: String,
        pub echo_after: bool,
    }

    /// In a script, Ctrl-C: the interrupt signal rather than a character.
    pub const CTRL_C: &str = "\u{3}";
    /// In a script, Ctrl-\\: the quit signal rather than a character.
    pub const CTRL_BACKSLASH: &str = "\u{1c}";
    /// In a script, `kill`: the terminate signal.
    pub const SIGTERM: &str = "<SIGTERM>";

    /// The signal a script's entry sends instead of typing, if one.
    fn signal_of(typed: &str) -> Option<rustix::process::Signal> {
        use rustix::process::Signal;
        match typed {
            CTRL_C => Some(Signal::INT),
            CTRL_BACKSLASH => Some(Signal::QUIT),
            SIGTERM => Some(Signal::TERM),
            _ => None,
        }
    }

    /// Runs `r2-catalog args…` with only `env`, the streams `on` names on a new 100-column
    /// pseudo-terminal, and `script`: each time the terminal has shown the first text of a
    /// pair (since the previous pair), the second is typed ([`CTRL_C`], [`CTRL_BACKSLASH`] and
    /// [`SIGTERM`] send their signal). Panics if a prompt does not come
    /// within 20 seconds.
    pub fn run_at_terminal(
        args: &[&str],
        env: &[(&str, &str)],
        on: On,
        script: &[(&str, &str)],
    ) -> AtTerminal {
        let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).expect("a pty");
        grantpt(&master).expect("grantpt");
        unlockpt(&master).expect("unlockpt");
        let size = Winsize {
            ws_row: 40,
            ws_col: 100,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        tcsetwinsize(&master, size).expect("a window size");
        let name = ptsname(&master, Vec::new()).expect("ptsname");
        let terminal = File::options()
            .read(true)
            .write(true)
            .open(name.to_str().expect("a path"))
            .expect("the terminal side");
        let stream = |at_terminal: bool| -> Stdio {
            if at_terminal {
                terminal.try_clone().expect("a handle").into()
            } else {
                Stdio::piped()
            }
        };
        let child = Command::new(env!("CARGO_BIN_EXE_r2-catalog"))
            .args(args)
            .env_clear()
            .envs(env.iter().copied())
            .stdin(if on.stdin {
                stream(true)
            } else {
                Stdio::null()
            })
            .stdout(stream(on.stdout))
            .stderr(stream(on.stderr))
            .spawn()
            .expect("the binary starts");
        let mut master = File::from(master);
        let shown = Arc::new(Mutex::new(Vec::new()));
        let reader = {
            let (shown, mut master) = (Arc::clone(&shown), master.try_clone().expect("a handle"));
            std::thread::spawn(move || {
                let mut buffer = [0u8; 4096];
                // Linux answers EIO once the other side is closed.
                while let Ok(read @ 1..) = master.read(&mut buffer) {
                    shown
                        .lock()
                        .expect("lock")
                        .extend_from_slice(&buffer[..read]);
                }
            })
        };
        let mut seen = 0;
        for (prompt, typed) in script {
            let deadline = Instant::now() + Duration::from_secs(20);
            loop {
                let text = String::from_utf8_lossy(&shown.lock().expect("lock")).into_owned();
                if let Some(at) = text[seen..].find(prompt) {
                    seen += at + prompt.len();
                    break;
                }
                assert!(Instant::now() < deadline, "no {prompt:?} in {text:?}");
                std::thread::sleep(Duration::from_millis(20));
            }
            if let Some(signal) = signal_of(typed) {
                // The terminal driver takes what was typed on its own time: a signal sent at
                // once could overtake it, and the child's echo, given back, then show it.
                std::thread::sleep(Duration::from_millis(200));
                // What the terminal driver does on Ctrl-C or Ctrl-\\ for the process it
                // controls: the child here has the terminal as its streams but not as its
                // controlling one.
                let pid = rustix::process::Pid::from_child(&child);
                rustix::process::kill_process(pid, signal).expect("the child takes the signal");
            } else {
                master.write_all(typed.as_bytes()).expect("typing");
            }
        }
        // Bounded: a run that hangs fails its test instead of the whole suite.
        let mut child = child;
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(status) = child.try_wait().expect("the child's status") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!(
                    "{args:?} still running after 60 s; the terminal showed {:?}",
                    String::from_utf8_lossy(&shown.lock().expect("lock"))
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let drained = |pipe: Option<Box<dyn Read>>| {
            let mut text = String::new();
            if let Some(mut pipe) = pipe {
                pipe.read_to_string(&mut text).expect("the pipe");
            }
            text
        };
        let stdout = drained(
            child
                .stdout
                .take()
                .map(|pipe| Box::new(pipe) as Box<dyn Read>),
        );
        let stderr = drained(
            child
                .stderr
                .take()
                .map(|pipe| Box::new(pipe) as Box<dyn Read>),
        );
        let echo_after = tcgetattr(&terminal)
            .expect("the terminal's settings")
            .local_modes
            .contains(LocalModes::ECHO);
        // The last handle on the terminal side: the reader now sees it close.
        drop(terminal);
        reader.join().expect("reader");
        let shown = String::from_utf8_lossy(&shown.lock().expect("lock")).replace("\r\n", "\n");
        AtTerminal {
            code: status.code(),
            stdout,
            stderr,
            shown,
            echo_after,
        }
    }
}

/// `r2-catalog args…` against `base_url` with stdout and stderr piped: the child, its stdout
/// lines as they come, and its stderr once it ends.
pub fn spawn_at(
    base_url: &str,
    args: &[&str],
) -> (
    Child,
    mpsc::Receiver<String>,
    std::thread::JoinHandle<String>,
) {
    let env = token_env_at(base_url);
    let mut child = Command::new(env!("CARGO_BIN_EXE_r2-catalog"))
        .args(args)
        .env_clear()
        .envs(borrowed(&env))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let (sender, lines) = mpsc::channel();
    let stdout = child.stdout.take().expect("piped");
    std::thread::spawn(move || {
        let mut stdout = BufReader::new(stdout);
        loop {
            let mut line = String::new();
            match stdout.read_line(&mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    if sender.send(line).is_err() {
                        break;
                    }
                }
            }
        }
    });
    let mut stderr = child.stderr.take().expect("piped");
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        stderr.read_to_string(&mut text).expect("stderr");
        text
    });
    (child, lines, stderr)
}

/// Sends `child` the interrupt signal, as Ctrl-C does.
pub fn interrupt(child: &Child) {
    let pid = rustix::process::Pid::from_child(child);
    rustix::process::kill_process(pid, rustix::process::Signal::INT)
        .expect("the child takes the signal");
}

/// Waits (60 s at most) for `child` to end: its exit code, and how long that took.
pub fn wait(child: &mut Child) -> (Option<i32>, Duration) {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("the child's status") {
            return (status.code(), started.elapsed());
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("still running after 60 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}
