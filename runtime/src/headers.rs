//! Headers: the key-value pairs THeader carries beside each message, in both directions
//! (Apache's "info headers"). Keys and values are bytes, as on the wire; most are text.
//!
//! A call's headers are read on the side that receives it ([`Incoming::headers`](crate::Incoming::headers),
//! and [`call::headers`](crate::call::headers) inside a handler), and set on the side that
//! sends it ([`Channel::with_headers`](crate::Channel::with_headers), and
//! [`call::set_reply_header`](crate::call::set_reply_header) for a reply). Transports other
//! than THeader carry none.

use bytes::Bytes;

/// Key-value pairs, in the order they were set; a key set again keeps its place and takes
/// the new value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Headers(Vec<(Bytes, Bytes)>);

impl Headers {
    /// No headers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to `value`.
    ///
    /// ```
    /// let mut headers = thrift_bidi::Headers::new();
    /// headers.insert("trace", "abc");
    /// headers.insert("trace", "def");
    /// assert_eq!(headers.get("trace").map(|v| &v[..]), Some(&b"def"[..]));
    /// assert_eq!(headers.len(), 1);
    /// ```
    pub fn insert(&mut self, key: impl Into<Bytes>, value: impl Into<Bytes>) {
        let (key, value) = (key.into(), value.into());
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => self.0.push((key, value)),
        }
    }

    /// The value of `key`.
    pub fn get(&self, key: impl AsRef<[u8]>) -> Option<&Bytes> {
        let key = key.as_ref();
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Every key and value, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&Bytes, &Bytes)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Sets every pair of `other`, in its order.
    pub fn extend(&mut self, other: &Headers) {
        for (key, value) in other.iter() {
            self.insert(key.clone(), value.clone());
        }
    }
}

impl<K: Into<Bytes>, V: Into<Bytes>> FromIterator<(K, V)> for Headers {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Self {
        let mut headers = Self::new();
        for (key, value) in pairs {
            headers.insert(key, value);
        }
        headers
    }
}
