//! The inspector's page in a real browser: headless Chromium loads the page of a running
//! pipeline, and the DOM it builds must show every component and every link of the system;
//! then a screenshot of it must exist and not be blank.
//!
//! Chromium's `--dump-dom` and `--screenshot` capture the page when it has loaded. The page
//! draws the graph while loading, from the topology the server puts into it, so the capture
//! shows the graph as the page's own script drew it. (`--virtual-time-budget` cannot be used:
//! the page's open event stream keeps virtual time from advancing, and Chromium never ends.)
//!
//! Needs Chromium (`apt-get install chromium` on Debian; or set `CHROMIUM` to the binary), so
//! it is ignored by a plain `cargo test`; CI runs it with
//! `cargo test -p kamaelia --test inspect_browser -- --ignored`, where a missing browser fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use axon::model::{ComponentState, EventKind, Events};
use axon::{Snapshot, System};
use kamaelia::chassis::Pipeline;
use kamaelia::util::flow::MessageRateLimit;
use kamaelia::util::sources::{DataSource, NullSink, PassThrough};

/// The longest a browser run may take before the test fails.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(90);
/// The longest the pipeline may take to fill up before the test fails.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(20);
/// Change events held while waiting for the pipeline to fill up (missing some is harmless:
/// a blocked sender blocks again at every message the rate limit lets through).
const EVENT_QUEUE: usize = 4096;

/// The browser binary: `$CHROMIUM`, or the first of the usual names on the PATH.
fn chromium() -> PathBuf {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return PathBuf::from(p);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!("no Chromium found: install it (Debian: apt-get install chromium) or set CHROMIUM");
}

/// Runs headless Chromium on `url` with `extra` arguments; fails the test on a timeout.
fn run_chromium(profile: &Path, url: &str, extra: &[&str]) -> Output {
    let child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("Chromium starts");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output()).ok());
    match rx.recv_timeout(BROWSER_TIMEOUT) {
        Ok(output) => output.expect("Chromium runs"),
        Err(_) => {
            Command::new("kill")
                .args(["-9", &pid.to_string()])
                .status()
                .ok();
            panic!("Chromium did not finish within {BROWSER_TIMEOUT:?}");
        }
    }
}

/// `data-…="…"` attribute values in serialised HTML, unescaped.
fn attributes(html: &str, name: &str) -> Vec<String> {
    let marker = format!("{name}=\"");
    html.match_indices(&marker)
        .filter_map(|(i, _)| {
            let rest = &html[i + marker.len()..];
            rest.find('"').map(|end| unescape(&rest[..end]))
        })
        .collect()
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// The names and `from.box->to.box` links the page must show, read from the snapshot itself.
fn expected(snap: &Snapshot) -> (Vec<String>, Vec<String>) {
    let name = |id| {
        snap.components
            .iter()
            .find(|c| Some(c.id) == id)
            .map_or("(outside)".to_string(), |c| c.name.clone())
    };
    let components = snap.components.iter().map(|c| c.name.clone()).collect();
    let links = snap
        .links
        .iter()
        .map(|l| {
            format!(
                "{}.{}->{}.{}",
                name(l.from.component),
                l.from.name,
                name(l.to.component),
                l.to.name
            )
        })
        .collect();
    (components, links)
}

/// A running pipeline — an endless source, a relay, a rate limit of 20 messages a second and
/// a sink — whose boxes fill up behind the rate limit, and a subscription to its change events
/// taken before it was built.
fn pipeline() -> (System, Events) {
    let mut system = System::new();
    let events = system.events(EVENT_QUEUE);
    system.spawn_named(
        "pipeline",
        Pipeline::new(DataSource::new(0u64..))
            .then(PassThrough::new())
            .then(MessageRateLimit::new(20))
            .then(NullSink::new()),
    );
    system.start();
    (system, events)
}

/// A 1280×800 screenshot of `url`: the PNG's bytes (also copied to `$INSPECT_SCREENSHOT_DIR`
/// when set).
fn screenshot(profile: &Path, url: &str, name: &str) -> Vec<u8> {
    let png = profile.join(name);
    let shot = run_chromium(
        profile,
        url,
        &[
            &format!("--screenshot={}", png.display()),
            "--window-size=1280,800",
        ],
    );
    assert!(
        shot.status.success(),
        "Chromium failed: {}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let bytes = std::fs::read(&png).expect("a screenshot");
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{name} is not a PNG"
    );
    if let Some(dir) = std::env::var_os("INSPECT_SCREENSHOT_DIR") {
        std::fs::copy(&png, Path::new(&dir).join(name)).unwrap();
    }
    bytes
}

/// The snapshot once the pipeline's four children run and the rate limit's inbox is full.
///
/// Woken by the system's change events, not by looking from time to time: a box only fills
/// up when something sends into it faster than it is read, and whatever sends into it then
/// blocks, which is a `StateChanged` event saying `Sending`. Each such event is checked
/// against a snapshot (a box the rate limit has just read from is full again at its sender's
/// next event, 50 ms later). The deadline only turns a regression into a failure rather than
/// a hang.
fn settled(system: &System, events: &mut Events) -> Snapshot {
    let deadline = Instant::now() + SETTLE_TIMEOUT;
    loop {
        // Checked at every event too: a stream of events that never shows a full box must
        // fail as well.
        let event = match deadline.checked_duration_since(Instant::now()) {
            Some(left) if !left.is_zero() => events.next_timeout(left),
            _ => None,
        };
        let Some(event) = event else {
            panic!(
                "the pipeline did not fill up within {SETTLE_TIMEOUT:?}: {:?}",
                system.snapshot()
            );
        };
        if !matches!(
            event.kind,
            EventKind::StateChanged {
                state: ComponentState::Sending { .. },
                ..
            }
        ) {
            continue;
        }
        let snap = system.snapshot();
        let full = snap.components.iter().flat_map(|c| &c.boxes).any(|b| {
            b.info.name == "inbox" && b.stats.capacity.is_some_and(|c| b.stats.depth >= c)
        });
        if snap.components.len() == 5 && full {
            return snap;
        }
    }
}

/// Headless Chromium shows every component (nested in the pipeline) and every link of a
/// running system, and its screenshot of the page is not blank.
#[test]
#[ignore = "needs Chromium: cargo test -p kamaelia --test inspect_browser -- --ignored"]
fn the_browser_shows_the_running_system() {
    let (mut system, mut events) = pipeline();
    let inspector = kamaelia::inspect::serve(&system, "127.0.0.1:0").unwrap();
    let snap = settled(&system, &mut events);
    drop(events);
    let (components, links) = expected(&snap);
    assert_eq!(components.len(), 5, "{components:?}");
    assert_eq!(links.len(), 10, "{links:?}");
    let profile = tempfile::tempdir().unwrap();

    let dom = run_chromium(profile.path(), &inspector.url(), &["--dump-dom"]);
    let html = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.status.success(),
        "Chromium failed: {}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let shown = attributes(&html, "data-component");
    let drawn = attributes(&html, "data-link");
    for c in &components {
        assert!(
            shown.contains(c),
            "the page does not show {c}; it shows {shown:?}\n{html}"
        );
    }
    for l in &links {
        assert!(
            drawn.contains(l),
            "the page does not draw {l}; it draws {drawn:?}\n{html}"
        );
    }
    assert_eq!(shown.len(), components.len(), "{shown:?}");
    assert_eq!(drawn.len(), links.len(), "{drawn:?}");
    assert!(
        shown.iter().any(|c| c.starts_with("MessageRateLimit")),
        "{shown:?}"
    );
    assert!(
        html.contains("class=\"node container"),
        "the pipeline is drawn as a container"
    );

    let png = screenshot(profile.path(), &inspector.url(), "inspect.png");
    // The same page for a system with no components: the header, the side panel, no graph.
    let empty_system = System::new();
    let empty = kamaelia::inspect::serve(&empty_system, "127.0.0.1:0").unwrap();
    let blank = screenshot(profile.path(), &empty.url(), "blank.png");
    assert!(
        png.len() > blank.len() + 12_000,
        "the screenshot looks blank: {} bytes, against {} for a page with no graph",
        png.len(),
        blank.len()
    );
    drop(inspector);
    system.shutdown(Duration::from_secs(5));
}
