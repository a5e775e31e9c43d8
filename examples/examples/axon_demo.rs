//! A small live system built on the Axon core alone: a ticker feeds a line of transforms that
//! publishes headlines on a backplane; two subscribers read them — one prints, one (a threaded component
//! doing "blocking" work) archives — and a supervisor-style parent reports how every child ended.
//! Half way through, the system's live model is printed: every component, what it is waiting on,
//! its boxes with their depths, and the links.
//!
//! Run it with:
//!
//! ```text
//! cargo run --release -p examples --example axon_demo
//! ```

use std::time::Duration;

use axon::backplane::{Backplane, PublishTo, SubscribeTo};
use axon::line::{map, Chain, Line};
use axon::{
    Boxes, Component, Context, Control, Error, Inbox, Outbox, Snapshot, System, ThreadedComponent,
};

/// Emits `count` headlines, one every `every`, then says it has finished.
#[derive(Boxes)]
struct Ticker {
    /// Stop requests.
    control: Inbox<Control>,
    /// Headlines.
    outbox: Outbox<String>,
    /// `ProducerFinished` when done.
    signal: Outbox<Control>,
    count: u32,
    every: Duration,
}

impl Component for Ticker {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let mut tick = tokio::time::interval(self.every);
        for n in 1..=self.count {
            tokio::select! {
                biased;
                Some(c) = self.control.recv() => { self.signal.send(c).await?; return Ok(()); }
                _ = tick.tick() => self.outbox.send(format!("story {n}: kamaelia ported to rust")).await?,
            }
        }
        self.signal.send(Control::ProducerFinished).await?;
        Ok(())
    }
}

fn title_case(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Turns raw text into headlines: a line of two transforms, which share the line's task (a
/// function call per message each) and still show in the live model as its children.
fn headline() -> Line<String, String> {
    let chain = Chain::new()
        .then(map(|s: String| s.trim().to_string()))
        .then(map(|s: String| title_case(&s)));
    Line::new(chain)
}

/// Prints what arrives, until `expect` messages have been seen.
#[derive(Boxes)]
struct Printer {
    /// Headlines.
    inbox: Inbox<String>,
    expect: u32,
}

impl Component for Printer {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        for _ in 0..self.expect {
            let Some(line) = self.inbox.recv().await else {
                break;
            };
            println!("[printer] {line}");
        }
        Ok(())
    }
}

/// A threaded component: blocking receives on its own OS thread.
#[derive(Boxes)]
struct Archive {
    /// Headlines to archive.
    inbox: Inbox<String>,
    expect: u32,
}

impl ThreadedComponent for Archive {
    fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let mut archived = Vec::new();
        while archived.len() < self.expect as usize {
            match self.inbox.recv_blocking() {
                Some(h) => archived.push(h),
                None => break,
            }
        }
        println!(
            "[archive] stored {} headlines on thread {:?}",
            archived.len(),
            std::thread::current().name().unwrap_or("?")
        );
        Ok(())
    }
}

/// Builds the whole system as its children and reports how each ended.
#[derive(Boxes)]
struct Newsroom {
    stories: u32,
}

impl Component for Newsroom {
    async fn run(self, mut ctx: Context) -> Result<(), Error> {
        let n = self.stories;
        let backplane = ctx.adopt_named("backplane", Backplane::<String>::new("news"));
        let ticker = ctx.adopt_named(
            "ticker",
            Ticker {
                control: Inbox::new(),
                outbox: Outbox::new(),
                signal: Outbox::new(),
                count: n,
                every: Duration::from_millis(20),
            },
        );
        let headline = ctx.adopt_named("headline", headline());
        let publish = ctx.adopt_named("publish", PublishTo::<String>::new("news"));
        let printer_feed = ctx.adopt_named("printer-feed", SubscribeTo::<String>::new("news"));
        let archive_feed = ctx.adopt_named("archive-feed", SubscribeTo::<String>::new("news"));
        let printer = ctx.adopt_named(
            "printer",
            Printer {
                inbox: Inbox::new(),
                expect: n,
            },
        );
        let archive = ctx.adopt_named(
            "archive",
            Archive {
                inbox: Inbox::new(),
                expect: n,
            },
        );

        ctx.link(&ticker.outbox, &headline.inbox)?;
        ctx.link(&ticker.signal, &headline.control)?;
        ctx.link(&headline.outbox, &publish.inbox)?;
        ctx.link(&printer_feed.outbox, &printer.inbox)?;
        ctx.link(&archive_feed.outbox, &archive.inbox)?;
        // Control handles, to stop the long-lived parts at the end.
        let stops = [
            backplane.control.handle(),
            publish.control.handle(),
            printer_feed.control.handle(),
            archive_feed.control.handle(),
        ];

        ctx.activate(backplane);
        ctx.activate(printer_feed);
        ctx.activate(archive_feed);
        ctx.activate(publish);
        ctx.activate(printer);
        ctx.activate_threaded(archive);
        ctx.activate(headline);
        ctx.activate(ticker);

        let mut shown = false;
        let mut consumers_done = 0;
        let mut half = tokio::time::interval(Duration::from_millis(20) * n / 2);
        half.tick().await;
        loop {
            tokio::select! {
                _ = half.tick(), if !shown => {
                    shown = true;
                    print_snapshot(&ctx.snapshot());
                }
                exit = ctx.next_child_exit() => {
                    let Some(exit) = exit else { break };
                    println!("[newsroom] {} ended: {:?}", exit.name, exit.exit);
                    // Once the printer and the archive have everything, close the long-lived rest.
                    if exit.name == "archive" || exit.name == "printer" {
                        consumers_done += 1;
                        if consumers_done == 2 {
                            for s in &stops {
                                s.try_send(Control::Shutdown).ok();
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

fn print_snapshot(s: &Snapshot) {
    println!(
        "---- live model: {} components, {} links ----",
        s.components.len(),
        s.links.len()
    );
    for c in &s.components {
        let boxes: Vec<String> = c
            .boxes
            .iter()
            .map(|b| {
                format!(
                    "{}[{}/{}]",
                    b.info.name,
                    b.stats.depth,
                    b.stats.capacity.map_or("∞".into(), |c| c.to_string())
                )
            })
            .collect();
        println!("  {:<14} {:?}  {}", c.name, c.state, boxes.join(" "));
    }
    for l in &s.links {
        let name = |a: &axon::model::BoxAddress| {
            let comp = a
                .component
                .and_then(|id| s.components.iter().find(|c| c.id == id))
                .map_or("-", |c| c.name.as_str());
            format!("{comp}.{}", a.name)
        };
        println!("  {} -> {}", name(&l.from), name(&l.to));
    }
    println!("----");
}

fn main() {
    let mut system = System::builder().threads(2).build();
    system.spawn_named("newsroom", Newsroom { stories: 10 });
    system.run().expect("the newsroom runs to the end");
    let failures = system.failures();
    println!("all components ended; failures: {}", failures.len());
    assert!(failures.is_empty(), "{failures:?}");
}
