//! The tutorial's bulletin-board server (Europython 2009, BB15) as a real application: log in,
//! read the messages, write some, log out — over a plain TCP line protocol.
//!
//! ```text
//! cargo run --release -p examples --example bulletin_board -- --port 1600 --data examples/data/bulletin_board
//! nc 127.0.0.1 1600          # log in as alice / rabbit-hole (see DIR/users.json)
//! ```
//!
//! Options:
//!
//! * `--port PORT` — default 1600; 0 picks a free port (the line printed says which).
//! * `--host HOST` — the address to listen on; default 127.0.0.1.
//! * `--data DIR` — the board: `DIR/users.json` and `DIR/messages/`; default the sample board
//!   in `examples/data/bulletin_board`. Messages users post are written there.
//! * `--idle-timeout SECONDS` — how long a silent client is kept; default 300.
//!
//! It prints a line containing `listening` once it accepts connections, and stops cleanly on
//! Ctrl-C or SIGTERM. The design is described in [`examples::bulletin_board`].

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use examples::bulletin_board::{start, Config};

const USAGE: &str =
    "usage: bulletin_board [--port PORT] [--host HOST] [--data DIR] [--idle-timeout SECONDS]";

fn main() -> ExitCode {
    let config = match parse(std::env::args().skip(1)) {
        Ok(Some(config)) => config,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("bulletin_board: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let server = match start(config) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("bulletin_board: {e}");
            return ExitCode::FAILURE;
        }
    };
    for warning in server.store().warnings() {
        eprintln!("bulletin_board: warning: {warning}");
    }
    let address = server.address();
    println!(
        "bulletin board listening on {address} — connect with: nc {} {}",
        address.ip(),
        address.port()
    );
    if let Err(e) = wait_for_stop_request() {
        eprintln!("bulletin_board: cannot watch for Ctrl-C: {e}; serving until killed");
        server.wait();
        return ExitCode::SUCCESS;
    }
    println!("bulletin board stopping");
    let cancelled = server.stop();
    if !cancelled.is_empty() {
        eprintln!(
            "bulletin_board: cancelled at stop: {}",
            cancelled.join(", ")
        );
    }
    println!("bulletin board stopped");
    ExitCode::SUCCESS
}

/// The configuration from the command line; `None` for `--help`.
fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<Config>, String> {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/data/bulletin_board");
    let mut config = Config::new(data);
    let mut host: IpAddr = [127, 0, 0, 1].into();
    let mut port = 1600;
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--port" => port = value()?.parse().map_err(|e| format!("--port: {e}"))?,
            "--host" => host = value()?.parse().map_err(|e| format!("--host: {e}"))?,
            "--data" => config.data = value()?.into(),
            "--idle-timeout" => {
                let secs: u64 = value()?
                    .parse()
                    .map_err(|e| format!("--idle-timeout: {e}"))?;
                config = config.idle_timeout(Duration::from_secs(secs.max(1)));
            }
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Some(config.address(SocketAddr::new(host, port))))
}

/// Waits for Ctrl-C or SIGTERM.
fn wait_for_stop_request() -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        #[cfg(unix)]
        {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
            tokio::select! {
                r = tokio::signal::ctrl_c() => r,
                _ = term.recv() => Ok(()),
            }
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c().await
        }
    })
}
