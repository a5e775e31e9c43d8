//! Linkages: the three link forms, chain resolution, delivery guarantees, size limits and wiring
//! by name through a `Context`.
//!
//! Ports from Kamaelia's Axon unit tests (reference §6.2):
//! * **test_Postoffice** — link outbox→inbox / inbox→inbox (passthrough 1) / outbox→outbox
//!   (passthrough 2); one-to-many refused and allowed again after unlinking; delivery along chains
//!   whatever the construction order (each ordering case, plus all six orders of a three-link
//!   chain); deleting the inbox passthrough makes the middle inbox the destination again; size
//!   limits (n fit, the n+1-th is refused, taking k allows exactly k more, a mid-chain limit has no
//!   effect until the inbox becomes the final destination, `None` = unlimited also when switched
//!   off later, every producer feeding the destination sees it full); `unlink(thelinkage=)` as
//!   `Linkage::unlink`, removing exactly that link; links owned by whoever made them.
//! * **test_Linkage** — the three forms and `sourcePair()/sinkPair()` as `Linkage::source/sink`.
//! * **test_Component** — `_closeDownMicroprocess` removes every link the component made and
//!   leaves links made by others working.
//! * **§1.4** — flush on link, no move back on unlink, `len(outbox)` as `Outbox::backlog`.
//!
//! Deliberately left out:
//! * Postoffice/Linkage construction, debug names and exact `__str__` formats (no postoffice
//!   object; `Linkage`'s `Debug` is not a compatibility surface).
//! * `unlink(thecomponent=)` (`Context::remove_child`): covered by `tests/lifecycle.rs`.
//! * "`addsource` is called on exactly the sink box and touches no other box" and linkage records
//!   (Python implementation details; the observable effects are tested instead).
//! * Linkage without source/sink, default box names, `pipewidth`/`synchronous`, `setShowTransit`:
//!   impossible or meaningless with typed boxes (the compiler rejects them).
//! * Kamaelia's silent discard of messages sent to an unlinked outbox: replaced on purpose by
//!   holding them (tested below).
//! * test_util (`removeAll`, `listSubset`, `safeList`, `axonRaise`, `Finality`, `logError`):
//!   Python helpers with no counterpart; `testInterface`'s "has the required boxes" check is the
//!   compiler's job, and `link_by_name`'s `NoSuchBox` at run time (tested below).

use std::sync::{Arc, Mutex};

use axon::blocking::block_on;
use axon::{
    forward_inbox, forward_outbox, link, Boxes, Component, ComponentId, Context, Direction, Error,
    Inbox, InboxRef, LinkError, Outbox, OutboxRef, System, TryRecvError, TrySendError,
};

fn drain<T: Send + 'static>(inbox: &mut Inbox<T>) -> Vec<T> {
    std::iter::from_fn(|| inbox.try_recv().ok()).collect()
}

fn is_cycle(r: Result<axon::Linkage, LinkError>) -> bool {
    matches!(r, Err(LinkError::Cycle { .. }))
}

fn assert_mentions(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "{text:?} lacks {part:?}");
    }
}

/// A box-only component for naming boxes (never run).
#[derive(Boxes, Default)]
struct Node {
    /// Numbers in.
    inbox: Inbox<u32>,
    /// Numbers out.
    outbox: Outbox<u32>,
}

impl Component for Node {
    async fn run(self, _ctx: Context) -> Result<(), Error> {
        Ok(())
    }
}

/// Every way of feeding one destination: directly, through an outbox forward (`child` →
/// `parent`), through an inbox forward (`via_inbox` → `middle` → destination).
#[derive(Default)]
struct Fan<T: Send + 'static> {
    direct: Outbox<T>,
    child: Outbox<T>,
    parent: Outbox<T>,
    via_inbox: Outbox<T>,
    middle: Inbox<T>,
}

fn fan_into<T: Send + Default + 'static>(dst: &Inbox<T>, middle: Inbox<T>) -> Fan<T> {
    let f = Fan {
        middle,
        ..Fan::default()
    };
    link(&f.direct, dst).unwrap();
    forward_outbox(&f.child, &f.parent).unwrap();
    link(&f.parent, dst).unwrap();
    link(&f.via_inbox, &f.middle).unwrap();
    forward_inbox(&f.middle, dst).unwrap();
    f
}

/// Each link form names its source and sink as `component.box` (Kamaelia's sourcePair/sinkPair).
#[test]
fn each_link_form_names_its_source_and_sink() {
    let system = System::deterministic();
    let [parent, child, other] =
        ["parent", "child", "other"].map(|n| system.adopt_named(n, Node::default()));
    let links = [
        link(&child.outbox, &other.inbox).unwrap(),
        forward_inbox(&parent.inbox, &child.inbox).unwrap(),
        forward_outbox(&other.outbox, &parent.outbox).unwrap(),
    ];
    let ends = links.each_ref().map(|l| l.source() + " -> " + &l.sink());
    assert_eq!(ends[0], "child.outbox -> other.inbox");
    assert_eq!(ends[1], "parent.inbox -> child.inbox");
    assert_eq!(ends[2], "other.outbox -> parent.outbox");
    assert!(links[0].id() != links[1].id() && links[1].id() != links[2].id());
}

/// Boxes keep their `component.box` names in links and errors after their components end.
#[test]
fn box_names_survive_their_components_end() {
    let mut system = System::deterministic();
    let [a, b, c] = ["a", "b", "c"].map(|n| system.adopt_named(n, Node::default()));
    let l = link(&a.outbox, &b.inbox).unwrap();
    let (a_out, c_in) = (a.outbox.handle(), c.inbox.handle());
    for n in [a, b, c] {
        system.activate(n);
    }
    system.run_until_idle();
    assert_eq!(system.live(), 0, "all three have ended");
    assert_eq!(l.source() + " -> " + &l.sink(), "a.outbox -> b.inbox");
    let err = link(&a_out, &c_in).unwrap_err().to_string();
    assert_mentions(&err, &["a.outbox", "b.inbox", "c.inbox"]);
}

/// outbox→inbox, then an inbox→inbox passthrough added: sends reach the inner inbox.
#[test]
fn link_then_added_inbox_forward_delivers_to_the_inner_inbox() {
    let (mut o, mut outer, mut inner) = (Outbox::new(), Inbox::new(), Inbox::new());
    link(&o, &outer).unwrap();
    o.try_send(1).unwrap();
    assert_eq!(outer.len(), 1);
    forward_inbox(&outer, &inner).unwrap();
    o.try_send(2).unwrap();
    assert_eq!(drain(&mut inner), [1, 2]);
    assert_eq!(outer.try_recv(), Err(TryRecvError::Empty));
}

/// The inbox passthrough made before the outbox link: sends reach the inner inbox.
#[test]
fn inbox_forward_made_first_then_link_delivers_to_the_inner_inbox() {
    let (mut o, outer, mut inner) = (Outbox::new(), Inbox::new(), Inbox::new());
    forward_inbox(&outer, &inner).unwrap();
    link(&o, &outer).unwrap();
    o.try_send(7).unwrap();
    assert_eq!((drain(&mut inner), outer.len()), (vec![7], 0));
}

/// outbox→outbox passthrough added after the parent's outbox was linked: child sends arrive.
#[test]
fn outbox_forward_added_later_delivers_to_the_final_inbox() {
    let (mut child, parent, mut dst) = (Outbox::new(), Outbox::new(), Inbox::new());
    link(&parent, &dst).unwrap();
    forward_outbox(&child, &parent).unwrap();
    child.try_send(3).unwrap();
    assert_eq!(drain(&mut dst), [3]);
}

/// outbox→outbox passthrough made before the parent's outbox is linked: child sends arrive.
#[test]
fn outbox_forward_made_earlier_delivers_to_the_final_inbox() {
    let (mut child, parent, mut dst) = (Outbox::new(), Outbox::new(), Inbox::new());
    forward_outbox(&child, &parent).unwrap();
    child.try_send(4).unwrap(); // held by `parent`, the end of the chain so far
    link(&parent, &dst).unwrap();
    child.try_send(5).unwrap();
    assert_eq!(drain(&mut dst), [4, 5]);
}

/// Removing the inbox passthrough makes the middle inbox the destination again.
#[test]
fn removing_the_inbox_forward_makes_the_middle_inbox_the_destination_again() {
    let (mut o, mut middle, mut inner) = (Outbox::new(), Inbox::new(), Inbox::new());
    link(&o, &middle).unwrap();
    let fwd = forward_inbox(&middle, &inner).unwrap();
    o.try_send(1).unwrap();
    fwd.unlink();
    o.try_send(2).unwrap();
    assert_eq!((drain(&mut inner), drain(&mut middle)), (vec![1], vec![2]));
}

/// A 3-link chain delivers all, in order, to its final inbox in all six orders of making it.
#[test]
fn a_chain_delivers_in_order_whatever_the_construction_order() {
    for order in [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ] {
        let (mut child_out, parent_out) = (Outbox::new(), Outbox::<u32>::new());
        let (mut parent_in, mut child_in) = (Inbox::new(), Inbox::new());
        child_out.try_send(0).unwrap();
        for (i, step) in (1..).zip(order) {
            match step {
                0 => forward_outbox(&child_out, &parent_out),
                1 => link(&parent_out, &parent_in),
                _ => forward_inbox(&parent_in, &child_in),
            }
            .unwrap();
            child_out.try_send(i).unwrap();
        }
        assert_eq!(drain(&mut child_in), [0, 1, 2, 3], "link order {order:?}");
        assert!(drain(&mut parent_in).is_empty(), "link order {order:?}");
    }
}

/// A second link from one source is refused naming all three boxes, and allowed after unlink.
#[test]
fn one_to_many_is_refused_naming_both_boxes_and_allowed_after_unlink() {
    let system = System::deterministic();
    let [p, a, b] = ["producer", "first", "second"].map(|n| system.adopt_named(n, Node::default()));
    let first = link(&p.outbox, &a.inbox).unwrap();
    let err = link(&p.outbox, &b.inbox).unwrap_err();
    let names = ["producer.outbox", "first.inbox", "second.inbox"].map(String::from);
    let [from, existing, requested] = names.clone();
    assert_eq!(
        err,
        LinkError::AlreadyLinked {
            from,
            existing,
            requested
        }
    );
    assert_mentions(&err.to_string(), &names.each_ref().map(String::as_str));
    let e = forward_outbox(&p.outbox, &b.outbox);
    assert!(matches!(e, Err(LinkError::AlreadyLinked { .. })), "{e:?}");
    forward_inbox(&a.inbox, &b.inbox).unwrap();
    let e = forward_inbox(&a.inbox, &p.inbox);
    assert!(matches!(e, Err(LinkError::AlreadyLinked { .. })), "{e:?}");
    first.unlink();
    link(&p.outbox, &b.inbox).unwrap();
    first.unlink();
    assert!(p.outbox.is_linked());
}

/// Messages from every kind of source into one inbox interleave in exact send order.
#[test]
fn many_to_one_interleaves_in_exact_send_order() {
    let mut dst = Inbox::unbounded();
    let mut f = fan_into(&dst, Inbox::new());
    let handle: InboxRef<(u32, u32)> = dst.handle();
    let (mut sent, mut seed) = (Vec::new(), 0x2545_f491_u32);
    for seq in 0..400 {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let msg = ((seed >> 28) % 4, seq);
        match msg.0 {
            0 => f.direct.try_send(msg).unwrap(),
            1 => f.child.try_send(msg).unwrap(),
            2 => f.via_inbox.try_send(msg).unwrap(),
            _ => handle.try_send(msg).unwrap(),
        }
        sent.push(msg);
    }
    assert!((0..4).all(|s| sent.iter().any(|m| m.0 == s)), "all used");
    assert_eq!(drain(&mut dst), sent);
}

/// Unlinking never moves delivered messages; later sends are held or stay in the source inbox.
#[test]
fn unlink_never_moves_delivered_messages() {
    let (mut o, mut a, mut b) = (Outbox::new(), Inbox::new(), Inbox::new());
    let l = link(&o, &a).unwrap();
    o.try_send(1).unwrap();
    o.try_send(2).unwrap();
    l.unlink();
    o.try_send(3).unwrap();
    assert_eq!((a.len(), o.backlog()), (2, 1), "3 is held by the outbox");
    link(&o, &b).unwrap();
    assert_eq!((drain(&mut a), drain(&mut b)), (vec![1, 2], vec![3]));

    let (mut src, mut outer, mut inner) = (Outbox::new(), Inbox::new(), Inbox::new());
    link(&src, &outer).unwrap();
    let fwd = forward_inbox(&outer, &inner).unwrap();
    src.try_send(10).unwrap();
    fwd.unlink();
    src.try_send(11).unwrap();
    assert_eq!((drain(&mut inner), drain(&mut outer)), (vec![10], vec![11]));
}

/// Waiting messages move on in order when their inbox is forwarded, even above the capacity.
#[test]
fn waiting_messages_are_flushed_onward_in_order_when_an_inbox_is_forwarded() {
    let (mut o, mut q) = (Outbox::new(), Outbox::new());
    let (outer, mut dst) = (Inbox::with_capacity(3), Inbox::with_capacity(2));
    link(&o, &outer).unwrap();
    link(&q, &dst).unwrap();
    q.try_send(0).unwrap();
    (1..=3).for_each(|i| o.try_send(i).unwrap());
    forward_inbox(&outer, &dst).unwrap();
    assert_eq!((outer.len(), dst.len()), (0, 4));
    assert_eq!(o.try_send(4), Err(TrySendError::Full(4)));
    assert_eq!(q.try_send(9), Err(TrySendError::Full(9)));
    assert_eq!((dst.try_recv(), dst.try_recv()), (Ok(0), Ok(1)));
    assert_eq!(o.try_send(4), Err(TrySendError::Full(4)), "at capacity");
    assert_eq!(dst.try_recv(), Ok(2));
    o.try_send(4).unwrap();
    assert_eq!(drain(&mut dst), [3, 4]);
}

/// An unlinked outbox holds, delivers in order on link, and discards (counted) beyond its hold.
#[test]
fn an_unlinked_outbox_holds_then_delivers_and_discards_beyond_its_hold_capacity() {
    let mut o = Outbox::with_hold_capacity(2);
    assert!(!o.is_linked());
    o.try_send(1).unwrap();
    block_on(o.send(2)).unwrap();
    assert_eq!(o.backlog(), 2);
    assert_eq!(o.try_send(3), Err(TrySendError::Unlinked(3)));
    block_on(o.send(4)).unwrap();
    block_on(o.send(5)).unwrap();
    assert_eq!((o.discarded(), o.backlog()), (2, 2));
    let mut dst = Inbox::new();
    link(&o, &dst).unwrap();
    (6..10).for_each(|i| o.try_send(i).unwrap()); // linked: the hold capacity no longer limits
    assert_eq!(drain(&mut dst), [1, 2, 6, 7, 8, 9]);
    assert_eq!(o.discarded(), 2);
}

/// An ended component's inbox holds nothing, even after a link or forward flushes towards it.
#[test]
fn a_closed_inbox_holds_nothing_even_after_a_flush_towards_it() {
    let mut system = System::deterministic();
    let node = system.adopt(Node::default());
    let closed = node.inbox.handle();
    system.activate(node);
    system.run_until_idle();
    assert!(closed.is_closed());
    let mut held = Outbox::new();
    held.try_send(1).unwrap();
    let linked = link(&held, &closed);
    let (mut src, outer) = (Outbox::new(), Inbox::new());
    link(&src, &outer).unwrap();
    src.try_send(2).unwrap();
    let forwarded = forward_inbox(&outer, &closed);
    let outcome = format!("link {linked:?}, forward {forwarded:?}");
    assert_eq!(closed.len(), 0, "{outcome}");
}

/// Sends 0..n, then ends.
#[derive(Boxes)]
struct Producer {
    /// The numbers.
    outbox: Outbox<u32>,
    n: u32,
}

impl Component for Producer {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        for i in 0..self.n {
            self.outbox.send(i).await?;
        }
        Ok(())
    }
}

/// Rewiring a blocked producer between inboxes (and leaving it unlinked) loses nothing.
#[test]
fn relinking_a_running_chain_loses_nothing() {
    let mut system = System::deterministic();
    let p = system.adopt(Producer {
        outbox: Outbox::new(),
        n: 100,
    });
    let out: OutboxRef<u32> = p.outbox.handle();
    let mut dsts = [Inbox::with_capacity(3), Inbox::with_capacity(3)];
    let mut current = link(&out, &dsts[0]).unwrap();
    system.activate(p);
    let mut got = Vec::new();
    for round in 0..10 {
        let (now, next) = (round % 2, (round + 1) % 2);
        system.run_until_idle();
        assert_eq!(dsts[now].len(), 3, "the producer filled its destination");
        got.extend(dsts[now].try_recv());
        system.run_until_idle(); // the producer refills it and blocks again
        current.unlink();
        current = link(&out, &dsts[next]).unwrap();
        got.extend(drain(&mut dsts[now]));
    }
    system.run_until_idle();
    current.unlink();
    system.run_until_idle(); // runs unlinked: the rest is held by the outbox
    assert!(dsts[1].is_empty() && system.live() == 0);
    link(&out, &dsts[1]).unwrap();
    got.extend(drain(&mut dsts[0]));
    got.extend(drain(&mut dsts[1]));
    assert_eq!(got, (0..100).collect::<Vec<u32>>());
}

/// Links that would make a cycle are refused, and the refusal changes nothing.
#[test]
fn cycles_are_refused() {
    let [a, b, c] = [(); 3].map(|_| Outbox::<u8>::new());
    assert!(is_cycle(forward_outbox(&a, &a)));
    forward_outbox(&a, &b).unwrap();
    assert!(is_cycle(forward_outbox(&b, &a)));
    forward_outbox(&b, &c).unwrap();
    assert!(is_cycle(forward_outbox(&c, &a)));
    assert!(!c.is_linked());

    let [x, y, mut z] = [(); 3].map(|_| Inbox::<u8>::new());
    assert!(is_cycle(forward_inbox(&x, &x)));
    forward_inbox(&x, &y).unwrap();
    assert!(is_cycle(forward_inbox(&y, &x)));
    forward_inbox(&y, &z).unwrap();
    assert!(is_cycle(forward_inbox(&z, &x)));
    x.handle().try_send(1).unwrap();
    assert_eq!(drain(&mut z), [1], "the chain still ends in z");
}

/// With a limit of n, n messages fit and the n+1-th `try_send` is `Full` with the message back.
#[test]
fn n_messages_fit_and_the_next_is_full_with_the_message_handed_back() {
    for n in [1, 2, 5] {
        let (mut o, mut dst) = (Outbox::new(), Inbox::with_capacity(n));
        link(&o, &dst).unwrap();
        assert_eq!(dst.capacity(), Some(n));
        (0..n).for_each(|i| o.try_send(i).unwrap());
        assert_eq!(o.try_send(99), Err(TrySendError::Full(99)), "limit {n}");
        assert_eq!(drain(&mut dst), (0..n).collect::<Vec<_>>());
    }
    let limited: Inbox<u8> = Inbox::new();
    limited.set_capacity(Some(4)); // Kamaelia's setSize
    assert_eq!(limited.capacity(), Some(4));
    assert_eq!(
        Inbox::<u8>::with_capacity(0).capacity(),
        Some(1),
        "at least one"
    );
}

/// After the destination fills, taking k messages allows exactly k more.
#[test]
fn taking_k_messages_allows_exactly_k_more() {
    for k in 1..=4 {
        let (mut o, mut dst) = (Outbox::new(), Inbox::with_capacity(4));
        link(&o, &dst).unwrap();
        (0..4).for_each(|i| o.try_send(i).unwrap());
        (0..k).for_each(|_| assert!(dst.try_recv().is_ok()));
        (0..k).for_each(|i| assert_eq!(o.try_send(10 + i), Ok(()), "k = {k}"));
        assert_eq!(o.try_send(99), Err(TrySendError::Full(99)), "k = {k}");
    }
}

/// A mid-chain inbox's limit has no effect until unlinking makes it the final destination.
#[test]
fn a_mid_chain_limit_has_no_effect_until_the_inbox_is_the_final_destination() {
    let (mut o, middle, mut last) = (Outbox::new(), Inbox::with_capacity(2), Inbox::new());
    link(&o, &middle).unwrap();
    let fwd = forward_inbox(&middle, &last).unwrap();
    (0..6).for_each(|i| o.try_send(i).unwrap());
    assert_eq!((middle.len(), last.len()), (0, 6));
    fwd.unlink();
    o.try_send(6).unwrap();
    o.try_send(7).unwrap();
    assert_eq!(o.try_send(8), Err(TrySendError::Full(8)));
    assert_eq!(drain(&mut last), (0..6).collect::<Vec<_>>());
}

/// No limit means unlimited, also when a limit is switched off later.
#[test]
fn no_limit_means_unlimited_also_when_switched_off_later() {
    let (mut o, dst) = (Outbox::new(), Inbox::unbounded());
    link(&o, &dst).unwrap();
    assert_eq!(dst.capacity(), None);
    (0..10_000).for_each(|i| o.try_send(i).unwrap());
    dst.set_capacity(Some(10_001));
    o.try_send(10_000).unwrap();
    assert_eq!(o.try_send(10_001), Err(TrySendError::Full(10_001)));
    dst.set_capacity(None);
    (10_001..20_000).for_each(|i| o.try_send(i).unwrap());
    assert_eq!(dst.len(), 20_000);
}

/// Every producer feeding a destination, however linked, gets `Full` exactly when it is full.
#[test]
fn every_producer_feeding_a_full_destination_gets_full() {
    let mut dst = Inbox::with_capacity(3);
    let mut f = fan_into(&dst, Inbox::with_capacity(100));
    let handle = dst.handle();
    f.direct.try_send(10).unwrap();
    f.child.try_send(20).unwrap();
    f.via_inbox.try_send(30).unwrap();
    let mut all_full = |dst_len: usize| {
        assert_eq!(dst_len, 3);
        assert_eq!(f.direct.try_send(1), Err(TrySendError::Full(1)));
        assert_eq!(f.child.try_send(2), Err(TrySendError::Full(2)));
        assert_eq!(f.via_inbox.try_send(3), Err(TrySendError::Full(3)));
        assert_eq!(handle.try_send(4), Err(TrySendError::Full(4)));
        assert_eq!(f.middle.len(), 0);
    };
    all_full(dst.len());
    assert_eq!(dst.try_recv(), Ok(10));
    dst.handle().try_send(40).unwrap();
    all_full(dst.len());
}

/// `Outbox::backlog` is the final destination's length from every feeder (Kamaelia's len(outbox)).
#[test]
fn backlog_is_the_length_of_the_final_destination() {
    let mut dst = Inbox::new();
    let mut f = fan_into(&dst, Inbox::new());
    f.direct.try_send(1).unwrap();
    f.child.try_send(2).unwrap();
    f.via_inbox.try_send(3).unwrap();
    let backlogs =
        |f: &Fan<u32>| [&f.direct, &f.child, &f.parent, &f.via_inbox].map(|o| o.backlog());
    assert_eq!(backlogs(&f), [3; 4]);
    dst.try_recv().unwrap();
    assert_eq!(backlogs(&f), [2; 4]);
    let mut lone = Outbox::new();
    lone.try_send(0).unwrap();
    assert_eq!(lone.backlog(), 1);
}

/// Which component a `Wiring` request names.
#[derive(Clone, Copy)]
enum Who {
    Parent,
    First,
    Second,
    Id(ComponentId),
}

type Request = (Who, &'static str, Who, &'static str);

/// Adopts `first` and `second` (each a `Take`), makes the requested links by name, records the
/// results, then runs the children to their end.
#[derive(Boxes)]
struct Wiring {
    /// Numbers for the first child.
    inbox: Inbox<u32>,
    /// What the second child produces.
    outbox: Outbox<u32>,
    requests: Vec<Request>,
    take: usize,
    results: Arc<Mutex<Vec<Result<(), LinkError>>>>,
}

/// Takes `n` numbers, sends each plus `add`, then ends.
#[derive(Boxes)]
struct Take {
    /// Numbers in.
    inbox: Inbox<u32>,
    /// Numbers plus `add`.
    outbox: Outbox<u32>,
    /// A box of another type.
    label: Outbox<String>,
    n: usize,
    add: u32,
}

impl Component for Take {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        for _ in 0..self.n {
            let m = self
                .inbox
                .recv()
                .await
                .ok_or_else(|| Error::msg("closed"))?;
            self.outbox.send(m + self.add).await?;
        }
        Ok(())
    }
}

impl Component for Wiring {
    async fn run(self, mut ctx: Context) -> Result<(), Error> {
        let (n, new) = (self.take, Outbox::new);
        let take = |add| Take {
            inbox: Inbox::new(),
            outbox: new(),
            label: Outbox::new(),
            n,
            add,
        };
        let first = ctx.adopt_named("first", take(10));
        let second = ctx.adopt_named("second", take(100));
        let ids = (ctx.id(), first.id(), second.id());
        let id = |w| match w {
            Who::Parent => ids.0,
            Who::First => ids.1,
            Who::Second => ids.2,
            Who::Id(id) => id,
        };
        for (from, from_box, to, to_box) in self.requests {
            let r = ctx.link_by_name(id(from), from_box, id(to), to_box);
            self.results.lock().unwrap().push(r.map(|_| ()));
        }
        ctx.activate(first);
        ctx.activate(second);
        while ctx.next_child_exit().await.is_some() {}
        Ok(())
    }
}

/// Runs a `Wiring` that takes `input` and makes `requests`; returns the link results and what
/// came out of its outbox.
fn wire(
    system: &mut System,
    input: &[u32],
    requests: Vec<Request>,
) -> (Vec<Result<(), LinkError>>, Vec<u32>) {
    let results = Arc::new(Mutex::new(Vec::new()));
    let (inbox, outbox, take) = (Inbox::new(), Outbox::new(), input.len());
    let w = Wiring {
        inbox,
        outbox,
        requests,
        take,
        results: Arc::clone(&results),
    };
    let (mut feed, mut output) = (Outbox::new(), Inbox::new());
    link(&feed, &w.inbox).unwrap();
    link(&w.outbox, &output).unwrap();
    input.iter().for_each(|&i| feed.try_send(i).unwrap());
    system.spawn_named("wiring", w);
    system.run().unwrap();
    let results = results.lock().unwrap().clone();
    (results, drain(&mut output))
}

/// Linking by name through a `Context` works for all three forms when the types match.
#[test]
fn link_by_name_links_matching_boxes_in_all_three_forms() {
    let requests = vec![
        (Who::Parent, "inbox", Who::First, "inbox"),
        (Who::First, "outbox", Who::Second, "inbox"),
        (Who::Second, "outbox", Who::Parent, "outbox"),
    ];
    let (results, output) = wire(&mut System::deterministic(), &[1, 2, 3], requests);
    assert_eq!(results, [Ok(()), Ok(()), Ok(())]);
    assert_eq!(output, [111, 112, 113]);
}

/// A type mismatch found by name is refused with both components, boxes and types named.
#[test]
fn link_by_name_type_mismatch_names_both_boxes_and_both_types() {
    let requests = vec![
        (Who::First, "label", Who::Second, "inbox"),
        (Who::First, "label", Who::Parent, "outbox"),
    ];
    let (results, _) = wire(&mut System::deterministic(), &[], requests);
    for (r, to) in results.into_iter().zip(["second.inbox", "wiring.outbox"]) {
        let err = r.unwrap_err();
        assert!(matches!(err, LinkError::TypeMismatch { .. }), "{err:?}");
        let string = std::any::type_name::<String>();
        assert_mentions(&err.to_string(), &["first.label", to, string, "u32"]);
    }
}

/// A missing destination box is refused naming the component, the box and the boxes it has.
#[test]
fn link_by_name_missing_destination_names_the_component_and_its_boxes() {
    let requests = vec![(Who::First, "outbox", Who::Second, "inbx")];
    let (mut results, _) = wire(&mut System::deterministic(), &[], requests);
    let err = results.remove(0).unwrap_err();
    let LinkError::NoSuchBox {
        component,
        name,
        direction,
        available,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!((component.as_str(), name.as_str()), ("second", "inbx"));
    assert_eq!(
        (direction, available.as_slice()),
        (&Direction::Inbox, &["inbox".to_string()][..])
    );
    assert_mentions(&err.to_string(), &["second", "\"inbx\"", "inbox"]);
}

/// A missing source box (normally an outbox) is refused listing the source's outboxes.
#[test]
fn link_by_name_missing_source_lists_the_sources_outboxes() {
    let requests = vec![(Who::First, "outbx", Who::Second, "inbox")];
    let (mut results, _) = wire(&mut System::deterministic(), &[], requests);
    let text = results.remove(0).unwrap_err().to_string();
    assert_mentions(&text, &["first", "\"outbx\"", "outbox", "label"]);
}

/// Linking by name to a component that no longer exists names its id and the box asked for.
#[test]
fn link_by_name_to_an_unknown_component_names_the_id_and_the_box() {
    let mut system = System::deterministic();
    let gone = system.spawn(Node::default());
    system.run().unwrap();
    let requests = vec![(Who::First, "outbox", Who::Id(gone), "inbox")];
    let (mut results, _) = wire(&mut system, &[], requests);
    let text = results.remove(0).unwrap_err().to_string();
    assert_mentions(&text, &[&gone.to_string(), "\"inbox\""]);
}

/// Links `from` to `to` through its `Context`, then waits for a message on `control` and ends.
#[derive(Boxes)]
struct Wirer {
    /// Any message ends it.
    control: Inbox<()>,
    from: OutboxRef<u32>,
    to: InboxRef<u32>,
}

impl Component for Wirer {
    async fn run(mut self, mut ctx: Context) -> Result<(), Error> {
        ctx.link(&self.from, &self.to)?;
        self.control.recv().await;
        Ok(())
    }
}

/// Links made through a `Context` go when their component ends; links made by others stay.
#[test]
fn context_links_are_removed_when_their_component_ends_and_others_stay() {
    let mut system = System::deterministic();
    let (mut mine, mut mine_in) = (Outbox::new(), Inbox::new());
    let (mut theirs, mut theirs_in) = (Outbox::new(), Inbox::new());
    link(&theirs, &theirs_in).unwrap();
    let (from, to) = (mine.handle(), mine_in.handle());
    let w = system.adopt(Wirer {
        control: Inbox::new(),
        from,
        to,
    });
    let mut stop = Outbox::new();
    link(&stop, &w.control).unwrap();
    system.activate(w);
    system.run_until_idle();
    assert!(mine.is_linked());
    mine.try_send(1).unwrap();
    stop.try_send(()).unwrap();
    system.run_until_idle();
    assert_eq!(system.live(), 0, "the wirer has ended");
    assert!(!mine.is_linked(), "the wirer's link went with it");
    mine.try_send(2).unwrap();
    assert_eq!((mine.backlog(), drain(&mut mine_in)), (1, vec![1]));
    assert!(theirs.is_linked() && stop.is_linked());
    theirs.try_send(3).unwrap();
    assert_eq!(drain(&mut theirs_in), [3]);
    assert_eq!(stop.try_send(()), Err(TrySendError::Closed(())));
}
