//! Helpers shared by the integration tests (`mod common;` in each test file). Cargo does not
//! build `tests/common/mod.rs` as a test target of its own.
//!
//! Each test target uses only some of these, hence `dead_code` is allowed for the module.
#![allow(dead_code)]

use axon::model::BoxAddress;
use axon::{Boxes, Component, ComponentId, Context, Error, Inbox, Outbox};

// ---------------------------------------------------------------------------------------------
// Components and addresses for the live model's tests (`introspection_*.rs`)

/// A message with a `Debug` form.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reading {
    pub(crate) n: u32,
}

/// Sends `Reading { n }` for n in 1..=count, then ends.
#[derive(Boxes)]
pub(crate) struct Producer {
    /// The readings.
    pub(crate) outbox: Outbox<Reading>,
    /// Never used; linked and unlinked by tests.
    pub(crate) spare: Outbox<u32>,
    count: u32,
}

impl Producer {
    pub(crate) fn new(count: u32) -> Self {
        Producer {
            outbox: Outbox::new(),
            spare: Outbox::new(),
            count,
        }
    }
}

impl Component for Producer {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        for n in 1..=self.count {
            self.outbox.send(Reading { n }).await?;
        }
        Ok(())
    }
}

/// Takes `count` readings, then ends.
#[derive(Boxes)]
pub(crate) struct Consumer {
    /// Readings.
    pub(crate) inbox: Inbox<Reading>,
    /// Never used; linked and unlinked by tests.
    pub(crate) extra: Inbox<u32>,
    count: u32,
}

impl Consumer {
    pub(crate) fn new(count: u32) -> Self {
        Consumer {
            inbox: Inbox::new(),
            extra: Inbox::new(),
            count,
        }
    }
}

impl Component for Consumer {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        for _ in 0..self.count {
            if self.inbox.recv().await.is_none() {
                break;
            }
        }
        Ok(())
    }
}

/// Waits on its inbox until it closes.
#[derive(Boxes)]
pub(crate) struct Listener {
    /// Anything.
    pub(crate) inbox: Inbox<u64>,
}

impl Component for Listener {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        while self.inbox.recv().await.is_some() {}
        Ok(())
    }
}

pub(crate) fn address(id: ComponentId, name: &str) -> BoxAddress {
    BoxAddress {
        component: Some(id),
        name: name.to_string(),
    }
}
