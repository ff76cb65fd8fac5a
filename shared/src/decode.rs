//! A small JSON reader for the wire types, used by the browser instead of serde's.
//!
//! serde's derived deserializers were the largest part of the browser's wasm (each struct
//! gets a map visitor, a sequence visitor and a field visitor, plus serde_json's error
//! machinery). The wire types are plain: objects with named fields, strings, integers, bools,
//! unit enums as strings. Decoding exactly that takes a few hundred bytes per type. The field
//! lists live in [`crate::wire_decode`]; tests there hold them to serde's encoding.

use std::borrow::Cow;
use std::collections::BTreeMap;

/// Deepest nesting accepted, as serde_json does, so hostile input cannot exhaust the stack.
const MAX_DEPTH: u32 = 128;

/// Why a document could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The text is not the JSON expected here.
    #[error("expected {expected} at byte {at}")]
    Syntax {
        /// What the reader was looking for.
        expected: &'static str,
        /// Byte offset in the document.
        at: usize,
    },
    /// A required field is absent.
    #[error("missing field `{0}`")]
    Missing(&'static str),
    /// A string that names no variant of an enum.
    #[error("unknown value `{0}`")]
    Unknown(String),
}

/// A type read from JSON by [`Reader`].
pub trait Decode: Sized {
    /// Reads one value.
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError>;
}

/// Decodes a whole document: one value, then only whitespace.
pub fn from_json<T: Decode>(bytes: &[u8]) -> Result<T, DecodeError> {
    let mut r = Reader {
        bytes,
        pos: 0,
        depth: 0,
    };
    let value = T::decode(&mut r)?;
    r.finish()?;
    Ok(value)
}

/// A cursor over a JSON document.
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    depth: u32,
}

impl<'a> Reader<'a> {
    /// Only whitespace may follow the document. Apart from [`from_json`], so that generic
    /// function stays small for every type it is made for.
    fn finish(&mut self) -> Result<(), DecodeError> {
        self.skip_whitespace();
        match self.pos == self.bytes.len() {
            true => Ok(()),
            false => Err(self.error("end of input")),
        }
    }

    fn error(&self, expected: &'static str) -> DecodeError {
        DecodeError::Syntax {
            expected,
            at: self.pos,
        }
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    /// The next significant byte, not consumed.
    fn peek(&mut self) -> Option<u8> {
        self.skip_whitespace();
        self.bytes.get(self.pos).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        self.pos += usize::from(found);
        found
    }

    fn expect(&mut self, byte: u8, expected: &'static str) -> Result<(), DecodeError> {
        match self.eat(byte) {
            true => Ok(()),
            false => Err(self.error(expected)),
        }
    }

    fn literal(&mut self, word: &'static str) -> bool {
        self.skip_whitespace();
        let found = self.bytes[self.pos..].starts_with(word.as_bytes());
        if found {
            self.pos += word.len();
        }
        found
    }

    /// Consumes `null` if it is next.
    fn null(&mut self) -> bool {
        self.literal("null")
    }

    fn enter(&mut self) -> Result<(), DecodeError> {
        self.depth += 1;
        match self.depth <= MAX_DEPTH {
            true => Ok(()),
            false => Err(self.error("less nesting")),
        }
    }

    /// Reads an object, handing each key to `field`, which must read (or skip) its value.
    /// Not generic, so each wire type does not compile its own copy of the loop.
    pub(crate) fn object(
        &mut self,
        field: &mut dyn FnMut(&mut Self, &str) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        self.expect(b'{', "an object")?;
        self.enter()?;
        if !self.eat(b'}') {
            loop {
                let key = self.str()?;
                self.expect(b':', "':'")?;
                field(self, &key)?;
                if self.eat(b'}') {
                    break;
                }
                self.expect(b',', "',' or '}'")?;
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// Reads an object whose keys are `keys`, handing each known key's index to `field`;
    /// unknown keys are skipped. Returns a bit per index that was present.
    pub(crate) fn fields(
        &mut self,
        keys: &[&str],
        field: &mut dyn FnMut(&mut Self, usize) -> Result<(), DecodeError>,
    ) -> Result<u64, DecodeError> {
        let mut seen = 0u64;
        self.object(&mut |r, key| match keys.iter().position(|k| *k == key) {
            Some(i) => {
                seen |= 1 << i;
                field(r, i)
            }
            None => r.skip(),
        })?;
        Ok(seen)
    }

    /// Reads an array, calling `item` for each element.
    pub(crate) fn array(
        &mut self,
        item: &mut dyn FnMut(&mut Self) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        self.expect(b'[', "an array")?;
        self.enter()?;
        if !self.eat(b']') {
            loop {
                item(self)?;
                if self.eat(b']') {
                    break;
                }
                self.expect(b',', "',' or ']'")?;
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// Reads a string; borrowed when it has no escapes.
    pub(crate) fn str(&mut self) -> Result<Cow<'a, str>, DecodeError> {
        self.expect(b'"', "a string")?;
        let bytes = self.bytes;
        let mut owned: Option<Vec<u8>> = None;
        let mut start = self.pos;
        loop {
            let Some(&b) = bytes.get(self.pos) else {
                return Err(self.error("'\"'"));
            };
            match b {
                b'"' => break,
                b'\\' => {
                    let buf = owned.get_or_insert_with(Vec::new);
                    buf.extend_from_slice(&bytes[start..self.pos]);
                    self.pos += 1;
                    self.escape(buf)?;
                    start = self.pos;
                }
                0..0x20 => return Err(self.error("no control characters in a string")),
                _ => self.pos += 1,
            }
        }
        let tail = &bytes[start..self.pos];
        self.pos += 1;
        let text = match owned {
            None => Cow::Borrowed(std::str::from_utf8(tail).map_err(|_| self.error("UTF-8"))?),
            Some(mut buf) => {
                buf.extend_from_slice(tail);
                Cow::Owned(String::from_utf8(buf).map_err(|_| self.error("UTF-8"))?)
            }
        };
        Ok(text)
    }

    /// Reads the escape after a backslash into `buf`.
    fn escape(&mut self, buf: &mut Vec<u8>) -> Result<(), DecodeError> {
        let b = self.bytes.get(self.pos).copied();
        self.pos += 1;
        let plain = match b {
            Some(b'"') => b'"',
            Some(b'\\') => b'\\',
            Some(b'/') => b'/',
            Some(b'b') => 0x08,
            Some(b'f') => 0x0c,
            Some(b'n') => b'\n',
            Some(b'r') => b'\r',
            Some(b't') => b'\t',
            Some(b'u') => {
                let mut code = self.hex4()?;
                if (0xd800..0xdc00).contains(&code) {
                    // A high surrogate must be followed by its low half.
                    if !self.bytes[self.pos..].starts_with(b"\\u") {
                        return Err(self.error("a low surrogate"));
                    }
                    self.pos += 2;
                    let low = self.hex4()?;
                    if !(0xdc00..0xe000).contains(&low) {
                        return Err(self.error("a low surrogate"));
                    }
                    code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
                }
                let c = char::from_u32(code).ok_or_else(|| self.error("a character"))?;
                buf.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                return Ok(());
            }
            _ => return Err(self.error("an escape")),
        };
        buf.push(plain);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, DecodeError> {
        let digits = self.bytes.get(self.pos..self.pos + 4);
        let code = digits
            .and_then(|d| std::str::from_utf8(d).ok())
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|d| u32::from_str_radix(d, 16).ok())
            .ok_or_else(|| self.error("four hex digits"))?;
        self.pos += 4;
        Ok(code)
    }

    /// Reads an integer as its sign and magnitude; fractions and exponents are refused, since
    /// the wire carries integers only.
    fn integer(&mut self) -> Result<(bool, u64), DecodeError> {
        let negative = self.eat(b'-');
        let start = self.pos;
        let mut magnitude: u64 = 0;
        while let Some(&b) = self.bytes.get(self.pos).filter(|b| b.is_ascii_digit()) {
            magnitude = magnitude
                .checked_mul(10)
                .and_then(|m| m.checked_add(u64::from(b - b'0')))
                .ok_or_else(|| self.error("a smaller number"))?;
            self.pos += 1;
        }
        let digits = self.pos - start;
        let leading_zero = digits > 1 && self.bytes[start] == b'0';
        if digits == 0 || leading_zero || matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            self.pos = start;
            return Err(self.error("an integer"));
        }
        Ok((negative, magnitude))
    }

    /// Reads an unsigned integer that fits `max`.
    fn unsigned(&mut self, max: u64) -> Result<u64, DecodeError> {
        match self.integer()? {
            (false, m) | (true, m @ 0) if m <= max => Ok(m),
            _ => Err(self.error("an unsigned integer in range")),
        }
    }

    /// Reads a signed integer within `min..=max`.
    fn signed(&mut self, min: i64, max: i64) -> Result<i64, DecodeError> {
        let (negative, m) = self.integer()?;
        let value = match negative {
            false => i64::try_from(m).ok(),
            true => 0i64.checked_sub_unsigned(m),
        };
        value
            .filter(|v| (min..=max).contains(v))
            .ok_or_else(|| self.error("an integer in range"))
    }

    /// Skips a number, fraction and exponent included, checking only its syntax: parsing it
    /// as a float would compile in the whole float parser for values nobody reads.
    fn skip_number(&mut self) -> Result<(), DecodeError> {
        let start = self.pos;
        self.next_in(b"-");
        let leading_zero = self.bytes.get(self.pos) == Some(&b'0');
        let whole = self.digits();
        let mut valid = whole == 1 || (whole > 1 && !leading_zero);
        if self.next_in(b".") {
            valid &= self.digits() > 0;
        }
        if self.next_in(b"eE") {
            self.next_in(b"+-");
            valid &= self.digits() > 0;
        }
        match valid {
            true => Ok(()),
            false => {
                self.pos = start;
                Err(self.error("a number"))
            }
        }
    }

    /// Consumes the next byte if it is one of `set` (no whitespace skipped).
    fn next_in(&mut self, set: &[u8]) -> bool {
        let found = self.bytes.get(self.pos).is_some_and(|b| set.contains(b));
        self.pos += usize::from(found);
        found
    }

    /// Consumes digits; returns how many.
    fn digits(&mut self) -> usize {
        let start = self.pos;
        while self.bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// Skips one value of any kind (a field this build does not know).
    pub(crate) fn skip(&mut self) -> Result<(), DecodeError> {
        match self.peek() {
            Some(b'{') => self.object(&mut |r, _| r.skip()),
            Some(b'[') => self.array(&mut |r| r.skip()),
            Some(b'"') => self.str().map(drop),
            Some(b'-' | b'0'..=b'9') => self.skip_number(),
            _ if self.literal("true") || self.literal("false") || self.null() => Ok(()),
            _ => Err(self.error("a value")),
        }
    }
}

/// Fails on the first field of `required` (one bit per index of `keys`) not `seen`.
pub(crate) fn require(seen: u64, required: u64, keys: &[&'static str]) -> Result<(), DecodeError> {
    match required & !seen {
        0 => Ok(()),
        missing => Err(DecodeError::Missing(
            keys.get(missing.trailing_zeros() as usize)
                .copied()
                .unwrap_or_default(),
        )),
    }
}

impl Decode for String {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.str().map(Cow::into_owned)
    }
}

impl Decode for bool {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        if r.literal("true") {
            Ok(true)
        } else if r.literal("false") {
            Ok(false)
        } else {
            Err(r.error("true or false"))
        }
    }
}

impl Decode for u64 {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.unsigned(u64::MAX)
    }
}

impl Decode for u32 {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        // In range by the check, so the cast is exact.
        r.unsigned(u32::MAX.into()).map(|v| v as u32)
    }
}

impl Decode for i64 {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.signed(i64::MIN, i64::MAX)
    }
}

impl Decode for i32 {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.signed(i32::MIN.into(), i32::MAX.into()).map(|v| v as i32)
    }
}

impl<T: Decode> Decode for Option<T> {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.null() {
            true => Ok(None),
            false => T::decode(r).map(Some),
        }
    }
}

impl<T: Decode> Decode for Vec<T> {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut items = Vec::new();
        r.array(&mut |r| {
            items.push(T::decode(r)?);
            Ok(())
        })?;
        Ok(items)
    }
}

impl<T: Decode> Decode for BTreeMap<String, T> {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut map = BTreeMap::new();
        r.object(&mut |r, key| {
            map.insert(key.to_owned(), T::decode(r)?);
            Ok(())
        })?;
        Ok(map)
    }
}

/// Implements [`Decode`] for a struct from its fields and their JSON keys. Fields marked
/// `or default` (serde's `#[serde(default)]`, and every `Option`) keep their `Default` value
/// when absent; any other absent field is an error. Unknown keys are skipped; of a repeated key
/// the last wins.
///
/// Every field must be listed, or the macro does not compile: it starts from a struct literal
/// of every listed field's default with no `..` (not `Self::default()`, which would let a
/// field left out of the list compile and always read as its default), so a missing field is
/// E0063, "missing field in initializer". It is what the derived `Default` does, so it costs
/// no code.
///
/// The fields are numbered by a local enum so that finding a key is one shared loop
/// ([`Reader::fields`]) and each type only switches on the number.
macro_rules! decode_struct {
    (@bit $index:expr, or default) => {
        0
    };
    (@bit $index:expr,) => {
        1u64 << $index
    };
    ($ty:ty { $($field:ident : $key:literal $($or:ident $default:ident)?),* $(,)? }) => {
        impl $crate::decode::Decode for $ty {
            fn decode(
                r: &mut $crate::decode::Reader<'_>,
            ) -> Result<Self, $crate::decode::DecodeError> {
                #[allow(non_camel_case_types)]
                enum Field { $($field),* }
                const KEYS: &[&str] = &[$($key),*];
                const REQUIRED: u64 = 0 $(| $crate::decode::decode_struct!(@bit Field::$field as u64, $($or $default)?))*;
                const _: () = assert!(KEYS.len() <= 64);
                // Names every field, with no `..`: see above.
                let mut out = Self { $($field: Default::default()),* };
                let seen = r.fields(KEYS, &mut |r, i| {
                    $(if i == Field::$field as usize {
                        out.$field = $crate::decode::Decode::decode(r)?;
                    })*
                    Ok(())
                })?;
                $crate::decode::require(seen, REQUIRED, KEYS)?;
                Ok(out)
            }
        }
    };
}
pub(crate) use decode_struct;

/// Implements [`Decode`] for a unit enum from each variant's JSON string.
macro_rules! decode_enum {
    ($ty:ty { $($variant:ident = $name:literal),* $(,)? }) => {
        impl $crate::decode::Decode for $ty {
            fn decode(r: &mut $crate::decode::Reader<'_>) -> Result<Self, $crate::decode::DecodeError> {
                let name = r.str()?;
                match &*name {
                    $($name => Ok(Self::$variant),)*
                    _ => Err($crate::decode::DecodeError::Unknown(name.into_owned())),
                }
            }
        }
    };
}
pub(crate) use decode_enum;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn read<T: Decode>(json: &str) -> Result<T, DecodeError> {
        from_json(json.as_bytes())
    }

    #[test]
    fn strings_with_escapes() {
        assert_eq!(read::<String>(r#""plain""#), Ok("plain".into()));
        assert_eq!(
            read::<String>(r#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00""#),
            Ok("a\"b\\c/d\n\té😀".into())
        );
        assert!(read::<String>(r#""\ud83d""#).is_err(), "lone surrogate");
        assert!(read::<String>(r#""\x""#).is_err());
        assert!(
            read::<String>("\"tab\there\"").is_err(),
            "raw control character"
        );
        assert!(read::<String>(r#""open"#).is_err());
    }

    #[test]
    fn integers_in_range_only() {
        assert_eq!(read::<u64>("18446744073709551615"), Ok(u64::MAX));
        assert!(read::<u64>("18446744073709551616").is_err());
        assert_eq!(read::<i64>("-9223372036854775808"), Ok(i64::MIN));
        assert!(read::<i64>("9223372036854775808").is_err());
        assert_eq!(read::<u32>(" 7 "), Ok(7));
        assert!(read::<u32>("4294967296").is_err());
        assert!(read::<u32>("-1").is_err());
        assert_eq!(read::<u64>("-0"), Ok(0));
        assert_eq!(read::<i32>("-2147483648"), Ok(i32::MIN));
        for bad in ["1.5", "1e3", "01", "-", "", "x"] {
            assert!(read::<u64>(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn options_vectors_maps_and_bools() {
        assert_eq!(read::<Option<u32>>("null"), Ok(None));
        assert_eq!(read::<Option<u32>>("3"), Ok(Some(3)));
        assert_eq!(read::<Vec<u32>>("[ 1 , 2,3 ]"), Ok(vec![1, 2, 3]));
        assert_eq!(read::<Vec<u32>>("[]"), Ok(vec![]));
        assert!(read::<Vec<u32>>("[1,]").is_err());
        assert!(read::<Vec<u32>>("[1 2]").is_err());
        let map = read::<BTreeMap<String, bool>>(r#"{"a":true,"b":false}"#);
        assert_eq!(
            map,
            Ok(BTreeMap::from([("a".into(), true), ("b".into(), false)]))
        );
        assert!(read::<bool>("truth").is_err(), "trailing text");
    }

    #[test]
    fn errors_say_where() {
        assert_eq!(
            read::<Vec<u32>>("[1,x]"),
            Err(DecodeError::Syntax {
                expected: "an integer",
                at: 3
            })
        );
        assert_eq!(
            read::<Vec<u32>>("[1,x]").map_err(|e| e.to_string()),
            Err("expected an integer at byte 3".into())
        );
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let mut r = Reader {
            bytes: deep.as_bytes(),
            pos: 0,
            depth: 0,
        };
        assert!(r.skip().is_err());
        let fine = format!("{}{}", "[".repeat(100), "]".repeat(100));
        let mut r = Reader {
            bytes: fine.as_bytes(),
            pos: 0,
            depth: 0,
        };
        assert_eq!(r.skip(), Ok(()));
    }

    #[test]
    fn unknown_numbers_are_checked_and_skipped() {
        for good in ["0", "-0", "12", "1.5", "-0.25e-3", "6E+10", "1e5"] {
            let mut r = Reader {
                bytes: good.as_bytes(),
                pos: 0,
                depth: 0,
            };
            assert_eq!(r.skip(), Ok(()), "{good}");
            assert_eq!(r.pos, good.len(), "{good}");
        }
        for bad in ["-", "01", "1.", ".5", "1e", "1e+", "-x"] {
            let mut r = Reader {
                bytes: bad.as_bytes(),
                pos: 0,
                depth: 0,
            };
            let whole = r.skip().is_ok() && r.pos == bad.len();
            assert!(!whole, "{bad}");
        }
    }

    fn any_json() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(serde_json::Value::from),
            any::<String>().prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
                prop::collection::btree_map(any::<String>(), inner, 0..4)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn strings_round_trip_through_serde(s in any::<String>()) {
            let json = serde_json::to_string(&s).expect("serializes");
            prop_assert_eq!(read::<String>(&json), Ok(s));
        }

        #[test]
        fn integers_round_trip_through_serde(u in any::<u64>(), i in any::<i64>()) {
            prop_assert_eq!(read::<u64>(&u.to_string()), Ok(u));
            prop_assert_eq!(read::<i64>(&i.to_string()), Ok(i));
        }

        #[test]
        fn any_value_is_skipped(value in any_json()) {
            let json = serde_json::to_string(&value).expect("serializes");
            let pretty = serde_json::to_string_pretty(&value).expect("serializes");
            for text in [json, pretty] {
                let mut r = Reader { bytes: text.as_bytes(), pos: 0, depth: 0 };
                prop_assert_eq!(r.skip(), Ok(()));
                r.skip_whitespace();
                prop_assert_eq!(r.pos, text.len());
            }
        }
    }
}
