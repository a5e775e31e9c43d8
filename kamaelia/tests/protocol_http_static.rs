//! StaticFiles on a deterministic system, over a directory tree made for each test: files sent
//! in bounded chunks with their types, 404, paths that leave the root refused with 403,
//! directory indexes and redirects, HEAD and other methods, a stripped prefix, Shutdown.

mod common;

use std::path::Path;

use axon::{Control, System};
use common::http::{get, tree};
use common::{drain, harness};
use kamaelia::protocol::http::{HttpMessage, RequestHead, ResponseMessage, StaticFiles};

// ---------------------------------------------------------------------------------------------
// StaticFiles

/// Runs StaticFiles for `request` under `root` on a deterministic system.
fn serve_file(
    root: &Path,
    request: RequestHead,
    chunk: usize,
) -> (Vec<ResponseMessage>, Vec<Control>) {
    let mut system = System::deterministic();
    let mut h = harness(&system, StaticFiles::new(root, &request).chunk_size(chunk));
    system.run().unwrap();
    (drain(&mut h.output), drain(&mut h.signal))
}

fn status_of(messages: &[ResponseMessage]) -> u16 {
    match messages.first() {
        Some(HttpMessage::Head(h)) => h.status,
        other => panic!("no head: {other:?}"),
    }
}

/// A file is served as 200 with its MIME type and length, in chunks of at most chunk_size.
#[test]
fn static_files_serves_a_file_with_its_type_in_bounded_chunks() {
    let t = tree();
    let (messages, signals) = serve_file(&t.www, get("/page.html"), 4);
    let HttpMessage::Head(head) = &messages[0] else {
        panic!("head first")
    };
    assert_eq!(head.status, 200);
    assert_eq!(
        head.headers.get_str("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(head.headers.get_str("Content-Length"), Some("13"));
    let bodies: Vec<&Vec<u8>> = messages
        .iter()
        .filter_map(|m| match m {
            HttpMessage::Body(b) => Some(b),
            _ => None,
        })
        .collect();
    assert!(bodies.len() >= 4 && bodies.iter().all(|b| b.len() <= 4));
    assert_eq!(
        bodies.into_iter().flatten().copied().collect::<Vec<u8>>(),
        b"<h1>page</h1>"
    );
    assert_eq!(messages.last(), Some(&HttpMessage::End));
    assert_eq!(signals, [Control::ProducerFinished]);
}

/// A missing file is 404.
#[test]
fn static_files_answers_404_for_a_missing_file() {
    let t = tree();
    let (messages, _) = serve_file(&t.www, get("/nothing.txt"), 1024);
    assert_eq!(status_of(&messages), 404);
}

/// Paths that try to leave the root are refused with 403: `..`, percent-encoded `..`, a
/// backslash, and a symbolic link leading outside.
#[test]
fn static_files_refuses_paths_that_leave_the_root() {
    let t = tree();
    let mut paths = vec![
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/dir/%2E%2E/../secret.txt",
        "/..%5csecret.txt",
    ];
    if cfg!(unix) {
        paths.push("/link.txt");
    }
    for path in paths {
        let (messages, _) = serve_file(&t.www, get(path), 1024);
        assert_eq!(status_of(&messages), 403, "{path}");
        let text: Vec<u8> = messages
            .iter()
            .filter_map(|m| match m {
                HttpMessage::Body(b) => Some(b.clone()),
                _ => None,
            })
            .flatten()
            .collect();
        assert!(
            !String::from_utf8_lossy(&text).contains("top secret"),
            "{path}"
        );
    }
}

/// A directory serves its index file; asked for without its final slash, it is redirected.
#[test]
fn static_files_serves_a_directory_index_and_redirects_without_the_slash() {
    let t = tree();
    let (messages, _) = serve_file(&t.www, get("/dir/"), 1024);
    assert_eq!(status_of(&messages), 200);
    assert_eq!(messages[1], HttpMessage::Body(b"<p>index</p>".to_vec()));
    let (messages, _) = serve_file(&t.www, get("/dir"), 1024);
    let HttpMessage::Head(head) = &messages[0] else {
        panic!("head first")
    };
    assert_eq!(
        (head.status, head.headers.get_str("Location")),
        (301, Some("/dir/"))
    );
}

/// HEAD gets the head alone; methods other than GET and HEAD get 405 with Allow; a prefix
/// can be stripped.
#[test]
fn static_files_answers_head_refuses_other_methods_and_strips_a_prefix() {
    let t = tree();
    let (messages, _) = serve_file(&t.www, RequestHead::new("HEAD", "/hello.txt"), 1024);
    assert_eq!(messages.len(), 2);
    assert_eq!(status_of(&messages), 200);
    let (messages, _) = serve_file(&t.www, RequestHead::new("DELETE", "/hello.txt"), 1024);
    let HttpMessage::Head(head) = &messages[0] else {
        panic!("head first")
    };
    assert_eq!(
        (head.status, head.headers.get_str("Allow")),
        (405, Some("GET, HEAD"))
    );

    let mut system = System::deterministic();
    let request = get("/static/hello.txt");
    let mut h = harness(
        &system,
        StaticFiles::new(&t.www, &request).strip_prefix("/static/"),
    );
    system.run().unwrap();
    let got = drain(&mut h.output);
    assert_eq!(got[1], HttpMessage::Body(b"hello, world\n".to_vec()));
}

/// Shutdown before it answers: nothing is sent, and Shutdown is passed on.
#[test]
fn static_files_shutdown_sends_nothing_and_is_passed_on() {
    let t = tree();
    let mut system = System::deterministic();
    let request = get("/big.bin");
    let mut h = harness(&system, StaticFiles::new(&t.www, &request));
    h.control.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert!(drain(&mut h.output).is_empty());
    assert_eq!(drain(&mut h.signal), [Control::Shutdown]);
}
