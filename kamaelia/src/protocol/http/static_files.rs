//! StaticFiles: a resource handler that serves a file from under a root directory, its MIME
//! type guessed from its extension (Kamaelia: `Kamaelia.Protocol.HTTP.Handlers.Minimal.Minimal`).
//!
//! Made for one request (a router returns it, see [`StaticFiles::router`]), it answers:
//!
//! * `200 OK` with `Content-Type` and `Content-Length`, then the file read by a
//!   [`ChunkReader`] child in chunks of `chunk_size` bytes, each read only when the previous
//!   one has been taken (nothing of the file is held beyond one chunk and a bounded inbox);
//!   for a directory, its index file (`index.html`); a directory asked for without its final
//!   `/` is redirected (`301`) to the same path with it, so relative links work;
//! * `404 Not Found` if there is no such file (or the directory has no index file);
//! * `403 Forbidden` for a path that tries to leave the root: a `..` segment (also
//!   percent-encoded), a backslash or NUL in a segment, or a symbolic link leading outside the
//!   root;
//! * `400 Bad Request` for a path that is not UTF-8 once percent-decoded, `405 Method Not
//!   Allowed` for methods other than `GET` and `HEAD` (a `HEAD` gets the head alone).
//!
//! ```
//! use axon::{Control, Inbox, System};
//! use kamaelia::protocol::http::{HttpMessage, RequestHead, StaticFiles};
//!
//! let root = std::env::temp_dir().join(format!("kamaelia-static-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&root).unwrap();
//! std::fs::write(root.join("hello.txt"), b"hello, world").unwrap();
//!
//! let mut system = System::deterministic();
//! let request = RequestHead::new("GET", "/hello.txt");
//! let files = StaticFiles::new(&root, &request);
//! let (mut output, mut signal) = (Inbox::new(), Inbox::new());
//! axon::link(&files.outbox, &output).unwrap();
//! axon::link(&files.signal, &signal).unwrap();
//! system.spawn(files);
//! system.run().unwrap();
//!
//! let HttpMessage::Head(head) = output.try_recv().unwrap() else { panic!("head first") };
//! assert_eq!(head.status, 200);
//! assert_eq!(head.headers.get_str("Content-Type"), Some("text/plain; charset=utf-8"));
//! assert_eq!(output.try_recv(), Ok(HttpMessage::Body(b"hello, world".to_vec())));
//! assert_eq!(output.try_recv(), Ok(HttpMessage::End));
//! assert_eq!(signal.try_recv(), Ok(Control::ProducerFinished));
//! # std::fs::remove_dir_all(&root).unwrap();
//! ```
//!
//! # Boxes
//!
//! | box | type | meaning |
//! |---|---|---|
//! | `inbox` | `Vec<u8>` | the request body: not read |
//! | `control` | [`Control`] | `Shutdown`/`Failed`: stop now; `ProducerFinished` (the request body ended) changes nothing |
//! | `outbox` | [`ResponseMessage`] | the response: `Head`, `Body` chunks, `End` |
//! | `signal` | [`Control`] | `ProducerFinished` once the response is sent, else the stop request |
//!
//! The box the file reader sends to is internal and not listed.
//!
//! # Parameters
//!
//! * the root directory and the request, given to [`StaticFiles::new`] (or the root alone to
//!   [`StaticFiles::router`], which makes one per request);
//! * [`index_file`](StaticFiles::index_file): served for a directory, default `index.html`;
//! * [`chunk_size`](StaticFiles::chunk_size): bytes per `Body` message, default 64 KiB;
//! * [`strip_prefix`](StaticFiles::strip_prefix): a path prefix the files are served under
//!   (`/static` serves `/static/a.css` from `root/a.css`; other paths are 404).
//!
//! # Shutdown
//!
//! After the last chunk it sends `End`, then `ProducerFinished` on `signal`, and ends.
//! `Shutdown` or `Failed`: stops its file reader, ends at once (the response unfinished), and
//! passes it on. If the file cannot be read after its head was sent (it vanished), it sends
//! `End` early: the [`HttpRequestHandler`](super::HttpRequestHandler) sees fewer bytes than the
//! `Content-Length` and closes the connection. If the receiver of `outbox` has ended, it stops
//! its reader and sends `Shutdown` on `signal`.

use std::path::{Path, PathBuf};

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox};

use super::error_pages::error_page;
use super::message::{HttpMessage, RequestHead, ResponseHead, ResponseMessage};
use super::request_handler::Handler;
use crate::file::ChunkReader;
use crate::support::pass_on;

/// Serves one file from under a root directory. See the [module docs](self).
#[derive(Boxes)]
pub struct StaticFiles {
    /// The request body: not read.
    pub inbox: Inbox<Vec<u8>>,
    /// `Shutdown`/`Failed`: stop now; `ProducerFinished` changes nothing.
    pub control: Inbox<Control>,
    /// The response: `Head`, `Body` chunks, `End`.
    pub outbox: Outbox<ResponseMessage>,
    /// `ProducerFinished` once the response is sent, else the stop request.
    pub signal: Outbox<Control>,
    /// The file's bytes, from the reader.
    #[boxes(skip)]
    file_data: Inbox<Vec<u8>>,
    #[boxes(skip)]
    root: PathBuf,
    #[boxes(skip)]
    method: String,
    #[boxes(skip)]
    path: String,
    #[boxes(skip)]
    index_file: String,
    #[boxes(skip)]
    chunk_size: usize,
    #[boxes(skip)]
    prefix: Option<String>,
}

impl std::fmt::Debug for StaticFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaticFiles")
            .field("root", &self.root)
            .field("method", &self.method)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl StaticFiles {
    /// Answers `request` from the files under `root`.
    pub fn new(root: impl AsRef<Path>, request: &RequestHead) -> Self {
        StaticFiles {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            file_data: Inbox::new(),
            root: root.as_ref().to_path_buf(),
            method: request.method.clone(),
            path: request.path().to_string(),
            index_file: "index.html".to_string(),
            chunk_size: 64 * 1024,
            prefix: None,
        }
    }

    /// A router serving every request from the files under `root` (Kamaelia's
    /// `MinimalFactory`); give it to [`HttpRequestHandler::new`](super::HttpRequestHandler::new)
    /// or [`http_server`](super::http_server).
    pub fn router(
        root: impl AsRef<Path>,
    ) -> Box<dyn Fn(&RequestHead) -> Handler + Send + Sync + 'static> {
        let root = root.as_ref().to_path_buf();
        Box::new(move |request: &RequestHead| Handler::new(StaticFiles::new(&root, request)))
    }

    /// Serves `name` for a directory (default `index.html`).
    pub fn index_file(mut self, name: impl Into<String>) -> Self {
        self.index_file = name.into();
        self
    }

    /// Sends the file in `Body` messages of at most `bytes` (at least 1; default 64 KiB).
    pub fn chunk_size(mut self, bytes: usize) -> Self {
        self.chunk_size = bytes.max(1);
        self
    }

    /// Serves the files under the path prefix `prefix` (e.g. `/static`); other paths are 404.
    pub fn strip_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into().trim_end_matches('/').to_string());
        self
    }
}

/// What the request asks for, once checked.
enum Target {
    /// This file, of this length and type.
    File(PathBuf, u64, &'static str),
    /// Redirect to this location.
    Redirect(String),
    /// Answer with this error status.
    Refuse(u16),
}

/// The MIME type of a file name, by its extension.
pub fn mime_type(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("txt" | "text") => "text/plain; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("xml") => "application/xml",
        Some("csv") => "text/csv; charset=utf-8",
        Some("md") => "text/markdown; charset=utf-8",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("svg") => "image/svg+xml",
        Some("ico") => "image/x-icon",
        Some("webp") => "image/webp",
        Some("pdf") => "application/pdf",
        Some("wasm") => "application/wasm",
        Some("mp3") => "audio/mpeg",
        Some("ogg") => "audio/ogg",
        Some("wav") => "audio/wav",
        Some("mp4") => "video/mp4",
        Some("webm") => "video/webm",
        Some("zip") => "application/zip",
        Some("gz") => "application/gzip",
        _ => "application/octet-stream",
    }
}

/// Percent-decodes a path; `None` if an escape is malformed.
fn percent_decode(path: &str) -> Option<Vec<u8>> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// The path under the root that `path` names, as checked segments; or the status refusing it.
fn segments(path: &str) -> Result<Vec<String>, u16> {
    let decoded = percent_decode(path).ok_or(400u16)?;
    let decoded = String::from_utf8(decoded).map_err(|_| 400u16)?;
    let mut out = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return Err(403),
            s if s.contains(['\\', '\0']) => return Err(403),
            s => out.push(s.to_string()),
        }
    }
    Ok(out)
}

impl StaticFiles {
    /// Works out what to answer.
    async fn target(&self) -> Target {
        if !matches!(self.method.as_str(), "GET" | "HEAD") {
            return Target::Refuse(405);
        }
        let path = match &self.prefix {
            None => self.path.as_str(),
            Some(p) => match self.path.strip_prefix(p.as_str()) {
                Some(rest) if rest.is_empty() || rest.starts_with('/') => rest,
                _ => return Target::Refuse(404),
            },
        };
        let parts = match segments(path) {
            Ok(p) => p,
            Err(status) => return Target::Refuse(status),
        };
        let mut file = self.root.clone();
        file.extend(&parts);
        let Ok(mut meta) = tokio::fs::metadata(&file).await else {
            return Target::Refuse(404);
        };
        if meta.is_dir() {
            if !self.path.ends_with('/') {
                return Target::Redirect(format!("{}/", self.path));
            }
            file.push(&self.index_file);
            match tokio::fs::metadata(&file).await {
                Ok(m) => meta = m,
                Err(_) => return Target::Refuse(404),
            }
        }
        if !meta.is_file() {
            return Target::Refuse(404);
        }
        // A symbolic link must not lead out of the root.
        let (Ok(real), Ok(real_root)) = (
            tokio::fs::canonicalize(&file).await,
            tokio::fs::canonicalize(&self.root).await,
        ) else {
            return Target::Refuse(404);
        };
        if !real.starts_with(&real_root) {
            return Target::Refuse(403);
        }
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
        Target::File(real, meta.len(), mime_type(name))
    }

    /// Sends `messages` while watching `control`; the stop message if one arrived or the
    /// receiver has gone (`Shutdown`).
    async fn send(&mut self, messages: &mut Vec<ResponseMessage>) -> Result<(), Control> {
        while !messages.is_empty() {
            tokio::select! {
                biased;
                c = self.control.recv() => match c.unwrap_or(Control::Shutdown) {
                    Control::ProducerFinished => {}
                    c => return Err(c),
                },
                r = self.outbox.send_all(messages) => r.map_err(|_| Control::Shutdown)?,
            }
        }
        Ok(())
    }

    /// Streams the file (its head already sent), then `End`.
    async fn stream(&mut self, ctx: &mut Context, path: PathBuf) -> Result<(), Control> {
        let reader = ctx.adopt_named(
            "file reader",
            ChunkReader::new(path).chunk_size(self.chunk_size),
        );
        ctx.link(&reader.outbox, &self.file_data)
            .map_err(|e| Control::failed(format!("{}: {e}", ctx.name())))?;
        let reader_control = reader.control.handle();
        ctx.activate(reader);
        enum Step {
            Control(Control),
            Data(Option<Vec<u8>>),
            Exit,
        }
        loop {
            let step = tokio::select! {
                biased;
                c = self.control.recv() => Step::Control(c.unwrap_or(Control::Shutdown)),
                d = self.file_data.recv() => Step::Data(d),
                _ = ctx.next_child_exit() => Step::Exit,
            };
            let result = match step {
                Step::Control(Control::ProducerFinished) => Ok(()),
                Step::Control(c) => Err(c),
                Step::Data(Some(data)) => self.send(&mut vec![HttpMessage::Body(data)]).await,
                Step::Data(None) => Ok(()),
                Step::Exit => {
                    // Read to the end (or failed): what it sent is waiting here.
                    let mut rest: Vec<ResponseMessage> =
                        std::iter::from_fn(|| self.file_data.try_recv().ok())
                            .map(HttpMessage::Body)
                            .collect();
                    rest.push(HttpMessage::End);
                    return self.send(&mut rest).await;
                }
            };
            if let Err(c) = result {
                reader_control.try_send(Control::Shutdown).ok();
                while ctx.next_child_exit().await.is_some() {}
                return Err(c);
            }
        }
    }
}

impl Component for StaticFiles {
    async fn run(mut self, mut ctx: Context) -> Result<(), Error> {
        let result = match self.target().await {
            Target::File(path, len, mime) => {
                let head = ResponseHead::new(200)
                    .header("Content-Type", mime)
                    .header("Content-Length", len.to_string());
                match self.send(&mut vec![HttpMessage::Head(head)]).await {
                    Ok(()) if self.method == "HEAD" => self.send(&mut vec![HttpMessage::End]).await,
                    Ok(()) => self.stream(&mut ctx, path).await,
                    Err(c) => Err(c),
                }
            }
            Target::Redirect(location) => {
                let (head, body) = error_page(301, Some(&location));
                let head = head.header("Location", location);
                let mut page = vec![
                    HttpMessage::Head(head),
                    HttpMessage::Body(body),
                    HttpMessage::End,
                ];
                self.send(&mut page).await
            }
            Target::Refuse(status) => {
                let (mut head, body) = error_page(status, Some(&self.path));
                if status == 405 {
                    head.headers.append("Allow", "GET, HEAD");
                }
                let mut page = vec![
                    HttpMessage::Head(head),
                    HttpMessage::Body(body),
                    HttpMessage::End,
                ];
                self.send(&mut page).await
            }
        };
        pass_on(
            &mut self.signal,
            result.err().unwrap_or(Control::ProducerFinished),
        )
        .await;
        Ok(())
    }
}

crate::impl_stage!([] StaticFiles, Vec<u8> => ResponseMessage);

crate::catalogue!(|| {
    use crate::catalogue::{Entry, Family};
    let request = RequestHead::new("GET", "/");
    Entry::new(
        "StaticFiles",
        "Kamaelia.Protocol.HTTP.Handlers.Minimal.Minimal",
        Family::Protocol,
        "A resource handler serving one file from under a root directory (MIME type by extension, index file for directories), streamed in bounded chunks; refuses paths that leave the root.",
        axon::box_infos(&StaticFiles::new("htdocs", &request)),
    )
    .parameter("root", "Path", "StaticFiles::new(root, request), or StaticFiles::router(root)")
    .parameter("index_file", "String", "served for a directory (default index.html)")
    .parameter("chunk_size", "usize", "bytes per Body message (default 64 KiB)")
    .parameter("strip_prefix", "String", "path prefix the files are served under")
});
