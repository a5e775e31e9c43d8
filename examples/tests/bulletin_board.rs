//! The bulletin-board server over real TCP on 127.0.0.1: scripted sessions, misbehaving
//! clients, 200 sessions at once, and the example binary.
//!
//! Every test starts its own server on port 0 from a temporary copy of the sample board, waits
//! only on events (a prompt arriving, the connection closing), and runs under a time limit that
//! only a hang can reach.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use std::sync::Arc;

use axon::{Control, Inbox, Outbox, System};
use examples::bulletin_board::line_input::{Input, LineInput};
use examples::bulletin_board::session::{dialogue, talk, SessionHandle, Settings};
use examples::bulletin_board::store::{Message, Store};
use examples::bulletin_board::{start, Config, Server, StartError};
use kamaelia::util::transforms::LineTooLong;

/// The longest any test may take.
const LIMIT: Duration = Duration::from_secs(120);
/// The longest a client waits for one reply.
const READ_GUARD: Duration = Duration::from_secs(30);

/// Runs `body` on its own thread and fails if it takes longer than [`LIMIT`].
fn within<T: Send + 'static>(body: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let worker = std::thread::spawn(move || tx.send(body()).ok());
    match rx.recv_timeout(LIMIT) {
        Ok(v) => v,
        Err(mpsc::RecvTimeoutError::Disconnected) => match worker.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(_) => unreachable!("the body sent nothing and did not panic"),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("test still running after {LIMIT:?}"),
    }
}

/// A copy of the sample board in a temporary folder.
fn sample_board() -> tempfile::TempDir {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/bulletin_board");
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(from.join("users.json"), dir.path().join("users.json")).unwrap();
    std::fs::create_dir(dir.path().join("messages")).unwrap();
    for entry in std::fs::read_dir(from.join("messages")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(
            entry.path(),
            dir.path().join("messages").join(entry.file_name()),
        )
        .unwrap();
    }
    dir
}

/// A server on a free port over a copy of the sample board.
fn serve(configure: impl FnOnce(Config) -> Config) -> (tempfile::TempDir, Server) {
    let dir = sample_board();
    let server = start(configure(Config::new(dir.path()).port(0))).unwrap();
    (dir, server)
}

/// A line-reading client: everything the server sent is kept, in order.
struct Client {
    stream: TcpStream,
    seen: Vec<u8>,
    /// How much of `seen` earlier `expect` calls consumed.
    read_to: usize,
}

impl Client {
    fn connect(address: SocketAddr) -> Client {
        let stream = TcpStream::connect(address).unwrap();
        stream.set_read_timeout(Some(READ_GUARD)).unwrap();
        Client {
            stream,
            seen: Vec::new(),
            read_to: 0,
        }
    }

    /// Reads until `text` has arrived (after what earlier calls consumed); returns what came
    /// up to and including it.
    fn expect(&mut self, text: &str) -> String {
        loop {
            let rest = &self.seen[self.read_to..];
            if let Some(at) = find(rest, text.as_bytes()) {
                let upto = self.read_to + at + text.len();
                let got = String::from_utf8_lossy(&self.seen[self.read_to..upto]).into_owned();
                self.read_to = upto;
                return got;
            }
            let mut buf = [0; 4096];
            match self.stream.read(&mut buf) {
                Ok(0) => panic!(
                    "connection closed while waiting for {text:?}; got:\n{}",
                    self.transcript()
                ),
                Ok(n) => self.seen.extend_from_slice(&buf[..n]),
                Err(e) => panic!(
                    "no {text:?} within {READ_GUARD:?} ({e}); got:\n{}",
                    self.transcript()
                ),
            }
        }
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).unwrap();
    }

    fn send(&mut self, line: &str) {
        self.send_raw(format!("{line}\r\n").as_bytes());
    }

    /// Reads until the server closes the connection; returns what came after the last
    /// `expect`.
    fn until_closed(&mut self) -> String {
        let mut buf = [0; 4096];
        loop {
            match self.stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => self.seen.extend_from_slice(&buf[..n]),
                // A server closing with input unread resets the connection: closed all the same.
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
                Err(e) => panic!(
                    "not closed within {READ_GUARD:?} ({e}); got:\n{}",
                    self.transcript()
                ),
            }
        }
        let rest = String::from_utf8_lossy(&self.seen[self.read_to..]).into_owned();
        self.read_to = self.seen.len();
        rest
    }

    fn transcript(&self) -> String {
        String::from_utf8_lossy(&self.seen).into_owned()
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Waits for each prompt and answers it, then reads to the end; returns the whole transcript.
fn run_script(address: SocketAddr, script: &[(&str, &str)]) -> String {
    let mut client = Client::connect(address);
    for (prompt, answer) in script {
        client.expect(prompt);
        client.send(answer);
    }
    client.until_closed();
    client.transcript()
}

/// Logs `user` in, reads the first message, leaves the messages menu and quits.
fn browse_script<'a>(user: &'a str, password: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("login: ", user),
        ("password: ", password),
        ("main> ", ""),
        ("messages> ", ""),
        ("messages> ", "x"),
        ("main> ", "q"),
    ]
}

const USERS: [(&str, &str); 3] = [
    ("alice", "rabbit-hole"),
    ("bob", "can-we-fix-it"),
    ("carol", "deck-the-halls"),
];

/// A whole session — log in, read one message, leave, quit — gives exactly this dialogue.
#[test]
fn a_browsing_session_has_the_expected_transcript() {
    within(|| {
        let (_dir, server) = serve(|c| c);
        let got = run_script(server.address(), &browse_script("alice", "rabbit-hole"));
        let expected = [
            "",
            "Welcome to the Kamaelia bulletin board.",
            "login: password: ",
            "You are logged in.",
            "",
            "Fetching the board for alice...",
            "There are 3 messages on the board.",
            "",
            "Hello, alice. Type h for help.",
            "main> ",
            "3 messages left to read.",
            "messages> ",
            "message: 1",
            "date: 2009-06-29 09:00 UTC",
            "from: carol",
            "to: all",
            "subject: Welcome to the board",
            "",
            "Hello everyone, and welcome.",
            "Press <return> at the messages prompt to read on,",
            "and r to answer the message you just read.",
            "",
            "2 messages left to read.",
            "messages> main> ",
            "Goodbye, alice!",
            "",
        ]
        .join("\r\n");
        assert_eq!(got, expected);
        server.stop();
    });
}

/// A wrong password is refused, the login is asked again, and the right one gets in.
#[test]
fn login_failure_then_success() {
    within(|| {
        let (_dir, server) = serve(|c| c);
        let mut client = Client::connect(server.address());
        client.expect("login: ");
        client.send("alice");
        client.expect("password: ");
        client.send("not-the-password");
        client.expect("Login failed: wrong user name or password.\r\n");
        client.expect("login: ");
        client.send("nobody");
        client.expect("password: ");
        client.send("rabbit-hole");
        client.expect("Login failed");
        client.expect("login: ");
        client.send("  Alice ");
        client.expect("password: ");
        client.send("rabbit-hole");
        client.expect("You are logged in.\r\n");
        client.expect("Hello, alice. Type h for help.\r\n"); // as the users file spells it
        client.expect("main> ");
        client.send("q");
        assert!(client.until_closed().ends_with("Goodbye, alice!\r\n"));
        server.stop();
    });
}

/// After three failed logins the server says so and closes the connection.
#[test]
fn three_failed_logins_close_the_connection() {
    within(|| {
        let (_dir, server) = serve(|c| c);
        let mut client = Client::connect(server.address());
        for _ in 0..3 {
            client.expect("login: ");
            client.send("mallory");
            client.expect("password: ");
            client.send("guess");
        }
        let end = client.until_closed();
        assert!(
            end.ends_with("Too many failed logins.\r\n\r\nGoodbye!\r\n"),
            "{end:?}"
        );
        server.stop();
    });
}

/// Browsing shows every message in number order with its fields, then returns to the main
/// menu; a reply shows whom it answers.
#[test]
fn browsing_shows_every_message_in_order() {
    within(|| {
        let (_dir, server) = serve(|c| c);
        let mut client = Client::connect(server.address());
        client.expect("login: ");
        client.send("bob");
        client.expect("password: ");
        client.send("can-we-fix-it");
        client.expect("main> ");
        client.send("");
        let mut shown = Vec::new();
        for left in ["3 messages", "2 messages", "1 message"] {
            client.expect(&format!("{left} left to read.\r\nmessages> "));
            client.send("");
            shown.push(client.expect("\r\n\r\n"));
        }
        assert!(shown[0].contains("message: 1\r\n"));
        assert!(shown[1].contains("message: 2\r\n") && shown[1].contains("from: alice\r\n"));
        assert!(shown[2].contains("subject: Re: Sprint room moved\r\nin-reply-to: 2\r\n"));
        client.expect("I have a spare adaptor if anyone needs one.\r\n");
        client.expect("That was the last message; back to the main menu.\r\nmain> ");
        client.send("q");
        assert!(client.until_closed().ends_with("Goodbye, bob!\r\n"));
        server.stop();
    });
}

/// `h` shows the help of each menu; an unknown command gets a hint and the menu goes on.
#[test]
fn help_texts_in_both_menus() {
    within(|| {
        let (_dir, server) = serve(|c| c);
        let mut client = Client::connect(server.address());
        client.expect("login: ");
        client.send("carol");
        client.expect("password: ");
        client.send("deck-the-halls");
        client.expect("main> ");
        client.send("h");
        let help = client.expect("main> ");
        for command in ["<return>", "p ", "h ", "q "] {
            assert!(
                help.contains(&format!("\r\n{command}")) || help.starts_with(command),
                "{help:?}"
            );
        }
        client.send("what?");
        assert!(client
            .expect("main> ")
            .starts_with("Unknown command; type h for help."));
        client.send("");
        client.expect("messages> ");
        client.send("h");
        let help = client.expect("messages> ");
        for command in ["<return>", "r ", "h ", "x "] {
            assert!(
                help.contains(&format!("\r\n{command}")) || help.starts_with(command),
                "{help:?}"
            );
        }
        client.send("r");
        client.expect("Nothing to reply to yet");
        client.expect("messages> ");
        client.send("x");
        client.expect("main> ");
        client.send("q");
        assert!(client.until_closed().ends_with("Goodbye, carol!\r\n"));
        server.stop();
    });
}

/// `q` saves, says goodbye, and the server closes the connection.
#[test]
fn quitting_says_goodbye_and_closes() {
    within(|| {
        let (_dir, server) = serve(|c| c);
        let mut client = Client::connect(server.address());
        client.expect("login: ");
        client.send("alice");
        client.expect("password: ");
        client.send("rabbit-hole");
        client.expect("main> ");
        client.send("q");
        assert_eq!(client.until_closed(), "\r\nGoodbye, alice!\r\n");
        server.stop();
    });
}

/// A message written in a session is posted as the next numbered file at logout, with the
/// tutorial's fields, and the next session reads it; a reply records what it answers.
#[test]
fn written_messages_are_posted_at_logout() {
    within(|| {
        let (dir, server) = serve(|c| c);
        let mut client = Client::connect(server.address());
        client.expect("login: ");
        client.send("carol");
        client.expect("password: ");
        client.send("deck-the-halls");
        client.expect("main> ");
        client.send("p");
        client.expect("to (<return> for all): ");
        client.send("");
        client.expect("subject: ");
        client.send("Lightning talks");
        client.expect("a line holding only . ends it.\r\n");
        client.send("Sign up on the sheet by the door.");
        client.send("Five minutes each.");
        client.send(".");
        client.expect("Kept: it will be posted when you log out.\r\nmain> ");
        client.send("");
        client.expect("messages> ");
        client.send("");
        client.expect("messages> ");
        client.send("r");
        client.expect("Replying to carol about \"Re: Welcome to the board\".");
        client.send("Replying to myself.");
        client.send(".");
        client.expect("messages> ");
        client.send("x");
        client.expect("main> ");
        client.send("q");
        let end = client.until_closed();
        assert!(
            end.contains("Posted message 4: Lightning talks\r\n"),
            "{end:?}"
        );
        assert!(
            end.contains("Posted message 5: Re: Welcome to the board\r\n"),
            "{end:?}"
        );

        let text = std::fs::read_to_string(dir.path().join("messages/4.json")).unwrap();
        let posted: Message = serde_json::from_str(&text).unwrap();
        assert_eq!(
            (posted.message, posted.from.as_str(), posted.to.as_str()),
            (4, "carol", "all")
        );
        assert_eq!(
            posted.body,
            "Sign up on the sheet by the door.\nFive minutes each.\n"
        );
        let raw: serde_json::Value = serde_json::from_str(&text).unwrap();
        for field in [
            "message", "date", "from", "to", "subject", "reply-to", "__body__",
        ] {
            assert!(raw.get(field).is_some(), "{field} missing from {text}");
        }
        let reply: Message = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join("messages/5.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(reply.reply_to, vec![1]);

        let transcript = run_script(server.address(), &browse_script("alice", "rabbit-hole"));
        assert!(transcript.contains("There are 5 messages on the board."));
        server.stop();
        // What was written reads back as a board.
        assert_eq!(Store::open(dir.path()).unwrap().messages().len(), 5);
    });
}

/// A client that vanishes mid-session does not disturb the others, and what it had written
/// is still posted.
#[test]
fn disconnect_mid_session_leaves_the_server_serving() {
    within(|| {
        let (dir, server) = serve(|c| c);
        let address = server.address();
        let mut other = Client::connect(address);
        other.expect("login: ");
        other.send("bob");

        let mut leaver = Client::connect(address);
        leaver.expect("login: ");
        leaver.send("alice");
        leaver.expect("password: ");
        leaver.send("rabbit-hole");
        leaver.expect("main> ");
        leaver.send("p");
        leaver.expect("to (<return> for all): ");
        leaver.send("bob");
        leaver.expect("subject: ");
        leaver.send("Left in a hurry");
        leaver.expect("ends it.\r\n");
        leaver.send("Back soon.");
        leaver.send(".");
        leaver.expect("main> ");
        leaver.send("");
        leaver.expect("messages> ");
        drop(leaver); // gone, mid-menu

        // One that leaves halfway through a password.
        let mut half = Client::connect(address);
        half.expect("login: ");
        half.send_raw(b"carol\r\ndeck-the");
        drop(half);

        other.expect("password: ");
        other.send("can-we-fix-it");
        other.expect("main> ");
        other.send("q");
        assert!(other.until_closed().ends_with("Goodbye, bob!\r\n"));

        let transcript = run_script(address, &browse_script("carol", "deck-the-halls"));
        assert!(transcript.ends_with("Goodbye, carol!\r\n"));
        // Stopping waits for every session to end: the leaver's message is on disk by then.
        assert!(server.stop().is_empty());
        let posted = Store::open(dir.path()).unwrap().messages();
        let last = posted.last().unwrap();
        assert_eq!(
            (last.from.as_str(), last.subject.as_str()),
            ("alice", "Left in a hurry")
        );
    });
}

/// Bytes that are not text, control characters and terminal escapes are answered politely
/// and never echoed.
#[test]
fn garbage_bytes_are_survived() {
    within(|| {
        let (_dir, server) = serve(|c| c);
        let mut client = Client::connect(server.address());
        client.expect("login: ");
        client.send_raw(b"\xff\xfe\x00\x1b[2J\x07alice\r\n");
        client.expect("password: ");
        client.send_raw(b"\x80\x81\r\n");
        client.expect("Login failed");
        client.expect("login: ");
        client.send("alice");
        client.expect("password: ");
        client.send("rabbit-hole");
        client.expect("main> ");
        client.send_raw(b"\x1b]0;pwned\x07\xc3\x28\r\n");
        client.expect("Unknown command; type h for help.\r\nmain> ");
        client.send_raw(b"\x00\x01\x02\n");
        client.expect("Unknown command");
        client.expect("main> ");
        client.send("q");
        client.until_closed();
        let transcript = client.transcript();
        assert!(transcript.ends_with("Goodbye, alice!\r\n"));
        assert!(!transcript.contains('\u{1b}') && !transcript.contains('\u{7}'));
        server.stop();
    });
}

/// A line longer than the limit is refused with a notice, the question is asked again, and
/// the session goes on.
#[test]
fn a_huge_line_is_refused_and_the_session_goes_on() {
    within(|| {
        let (_dir, server) = serve(|c| c);
        let mut client = Client::connect(server.address());
        client.expect("login: ");
        let huge = vec![b'x'; 1 << 20];
        client.send_raw(&huge);
        client.send_raw(b"\r\n");
        client.expect("That line was longer than 1024 bytes, so it was ignored.\r\nlogin: ");
        client.send("alice");
        client.expect("password: ");
        client.send("rabbit-hole");
        client.expect("main> ");
        client.send(&"y".repeat(1025));
        client.expect("longer than 1024 bytes");
        client.expect("main> ");
        client.send(&"h".repeat(1024)); // exactly the limit: a line, an unknown command
        client.expect("Unknown command");
        client.expect("main> ");
        client.send("q");
        assert!(client.until_closed().ends_with("Goodbye, alice!\r\n"));
        server.stop();
    });
}

/// The notice for a too-long line takes that line's place, however many lines follow it in the
/// same burst of bytes (more than any inbox on the way holds).
#[test]
fn a_too_long_notice_keeps_its_place_before_a_long_burst_of_lines() {
    within(|| {
        let mut system = System::deterministic();
        let input = LineInput::new(3);
        let (mut bytes, mut stop, mut out) = (Outbox::new(), Outbox::new(), Inbox::unbounded());
        axon::link(&bytes, &input.inbox).unwrap();
        axon::link(&stop, &input.control).unwrap();
        axon::link(&input.outbox, &out).unwrap();
        system.spawn(input);
        let numbers: Vec<String> = (0..300).map(|i| i.to_string()).collect();
        let mut burst = b"ok\r\nfar too long\r\n".to_vec();
        for n in &numbers {
            burst.extend_from_slice(n.as_bytes());
            burst.extend_from_slice(b"\r\n");
        }
        bytes.try_send(burst).unwrap();
        stop.try_send(Control::ProducerFinished).unwrap();
        system.run().unwrap();
        let got: Vec<Input> = std::iter::from_fn(|| out.try_recv().ok()).collect();
        let notice_at = got.iter().position(|i| matches!(i, Input::TooLong(_)));
        assert_eq!(notice_at, Some(1), "the notice must follow \"ok\" at once");
        let mut expected = vec![
            Input::Line("ok".into()),
            Input::TooLong(LineTooLong {
                line: 2,
                offset: 4,
                limit: 3,
            }),
        ];
        expected.extend(numbers.into_iter().map(Input::Line));
        assert_eq!(got, expected);
    });
}

/// A client that sends nothing is told why and disconnected after the idle timeout.
#[test]
fn silence_ends_the_session_after_the_idle_timeout() {
    within(|| {
        let (_dir, server) = serve(|c| c.idle_timeout(Duration::from_millis(300)));
        let mut client = Client::connect(server.address());
        client.expect("login: ");
        let end = client.until_closed();
        assert_eq!(
            end,
            "\r\nNo input for 300ms, so the connection is closing.\r\n\r\nGoodbye!\r\n"
        );
        // Also when logged in, in the middle of a menu.
        let mut client = Client::connect(server.address());
        client.expect("login: ");
        client.send("alice");
        client.expect("password: ");
        client.send("rabbit-hole");
        client.expect("main> ");
        client.send("");
        client.expect("messages> ");
        assert!(client.until_closed().ends_with(
            "No input for 300ms, so the connection is closing.\r\n\r\nGoodbye, alice!\r\n"
        ));
        server.stop();
    });
}

/// A client that sends its whole script at once and closes its sending side gets the same
/// dialogue as one that waits for each prompt.
#[test]
fn typing_ahead_gives_the_same_transcript() {
    within(|| {
        let (_dir, server) = serve(|c| c);
        let script = browse_script("alice", "rabbit-hole");
        let interactive = run_script(server.address(), &script);
        let mut client = Client::connect(server.address());
        let all: String = script
            .iter()
            .map(|(_, line)| format!("{line}\r\n"))
            .collect();
        client.send_raw(all.as_bytes());
        client.stream.shutdown(Shutdown::Write).unwrap();
        client.until_closed();
        assert_eq!(client.transcript(), interactive);
        server.stop();
    });
}

/// Lines typed ahead survive a change of stage even when the stage that ends was handed a
/// line it did not read (forced here by an output box of one message, so every stage waits
/// after each line it says and the `Seq` hands it the next input meanwhile).
#[test]
fn typed_ahead_lines_survive_a_stage_change_while_output_is_blocked() {
    within(|| {
        let board = sample_board();
        let store = Arc::new(Store::open(board.path()).unwrap());
        let script = browse_script("alice", "rabbit-hole");
        let lines: Vec<&str> = script.iter().map(|(_, line)| *line).collect();
        let fresh = || SessionHandle::detached(Arc::clone(&store), Settings::default());
        let expected = talk(dialogue(fresh()), &lines);

        let mut system = System::deterministic();
        let seq = dialogue(fresh());
        let (mut input, mut stop, mut output) =
            (Outbox::new(), Outbox::new(), Inbox::with_capacity(1));
        axon::link(&input, &seq.inbox).unwrap();
        axon::link(&stop, &seq.control).unwrap();
        axon::link(&seq.outbox, &output).unwrap();
        system.spawn(seq);
        for line in &lines {
            input.try_send(Input::Line(line.to_string())).unwrap();
        }
        stop.try_send(Control::ProducerFinished).unwrap();
        let mut transcript = String::new();
        loop {
            system.run_until_idle();
            match output.try_recv() {
                Ok(text) => transcript.push_str(&text),
                Err(_) if system.live() == 0 => break,
                Err(_) => panic!("stalled after:\n{transcript}"),
            }
        }
        assert_eq!(transcript, expected);
        assert!(transcript.ends_with("Goodbye, alice!\r\n"));
    });
}

/// 200 clients at once each log in, browse and quit, and every one gets exactly the dialogue
/// a lone client gets.
#[test]
fn two_hundred_concurrent_sessions() {
    within(|| {
        let (_dir, server) = serve(|c| c);
        let address = server.address();
        let expected: Vec<String> = USERS
            .iter()
            .map(|(u, p)| run_script(address, &browse_script(u, p)))
            .collect();
        let clients: Vec<_> = (0..200)
            .map(|i| {
                std::thread::spawn(move || {
                    let (user, password) = USERS[i % USERS.len()];
                    (i, run_script(address, &browse_script(user, password)))
                })
            })
            .collect();
        for client in clients {
            let (i, transcript) = client.join().unwrap();
            assert_eq!(transcript, expected[i % USERS.len()], "client {i}");
        }
        assert!(server.stop().is_empty());
    });
}

/// Stopping the server closes open sessions at once and keeps what their users had
/// finished writing.
#[test]
fn stopping_the_server_closes_sessions_and_keeps_written_messages() {
    within(|| {
        let (dir, server) = serve(|c| c);
        let mut client = Client::connect(server.address());
        client.expect("login: ");
        client.send("bob");
        client.expect("password: ");
        client.send("can-we-fix-it");
        client.expect("main> ");
        client.send("p");
        client.expect("to (<return> for all): ");
        client.send("");
        client.expect("subject: ");
        client.send("Written before the stop");
        client.expect("ends it.\r\n");
        client.send("Still here.");
        client.send(".");
        client.expect("main> ");
        let address = server.address();
        assert!(server.stop().is_empty());
        client.until_closed(); // the server closed it
        assert!(TcpStream::connect(address).is_err(), "still listening");
        let posted = Store::open(dir.path()).unwrap().messages();
        assert_eq!(posted.last().unwrap().subject, "Written before the stop");
    });
}

/// A board folder without a users file, or an address in use, is reported by `start`.
#[test]
fn start_reports_a_bad_board_or_a_busy_address() {
    within(|| {
        let empty = tempfile::tempdir().unwrap();
        match start(Config::new(empty.path()).port(0)) {
            Err(StartError::Data(e)) => assert!(e.to_string().contains("users.json"), "{e}"),
            other => panic!("expected a data error, got {other:?}"),
        }
        let (_dir, server) = serve(|c| c);
        let board = sample_board();
        let busy = Config::new(board.path()).address(server.address());
        // SO_REUSEADDR does not let a second listener share a listening port on Linux.
        match start(busy) {
            Err(StartError::Listen { address, .. }) => assert_eq!(address, server.address()),
            Ok(second) => {
                second.stop();
                panic!("a second server listened on {}", server.address());
            }
            Err(e) => panic!("expected a listen error, got {e}"),
        }
        server.stop();
    });
}

/// Message files that are malformed or too large are skipped with a warning naming them;
/// other files in the folder are ignored.
#[test]
fn bad_message_files_are_skipped_with_a_warning() {
    let dir = sample_board();
    let messages = dir.path().join("messages");
    std::fs::write(messages.join("7.json"), "{not json").unwrap();
    std::fs::write(messages.join("8.json"), vec![b' '; 100 << 10]).unwrap();
    std::fs::write(messages.join("notes.txt"), "ignored").unwrap();
    std::fs::write(messages.join(".posting-1-9.tmp"), "ignored").unwrap();
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.messages().len(), 3);
    let warnings = store.warnings().join("\n");
    assert!(
        warnings.contains("7.json") && warnings.contains("8.json"),
        "{warnings}"
    );
    assert_eq!(store.warnings().len(), 2, "{warnings}");
}

/// The example binary that `cargo test` builds next to the test binaries; built here if it is
/// missing or older than this test (`cargo test --test bulletin_board` alone builds no
/// examples).
fn example_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap();
    let binary = profile_dir.join("examples").join("bulletin_board");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if modified(&binary) < modified(&exe) {
        let mut cargo = std::process::Command::new(env!("CARGO"));
        cargo.args(["build", "-p", "examples", "--example", "bulletin_board"]);
        if profile_dir.ends_with("release") {
            cargo.arg("--release");
        }
        assert!(
            cargo.status().unwrap().success(),
            "cannot build the example"
        );
    }
    binary
}

/// The example binary prints a `listening` line with its address, serves a session, and
/// stops cleanly on SIGTERM.
#[test]
fn the_binary_listens_serves_and_stops_on_sigterm() {
    let binary = example_binary(); // building it may take a while: not under the time limit
    within(move || {
        let dir = sample_board();
        let mut child = std::process::Command::new(&binary)
            .args(["--port", "0", "--data"])
            .arg(dir.path())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
        assert!(line.contains("listening"), "{line:?}");
        let address: SocketAddr = line
            .split_whitespace()
            .find_map(|w| w.parse().ok())
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        let transcript = run_script(address, &browse_script("alice", "rabbit-hole"));
        assert!(transcript.ends_with("Goodbye, alice!\r\n"));

        let killed = std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = child.wait().unwrap();
        assert!(status.success(), "{status}");
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
        assert!(rest.contains("bulletin board stopped"), "{rest:?}");
    });
}
