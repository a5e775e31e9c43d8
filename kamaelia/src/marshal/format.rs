//! Wire formats for [`Marshaller`](super::Marshaller) and [`DeMarshaller`](super::DeMarshaller),
//! and the errors they report.

use std::cell::Cell;
use std::fmt;

use serde::de::DeserializeOwned;
use serde::Serialize;

/// Why a value could not be decoded: where, and what the format said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeFailure {
    /// The byte offset in the input where decoding failed, when the format can tell.
    pub offset: Option<usize>,
    /// The format's own description of the problem.
    pub message: String,
}

/// A serialisation format: how a value becomes bytes and back.
///
/// Implemented by [`Json`] and [`Postcard`]; implement it for another `serde` format to use that
/// with the marshalling components.
pub trait Format: Send + Sync + 'static {
    /// The format's name, as errors report it.
    const NAME: &'static str;

    /// The bytes of `value`, or why it cannot be represented in this format.
    fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, String>;

    /// The value in `bytes` — which must hold exactly one value and nothing after it.
    fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeFailure>;
}

/// JSON ([`serde_json`]): text, self-describing, readable by anything.
///
/// A value is one JSON document; white space around it is allowed, anything else after it is an
/// error. Floating-point numbers survive a round trip only approximately (the last digit may
/// differ), and NaN and infinities are written as `null`; use [`Postcard`] to keep floats exact.
///
/// ```
/// use kamaelia::marshal::{Format, Json};
/// assert_eq!(Json::encode(&(1, "two")).unwrap(), br#"[1,"two"]"#);
/// assert_eq!(Json::decode::<(u8, String)>(br#"[1,"two"]"#).unwrap(), (1, "two".into()));
/// let bad = Json::decode::<(u8, String)>(br#"[1, 2]"#).unwrap_err();
/// assert_eq!(bad.offset, Some(4)); // the `2`, where a string was expected
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Json;

impl Format for Json {
    const NAME: &'static str = "json";

    fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, String> {
        serde_json::to_vec(value).map_err(|e| e.to_string())
    }

    fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeFailure> {
        serde_json::from_slice(bytes).map_err(|e| DecodeFailure {
            offset: Some(json_offset(bytes, &e)),
            message: e.to_string(),
        })
    }
}

/// The byte offset of a `serde_json` error, from its line and column.
fn json_offset(bytes: &[u8], e: &serde_json::Error) -> usize {
    if e.is_eof() {
        return bytes.len();
    }
    let line_start = if e.line() <= 1 {
        0
    } else {
        bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(e.line() - 2)
            .map_or(bytes.len(), |(i, _)| i + 1)
    };
    (line_start + e.column().saturating_sub(1)).min(bytes.len())
}

/// [Postcard](https://docs.rs/postcard): a compact binary format (variable-length integers,
/// no field names), not self-describing — both ends must agree on the type.
///
/// A value must fill the input exactly: bytes left over after it are an error (so a message
/// holding two values, or a truncated one, is never silently accepted). Floats round-trip
/// exactly.
///
/// ```
/// use kamaelia::marshal::{Format, Postcard};
/// let bytes = Postcard::encode(&(300u32, "hi")).unwrap();
/// assert_eq!(bytes, [0xac, 0x02, 2, b'h', b'i']);
/// assert_eq!(Postcard::decode::<(u32, String)>(&bytes).unwrap(), (300, "hi".into()));
/// let short = Postcard::decode::<(u32, String)>(&bytes[..4]).unwrap_err();
/// assert_eq!(short.offset, Some(3));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Postcard;

impl Format for Postcard {
    const NAME: &'static str = "postcard";

    fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, String> {
        postcard::to_allocvec(value).map_err(|e| e.to_string())
    }

    fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeFailure> {
        let consumed = Cell::new(0);
        let mut de = postcard::Deserializer::from_flavor(Counting {
            rest: bytes,
            consumed: &consumed,
        });
        let value = T::deserialize(&mut de).map_err(|e| DecodeFailure {
            offset: Some(consumed.get()),
            message: e.to_string(),
        })?;
        if consumed.get() < bytes.len() {
            return Err(DecodeFailure {
                offset: Some(consumed.get()),
                message: format!(
                    "{} bytes left over after the value",
                    bytes.len() - consumed.get()
                ),
            });
        }
        Ok(value)
    }
}

/// A postcard input that counts what was taken, so an error can say where it happened.
struct Counting<'de> {
    rest: &'de [u8],
    consumed: &'de Cell<usize>,
}

impl<'de> postcard::de_flavors::Flavor<'de> for Counting<'de> {
    type Remainder = &'de [u8];
    type Source = &'de [u8];

    fn pop(&mut self) -> postcard::Result<u8> {
        let (&first, rest) = self
            .rest
            .split_first()
            .ok_or(postcard::Error::DeserializeUnexpectedEnd)?;
        self.rest = rest;
        self.consumed.set(self.consumed.get() + 1);
        Ok(first)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.rest.len())
    }

    fn try_take_n(&mut self, ct: usize) -> postcard::Result<&'de [u8]> {
        if ct > self.rest.len() {
            return Err(postcard::Error::DeserializeUnexpectedEnd);
        }
        let (taken, rest) = self.rest.split_at(ct);
        self.rest = rest;
        self.consumed.set(self.consumed.get() + ct);
        Ok(taken)
    }

    fn finalize(self) -> postcard::Result<&'de [u8]> {
        Ok(self.rest)
    }
}

/// A value [`Marshaller`](super::Marshaller) could not encode (it is skipped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarshalError {
    /// The format ([`Format::NAME`]).
    pub format: &'static str,
    /// Which message it was, counting from 0 among those the component received.
    pub index: u64,
    /// The format's own description of the problem.
    pub message: String,
}

impl fmt::Display for MarshalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot encode message {} as {}: {}",
            self.index, self.format, self.message
        )
    }
}

impl std::error::Error for MarshalError {}

/// A message [`DeMarshaller`](super::DeMarshaller) could not decode (it is skipped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemarshalError {
    /// The format ([`Format::NAME`]).
    pub format: &'static str,
    /// Which message it was, counting from 0 among those the component received.
    pub index: u64,
    /// The message's length in bytes.
    pub len: usize,
    /// The byte offset in the message where decoding failed, when the format can tell.
    pub offset: Option<usize>,
    /// The format's own description of the problem.
    pub message: String,
}

impl fmt::Display for DemarshalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot decode message {} ({} bytes) as {}",
            self.index, self.len, self.format
        )?;
        if let Some(offset) = self.offset {
            write!(f, " at byte {offset}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for DemarshalError {}
