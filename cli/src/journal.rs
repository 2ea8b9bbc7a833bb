//! The resume journal of a sweep (`--journal FILE`): one JSON line per table as it ends, and, on
//! the next run, the tables it records done by the same sweep, which that run skips.
//!
//! A line counts as done only for the very sweep that reads it: the same account, API
//! endpoint, path family, bucket and operation (an update's settings included). Bucket names
//! are unique per account only, so a journal of another account, or of a rehearsal against an
//! emulator, skips nothing here.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use cloudflare_r2_catalog::input::{Namespace, TableName};
use serde_json::{Map, Value};

use crate::output::{Failure, OutputLost, note, sanitize};

/// How much of a journal is read back: at a few hundred bytes a line, some 200,000 tables, far
/// more than a catalog holds. A longer journal is refused rather than read in part, which would
/// redo (and, for `queue`, queue again) what its end records.
const MAX_JOURNAL_BYTES: u64 = 64 * 1024 * 1024;

/// The fields that name a sweep in each of its lines, and must all match for a line to count.
pub(crate) const SWEEP_FIELDS: [&str; 5] = ["account", "endpoint", "paths", "bucket", "operation"];

/// A journal being appended to.
pub(crate) struct Journal {
    path: PathBuf,
    file: File,
}

impl Journal {
    /// Opens `path` to append to, creating it; if its last line was torn (a full disk, a kill),
    /// ends it first, so that the first line of this run stands on its own.
    pub(crate) fn open(path: &Path) -> Result<Self, Failure> {
        let unusable = |error: std::io::Error| journal_error(path, &error);
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(path)
            .map_err(unusable)?;
        if file.metadata().map_err(unusable)?.len() > 0 {
            let mut last = [0u8];
            file.seek(SeekFrom::End(-1)).map_err(unusable)?;
            file.read_exact(&mut last).map_err(unusable)?;
            if last != *b"\n" {
                // Appended at the end whatever the position: the file is in append mode.
                file.write_all(b"\n").map_err(unusable)?;
            }
        }
        Ok(Self {
            path: path.to_owned(),
            file,
        })
    }

    /// Appends `line` in one write, so that a line is whole or absent even with several sweeps
    /// appending at once.
    pub(crate) fn append(&mut self, line: &Value) -> Result<(), OutputLost> {
        let mut text = sanitize(&line.to_string()).into_owned();
        text.push('\n');
        self.file
            .write_all(text.as_bytes())
            .map_err(|error| OutputLost {
                what: format!("the journal {}", self.path.display()),
                error,
                aftermath: None,
            })
    }
}

/// The tables `path` records done by the sweep `sweep` names (its [`SWEEP_FIELDS`]); none when
/// the file does not exist yet or is no regular file. Lines of other sweeps are passed over; lines that are not JSON
/// (a torn line, stray bytes) too, and said once on stderr.
pub(crate) fn done(
    path: &Path,
    sweep: &Map<String, Value>,
) -> Result<HashSet<(Namespace, TableName)>, Failure> {
    // A device or a pipe (`/dev/null`, say) records nothing to read back, and opening or
    // reading one may never end.
    match std::fs::metadata(path) {
        Ok(metadata) if metadata.is_file() => {}
        Ok(_) => return Ok(HashSet::new()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(HashSet::new()),
        Err(error) => return Err(journal_error(path, &error)),
    }
    let file = File::open(path).map_err(|error| journal_error(path, &error))?;
    let mut reader = BufReader::new(file.take(MAX_JOURNAL_BYTES + 1));
    let mut done = HashSet::new();
    let mut unreadable = 0u64;
    let mut read = 0u64;
    let mut line = Vec::new();
    loop {
        line.clear();
        let length = reader
            .read_until(b'\n', &mut line)
            .map_err(|error| journal_error(path, &error))?;
        if length == 0 {
            break;
        }
        read += length as u64;
        if read > MAX_JOURNAL_BYTES {
            return Err(Failure::Setup(format!(
                "the journal {} is over {} MiB, more than a sweep reads back: resume with a new journal file, or split this one",
                path.display(),
                MAX_JOURNAL_BYTES / (1024 * 1024)
            )));
        }
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<Value>(text) {
            Ok(entry) => done.extend(done_table(&entry, sweep)),
            Err(_) => unreadable += 1,
        }
    }
    if unreadable > 0 {
        note(&format!(
            "note: the journal {} has {unreadable} line(s) that are not JSON (a torn write, say): passed over",
            path.display()
        ));
    }
    Ok(done)
}

/// The table `entry` records done, if it is a line of `sweep` that went well.
fn done_table(entry: &Value, sweep: &Map<String, Value>) -> Option<(Namespace, TableName)> {
    let ours = SWEEP_FIELDS.iter().all(|field| {
        sweep
            .get(*field)
            .is_some_and(|value| entry[*field] == *value)
    });
    if !ours || entry["ok"] != true {
        return None;
    }
    let namespace = Namespace::parse_dotted(entry["namespace"].as_str()?).ok()?;
    let table = TableName::new(entry["table"].as_str()?).ok()?;
    Some((namespace, table))
}

fn journal_error(path: &Path, error: &std::io::Error) -> Failure {
    Failure::Setup(format!(
        "cannot use the journal {}: {error}",
        path.display()
    ))
}
