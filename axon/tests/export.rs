//! Exports of a snapshot (`axon::export`): the exact Graphviz DOT and Mermaid text of a small
//! nested system, escaping of awkward names in both syntaxes, and message rates between two
//! snapshots on virtual time.
//!
//! The system under test is Pipeline-shaped: a top-level `Ticker` feeds a `Chain` parent whose
//! three `Relay` children are linked in a row, with the chain's own inbox forwarded to the first
//! child and the last child's outbox published as the chain's outbox, which feeds a top-level
//! `Tally`. Every test drives a `System::deterministic()`, so ids, states and figures are exact.

use std::time::Duration;

use axon::{Boxes, Component, Context, Control, Error, Inbox, Outbox, Snapshot, System};

/// Sends 1, 2, 3, … one every 100 ms of (virtual) time, until `limit`.
#[derive(Boxes)]
struct Ticker {
    /// The numbers.
    outbox: Outbox<u32>,
    limit: u32,
}

impl Component for Ticker {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        for n in 1..=self.limit {
            tokio::time::sleep(Duration::from_millis(100)).await;
            self.outbox.send(n).await?;
        }
        std::future::pending::<()>().await;
        Ok(())
    }
}

/// Passes numbers on until its control inbox says stop.
#[derive(Boxes, Default)]
struct Relay {
    /// Numbers.
    inbox: Inbox<u32>,
    /// Stop requests.
    control: Inbox<Control>,
    /// The same numbers.
    outbox: Outbox<u32>,
}

impl Component for Relay {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        loop {
            tokio::select! {
                biased;
                _ = self.control.recv() => return Ok(()),
                Some(n) = self.inbox.recv() => self.outbox.send(n).await?,
            }
        }
    }
}

/// Three relays in a row, like a pipeline: its inbox is the first one's, its outbox the last
/// one's.
#[derive(Boxes, Default)]
struct Chain {
    /// Into the first relay.
    inbox: Inbox<u32>,
    /// Out of the last relay.
    outbox: Outbox<u32>,
}

impl Component for Chain {
    async fn run(self, mut ctx: Context) -> Result<(), Error> {
        let a = ctx.adopt(Relay::default());
        let b = ctx.adopt(Relay::default());
        let c = ctx.adopt(Relay::default());
        ctx.forward_inbox(&self.inbox, &a.inbox)?;
        ctx.link(&a.outbox, &b.inbox)?;
        ctx.link(&b.outbox, &c.inbox)?;
        ctx.forward_outbox(&c.outbox, &self.outbox)?;
        ctx.activate(a);
        ctx.activate(b);
        ctx.activate(c);
        while ctx.next_child_exit().await.is_some() {}
        Ok(())
    }
}

/// Takes numbers and keeps nothing.
#[derive(Boxes)]
struct Tally {
    /// Numbers.
    inbox: Inbox<u32>,
}

impl Default for Tally {
    fn default() -> Self {
        Tally {
            inbox: Inbox::with_capacity(4),
        }
    }
}

impl Component for Tally {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        while self.inbox.recv().await.is_some() {}
        Ok(())
    }
}

/// Ticker#1 → Chain#2 (Relay#4, #5, #6 inside) → Tally#3, run until idle. Every inbox has
/// the default capacity (128) but Tally's (4).
fn nested_system(limit: u32) -> System {
    let mut system = System::deterministic();
    let ticker = system.adopt(Ticker {
        outbox: Outbox::new(),
        limit,
    });
    let chain = system.adopt(Chain::default());
    let tally = system.adopt(Tally::default());
    axon::link(&ticker.outbox, &chain.inbox).unwrap();
    axon::link(&chain.outbox, &tally.inbox).unwrap();
    system.activate(ticker);
    system.activate(chain);
    system.activate(tally);
    system.run_until_idle();
    system
}

/// The DOT text of the nested system is exactly this: one node per component labelled name,
/// type and state, the parent as a cluster holding itself and its children, one edge per link
/// labelled with both box names and the destination's depth and capacity.
#[test]
fn dot_of_a_nested_system_is_exact() {
    let system = nested_system(0);
    let expected = r#"digraph axon {
  rankdir=LR;
  node [shape=box];
  edge [fontsize=10];
  n1 [label="Ticker#1\nTicker\nwaiting"];
  subgraph cluster_2 {
    label="Chain#2";
    n2 [label="Chain#2\nChain\nwaiting"];
    n4 [label="Relay#4\nRelay\nreceiving on inbox"];
    n5 [label="Relay#5\nRelay\nreceiving on inbox"];
    n6 [label="Relay#6\nRelay\nreceiving on inbox"];
  }
  n3 [label="Tally#3\nTally\nreceiving on inbox"];
  n1 -> n2 [label="outbox → inbox [0/128]"];
  n2 -> n4 [label="inbox → inbox [0/128]"];
  n2 -> n3 [label="outbox → inbox [0/4]"];
  n4 -> n5 [label="outbox → inbox [0/128]"];
  n5 -> n6 [label="outbox → inbox [0/128]"];
  n6 -> n2 [label="outbox → outbox [0/128]"];
}
"#;
    assert_eq!(system.snapshot().to_dot(), expected);
}

/// The Mermaid text of the nested system is exactly this: the same nodes, the parent as a
/// `subgraph`, the same edge labels.
#[test]
fn mermaid_of_a_nested_system_is_exact() {
    let system = nested_system(0);
    let expected = r#"flowchart LR
  n1["Ticker#1<br/>Ticker<br/>waiting"]
  subgraph c2 ["Chain#2"]
    n2["Chain#2<br/>Chain<br/>waiting"]
    n4["Relay#4<br/>Relay<br/>receiving on inbox"]
    n5["Relay#5<br/>Relay<br/>receiving on inbox"]
    n6["Relay#6<br/>Relay<br/>receiving on inbox"]
  end
  n3["Tally#3<br/>Tally<br/>receiving on inbox"]
  n1 -->|"outbox → inbox [0/128]"| n2
  n2 -->|"inbox → inbox [0/128]"| n4
  n2 -->|"outbox → inbox [0/4]"| n3
  n4 -->|"outbox → inbox [0/128]"| n5
  n5 -->|"outbox → inbox [0/128]"| n6
  n6 -->|"outbox → outbox [0/128]"| n2
"#;
    assert_eq!(system.snapshot().to_mermaid(), expected);
}

/// A name with quotes, backslashes, angle brackets, `&`, `;`, `#`, a backtick and a line break
/// is escaped for each syntax, so it can neither end the string early nor be read as markup or
/// an entity.
#[test]
fn odd_names_are_escaped_for_each_syntax() {
    let mut system = System::deterministic();
    system.spawn_named("say \"hi\"\\ <b>&amp; #x;`\nnext", Tally::default());
    system.run_until_idle();
    let snap = system.snapshot();
    assert!(
        snap.to_dot().contains(
            r#"  n1 [label="say \"hi\"\\ <b>&amp; #x;`\nnext\nTally\nreceiving on inbox"];"#
        ),
        "{}",
        snap.to_dot()
    );
    assert!(
        snap.to_mermaid().contains(
            "  n1[\"say #quot;hi#quot;\\ #lt;b#gt;#amp;amp#59; #x#59;#96;<br/>next\
             <br/>Tally<br/>receiving on inbox\"]"
        ),
        "{}",
        snap.to_mermaid()
    );
}

/// A box owned by plain code (here a test's inbox) is drawn as an extra node named after it.
#[test]
fn boxes_outside_the_system_are_drawn_as_one_node() {
    let mut system = System::deterministic();
    let ticker = system.adopt(Ticker {
        outbox: Outbox::new(),
        limit: 0,
    });
    let outside: Inbox<u32> = Inbox::new();
    axon::link(&ticker.outbox, &outside).unwrap();
    system.activate(ticker);
    system.run_until_idle();
    let snap = system.snapshot();
    let dot = snap.to_dot();
    assert!(
        dot.contains("  ext0 [label=\"(unregistered inbox)\", shape=plain];\n  n1 -> ext0 [label=\"outbox → (unregistered inbox)\"];"),
        "{dot}"
    );
    assert!(snap
        .to_mermaid()
        .contains("  n1 -->|\"outbox → (unregistered inbox)\"| ext0"));
}

/// Two snapshots one virtual second apart (by their `taken_at`), with a message every 100 ms
/// flowing through the chain, give 10 messages per second on every box along the way; the link
/// rate is the source box's; no time between the two gives zero rates.
#[test]
fn rates_between_two_snapshots_on_virtual_time() {
    let mut system = nested_system(1000);
    let before: Snapshot = system.snapshot();
    system.advance(Duration::from_secs(1));
    let after = system.snapshot();
    let rates = after.rates_since(&before);
    assert_eq!(rates.elapsed, Duration::from_secs(1));
    let ids: Vec<_> = after.components.iter().map(|c| c.id).collect();
    let (ticker, tally, relay3) = (ids[0], ids[2], ids[5]);
    let out = rates.get(ticker, "outbox").unwrap();
    assert_eq!((out.messages_in, out.in_per_sec), (10, 10.0));
    let last = rates.get(relay3, "inbox").unwrap();
    assert_eq!((last.messages_in, last.messages_out), (10, 10));
    assert_eq!(rates.get(tally, "inbox").unwrap().out_per_sec, 10.0);
    assert_eq!(rates.get(tally, "inbox").unwrap().depth, 0);
    let link = after
        .links
        .iter()
        .find(|l| l.from.component == Some(ticker))
        .unwrap();
    assert_eq!(rates.link(link).unwrap().in_per_sec, 10.0);
    assert!(rates
        .to_string()
        .contains("Ticker#1.outbox (outbox): 10.0 in/s, 10.0 out/s, depth 0/"));
    let idle = after.rates_since(&after);
    assert!(idle
        .boxes
        .iter()
        .all(|b| b.in_per_sec == 0.0 && b.messages_in == 0));
}
