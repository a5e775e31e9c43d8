//! The component catalogue, generated from the components themselves.
//!
//! Every component file registers a [`Entry`] next to its code (with [`catalogue!`](macro@crate::catalogue)),
//! built from the component's own box metadata, so the catalogue cannot drift from the code.
//! `cargo run -p examples --example catalogue` prints it; `-- --json` prints JSON.
//!
//! ```
//! let entries = kamaelia::catalogue::all();
//! let pipeline = entries.iter().find(|e| e.name == "Pipeline").unwrap();
//! assert_eq!(pipeline.kamaelia_name, "Kamaelia.Chassis.Pipeline.Pipeline");
//! assert!(pipeline.boxes.iter().any(|b| b.name == "inbox"));
//! ```

use axon::{BoxInfo, Direction};
use serde::Serialize;

/// A family of components, as in Kamaelia's package layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[non_exhaustive]
pub enum Family {
    /// Components that hold and wire other components.
    Chassis,
    /// General-purpose sources, sinks, transforms, fan-out and flow control.
    Util,
    /// Files.
    File,
    /// Serialisation.
    Marshal,
    /// Child processes.
    Process,
    /// Sockets.
    Internet,
    /// Framing and protocols.
    Protocol,
}

/// One parameter of a component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parameter {
    /// Its name (constructor argument or builder method).
    pub name: &'static str,
    /// Its type.
    #[serde(rename = "type")]
    pub type_name: &'static str,
    /// What it does.
    pub doc: &'static str,
}

/// One box as the catalogue lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BoxEntry {
    /// Box name.
    pub name: String,
    /// `inbox` or `outbox`.
    pub direction: &'static str,
    /// Message type, without module paths (`Msg` stands for a generic message type).
    #[serde(rename = "type")]
    pub type_name: String,
    /// What the box is for.
    pub doc: String,
}

/// One component in the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The Rust name.
    pub name: &'static str,
    /// The Kamaelia name it corresponds to (module path and class).
    pub kamaelia_name: &'static str,
    /// Its family.
    pub family: Family,
    /// One or two sentences.
    pub description: &'static str,
    /// Its boxes.
    pub boxes: Vec<BoxEntry>,
    /// Its parameters.
    pub parameters: Vec<Parameter>,
}

/// Stands for "any message type" where a generic component is catalogued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Msg;

impl Entry {
    /// An entry whose boxes are taken from `boxes` (use [`axon::box_infos`] on an instance).
    pub fn new(
        name: &'static str,
        kamaelia_name: &'static str,
        family: Family,
        description: &'static str,
        boxes: Vec<BoxInfo>,
    ) -> Self {
        let boxes = boxes
            .into_iter()
            .map(|b| BoxEntry {
                name: b.name.to_string(),
                direction: match b.direction {
                    Direction::Inbox => "inbox",
                    Direction::Outbox => "outbox",
                },
                type_name: short_type(b.type_name),
                doc: b.doc.to_string(),
            })
            .collect();
        Entry {
            name,
            kamaelia_name,
            family,
            description,
            boxes,
            parameters: Vec::new(),
        }
    }

    /// Adds a parameter.
    pub fn parameter(
        mut self,
        name: &'static str,
        type_name: &'static str,
        doc: &'static str,
    ) -> Self {
        self.parameters.push(Parameter {
            name,
            type_name,
            doc,
        });
        self
    }
}

/// `alloc::vec::Vec<kamaelia::catalogue::Msg>` → `Vec<Msg>`.
pub fn short_type(full: &str) -> String {
    let mut out = String::new();
    let mut word = String::new();
    for c in full.chars() {
        if c.is_alphanumeric() || c == '_' || c == ':' {
            word.push(c);
        } else {
            out.push_str(word.rsplit("::").next().unwrap_or(&word));
            word.clear();
            out.push(c);
        }
    }
    out.push_str(word.rsplit("::").next().unwrap_or(&word));
    out
}

/// A registered catalogue entry (made lazily).
#[derive(Debug)]
pub struct Registration(pub fn() -> Entry);

inventory::collect!(Registration);

/// Registers a component in the catalogue, next to its code:
/// `kamaelia::catalogue!(|| Entry::new(...));`
#[macro_export]
macro_rules! catalogue {
    ($make:expr) => {
        ::inventory::submit! { $crate::catalogue::Registration($make) }
    };
}

/// Every registered component, sorted by family then name.
pub fn all() -> Vec<Entry> {
    let mut all: Vec<Entry> = inventory::iter::<Registration>
        .into_iter()
        .map(|r| (r.0)())
        .collect();
    all.sort_by(|a, b| (a.family, a.name).cmp(&(b.family, b.name)));
    all
}

/// The catalogue as pretty JSON (an array, one object per component).
pub fn to_json(entries: &[Entry]) -> String {
    serde_json::to_string_pretty(entries)
        .unwrap_or_else(|e| format!("{{\"error\": {:?}}}", e.to_string()))
}

/// The catalogue as text, one block per component.
pub fn to_text(entries: &[Entry]) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    for e in entries {
        writeln!(
            s,
            "{} ({:?}) — Kamaelia: {}\n  {}",
            e.name, e.family, e.kamaelia_name, e.description
        )
        .ok();
        for b in &e.boxes {
            writeln!(
                s,
                "  {:<6} {:<12} {:<16} {}",
                b.direction, b.name, b.type_name, b.doc
            )
            .ok();
        }
        for p in &e.parameters {
            writeln!(s, "  param  {:<12} {:<16} {}", p.name, p.type_name, p.doc).ok();
        }
        s.push('\n');
    }
    s
}
