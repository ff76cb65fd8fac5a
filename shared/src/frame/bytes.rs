//! The frame's primitive encodings: LEB128 varints, zigzag for signed values, and
//! length-prefixed strings, written to a `Vec` and read back from a slice with every bound
//! checked.
//!
//! Written here rather than taken from a crate: a varint is a dozen lines, and reading from a
//! slice with our own error keeps `std::io` and its error type out of the browser's
//! WebAssembly, which has a size budget.

use super::FrameError;

/// Appends primitives to a buffer.
#[derive(Debug, Default)]
pub struct Writer {
    /// What has been written.
    pub buf: Vec<u8>,
}

impl Writer {
    /// An unsigned integer, 7 bits per byte, low bits first.
    pub fn uint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.buf.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.buf.push(v as u8);
    }

    /// A signed integer: zigzag, so small magnitudes of either sign stay short.
    pub fn int(&mut self, v: i64) {
        self.uint(zigzag(v));
    }

    /// One byte.
    pub fn byte(&mut self, v: u8) {
        self.buf.push(v);
    }

    /// A length, then the bytes.
    pub fn bytes(&mut self, v: &[u8]) {
        self.uint(v.len() as u64);
        self.buf.extend_from_slice(v);
    }

    /// A section: its tag, its length, then what `body` writes.
    pub fn section(&mut self, tag: u8, body: impl FnOnce(&mut Writer)) {
        let mut inner = Writer::default();
        body(&mut inner);
        self.byte(tag);
        self.bytes(&inner.buf);
    }
}

/// Reads primitives from a slice.
#[derive(Debug)]
pub struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Reads from the start of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { rest: data }
    }

    /// True when everything has been read.
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.rest.len()
    }

    /// An unsigned integer; at most ten bytes, and the tenth may hold one bit.
    pub fn uint(&mut self) -> Result<u64, FrameError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let (&b, rest) = self.rest.split_first().ok_or(FrameError::Truncated)?;
            self.rest = rest;
            let bits = u64::from(b & 0x7f);
            if shift == 63 && bits > 1 {
                return Err(FrameError::Malformed("an integer longer than 64 bits"));
            }
            v |= bits << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(FrameError::Malformed("an integer longer than 64 bits"))
    }

    /// A signed integer (zigzag).
    pub fn int(&mut self) -> Result<i64, FrameError> {
        Ok(unzigzag(self.uint()?))
    }

    /// An unsigned integer that must fit in `u32`.
    pub fn u32(&mut self) -> Result<u32, FrameError> {
        u32::try_from(self.uint()?).map_err(|_| FrameError::Malformed("a count above 2^32"))
    }

    /// A count of items that each take at least one byte: never more than what is left, so a
    /// hostile count cannot make the reader allocate.
    pub fn count(&mut self) -> Result<usize, FrameError> {
        let n = self.uint()?;
        if n > self.rest.len() as u64 {
            return Err(FrameError::Truncated);
        }
        Ok(n as usize)
    }

    /// A count, then that many values read by `read`. A plain loop: in the wasm it is much
    /// smaller than collecting an iterator of results.
    pub fn list<T>(
        &mut self,
        mut read: impl FnMut(&mut Self) -> Result<T, FrameError>,
    ) -> Result<Vec<T>, FrameError> {
        let n = self.count()?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(read(self)?);
        }
        Ok(out)
    }

    /// One byte.
    pub fn byte(&mut self) -> Result<u8, FrameError> {
        let (&b, rest) = self.rest.split_first().ok_or(FrameError::Truncated)?;
        self.rest = rest;
        Ok(b)
    }

    /// A length-prefixed run of bytes.
    pub fn bytes(&mut self) -> Result<&'a [u8], FrameError> {
        let n = self.uint()?;
        if n > self.rest.len() as u64 {
            return Err(FrameError::Truncated);
        }
        let (head, rest) = self.rest.split_at(n as usize);
        self.rest = rest;
        Ok(head)
    }

    /// A length-prefixed UTF-8 string.
    pub fn str(&mut self) -> Result<&'a str, FrameError> {
        std::str::from_utf8(self.bytes()?)
            .map_err(|_| FrameError::Malformed("a string that is not UTF-8"))
    }
}

/// Maps signed to unsigned so that -1 is 1 and 1 is 2.
pub fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

/// The inverse of [`zigzag`].
pub fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn integers_round_trip(u in any::<u64>(), i in any::<i64>()) {
            let mut w = Writer::default();
            w.uint(u);
            w.int(i);
            let mut r = Reader::new(&w.buf);
            prop_assert_eq!(r.uint(), Ok(u));
            prop_assert_eq!(r.int(), Ok(i));
            prop_assert!(r.is_empty());
        }

        #[test]
        fn any_bytes_read_without_panic(data in proptest::collection::vec(any::<u8>(), 0..64)) {
            let mut r = Reader::new(&data);
            while !r.is_empty() {
                if r.str().is_err() { break; }
            }
        }
    }

    #[test]
    fn small_values_take_one_byte() {
        let mut w = Writer::default();
        w.uint(127);
        w.int(-64);
        w.int(63);
        assert_eq!(w.buf.len(), 3);
    }

    #[test]
    fn overlong_and_truncated_integers_are_errors() {
        let eleven = [0xff; 11];
        assert!(matches!(
            Reader::new(&eleven).uint(),
            Err(FrameError::Malformed(_))
        ));
        let mut tenth_too_big = vec![0xff; 9];
        tenth_too_big.push(0x02);
        assert!(matches!(
            Reader::new(&tenth_too_big).uint(),
            Err(FrameError::Malformed(_))
        ));
        assert!(matches!(
            Reader::new(&[0x80]).uint(),
            Err(FrameError::Truncated)
        ));
        let mut max = Writer::default();
        max.uint(u64::MAX);
        assert_eq!(max.buf.len(), 10);
    }

    #[test]
    fn a_length_past_the_end_is_truncated_not_an_allocation() {
        let mut w = Writer::default();
        w.uint(1 << 40);
        assert!(matches!(
            Reader::new(&w.buf).bytes(),
            Err(FrameError::Truncated)
        ));
        assert!(matches!(
            Reader::new(&w.buf).count(),
            Err(FrameError::Truncated)
        ));
    }
}
