//! W5, TCP echo (performance.md §1): an echo server on 127.0.0.1, `conns` connections each making
//! `rounds` sequential round trips of [`W5_MESSAGE`] bytes (`write_all`, then `read_exact`).
//!
//! The load client is the same for both servers: a tokio `current_thread` runtime on its own
//! thread, one task per connection, `TCP_NODELAY` set. Connections are opened one after another
//! before the clock starts (connect time is excluded); the clock stops when the last connection
//! has made its last round trip. Every round trip is timed (microseconds) for the percentiles, and
//! every echo is compared with what was sent; a connection stops at its first mismatch.
//!
//! Servers, each on its own thread(s) in this process, bound to `127.0.0.1:0`:
//!
//! - [`tokio_ct_echo`]: a hand-written tokio `current_thread` echo server, one task per
//!   connection, `TCP_NODELAY` set;
//! - [`kamaelia_echo`]: `kamaelia::net::ServerCore` running `kamaelia::net::EchoProtocol` per
//!   connection (`nodelay(true)`), on an `axon::System` started in the background; the client
//!   reads the bound address from the server's `addresses` outbox.
//!
//! Each server is stopped after its client. Traffic never leaves the loopback interface.
//! Setup failures (binding, connecting, an I/O error mid-run) panic; the harness reports that as
//! `ok=false error=panic`.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::mpsc as std_mpsc;
use std::thread;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Builder;
use tokio::sync::oneshot;

/// W5 default: number of connections.
pub const W5_CONNS: usize = 100;
/// W5 default: sequential round trips per connection.
pub const W5_ROUNDS: u64 = 10_000;
/// W5: bytes per round trip.
pub const W5_MESSAGE: usize = 64;
/// The longest wait for a server to come up or a connection to open.
const SETUP_TIMEOUT: Duration = Duration::from_secs(20);
/// The longest wait for a server to stop after its client.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);
/// The only address the servers bind: loopback, a free port.
const LOOPBACK_ANY_PORT: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 0);

/// Result of one W5 run (the latency histogram reduced to its percentiles).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EchoOutcome {
    /// From the first round trip's start to the last one's end (connects excluded).
    pub elapsed: Duration,
    /// Round trips completed with the right echo (must be `conns · rounds`).
    pub round_trips: u64,
    /// Round trips whose echo differed from what was sent (must be 0).
    pub mismatches: u64,
    /// Median round-trip latency, microseconds.
    pub p50_us: u32,
    /// 99th-percentile round-trip latency, microseconds.
    pub p99_us: u32,
    /// 99.9th-percentile round-trip latency, microseconds.
    pub p999_us: u32,
}

/// `impl=tokio-ct`: the hand-written tokio current_thread echo server, driven by the W5 client.
///
/// # Panics
/// If the server cannot start or the client fails (see the module docs).
pub fn tokio_ct_echo(conns: usize, rounds: u64) -> EchoOutcome {
    let (address_tx, address_rx) = std_mpsc::channel();
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let server = thread::Builder::new()
        .name("w5-tokio-ct-server".into())
        .spawn(move || tokio_ct_server(&address_tx, stop_rx))
        .expect("spawn the tokio-ct server thread");
    let address = match address_rx.recv_timeout(SETUP_TIMEOUT) {
        Ok(Ok(address)) => address,
        Ok(Err(error)) => panic!("tokio-ct server: {error}"),
        Err(_) => panic!("tokio-ct server did not report its address"),
    };
    let outcome = run_client(address, conns, rounds);
    // The server ends even if it already stopped (the send then fails, which is fine).
    stop_tx.send(()).ok();
    server.join().expect("tokio-ct server thread panicked");
    outcome
}

/// The tokio-ct server thread: binds, reports the address, echoes until `stop` fires; dropping
/// the runtime then cancels every connection task (their sockets close).
fn tokio_ct_server(
    address_tx: &std_mpsc::Sender<std::io::Result<SocketAddr>>,
    stop: oneshot::Receiver<()>,
) {
    let runtime = Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("build the tokio-ct server runtime");
    runtime.block_on(async move {
        let listener = match TcpListener::bind(LOOPBACK_ANY_PORT).await {
            Ok(listener) => listener,
            Err(error) => {
                address_tx.send(Err(error)).ok();
                return;
            }
        };
        address_tx.send(listener.local_addr()).ok();
        tokio::spawn(async move {
            while let Ok((stream, _peer)) = listener.accept().await {
                tokio::spawn(echo_connection(stream));
            }
        });
        stop.await.ok();
    });
}

/// Echoes one connection until the peer closes it (or an error).
async fn echo_connection(mut stream: TcpStream) {
    if stream.set_nodelay(true).is_err() {
        return;
    }
    let mut buffer = vec![0_u8; 64 * 1024];
    loop {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if stream.write_all(&buffer[..n]).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// `impl=kamaelia`: `ServerCore` + `EchoProtocol` on a background `axon::System`, driven by the W5
/// client.
///
/// # Panics
/// If the server cannot start or the client fails (see the module docs).
pub fn kamaelia_echo(conns: usize, rounds: u64) -> EchoOutcome {
    use kamaelia::net::{EchoProtocol, ServerCore};

    let mut system = axon::System::new();
    let server =
        ServerCore::new(LOOPBACK_ANY_PORT, |_peer, _local| EchoProtocol::new()).nodelay(true);
    let mut addresses = axon::Inbox::new();
    axon::link(&server.addresses, &addresses).expect("link ServerCore.addresses");
    system.spawn(server);
    system.start();
    let address = addresses
        .recv_blocking_timeout(SETUP_TIMEOUT)
        .unwrap_or_else(|error| panic!("ServerCore did not report its address: {error:?}"));
    let outcome = std::panic::catch_unwind(|| run_client(address, conns, rounds));
    // Stop the server (every connection and the listener) whether or not the client succeeded.
    let report = system.shutdown(STOP_TIMEOUT);
    let outcome = outcome.unwrap_or_else(|payload| std::panic::resume_unwind(payload));
    assert!(
        report.cancelled.is_empty(),
        "kamaelia server components did not stop: {:?}",
        report.cancelled
    );
    outcome
}

/// Runs the W5 load client against `address` on a new thread with a tokio current_thread runtime.
///
/// # Panics
/// If `address` is not a loopback address, or on any connect or I/O error.
pub fn run_client(address: SocketAddr, conns: usize, rounds: u64) -> EchoOutcome {
    assert!(
        address.ip().is_loopback(),
        "W5 only talks to loopback, not {address}"
    );
    let client = thread::Builder::new()
        .name("w5-client".into())
        .spawn(move || {
            Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("build the W5 client runtime")
                .block_on(client(address, conns, rounds))
        })
        .expect("spawn the W5 client thread");
    match client.join() {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(error)) => panic!("W5 client: {error}"),
        Err(payload) => std::panic::resume_unwind(payload),
    }
}

/// What one connection task measured.
struct ConnectionResult {
    latencies_us: Vec<u32>,
    mismatches: u64,
    finished: Instant,
}

/// The client proper: connect everything, then run every connection at once.
async fn client(address: SocketAddr, conns: usize, rounds: u64) -> Result<EchoOutcome, String> {
    let mut streams = Vec::with_capacity(conns);
    for index in 0..conns {
        let stream = tokio::time::timeout(SETUP_TIMEOUT, TcpStream::connect(address))
            .await
            .map_err(|_| format!("connection {index}: connect to {address} timed out"))?
            .map_err(|error| format!("connection {index}: connect to {address}: {error}"))?;
        stream
            .set_nodelay(true)
            .map_err(|error| format!("connection {index}: TCP_NODELAY: {error}"))?;
        streams.push(stream);
    }

    let start = Instant::now();
    let tasks: Vec<_> = streams
        .into_iter()
        .enumerate()
        .map(|(index, stream)| tokio::spawn(round_trips(index, stream, rounds)))
        .collect();
    let capacity = usize::try_from(rounds).unwrap_or(0).saturating_mul(conns);
    let mut latencies_us = Vec::with_capacity(capacity);
    let mut mismatches = 0;
    let mut finished = start;
    for task in tasks {
        let result = task
            .await
            .map_err(|error| format!("connection task: {error}"))??;
        latencies_us.extend_from_slice(&result.latencies_us);
        mismatches += result.mismatches;
        finished = finished.max(result.finished);
    }
    let elapsed = finished.duration_since(start);

    latencies_us.sort_unstable();
    let round_trips = latencies_us.len() as u64 - mismatches;
    Ok(EchoOutcome {
        elapsed,
        round_trips,
        mismatches,
        p50_us: percentile(&latencies_us, 0.50),
        p99_us: percentile(&latencies_us, 0.99),
        p999_us: percentile(&latencies_us, 0.999),
    })
}

/// One connection's sequential round trips; stops at the first wrong echo.
async fn round_trips(
    index: usize,
    mut stream: TcpStream,
    rounds: u64,
) -> Result<ConnectionResult, String> {
    let mut latencies_us = Vec::with_capacity(usize::try_from(rounds).unwrap_or(0));
    let mut sent = [0_u8; W5_MESSAGE];
    let mut echoed = [0_u8; W5_MESSAGE];
    let mut mismatches = 0;
    for round in 0..rounds {
        fill_message(&mut sent, index, round);
        let began = Instant::now();
        stream
            .write_all(&sent)
            .await
            .map_err(|error| format!("connection {index} round {round}: write: {error}"))?;
        stream
            .read_exact(&mut echoed)
            .await
            .map_err(|error| format!("connection {index} round {round}: read: {error}"))?;
        latencies_us.push(u32::try_from(began.elapsed().as_micros()).unwrap_or(u32::MAX));
        if echoed != sent {
            mismatches += 1;
            break;
        }
    }
    Ok(ConnectionResult {
        latencies_us,
        mismatches,
        finished: Instant::now(),
    })
}

/// The bytes of round `round` on connection `index`: both numbers, then a pattern derived from
/// them, so an echo from the wrong connection or round is caught.
fn fill_message(message: &mut [u8; W5_MESSAGE], index: usize, round: u64) {
    message[..8].copy_from_slice(&(index as u64).to_le_bytes());
    message[8..16].copy_from_slice(&round.to_le_bytes());
    let seed = (index as u64).wrapping_mul(31).wrapping_add(round);
    for (offset, byte) in message[16..].iter_mut().enumerate() {
        // Truncation to a byte is the point.
        #[allow(clippy::cast_possible_truncation)]
        let value = seed.wrapping_add(offset as u64) as u8;
        *byte = value;
    }
}

/// The `q` quantile of sorted `values` (nearest rank); 0 when empty.
fn percentile(sorted: &[u32], q: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let values: Vec<u32> = (1..=100).collect();
        assert_eq!(percentile(&values, 0.50), 50);
        assert_eq!(percentile(&values, 0.99), 99);
        assert_eq!(percentile(&values, 0.999), 100);
        assert_eq!(percentile(&[], 0.99), 0);
        assert_eq!(percentile(&[7], 0.5), 7);
    }

    #[test]
    fn messages_differ_by_connection_and_round() {
        let (mut a, mut b, mut c) = ([0; W5_MESSAGE], [0; W5_MESSAGE], [0; W5_MESSAGE]);
        fill_message(&mut a, 1, 2);
        fill_message(&mut b, 2, 2);
        fill_message(&mut c, 1, 3);
        assert_ne!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn both_servers_echo_a_small_load() {
        for outcome in [tokio_ct_echo(3, 50), kamaelia_echo(3, 50)] {
            assert_eq!(outcome.round_trips, 150);
            assert_eq!(outcome.mismatches, 0);
            assert!(outcome.p50_us <= outcome.p99_us && outcome.p99_us <= outcome.p999_us);
        }
    }
}
