//! Behaviour of the services registry (`axon::services`), ported from Kamaelia's
//! `Tests/Python/Axon/test_CoordinatingAssistantTracker.py`.
//!
//! Ported: registering, looking up and deregistering services (duplicate → `AlreadyRegistered`,
//! Kamaelia's `ServiceAlreadyExists`; unknown lookup → `Unknown`, Kamaelia's `KeyError`;
//! deregistering an unknown name → `Unknown`, Kamaelia's `MultipleServiceDeletion`); tracked
//! values (`trackValue` twice → `AlreadyTracked`, Kamaelia's `NamespaceClash`; reading or
//! updating an untracked name → `UnknownValue`, Kamaelia's `AccessToUndeclaredTrackedVariable`);
//! listing the names (`servicesRegistered` / `informationItemsLogged`).
//!
//! Added, because the registry is typed and scoped to a system: a lookup with another message
//! type is a `TypeMismatch` naming both types; a service dies with the component owning its
//! inbox; two systems never share a registry; `wait_for` waits for a service registered later.
//!
//! Left out: the parent-tracker tests (`BadParentTracker`) — there is no tracker hierarchy, a
//! registry belongs to one `System`; `BadComponent` / `BadInbox` — `register` takes a typed
//! inbox reference, so a non-component or a missing box does not compile; `zap()` — drop the
//! system instead.

use axon::{
    Boxes, Component, ComponentId, Context, Control, Error, Inbox, Outbox, ServiceError,
    ServiceKey, System, ValueKey,
};

const LOG: ServiceKey<String> = ServiceKey::new("log");
const LOG_AS_U32: ServiceKey<u32> = ServiceKey::new("log");
const USERS: ValueKey<u32> = ValueKey::new("users");
const USERS_AS_STRING: ValueKey<String> = ValueKey::new("users");

/// Registers its own inbox as `key` when it starts, forwards what the service receives to
/// `outbox`, and ends on any control message.
#[derive(Boxes)]
struct Server {
    /// Requests sent to the service.
    inbox: Inbox<u32>,
    /// Stop requests.
    control: Inbox<Control>,
    /// Every request received.
    outbox: Outbox<u32>,
    key: ServiceKey<u32>,
}

impl Server {
    fn new(key: ServiceKey<u32>) -> Self {
        Server {
            inbox: Inbox::new(),
            control: Inbox::new(),
            outbox: Outbox::new(),
            key,
        }
    }
}

impl Component for Server {
    async fn run(mut self, ctx: Context) -> Result<(), Error> {
        ctx.services().register(&self.key, &self.inbox)?;
        loop {
            tokio::select! {
                biased;
                Some(_) = self.control.recv() => return Ok(()),
                Some(n) = self.inbox.recv() => self.outbox.send(n).await?,
            }
        }
    }
}

/// Waits for the service `key` to appear, then sends `value` to it.
#[derive(Boxes)]
struct Client {
    key: ServiceKey<u32>,
    value: u32,
}

impl Component for Client {
    async fn run(self, ctx: Context) -> Result<(), Error> {
        let service = ctx.services().wait_for(&self.key).await?;
        service.send(self.value).await?;
        Ok(())
    }
}

/// Waits on its control inbox and nothing else.
#[derive(Boxes, Default)]
struct Idle {
    /// Requests (never read).
    inbox: Inbox<u32>,
    /// Stop requests.
    control: Inbox<Control>,
}

impl Component for Idle {
    async fn run(mut self, _ctx: Context) -> Result<(), Error> {
        self.control.recv().await;
        Ok(())
    }
}

fn is_live(system: &System, id: ComponentId) -> bool {
    system.snapshot().components.iter().any(|c| c.id == id)
}

/// A registered service is found by name and delivers into the registered inbox.
#[test]
fn registered_service_is_found_and_delivers_into_its_inbox() {
    let system = System::new();
    let mut log: Inbox<String> = Inbox::new();
    system.services().register(&LOG, &log).unwrap();
    let found = system.services().lookup(&LOG).unwrap();
    found.try_send("hello".to_string()).unwrap();
    assert_eq!(log.try_recv().unwrap(), "hello");
}

/// Registering a name that is taken fails with `AlreadyRegistered` and keeps the first service.
#[test]
fn registering_a_taken_name_fails_and_keeps_the_first_service() {
    let system = System::new();
    let mut first: Inbox<String> = Inbox::new();
    let mut second: Inbox<String> = Inbox::new();
    system.services().register(&LOG, &first).unwrap();
    assert_eq!(
        system.services().register(&LOG, &second),
        Err(ServiceError::AlreadyRegistered {
            name: "log".to_string()
        })
    );
    system
        .services()
        .lookup(&LOG)
        .unwrap()
        .try_send("to the first".to_string())
        .unwrap();
    assert_eq!(first.try_recv().unwrap(), "to the first");
    assert!(second.try_recv().is_err());
}

/// Looking up a name nobody registered fails with `Unknown` naming it.
#[test]
fn looking_up_an_unknown_name_fails_with_unknown() {
    let system = System::new();
    assert_eq!(
        system.services().lookup(&LOG).unwrap_err(),
        ServiceError::Unknown {
            name: "log".to_string()
        }
    );
}

/// A deregistered service can no longer be found, and its name can be registered again.
#[test]
fn deregistered_service_is_gone_and_its_name_is_free_again() {
    let system = System::new();
    let old: Inbox<String> = Inbox::new();
    let mut new: Inbox<String> = Inbox::new();
    system.services().register(&LOG, &old).unwrap();
    system.services().deregister(&LOG).unwrap();
    assert!(matches!(
        system.services().lookup(&LOG),
        Err(ServiceError::Unknown { .. })
    ));
    system.services().register(&LOG, &new).unwrap();
    system
        .services()
        .lookup(&LOG)
        .unwrap()
        .try_send("again".to_string())
        .unwrap();
    assert_eq!(new.try_recv().unwrap(), "again");
}

/// Deregistering an unknown (or already deregistered) name fails with `Unknown`.
#[test]
fn deregistering_an_unknown_name_fails_with_unknown() {
    let system = System::new();
    let unknown = ServiceError::Unknown {
        name: "log".to_string(),
    };
    assert_eq!(system.services().deregister(&LOG), Err(unknown.clone()));
    let log: Inbox<String> = Inbox::new();
    system.services().register(&LOG, &log).unwrap();
    assert_eq!(system.services().deregister(&LOG), Ok(()));
    assert_eq!(system.services().deregister(&LOG), Err(unknown));
}

/// A lookup under the right name with another message type fails, naming both types.
#[test]
fn lookup_with_another_message_type_fails_naming_both_types() {
    let system = System::new();
    let log: Inbox<String> = Inbox::new();
    system.services().register(&LOG, &log).unwrap();
    let err = system.services().lookup(&LOG_AS_U32).unwrap_err();
    assert_eq!(
        err,
        ServiceError::TypeMismatch {
            name: "log".to_string(),
            registered: std::any::type_name::<String>(),
            requested: "u32",
        }
    );
    let text = err.to_string();
    assert!(text.contains("String") && text.contains("u32"), "{text}");
    // The service itself is untouched by the failed lookup.
    assert!(system.services().lookup(&LOG).is_ok());
}

/// `wait_for` with another message type fails with `TypeMismatch` instead of waiting forever.
#[test]
fn wait_for_with_another_message_type_fails_at_once() {
    let system = System::new();
    let log: Inbox<String> = Inbox::new();
    system.services().register(&LOG, &log).unwrap();
    let got = axon::blocking::block_on(system.services().wait_for(&LOG_AS_U32));
    assert!(
        matches!(got, Err(ServiceError::TypeMismatch { ref name, .. }) if name == "log"),
        "{got:?}"
    );
}

/// A tracked value can be read, and tracking the same name twice fails and keeps the first value.
#[test]
fn tracking_a_value_twice_fails_with_already_tracked() {
    let system = System::new();
    let services = system.services();
    services.track_value(&USERS, 1).unwrap();
    assert_eq!(services.value(&USERS), Ok(1));
    assert_eq!(
        services.track_value(&USERS, 99),
        Err(ServiceError::AlreadyTracked {
            name: "users".to_string()
        })
    );
    assert_eq!(services.value(&USERS), Ok(1));
}

/// Updating a tracked value replaces it.
#[test]
fn updating_a_tracked_value_replaces_it() {
    let system = System::new();
    let services = system.services();
    services.track_value(&USERS, 1).unwrap();
    services.update_value(&USERS, 2).unwrap();
    assert_eq!(services.value(&USERS), Ok(2));
    services.update_value(&USERS, 3).unwrap();
    assert_eq!(services.value(&USERS), Ok(3));
}

/// Reading or updating a name that is not tracked fails with `UnknownValue`.
#[test]
fn reading_or_updating_an_untracked_value_fails_with_unknown_value() {
    let system = System::new();
    let services = system.services();
    let unknown = ServiceError::UnknownValue {
        name: "users".to_string(),
    };
    assert_eq!(services.value(&USERS), Err(unknown.clone()));
    assert_eq!(services.update_value(&USERS, 5), Err(unknown.clone()));
    // The failed update did not start tracking it.
    assert_eq!(services.value(&USERS), Err(unknown));
}

/// Reading or updating a tracked value with another type fails with `TypeMismatch` and changes
/// nothing.
#[test]
fn tracked_value_with_another_type_fails_with_type_mismatch() {
    let system = System::new();
    let services = system.services();
    services.track_value(&USERS, 7).unwrap();
    let mismatch = ServiceError::TypeMismatch {
        name: "users".to_string(),
        registered: "u32",
        requested: std::any::type_name::<String>(),
    };
    assert_eq!(services.value(&USERS_AS_STRING), Err(mismatch.clone()));
    assert_eq!(
        services.update_value(&USERS_AS_STRING, "seven".to_string()),
        Err(mismatch)
    );
    assert_eq!(services.value(&USERS), Ok(7));
}

/// Service names and tracked value names are listed sorted, each list on its own.
#[test]
fn names_are_listed_sorted() {
    let system = System::new();
    let services = system.services();
    let inboxes: Vec<Inbox<u32>> = (0..3).map(|_| Inbox::new()).collect();
    for (name, inbox) in ["zeta", "alpha", "mid"].into_iter().zip(&inboxes) {
        services.register(&ServiceKey::named(name), inbox).unwrap();
    }
    for name in ["users", "hits", "load"] {
        services.track_value(&ValueKey::named(name), 0u64).unwrap();
    }
    assert_eq!(services.names(), ["alpha", "mid", "zeta"]);
    assert_eq!(services.value_names(), ["hits", "load", "users"]);
}

/// A service registered for a component's inbox is removed when that component ends; services of
/// other components and of plain inboxes stay.
#[test]
fn service_is_removed_when_the_component_owning_its_inbox_ends() {
    const A: ServiceKey<u32> = ServiceKey::new("a");
    const B: ServiceKey<u32> = ServiceKey::new("b");
    const PLAIN: ServiceKey<u32> = ServiceKey::new("plain");
    let mut system = System::deterministic();
    let a = system.adopt(Idle::default());
    let b = system.adopt(Idle::default());
    system.services().register(&A, &a.inbox).unwrap();
    system.services().register(&B, &b.inbox).unwrap();
    let plain: Inbox<u32> = Inbox::new();
    system.services().register(&PLAIN, &plain).unwrap();
    let mut stop_a = Outbox::new();
    axon::link(&stop_a, &a.control).unwrap();
    let a = system.activate(a);
    let b = system.activate(b);
    system.run_until_idle();
    assert!(is_live(&system, a) && is_live(&system, b));
    assert_eq!(system.services().names(), ["a", "b", "plain"]);

    stop_a.try_send(Control::Shutdown).unwrap();
    system.run_until_idle();
    assert!(!is_live(&system, a));
    assert!(matches!(
        system.services().lookup(&A),
        Err(ServiceError::Unknown { .. })
    ));
    assert_eq!(system.services().names(), ["b", "plain"]);
    assert!(system.services().lookup(&B).is_ok());
}

/// A service a component registers for itself while running is removed when it ends.
#[test]
fn service_registered_by_a_running_component_dies_with_it() {
    const ECHO: ServiceKey<u32> = ServiceKey::new("echo");
    let mut system = System::deterministic();
    let server = Server::new(ECHO);
    let mut stop = Outbox::new();
    axon::link(&stop, &server.control).unwrap();
    let mut seen = Inbox::new();
    axon::link(&server.outbox, &seen).unwrap();
    let id = system.spawn(server);
    system.run_until_idle();
    system
        .services()
        .lookup(&ECHO)
        .unwrap()
        .try_send(5)
        .unwrap();
    system.run_until_idle();
    assert_eq!(seen.try_recv(), Ok(5));

    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert!(!is_live(&system, id));
    assert!(matches!(
        system.services().lookup(&ECHO),
        Err(ServiceError::Unknown { .. })
    ));
}

/// Two systems have separate registries: a name taken in one is free and unknown in the other.
#[test]
fn two_systems_have_separate_registries() {
    let one = System::new();
    let two = System::new();
    let mut in_one: Inbox<String> = Inbox::new();
    let mut in_two: Inbox<String> = Inbox::new();
    one.services().register(&LOG, &in_one).unwrap();
    assert!(matches!(
        two.services().lookup(&LOG),
        Err(ServiceError::Unknown { .. })
    ));
    two.services().register(&LOG, &in_two).unwrap();
    one.services()
        .lookup(&LOG)
        .unwrap()
        .try_send("one".to_string())
        .unwrap();
    two.services()
        .lookup(&LOG)
        .unwrap()
        .try_send("two".to_string())
        .unwrap();
    assert_eq!(in_one.try_recv().unwrap(), "one");
    assert_eq!(in_two.try_recv().unwrap(), "two");
    assert!(in_one.try_recv().is_err() && in_two.try_recv().is_err());

    one.services().track_value(&USERS, 1).unwrap();
    two.services().track_value(&USERS, 2).unwrap();
    assert_eq!(one.services().value(&USERS), Ok(1));
    assert_eq!(two.services().value(&USERS), Ok(2));
}

/// `wait_for` in one component resolves once another component registers the service later;
/// registering an unrelated service does not wake it early.
#[test]
fn wait_for_resolves_when_another_component_registers_the_service_later() {
    const LATE: ServiceKey<u32> = ServiceKey::new("late");
    let mut system = System::deterministic();
    let client = system.spawn(Client {
        key: LATE,
        value: 42,
    });
    system.run_until_idle();
    assert!(is_live(&system, client), "the client must still be waiting");

    // An unrelated registration: the client looks again and keeps waiting.
    let other: Inbox<u32> = Inbox::new();
    system
        .services()
        .register(&ServiceKey::<u32>::new("other"), &other)
        .unwrap();
    system.run_until_idle();
    assert!(
        is_live(&system, client),
        "an unrelated service woke the client"
    );

    let server = Server::new(LATE);
    let mut stop = Outbox::new();
    axon::link(&stop, &server.control).unwrap();
    let mut seen = Inbox::new();
    axon::link(&server.outbox, &seen).unwrap();
    system.spawn(server);
    system.run_until_idle();
    assert!(!is_live(&system, client), "the client should have finished");
    assert_eq!(seen.try_recv(), Ok(42));
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert!(system.failures().is_empty(), "{:?}", system.failures());
}

/// An inbox whose component has ended cannot be registered: nothing would ever read it, and
/// the name would stay taken for good.
#[test]
fn an_inbox_whose_component_has_ended_cannot_be_registered() {
    const SERVICE: ServiceKey<u32> = ServiceKey::new("service");
    let mut system = System::deterministic();
    let idle = system.adopt(Idle::default());
    let inbox = idle.inbox.handle();
    let mut stop = Outbox::new();
    axon::link(&stop, &idle.control).unwrap();
    system.activate(idle);
    stop.try_send(Control::Shutdown).unwrap();
    system.run().unwrap();
    assert_eq!(
        system.services().register(&SERVICE, &inbox),
        Err(ServiceError::OwnerEnded {
            name: "service".into()
        })
    );
    let fresh = Inbox::new();
    system.services().register(&SERVICE, &fresh).unwrap();
}
