//! The board's data: the users file and the folder of messages (the tutorial's `users.passwd`
//! and `Folder`, BB9 and BB14).
//!
//! A data folder holds:
//!
//! * `users.json` — a JSON object mapping each user name to its password, for example
//!   `{"alice": "rabbit-hole", "bob": "can-we-fix-it"}`. User names are matched without
//!   regard to case (as the tutorial did); passwords exactly. The passwords are plain text:
//!   this is a teaching example, not a way to keep secrets.
//! * `messages/` — one JSON file per message, named after its number: `messages/1.json`,
//!   `messages/2.json`, ... Each holds the fields of the tutorial's messages:
//!
//!   ```json
//!   {"message": 2, "date": "2009-06-30 10:15 UTC", "from": "alice", "to": "all",
//!    "subject": "Lunch", "reply-to": [1], "__body__": "Who is coming?"}
//!   ```
//!
//!   `message` and the numbers in `reply-to` may also be strings of digits (the Python
//!   original wrote them either way); `reply-to` may be left out. The file name is what
//!   numbers a message: a `message` field that disagrees with it is replaced by it. Files whose
//!   names are not `<number>.json` (such as the temporary files of a write in progress, which
//!   start with a dot) are ignored.
//!
//! The store reads everything once, when it is opened, and keeps the messages in memory.
//! [`Store::post`] adds a message: it picks the next free number, writes the file under a
//! temporary name in the same folder, and gives it its final name only once it is complete
//! (a hard link, which never replaces an existing file, falling back to a rename where the
//! file system has no links), so a reader never sees half a message and two servers sharing a
//! folder never overwrite each other's messages. No path is ever built from what a client
//! typed: file names are made from numbers only.
//!
//! # Limits
//!
//! | what | limit | beyond it |
//! |---|---|---|
//! | `users.json` | [`MAX_USERS_FILE`] bytes | the store does not open |
//! | a user name | [`MAX_NAME`] characters, no control characters | the user is skipped, with a warning |
//! | one message file | [`MAX_MESSAGE_FILE`] bytes | the file is skipped, with a warning |
//! | messages on the board | [`MAX_MESSAGES`] | the lowest numbers are kept when reading; posting fails |
//! | a posted message | [`MAX_SUBJECT`], [`MAX_TO`] characters, [`MAX_BODY`] bytes | posting fails |
//!
//! ```
//! use examples::bulletin_board::store::{Draft, Store};
//!
//! let store = Store::in_memory([("alice", "rabbit-hole")], Vec::new());
//! assert_eq!(store.login("Alice", "rabbit-hole").as_deref(), Some("alice"));
//! assert_eq!(store.login("alice", "wrong"), None);
//! let posted = store
//!     .post("alice", Draft::new("all", "Hello", "First!"))
//!     .unwrap();
//! assert_eq!(posted.message, 1);
//! assert_eq!(store.messages().len(), 1);
//! ```

use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize};

/// The largest `users.json` read: 1 MiB.
pub const MAX_USERS_FILE: u64 = 1 << 20;
/// The longest user name, in characters.
pub const MAX_NAME: usize = 32;
/// The largest message file read: 64 KiB.
pub const MAX_MESSAGE_FILE: u64 = 64 << 10;
/// The most messages a board holds.
pub const MAX_MESSAGES: usize = 10_000;
/// The longest subject, in characters.
pub const MAX_SUBJECT: usize = 120;
/// The longest recipient, in characters.
pub const MAX_TO: usize = 64;
/// The largest message body, in bytes.
pub const MAX_BODY: usize = 8 << 10;

/// One message on the board, with the fields of the tutorial's message files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Its number (also its file name).
    #[serde(deserialize_with = "number")]
    pub message: u64,
    /// When it was posted, as text.
    #[serde(default)]
    pub date: String,
    /// Who wrote it.
    #[serde(default)]
    pub from: String,
    /// Who it is for (`all` for everybody).
    #[serde(default)]
    pub to: String,
    /// Its subject line.
    #[serde(default)]
    pub subject: String,
    /// The numbers of the messages it answers.
    #[serde(rename = "reply-to", default, deserialize_with = "numbers")]
    pub reply_to: Vec<u64>,
    /// The text.
    #[serde(rename = "__body__", default)]
    pub body: String,
}

/// A message being written, before the store gives it a number, a date and an author.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Draft {
    /// Who it is for.
    pub to: String,
    /// Its subject line.
    pub subject: String,
    /// The messages it answers.
    pub reply_to: Vec<u64>,
    /// The text (lines separated by `\n`).
    pub body: String,
}

impl Draft {
    /// A draft to `to` about `subject`, answering nothing.
    pub fn new(to: &str, subject: &str, body: &str) -> Self {
        Draft {
            to: to.to_string(),
            subject: subject.to_string(),
            reply_to: Vec::new(),
            body: body.to_string(),
        }
    }
}

/// What went wrong with the data folder, naming the file at fault.
#[derive(Debug)]
pub enum StoreError {
    /// A file or folder could not be read or written.
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        error: std::io::Error,
    },
    /// A file is not what it should be.
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A message could not be posted.
    Rejected(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Io { path, error } => write!(f, "{}: {error}", path.display()),
            StoreError::Invalid { path, reason } => write!(f, "{}: {reason}", path.display()),
            StoreError::Rejected(reason) => write!(f, "message not posted: {reason}"),
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreError::Io { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// A user's canonical name and password.
struct User {
    name: String,
    password: String,
}

/// The users and messages of one board. See the [module docs](self).
pub struct Store {
    /// The data folder; `None` for a board kept in memory only.
    dir: Option<PathBuf>,
    /// By lower-case name.
    users: HashMap<String, User>,
    /// In number order.
    messages: Mutex<Vec<Arc<Message>>>,
    warnings: Vec<String>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("dir", &self.dir)
            .field("users", &self.users.len())
            .field("messages", &self.lock().len())
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the board in `dir`: reads `dir/users.json` and every `dir/messages/<n>.json`
    /// (creating `dir/messages/` if it is missing). Message files that cannot be read are
    /// skipped and listed in [`warnings`](Self::warnings).
    ///
    /// # Errors
    /// If `users.json` is missing, too large or not a JSON object of strings, or the messages
    /// folder cannot be made or listed.
    pub fn open(dir: impl AsRef<Path>) -> Result<Store, StoreError> {
        let dir = dir.as_ref().to_path_buf();
        let mut warnings = Vec::new();
        let users_path = dir.join("users.json");
        let text = read_limited(&users_path, MAX_USERS_FILE)?;
        let raw: HashMap<String, String> =
            serde_json::from_str(&text).map_err(|e| StoreError::Invalid {
                path: users_path.clone(),
                reason: format!("not a JSON object of user name to password: {e}"),
            })?;
        let mut users = HashMap::new();
        for (name, password) in raw {
            if valid_name(&name) {
                users.insert(name.to_lowercase(), User { name, password });
            } else {
                warnings.push(format!(
                    "{}: user {name:?} skipped: a name has 1 to {MAX_NAME} characters and no control characters",
                    users_path.display()
                ));
            }
        }
        let folder = dir.join("messages");
        std::fs::create_dir_all(&folder).map_err(|error| StoreError::Io {
            path: folder.clone(),
            error,
        })?;
        let messages = read_messages(&folder, &mut warnings)?;
        Ok(Store {
            dir: Some(dir),
            users,
            messages: Mutex::new(messages),
            warnings,
        })
    }

    /// A board kept in memory only (nothing is read or written): for tests and examples.
    pub fn in_memory<'a>(
        users: impl IntoIterator<Item = (&'a str, &'a str)>,
        mut messages: Vec<Message>,
    ) -> Store {
        messages.sort_by_key(|m| m.message);
        messages.truncate(MAX_MESSAGES);
        Store {
            dir: None,
            users: users
                .into_iter()
                .map(|(n, p)| {
                    let user = User {
                        name: n.to_string(),
                        password: p.to_string(),
                    };
                    (n.to_lowercase(), user)
                })
                .collect(),
            messages: Mutex::new(messages.into_iter().map(Arc::new).collect()),
            warnings: Vec::new(),
        }
    }

    /// What was skipped when the board was opened, one line per problem.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The data folder, if the board has one.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The user's name as written in the users file, if `name` (any case, surrounding spaces
    /// ignored) and `password` match.
    pub fn login(&self, name: &str, password: &str) -> Option<String> {
        let user = self.users.get(&name.trim().to_lowercase())?;
        same(user.password.as_bytes(), password.as_bytes()).then(|| user.name.clone())
    }

    /// Every message on the board now, in number order.
    pub fn messages(&self) -> Vec<Arc<Message>> {
        self.lock().clone()
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Arc<Message>>> {
        self.messages.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Posts `draft` as written by `from`: gives it the next number and today's date, writes
    /// its file (if the board has a folder) and adds it to the board. Blocks while writing:
    /// from async code use [`post_all`](Self::post_all).
    ///
    /// # Errors
    /// [`StoreError::Rejected`] if the draft is over a limit or the board is full;
    /// [`StoreError::Io`] if the file cannot be written.
    pub fn post(&self, from: &str, draft: Draft) -> Result<Arc<Message>, StoreError> {
        check_draft(&draft)?;
        let mut board = self.lock();
        if board.len() >= MAX_MESSAGES {
            return Err(StoreError::Rejected(format!(
                "the board is full ({MAX_MESSAGES} messages)"
            )));
        }
        let mut message = Message {
            message: board.last().map_or(1, |m| m.message + 1),
            date: now_utc(),
            from: from.to_string(),
            to: draft.to,
            subject: draft.subject,
            reply_to: draft.reply_to,
            body: draft.body,
        };
        if let Some(dir) = &self.dir {
            message.message = write_new(&dir.join("messages"), message.message, &mut message)?;
        }
        let message = Arc::new(message);
        board.push(Arc::clone(&message));
        Ok(message)
    }

    /// Posts every draft in order, off the async thread when files are written; one result
    /// per draft.
    pub async fn post_all(
        self: &Arc<Self>,
        from: &str,
        drafts: Vec<Draft>,
    ) -> Vec<Result<Arc<Message>, StoreError>> {
        let (store, from) = (Arc::clone(self), from.to_string());
        let post = move || {
            drafts
                .into_iter()
                .map(|d| store.post(&from, d))
                .collect::<Vec<_>>()
        };
        if self.dir.is_none() {
            return post();
        }
        match tokio::task::spawn_blocking(post).await {
            Ok(results) => results,
            Err(e) => vec![Err(StoreError::Rejected(format!(
                "the writer stopped: {e}"
            )))],
        }
    }
}

/// Compares without stopping at the first difference.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn valid_name(name: &str) -> bool {
    let n = name.chars().count();
    (1..=MAX_NAME).contains(&n) && !name.chars().any(char::is_control) && name.trim() == name
}

fn check_draft(d: &Draft) -> Result<(), StoreError> {
    let reject = |what: &str| Err(StoreError::Rejected(what.to_string()));
    if d.subject.chars().count() > MAX_SUBJECT {
        return reject("the subject is too long");
    }
    if d.to.chars().count() > MAX_TO {
        return reject("the recipient is too long");
    }
    if d.body.len() > MAX_BODY {
        return reject("the text is too long");
    }
    Ok(())
}

fn read_limited(path: &Path, limit: u64) -> Result<String, StoreError> {
    use std::io::Read;
    let io = |error| StoreError::Io {
        path: path.to_path_buf(),
        error,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut text = String::new();
    let read = file.take(limit + 1).read_to_string(&mut text).map_err(io)?;
    if read as u64 > limit {
        return Err(StoreError::Invalid {
            path: path.to_path_buf(),
            reason: format!("larger than the limit of {limit} bytes"),
        });
    }
    Ok(text)
}

/// The number of a message file name `<n>.json`.
fn file_number(name: &str) -> Option<u64> {
    let digits = name.strip_suffix(".json")?;
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn read_messages(
    folder: &Path,
    warnings: &mut Vec<String>,
) -> Result<Vec<Arc<Message>>, StoreError> {
    let entries = std::fs::read_dir(folder).map_err(|error| StoreError::Io {
        path: folder.to_path_buf(),
        error,
    })?;
    let mut numbered: Vec<(u64, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let n = file_number(e.file_name().to_str()?)?;
            Some((n, e.path()))
        })
        .collect();
    numbered.sort();
    if numbered.len() > MAX_MESSAGES {
        warnings.push(format!(
            "{}: only the first {MAX_MESSAGES} of {} messages are read",
            folder.display(),
            numbered.len()
        ));
        numbered.truncate(MAX_MESSAGES);
    }
    let mut messages = Vec::with_capacity(numbered.len());
    for (n, path) in numbered {
        let parsed = read_limited(&path, MAX_MESSAGE_FILE).and_then(|text| {
            serde_json::from_str::<Message>(&text).map_err(|e| StoreError::Invalid {
                path: path.clone(),
                reason: format!("not a message: {e}"),
            })
        });
        match parsed {
            Ok(mut m) => {
                m.message = n;
                messages.push(Arc::new(m));
            }
            Err(e) => warnings.push(format!("{e} (skipped)")),
        }
    }
    Ok(messages)
}

/// Writes `message` as `folder/<n>.json` for the first free `n` from `first`; returns `n`.
fn write_new(folder: &Path, first: u64, message: &mut Message) -> Result<u64, StoreError> {
    let io = |path: &Path, error| StoreError::Io {
        path: path.to_path_buf(),
        error,
    };
    let temp = folder.join(format!(".posting-{}-{first}.tmp", std::process::id()));
    let mut n = first;
    // Another server sharing the folder may have taken a number: try the next ones.
    for _ in 0..64 {
        message.message = n;
        let json = serde_json::to_vec_pretty(&*message).map_err(|e| StoreError::Invalid {
            path: temp.clone(),
            reason: e.to_string(),
        })?;
        {
            let mut file = std::fs::File::create(&temp).map_err(|e| io(&temp, e))?;
            file.write_all(&json).map_err(|e| io(&temp, e))?;
            file.sync_all().map_err(|e| io(&temp, e))?;
        }
        let target = folder.join(format!("{n}.json"));
        let placed = match std::fs::hard_link(&temp, &target) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            // No hard links here: rename, which is atomic too but would replace a file that
            // appeared since the check.
            Err(_) if !target.exists() => std::fs::rename(&temp, &target).map(|()| true),
            Err(_) => Ok(false),
        };
        match placed {
            Ok(true) => {
                std::fs::remove_file(&temp).ok();
                return Ok(n);
            }
            Ok(false) => n += 1,
            Err(e) => {
                std::fs::remove_file(&temp).ok();
                return Err(io(&target, e));
            }
        }
    }
    std::fs::remove_file(&temp).ok();
    Err(StoreError::Rejected(format!(
        "{}: no free message number from {first}",
        folder.display()
    )))
}

/// The time now in UTC as `YYYY-MM-DD HH:MM UTC`.
fn now_utc() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60
    )
}

/// The calendar date of a day number counted from 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// A number written as a JSON number or a string of digits.
#[derive(Deserialize)]
#[serde(untagged)]
enum Number {
    Int(u64),
    Text(String),
}

impl Number {
    fn value<E: serde::de::Error>(self) -> Result<u64, E> {
        match self {
            Number::Int(n) => Ok(n),
            Number::Text(s) => s
                .trim()
                .parse()
                .map_err(|_| E::custom(format!("{s:?} is not a message number"))),
        }
    }
}

fn number<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Number::deserialize(d)?.value()
}

fn numbers<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u64>, D::Error> {
    Vec::<Number>::deserialize(d)?
        .into_iter()
        .map(Number::value)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_counted_from_the_epoch() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(14_425), (2009, 6, 30));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn only_numbered_json_files_are_messages() {
        assert_eq!(file_number("12.json"), Some(12));
        assert_eq!(file_number(".posting-1-2.tmp"), None);
        assert_eq!(file_number("../1.json"), None);
        assert_eq!(file_number(".json"), None);
        assert_eq!(file_number("1.json.bak"), None);
    }

    #[test]
    fn numbers_may_be_strings() {
        let m: Message =
            serde_json::from_str(r#"{"message": "3", "reply-to": ["1", 2], "__body__": "hi"}"#)
                .unwrap();
        assert_eq!((m.message, m.reply_to), (3, vec![1, 2]));
    }
}
