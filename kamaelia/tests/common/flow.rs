//! Helpers for the flow-control tests (`util_flow.rs`, `flow_plug.rs`): feeding and linking
//! boxes, and three small stages: one that relays, one that ends at once, one that fails.

use std::time::Duration;

use axon::{
    next_event, Boxes, Component, Context, Control, Error, Event, Inbox, Outbox, System,
    TrySendError,
};

pub(crate) fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Sends every item, letting the system run whenever the destination is full.
pub(crate) fn feed<T: Send + 'static>(
    system: &mut System,
    out: &mut Outbox<T>,
    items: impl IntoIterator<Item = T>,
) {
    for item in items {
        let mut item = item;
        loop {
            match out.try_send(item) {
                Ok(()) => break,
                Err(TrySendError::Full(m)) => {
                    item = m;
                    assert!(
                        system.run_until_idle() > 0,
                        "feed: the destination never drains"
                    );
                }
                Err(e) => panic!("feed: {e}"),
            }
        }
    }
}

/// An outbox linked to `to`.
pub(crate) fn sender<T: Send + 'static>(to: &Inbox<T>) -> Outbox<T> {
    let out = Outbox::new();
    axon::link(&out, to).unwrap();
    out
}

/// An inbox (holding up to `capacity`) linked from `from`.
pub(crate) fn receiver<T: Send + 'static>(from: &Outbox<T>, capacity: usize) -> Inbox<T> {
    let inbox = Inbox::with_capacity(capacity);
    axon::link(from, &inbox).unwrap();
    inbox
}

/// Passes messages on until told to stop (drains on `ProducerFinished`).
#[derive(Boxes)]
pub(crate) struct Relay<T: Send + 'static> {
    /// In.
    pub(crate) inbox: Inbox<T>,
    /// Stop.
    pub(crate) control: Inbox<Control>,
    /// Out.
    pub(crate) outbox: Outbox<T>,
    /// Stopped.
    pub(crate) signal: Outbox<Control>,
}

impl<T: Send + 'static> Relay<T> {
    pub(crate) fn new() -> Self {
        Relay {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
        }
    }
}

impl<T: Send + 'static> Component for Relay<T> {
    async fn run(mut self, _: Context) -> Result<(), Error> {
        loop {
            match next_event(&mut self.control, &mut self.inbox).await {
                Event::Message(m) => self.outbox.send(m).await?,
                Event::Control(c) => {
                    if c.is_producer_finished() {
                        while let Ok(m) = self.inbox.try_recv() {
                            self.outbox.send(m).await?;
                        }
                    }
                    self.signal.send(c).await.ok();
                    return Ok(());
                }
            }
        }
    }
}

kamaelia::impl_stage!([T: Send + 'static] Relay<T>, T => T);

/// Ends as soon as it starts (so its inboxes are closed).
#[derive(Boxes)]
pub(crate) struct Quitter<T: Send + 'static> {
    /// In.
    pub(crate) inbox: Inbox<T>,
    /// Stop.
    pub(crate) control: Inbox<Control>,
    /// Out.
    pub(crate) outbox: Outbox<T>,
    /// Stopped.
    pub(crate) signal: Outbox<Control>,
}

impl<T: Send + 'static> Quitter<T> {
    pub(crate) fn new() -> Self {
        Quitter {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
        }
    }
}

impl<T: Send + 'static> Component for Quitter<T> {
    async fn run(self, _: Context) -> Result<(), Error> {
        Ok(())
    }
}

kamaelia::impl_stage!([T: Send + 'static] Quitter<T>, T => T);

/// Fails (or panics) on the first message, saying nothing on `signal`.
#[derive(Boxes)]
pub(crate) struct Failer {
    /// In.
    pub(crate) inbox: Inbox<u32>,
    /// Stop.
    pub(crate) control: Inbox<Control>,
    /// Out.
    pub(crate) outbox: Outbox<u32>,
    /// Stopped.
    pub(crate) signal: Outbox<Control>,
    #[boxes(skip)]
    pub(crate) panics: bool,
}

impl Failer {
    pub(crate) fn new(panics: bool) -> Self {
        Failer {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            signal: Outbox::new(),
            panics,
        }
    }
}

impl Component for Failer {
    async fn run(mut self, _: Context) -> Result<(), Error> {
        self.inbox.recv().await;
        if self.panics {
            panic!("bad input");
        }
        Err(Error::msg("bad input"))
    }
}

kamaelia::impl_stage!([] Failer, u32 => u32);

/// An inbox whose component has ended (sends to it fail with `Closed`).
pub(crate) fn closed_inbox<T: Send + 'static>(system: &mut System) -> axon::InboxRef<T> {
    let q = Quitter::<T>::new();
    let r = q.inbox.handle();
    system.spawn(q);
    system.run_until_idle();
    assert!(r.is_closed());
    r
}

/// Links `from` to a component's inbox, then ends that component: later sends from `from` find
/// their destination closed. (Linking into an inbox that is closed already is refused.)
pub(crate) fn link_to_ended<T: Send + 'static>(system: &mut System, from: &Outbox<T>) {
    let relay = Relay::<T>::new();
    axon::link(from, &relay.inbox).unwrap();
    let inbox = relay.inbox.handle();
    let mut stop = sender(&relay.control);
    system.spawn(relay);
    stop.try_send(Control::Shutdown).unwrap();
    system.run_until_idle();
    assert!(inbox.is_closed());
}
