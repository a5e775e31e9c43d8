//! FortuneCookieProtocol: on connect, sends a fortune cookie, slowly, then closes the connection
//! (Kamaelia: `Kamaelia.Protocol.FortuneCookieProtocol.FortuneCookieProtocol`).
//!
//! A per-connection protocol for a [`ServerCore`](crate::net::ServerCore) or
//! [`SimpleServer`](crate::net::SimpleServer): as soon as it starts it picks one fortune — from
//! a short built-in list, a list you give, or a file read when it starts — and sends it at a
//! limited rate (40 characters per second unless set, as Kamaelia's did), then sends
//! `ProducerFinished` on `signal`, which closes the connection once everything is written.
//! What the client sends is read and ignored.
//!
//! The rate is kept with tokio's clock, in at most 40 chunks a second: at 40 characters per
//! second one character every 25 ms; faster rates send more characters per chunk. On a
//! [`System::deterministic`](axon::System::deterministic) the clock is virtual.
//!
//! ```
//! use axon::{Inbox, System};
//! use kamaelia::protocol::fortune_cookie::FortuneCookieProtocol;
//! use std::time::Duration;
//!
//! let mut system = System::deterministic();
//! let fortune = FortuneCookieProtocol::with_fortunes(["Patience is a bounded inbox.\n"])
//!     .chars_per_second(10);
//! let (mut output, mut signal) = (Inbox::unbounded(), Inbox::new());
//! axon::link(&fortune.outbox, &output).unwrap();
//! axon::link(&fortune.signal, &signal).unwrap();
//! system.spawn(fortune);
//! system.run_until_idle();
//! assert_eq!(output.try_recv(), Ok(b"P".to_vec())); // the first character at once
//! system.advance(Duration::from_secs(1));
//! assert_eq!(std::iter::from_fn(|| output.try_recv().ok()).count(), 10); // then 10 a second
//! system.run().unwrap(); // 29 characters take 2.8 s of virtual time
//! assert_eq!(signal.try_recv(), Ok(axon::Control::ProducerFinished));
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `Vec<u8>` | bytes from the client: read and ignored |
//! | `control` | [`Control`] | `Shutdown`/`Failed`: stop now; `ProducerFinished` (the client closed its sending side): go on sending |
//! | `outbox` | `Vec<u8>` | the fortune, as UTF-8, a few characters at a time |
//! | `signal` | [`Control`] | `ProducerFinished` once the whole fortune is sent; the stop request otherwise; `Failed` if the fortune file cannot be read |
//!
//! # Parameters
//!
//! * where fortunes come from: [`FortuneCookieProtocol::new`] (a few built-in lines),
//!   [`with_fortunes`](FortuneCookieProtocol::with_fortunes) (your list), or
//!   [`from_file`](FortuneCookieProtocol::from_file) (a file read when the protocol starts:
//!   fortunes separated by lines holding only `%`, as the `fortune` program's files are; at
//!   most [`MAX_FILE`] bytes, UTF-8);
//! * [`chars_per_second`](FortuneCookieProtocol::chars_per_second): the rate, default 40;
//! * [`pick`](FortuneCookieProtocol::pick): always send fortune number `n` (modulo the number
//!   of fortunes) instead of a random one.
//!
//! # Shutdown
//!
//! When the fortune is sent: `ProducerFinished` on `signal`, end (the connection closes after
//! the last byte is written). `Shutdown` or `Failed` (or a closed `control`, taken as
//! `Shutdown`): stops at once (the rest of the fortune is not sent), passes the request on
//! `signal`, ends — also while a chunk waits for room because the reader takes nothing.
//! `ProducerFinished` only means the client will send nothing more — it may still be reading —
//! so the fortune goes on. If the receiver of `outbox` has ended (the connection is gone), it
//! sends `Shutdown` on `signal` and ends. With no fortunes
//! (an empty list or file) it sends nothing and ends with `ProducerFinished`. A file that cannot
//! be read, is larger than [`MAX_FILE`] or is not UTF-8 ends the protocol with an error naming
//! the file, after sending [`Control::Failed`] with the same text on `signal`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};
use tokio::io::AsyncReadExt;
use tokio::time::MissedTickBehavior;

use crate::support::{pass_on, watching_if_it_waits, Stopped};

/// The largest fortune file read, in bytes.
pub const MAX_FILE: u64 = 1 << 20;

/// The most chunks sent per second; faster rates send more characters per chunk.
const CHUNKS_PER_SECOND: u32 = 40;

/// The built-in fortunes.
const BUILT_IN: [&str; 5] = [
    "A bounded inbox is a promise kept: nobody waits for ever, and nobody drowns.\n",
    "The slowest reader sets the pace. Be kind to the slowest reader.\n",
    "Today you will finish what you started, and say so on your signal outbox.\n",
    "Every message you sent before saying goodbye will arrive. That is the rule.\n",
    "Two components linked in haste are unlinked at leisure.\n",
];

/// Where the fortunes come from.
#[derive(Debug, Clone)]
enum Fortunes {
    List(Arc<[String]>),
    File(PathBuf),
}

/// Sends one fortune cookie at a limited rate, then closes. See the [module docs](self).
#[derive(Boxes, Debug)]
pub struct FortuneCookieProtocol {
    /// Bytes from the client: ignored.
    pub inbox: Inbox<Vec<u8>>,
    /// `Shutdown`: stop now; `ProducerFinished`: the client sends no more (the fortune goes on).
    pub control: Inbox<Control>,
    /// The fortune, a few characters at a time.
    pub outbox: Outbox<Vec<u8>>,
    /// `ProducerFinished` once the fortune is sent; otherwise the stop request.
    pub signal: Outbox<Control>,
    #[boxes(skip)]
    fortunes: Fortunes,
    #[boxes(skip)]
    chars_per_second: u32,
    #[boxes(skip)]
    pick: Option<usize>,
}

impl FortuneCookieProtocol {
    /// A protocol sending one of a few built-in fortunes.
    pub fn new() -> Self {
        Self::with_fortunes(BUILT_IN)
    }

    /// A protocol sending one of `fortunes`.
    pub fn with_fortunes<S: Into<String>>(fortunes: impl IntoIterator<Item = S>) -> Self {
        let list: Vec<String> = fortunes.into_iter().map(Into::into).collect();
        Self::with(Fortunes::List(list.into()))
    }

    /// A protocol sending one of the fortunes in the file at `path`, read when it starts:
    /// fortunes are separated by lines holding only `%`.
    pub fn from_file(path: impl Into<PathBuf>) -> Self {
        Self::with(Fortunes::File(path.into()))
    }

    fn with(fortunes: Fortunes) -> Self {
        FortuneCookieProtocol {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            fortunes,
            chars_per_second: 40,
            pick: None,
        }
    }

    /// The rate, in characters per second (at least 1); default 40.
    pub fn chars_per_second(mut self, rate: u32) -> Self {
        self.chars_per_second = rate.max(1);
        self
    }

    /// Always send fortune number `n` (modulo the number of fortunes) instead of a random one.
    pub fn pick(mut self, n: usize) -> Self {
        self.pick = Some(n);
        self
    }
}

impl Default for FortuneCookieProtocol {
    fn default() -> Self {
        Self::new()
    }
}

/// Splits the text of a fortune file into fortunes: lines holding only `%` separate them;
/// blank fortunes are dropped.
fn split_fortunes(text: &str) -> Vec<String> {
    let mut fortunes = Vec::new();
    let mut current = String::new();
    for line in text.split_inclusive('\n') {
        if line.trim_end_matches(['\r', '\n']) == "%" {
            fortunes.push(std::mem::take(&mut current));
        } else {
            current.push_str(line);
        }
    }
    fortunes.push(current);
    fortunes.retain(|f| !f.trim().is_empty());
    fortunes
}

/// Reads a fortune file, refusing one larger than [`MAX_FILE`] or not UTF-8.
async fn read_file(path: &PathBuf) -> Result<Vec<String>, String> {
    let shown = path.display();
    let file = tokio::fs::File::open(path)
        .await
        .map_err(|e| format!("cannot open fortune file {shown}: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE + 1)
        .read_to_end(&mut bytes)
        .await
        .map_err(|e| format!("cannot read fortune file {shown}: {e}"))?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(format!(
            "fortune file {shown} is larger than {MAX_FILE} bytes"
        ));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "fortune file {shown} is not UTF-8 (at byte {})",
            e.utf8_error().valid_up_to()
        )
    })?;
    Ok(split_fortunes(&text))
}

/// A number that differs from one protocol to the next, without a random-number crate.
fn random_index() -> usize {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0x6b61_6d61_656c_6961);
    h.finish() as usize
}

/// The fortune cut into chunks of `per_chunk` characters.
fn chunks(text: &str, per_chunk: usize) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (n, (i, _)) in text.char_indices().enumerate() {
        if n > 0 && n % per_chunk == 0 {
            out.push(text.as_bytes()[start..i].to_vec());
            start = i;
        }
    }
    if start < text.len() {
        out.push(text.as_bytes()[start..].to_vec());
    }
    out
}

impl Component for FortuneCookieProtocol {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        let fortunes: Arc<[String]> = match &self.fortunes {
            Fortunes::List(list) => Arc::clone(list),
            Fortunes::File(path) => match read_file(path).await {
                Ok(list) => list.into(),
                Err(e) => {
                    let reason = format!("{}: {e}", ctx.name());
                    pass_on(&mut self.signal, Control::failed(reason.as_str())).await;
                    return Err(Error::msg(reason));
                }
            },
        };
        if fortunes.is_empty() {
            pass_on(&mut self.signal, Control::ProducerFinished).await;
            return Ok(());
        }
        let index = self.pick.unwrap_or_else(random_index) % fortunes.len();
        let rate = self.chars_per_second;
        let per_chunk = rate.div_ceil(CHUNKS_PER_SECOND).max(1);
        let period = Duration::from_secs(1) * per_chunk / rate;
        let mut ticks = tokio::time::interval(period);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut ignored = Vec::new();
        // Set by a `ProducerFinished` that comes while a chunk waits for room; it changes
        // nothing (the client only sends no more).
        let mut client_finished = false;
        for chunk in chunks(&fortunes[index], per_chunk as usize) {
            loop {
                tokio::select! {
                    biased;
                    c = self.control.recv() => match c.unwrap_or(Control::Shutdown) {
                        // The client sends no more; it may still read.
                        Control::ProducerFinished => {}
                        c => {
                            pass_on(&mut self.signal, c).await;
                            return Ok(());
                        }
                    },
                    _ = self.inbox.recv_batch(&mut ignored, 64) => ignored.clear(),
                    _ = ticks.tick() => break,
                }
            }
            // `control` is watched while the chunk waits for room, so a reader that takes
            // nothing cannot hide a stop; a `ProducerFinished` then changes nothing, as above.
            let send = self.outbox.send(chunk);
            match watching_if_it_waits(&mut self.control, &mut client_finished, send).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => {
                    // Nobody takes the fortune any more: the connection is gone.
                    pass_on(&mut self.signal, Control::Shutdown).await;
                    return Ok(());
                }
                Err(Stopped(c)) => {
                    pass_on(&mut self.signal, c).await;
                    return Ok(());
                }
            }
        }
        pass_on(&mut self.signal, Control::ProducerFinished).await;
        Ok(())
    }
}

crate::impl_stage!([] FortuneCookieProtocol, Vec<u8> => Vec<u8>);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    Entry::new(
        "FortuneCookieProtocol",
        "Kamaelia.Protocol.FortuneCookieProtocol.FortuneCookieProtocol",
        Family::Protocol,
        "On connect, sends one fortune cookie at a limited rate (40 characters a second by default), then closes the connection.",
        axon::box_infos(&FortuneCookieProtocol::new()),
    )
    .parameter("fortunes", "built-in | Vec<String> | file", "FortuneCookieProtocol::new(), with_fortunes(list), from_file(path) (read at start; `%` lines separate fortunes)")
    .parameter("chars_per_second", "u32", "the rate (default 40)")
    .parameter("pick", "usize", "always send fortune n instead of a random one")
});
