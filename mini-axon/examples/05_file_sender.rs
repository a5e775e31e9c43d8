//! MiniAxon step 5: real I/O with the toy kernel — a file reader sends one line per step, a
//! postman carries the lines, and a UDP sender puts each on the network: the tutorial's file
//! multicaster built from two tiny components. (It sends to 127.0.0.1; the real
//! `kamaelia` crate has multicast components.)
//!
//! `cargo run -p mini-axon --example 05_file_sender -- FILE [PORT]`
//! (with no FILE it sends its own source; watch with `nc -ul 127.0.0.1 1600`)

use std::io::BufRead;
use std::net::UdpSocket;

use mini_axon::component::Component;
use mini_axon::postman::Postman;
use mini_axon::scheduler::Scheduler;
use mini_axon::step0::yield_now;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| file!().to_string());
    let port: u16 = args.next().and_then(|p| p.parse().ok()).unwrap_or(1600);
    let lines: Vec<String> = std::io::BufReader::new(std::fs::File::open(&path)?)
        .lines()
        .collect::<Result<_, _>>()?;
    let socket = UdpSocket::bind("127.0.0.1:0")?;

    let reader = Component::new("file reader", &[], &["outbox"]);
    let sender = Component::new("udp sender", &["inbox"], &[]);
    let total = lines.len();
    let mut scheduler = Scheduler::new();

    let r = reader.clone();
    scheduler.activate(reader.microprocess(async move {
        for line in lines {
            r.send("outbox", line);
            yield_now().await;
        }
    }));
    let s = sender.clone();
    scheduler.activate(sender.microprocess(async move {
        let mut sent = 0;
        while sent < total {
            while let Some(line) = s.recv("inbox") {
                if let Err(e) = socket.send_to(line.as_bytes(), ("127.0.0.1", port)) {
                    eprintln!("send failed: {e}");
                }
                sent += 1;
            }
            yield_now().await;
        }
        println!("sent {sent} lines of {path} to 127.0.0.1:{port}");
    }));
    scheduler.activate(Postman::new(&reader, "outbox", &sender, "inbox").microprocess());
    scheduler.run_rounds(total * 2 + 10);
    Ok(())
}
