//! The services registry (Kamaelia's co-ordinating assistant tracker), scoped to one system.
//!
//! A **service** is a named, typed inbox that other components find by name and then send to
//! or link to. It is removed automatically when the component owning the inbox ends. A
//! **tracked value** is a named, typed value anyone in the system can read and update.
//!
//! Names are labels; the key also carries the message type, so a lookup with the wrong type is
//! an error, not a runtime surprise.
//!
//! ```
//! use axon::{Inbox, ServiceKey, System, ValueKey};
//! const LOG: ServiceKey<String> = ServiceKey::new("log");
//! const USERS: ValueKey<u32> = ValueKey::new("users");
//!
//! let system = System::new();
//! let mut log: Inbox<String> = Inbox::new();
//! system.services().register(&LOG, &log).unwrap();
//! system.services().lookup(&LOG).unwrap().try_send("hello".to_string()).unwrap();
//! assert_eq!(log.try_recv().unwrap(), "hello");
//! assert!(system.services().register(&LOG, &log).is_err()); // duplicates are refused
//!
//! system.services().track_value(&USERS, 1).unwrap();
//! system.services().update_value(&USERS, 2).unwrap();
//! assert_eq!(system.services().value(&USERS).unwrap(), 2);
//! ```

use std::any::{Any, TypeId};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Mutex;

use crate::boxes::InboxRef;
use crate::link::AsInbox;
use crate::model::ComponentId;

/// The name and message type of a service.
pub struct ServiceKey<T> {
    name: Cow<'static, str>,
    _type: PhantomData<fn() -> T>,
}

impl<T> ServiceKey<T> {
    /// A key with a fixed name (usable in `const`).
    pub const fn new(name: &'static str) -> Self {
        ServiceKey {
            name: Cow::Borrowed(name),
            _type: PhantomData,
        }
    }

    /// A key with a name made at run time (e.g. one per backplane).
    pub fn named(name: impl Into<String>) -> Self {
        ServiceKey {
            name: Cow::Owned(name.into()),
            _type: PhantomData,
        }
    }

    /// The key's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl<T> Clone for ServiceKey<T> {
    fn clone(&self) -> Self {
        ServiceKey {
            name: self.name.clone(),
            _type: PhantomData,
        }
    }
}

impl<T> fmt::Debug for ServiceKey<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ServiceKey<{}>({:?})",
            std::any::type_name::<T>(),
            self.name
        )
    }
}

/// The name and type of a tracked value.
pub struct ValueKey<V> {
    name: Cow<'static, str>,
    _type: PhantomData<fn() -> V>,
}

impl<V> ValueKey<V> {
    /// A key with a fixed name.
    pub const fn new(name: &'static str) -> Self {
        ValueKey {
            name: Cow::Borrowed(name),
            _type: PhantomData,
        }
    }

    /// A key with a name made at run time.
    pub fn named(name: impl Into<String>) -> Self {
        ValueKey {
            name: Cow::Owned(name.into()),
            _type: PhantomData,
        }
    }
}

impl<V> fmt::Debug for ValueKey<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ValueKey<{}>({:?})",
            std::any::type_name::<V>(),
            self.name
        )
    }
}

/// Why a registry call failed. Each variant names the service or value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServiceError {
    /// A service of that name exists already (Kamaelia: `ServiceAlreadyExists`).
    AlreadyRegistered {
        /// The name.
        name: String,
    },
    /// No service of that name (Kamaelia: `KeyError` / `MultipleServiceDeletion`).
    Unknown {
        /// The name.
        name: String,
    },
    /// The service or value exists with another type.
    TypeMismatch {
        /// The name.
        name: String,
        /// The type it was registered with.
        registered: &'static str,
        /// The type asked for.
        requested: &'static str,
    },
    /// A value of that name is tracked already (Kamaelia: `NamespaceClash`).
    AlreadyTracked {
        /// The name.
        name: String,
    },
    /// No tracked value of that name (Kamaelia: `AccessToUndeclaredTrackedVariable`).
    UnknownValue {
        /// The name.
        name: String,
    },
    /// The inbox offered as the service belongs to a component that has ended, so nothing
    /// would ever read it (and the service would never be removed).
    OwnerEnded {
        /// The name.
        name: String,
    },
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServiceError::AlreadyRegistered { name } => {
                write!(f, "a service named {name:?} is already registered")
            }
            ServiceError::Unknown { name } => write!(f, "no service named {name:?} is registered"),
            ServiceError::TypeMismatch {
                name,
                registered,
                requested,
            } => {
                write!(
                    f,
                    "{name:?} carries {registered}, but {requested} was asked for"
                )
            }
            ServiceError::AlreadyTracked { name } => {
                write!(f, "a value named {name:?} is already tracked")
            }
            ServiceError::UnknownValue { name } => write!(f, "no value named {name:?} is tracked"),
            ServiceError::OwnerEnded { name } => write!(
                f,
                "cannot register {name:?}: the inbox's component has ended"
            ),
        }
    }
}

impl std::error::Error for ServiceError {}

struct Entry {
    owner: Option<ComponentId>,
    type_id: TypeId,
    type_name: &'static str,
    value: Box<dyn Any + Send + Sync>,
}

impl Entry {
    /// The stored value as an `X`; `requested` names the type the caller asked for.
    fn typed<X: 'static>(&self, name: &str, requested: &'static str) -> Result<&X, ServiceError> {
        self.value
            .downcast_ref::<X>()
            .ok_or_else(|| ServiceError::TypeMismatch {
                name: name.to_string(),
                registered: self.type_name,
                requested,
            })
    }
}

/// One system's services and tracked values. Get it with
/// [`System::services`](crate::System::services) or [`Context::services`](crate::Context::services).
#[derive(Default)]
pub struct Services {
    services: Mutex<BTreeMap<String, Entry>>,
    values: Mutex<BTreeMap<String, Entry>>,
    registered: tokio::sync::Notify,
}

impl fmt::Debug for Services {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Services")
            .field("services", &self.names())
            .field("values", &self.value_names())
            .finish()
    }
}

fn lock<X>(m: &Mutex<X>) -> std::sync::MutexGuard<'_, X> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Services {
    /// Registers `inbox` as the service `key`. If the inbox belongs to a component, the service
    /// is removed when that component ends.
    ///
    /// # Errors
    /// [`ServiceError::AlreadyRegistered`] if the name is taken;
    /// [`ServiceError::OwnerEnded`] if the inbox's component has ended.
    pub fn register<T: Send + 'static>(
        &self,
        key: &ServiceKey<T>,
        inbox: &impl AsInbox<T>,
    ) -> Result<(), ServiceError> {
        let inbox = inbox.inbox_ref();
        let core = &inbox.core;
        let mut services = lock(&self.services);
        if services.contains_key(key.name()) {
            return Err(ServiceError::AlreadyRegistered {
                name: key.name().to_string(),
            });
        }
        let owner = core.meta.owner().map(|o| {
            // Flag first, then look at the inbox: an end that closed the inbox before this
            // flag was set is seen below; one that closes it later sees the flag and removes
            // the service (it needs this lock to do so).
            o.cell
                .owns_services
                .store(true, std::sync::atomic::Ordering::SeqCst);
            o.cell.id
        });
        if owner.is_some() && core.lock().closed {
            return Err(ServiceError::OwnerEnded {
                name: key.name().to_string(),
            });
        }
        let entry = Entry {
            owner,
            type_id: TypeId::of::<InboxRef<T>>(),
            type_name: std::any::type_name::<T>(),
            value: Box::new(inbox.clone()),
        };
        services.insert(key.name().to_string(), entry);
        drop(services);
        self.registered.notify_waiters();
        Ok(())
    }

    /// Waits until the service `key` is registered, then returns it.
    ///
    /// # Errors
    /// [`ServiceError::TypeMismatch`] if it appears with another type.
    pub async fn wait_for<T: Send + 'static>(
        &self,
        key: &ServiceKey<T>,
    ) -> Result<InboxRef<T>, ServiceError> {
        loop {
            let notified = self.registered.notified();
            let mut notified = std::pin::pin!(notified);
            notified.as_mut().enable();
            match self.lookup(key) {
                Err(ServiceError::Unknown { .. }) => notified.await,
                other => return other,
            }
        }
    }

    /// Finds the service `key`.
    ///
    /// # Errors
    /// [`ServiceError::Unknown`], or [`ServiceError::TypeMismatch`] if it carries another type.
    pub fn lookup<T: Send + 'static>(
        &self,
        key: &ServiceKey<T>,
    ) -> Result<InboxRef<T>, ServiceError> {
        let services = lock(&self.services);
        let entry = services
            .get(key.name())
            .ok_or_else(|| ServiceError::Unknown {
                name: key.name().to_string(),
            })?;
        entry
            .typed::<InboxRef<T>>(key.name(), std::any::type_name::<T>())
            .cloned()
    }

    /// Removes the service `key`.
    ///
    /// # Errors
    /// [`ServiceError::Unknown`] if there is none.
    pub fn deregister<T: Send + 'static>(&self, key: &ServiceKey<T>) -> Result<(), ServiceError> {
        let mut services = lock(&self.services);
        let entry = services
            .get(key.name())
            .ok_or_else(|| ServiceError::Unknown {
                name: key.name().to_string(),
            })?;
        entry.typed::<InboxRef<T>>(key.name(), std::any::type_name::<T>())?;
        services.remove(key.name());
        Ok(())
    }

    /// The names of all registered services, sorted.
    pub fn names(&self) -> Vec<String> {
        lock(&self.services).keys().cloned().collect()
    }

    /// Starts tracking a value.
    ///
    /// # Errors
    /// [`ServiceError::AlreadyTracked`] if the name is taken.
    pub fn track_value<V: Clone + Send + Sync + 'static>(
        &self,
        key: &ValueKey<V>,
        value: V,
    ) -> Result<(), ServiceError> {
        let mut values = lock(&self.values);
        if values.contains_key(&*key.name) {
            return Err(ServiceError::AlreadyTracked {
                name: key.name.to_string(),
            });
        }
        let entry = Entry {
            owner: None,
            type_id: TypeId::of::<V>(),
            type_name: std::any::type_name::<V>(),
            value: Box::new(value),
        };
        values.insert(key.name.to_string(), entry);
        Ok(())
    }

    /// Replaces a tracked value.
    ///
    /// # Errors
    /// [`ServiceError::UnknownValue`] or [`ServiceError::TypeMismatch`].
    pub fn update_value<V: Clone + Send + Sync + 'static>(
        &self,
        key: &ValueKey<V>,
        value: V,
    ) -> Result<(), ServiceError> {
        let mut values = lock(&self.values);
        let entry = values
            .get_mut(&*key.name)
            .ok_or_else(|| ServiceError::UnknownValue {
                name: key.name.to_string(),
            })?;
        if entry.type_id != TypeId::of::<V>() {
            return Err(ServiceError::TypeMismatch {
                name: key.name.to_string(),
                registered: entry.type_name,
                requested: std::any::type_name::<V>(),
            });
        }
        entry.value = Box::new(value);
        Ok(())
    }

    /// Reads a tracked value.
    ///
    /// # Errors
    /// [`ServiceError::UnknownValue`] or [`ServiceError::TypeMismatch`].
    pub fn value<V: Clone + Send + Sync + 'static>(
        &self,
        key: &ValueKey<V>,
    ) -> Result<V, ServiceError> {
        let values = lock(&self.values);
        let entry = values
            .get(&*key.name)
            .ok_or_else(|| ServiceError::UnknownValue {
                name: key.name.to_string(),
            })?;
        entry
            .typed::<V>(&key.name, std::any::type_name::<V>())
            .cloned()
    }

    /// The names of all tracked values, sorted.
    pub fn value_names(&self) -> Vec<String> {
        lock(&self.values).keys().cloned().collect()
    }

    /// Removes every service whose inbox belongs to `owner` (called when it ends).
    pub(crate) fn remove_owner(&self, owner: ComponentId) {
        lock(&self.services).retain(|_, e| e.owner != Some(owner));
    }
}
