//! A web server serving a directory, built from components: a `ServerCore` runs one
//! `HttpServer` per connection (request parser → request handler → response writer), and the
//! router gives every request a `StaticFiles` resource handler (Kamaelia's `Minimal`). It listens
//! on 127.0.0.1 only and prints the address it bound.
//!
//! ```text
//! cargo run -p examples --example http_server -- [DIR] [--port PORT]
//! #   DIR: the directory to serve (default: the current directory)
//! #   PORT: default 8080; --port 0 picks a free port (the address is printed)
//! curl -i http://127.0.0.1:8080/
//! ```
//!
//! Stop it with Ctrl-C.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use axon::{Control, Inbox, System};
use kamaelia::net::ServerCore;
use kamaelia::protocol::http::{http_server, StaticFiles};

/// The directory and port from the command line.
fn arguments() -> Result<(PathBuf, u16), String> {
    let mut dir = None;
    let mut port = 8080;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" | "-p" => {
                let value = args.next().ok_or("--port needs a number")?;
                port = value.parse().map_err(|_| format!("not a port: {value}"))?;
            }
            "--help" | "-h" => {
                return Err("usage: http_server [DIR] [--port PORT]".to_string());
            }
            _ if dir.is_none() => dir = Some(PathBuf::from(arg)),
            _ => return Err(format!("unexpected argument: {arg}")),
        }
    }
    let dir = dir.unwrap_or_else(|| PathBuf::from("."));
    if !dir.is_dir() {
        return Err(format!("not a directory: {}", dir.display()));
    }
    Ok((dir, port))
}

fn main() {
    let (dir, port) = match arguments() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let mut system = System::new();
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let server = ServerCore::new(address, http_server(StaticFiles::router(&dir)));
    let mut addresses = Inbox::new();
    axon::link(&server.addresses, &addresses).expect("a fresh box");
    let mut signal = Inbox::new();
    axon::link(&server.signal, &signal).expect("a fresh box");
    system.spawn(server);
    system.start();
    match addresses.recv_blocking_timeout(Duration::from_secs(10)) {
        Ok(bound) => println!("serving {} on http://{bound}/", dir.display()),
        Err(_) => {
            // Failing to listen ends the server with the reason on its signal.
            let reason = match signal.try_recv() {
                Ok(Control::Failed(reason)) => reason.to_string(),
                _ => format!("cannot listen on {address}"),
            };
            eprintln!("{reason}");
            std::process::exit(1);
        }
    }
    // The server runs until the process is stopped.
    system
        .run()
        .expect("a real-time system runs until its components end");
}
