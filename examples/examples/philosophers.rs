//! The dining philosophers on Axon's STM (Kamaelia's `Axon.Philosophers`): each philosopher is a
//! threaded component; forks are values in a shared [`Store`]. To eat, a philosopher checks out
//! both of its forks in one transaction and, if both are free, takes them with one commit; a
//! `ConcurrentUpdate` means a neighbour got there first, so it tries again. Nobody deadlocks and
//! no fork is ever held by two philosophers.
//!
//! Each philosopher reports its meals on its outbox; a parent collects the reports.
//!
//! ```text
//! cargo run --release -p examples --example philosophers
//! ```

use axon::stm::Store;
use axon::{Boxes, Component, Context, Error, Inbox, Outbox, System, ThreadedComponent};

const PHILOSOPHERS: usize = 5;
const MEALS: u32 = 200;

/// One philosopher: eats `MEALS` times, then reports.
#[derive(Boxes)]
struct Philosopher {
    /// `(name, meals eaten, commits refused)` when done.
    outbox: Outbox<(String, u32, u32)>,
    name: String,
    forks: (String, String),
    store: Store<String, String>,
}

impl ThreadedComponent for Philosopher {
    fn run(mut self, _ctx: Context) -> Result<(), Error> {
        let (left, right) = self.forks.clone();
        let (mut meals, mut refused) = (0, 0);
        while meals < MEALS {
            let mut tx = self.store.using_all([left.clone(), right.clone()]);
            if tx.get(&left).is_some() || tx.get(&right).is_some() {
                std::thread::yield_now(); // a neighbour is eating
                continue;
            }
            tx.set(&left, self.name.clone());
            tx.set(&right, self.name.clone());
            if tx.commit().is_err() {
                refused += 1;
                continue;
            }
            // Eating: both forks are ours; check it, then put them down in one commit.
            let mut tx = self.store.using_all([left.clone(), right.clone()]);
            assert_eq!(
                tx.get(&left),
                Some(&self.name),
                "{} lost its left fork",
                self.name
            );
            assert_eq!(
                tx.get(&right),
                Some(&self.name),
                "{} lost its right fork",
                self.name
            );
            tx.set(&left, None);
            tx.set(&right, None);
            tx.commit().map_err(|e| {
                Error::msg(format!("{} could not put its forks down: {e}", self.name))
            })?;
            meals += 1;
        }
        self.outbox.send_blocking((self.name, meals, refused))?;
        Ok(())
    }
}

/// Seats the philosophers and prints their reports.
#[derive(Boxes)]
struct Table {
    /// Reports from every philosopher (many-to-one).
    reports: Inbox<(String, u32, u32)>,
}

impl Component for Table {
    async fn run(mut self, mut ctx: Context) -> Result<(), Error> {
        let store: Store<String, String> = Store::new();
        for i in 0..PHILOSOPHERS {
            let forks = (
                format!("fork.{i}"),
                format!("fork.{}", (i + 1) % PHILOSOPHERS),
            );
            let p = ctx.adopt_named(
                format!("philosopher.{i}"),
                Philosopher {
                    outbox: Outbox::new(),
                    name: format!("philosopher.{i}"),
                    forks,
                    store: store.clone(),
                },
            );
            ctx.link(&p.outbox, &self.reports)?;
            ctx.activate_threaded(p);
        }
        for _ in 0..PHILOSOPHERS {
            let (name, meals, refused) = self
                .reports
                .recv()
                .await
                .ok_or_else(|| Error::msg("table closed"))?;
            println!("{name} ate {meals} meals ({refused} commits refused by a neighbour)");
        }
        while let Some(exit) = ctx.next_child_exit().await {
            if !exit.exit.is_finished() {
                return Err(Error::msg(format!(
                    "{} ended with {:?}",
                    exit.name, exit.exit
                )));
            }
        }
        for i in 0..PHILOSOPHERS {
            assert_eq!(
                store.get(&format!("fork.{i}")),
                None,
                "every fork is back on the table"
            );
        }
        println!(
            "all {PHILOSOPHERS} philosophers ate {MEALS} meals; every fork is back on the table"
        );
        Ok(())
    }
}

fn main() {
    let mut system = System::new();
    system.spawn_named(
        "table",
        Table {
            reports: Inbox::new(),
        },
    );
    system.run().expect("dinner ends");
    assert!(system.failures().is_empty(), "{:?}", system.failures());
}
