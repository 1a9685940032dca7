//! A minimal protocol-buffers wire reader: just what decoding `mesos.MasterInfo` needs.
//!
//! Why not `prost`: MasterInfo is nine fields; a generated decoder would pull a build step
//! (`protoc` or vendored descriptors) into every build of a library that must be easy to
//! install, for ~120 lines of code. This reader is total: every malformed input (truncated
//! varint or field, 11-byte varint, field number 0, bad wire type, unbalanced group, nesting
//! too deep) is an error, never a panic or an out-of-bounds read, which the unit tests and the
//! fuzz-style test below exercise.

use std::fmt;

/// Groups may nest; bound the recursion so hostile input cannot overflow the stack.
const MAX_GROUP_DEPTH: usize = 32;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireError(pub String);

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn error<T>(message: impl Into<String>) -> Result<T, WireError> {
    Err(WireError(message.into()))
}

/// One field's value as it appeared on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value<'a> {
    Varint(u64),
    Fixed64(u64),
    Bytes(&'a [u8]),
    Fixed32(u32),
    /// A (deprecated) group, already skipped: nothing in MasterInfo uses groups.
    Group,
}

impl Value<'_> {
    pub fn wire_type_name(&self) -> &'static str {
        match self {
            Value::Varint(_) => "varint",
            Value::Fixed64(_) => "64-bit",
            Value::Bytes(_) => "length-delimited",
            Value::Fixed32(_) => "32-bit",
            Value::Group => "group",
        }
    }
}

/// Iterates over `(field number, value)` of one message.
pub struct Fields<'a> {
    input: &'a [u8],
}

impl<'a> Fields<'a> {
    pub fn new(input: &'a [u8]) -> Self {
        Fields { input }
    }

    fn varint(&mut self) -> Result<u64, WireError> {
        let mut value: u64 = 0;
        for index in 0..10 {
            let Some((&byte, rest)) = self.input.split_first() else {
                return error("truncated varint");
            };
            self.input = rest;
            // The tenth byte may only carry the 64th bit.
            if index == 9 && byte > 1 {
                return error("varint longer than 64 bits");
            }
            value |= u64::from(byte & 0x7f) << (7 * index);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        error("varint longer than 10 bytes")
    }

    fn take(&mut self, n: u64, what: &str) -> Result<&'a [u8], WireError> {
        match usize::try_from(n) {
            Ok(n) if n <= self.input.len() => {
                let (taken, rest) = self.input.split_at(n);
                self.input = rest;
                Ok(taken)
            }
            _ => error(format!(
                "truncated {what}: {n} bytes announced, {} left",
                self.input.len()
            )),
        }
    }

    fn key(&mut self) -> Result<(u64, u8), WireError> {
        let key = self.varint()?;
        let number = key >> 3;
        if number == 0 || number > (1 << 29) - 1 {
            return error(format!("invalid field number {number}"));
        }
        Ok((number, (key & 7) as u8))
    }

    fn value(&mut self, number: u64, wire_type: u8, depth: usize) -> Result<Value<'a>, WireError> {
        Ok(match wire_type {
            0 => Value::Varint(self.varint()?),
            1 => {
                let bytes = self.take(8, "64-bit field")?;
                Value::Fixed64(u64::from_le_bytes(
                    bytes
                        .try_into()
                        .map_err(|_| WireError("truncated 64-bit field".into()))?,
                ))
            }
            2 => {
                let len = self.varint()?;
                Value::Bytes(self.take(len, "length-delimited field")?)
            }
            3 => {
                self.skip_group(number, depth + 1)?;
                Value::Group
            }
            4 => return error(format!("end-group for field {number} without a start")),
            5 => {
                let bytes = self.take(4, "32-bit field")?;
                Value::Fixed32(u32::from_le_bytes(
                    bytes
                        .try_into()
                        .map_err(|_| WireError("truncated 32-bit field".into()))?,
                ))
            }
            other => return error(format!("invalid wire type {other} for field {number}")),
        })
    }

    fn skip_group(&mut self, group_number: u64, depth: usize) -> Result<(), WireError> {
        if depth > MAX_GROUP_DEPTH {
            return error("groups nested too deeply");
        }
        loop {
            if self.input.is_empty() {
                return error(format!("group {group_number} is not closed"));
            }
            let (number, wire_type) = self.key()?;
            if wire_type == 4 {
                if number == group_number {
                    return Ok(());
                }
                return error(format!("end-group {number} closes group {group_number}"));
            }
            self.value(number, wire_type, depth)?;
        }
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = Result<(u64, Value<'a>), WireError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.input.is_empty() {
            return None;
        }
        let item = self
            .key()
            .and_then(|(number, wire_type)| Ok((number, self.value(number, wire_type, 0)?)));
        if item.is_err() {
            // Stop after the first error: the rest cannot be framed.
            self.input = &[];
        }
        Some(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &[u8]) -> Result<Vec<(u64, Value<'_>)>, WireError> {
        Fields::new(input).collect()
    }

    #[test]
    fn reads_each_wire_type() {
        let input = [
            0x08, 0x96, 0x01, // 1: varint 150
            0x11, 1, 0, 0, 0, 0, 0, 0, 0, // 2: fixed64 1
            0x1a, 2, b'h', b'i', // 3: bytes "hi"
            0x25, 2, 0, 0, 0, // 4: fixed32 2
            0x2b, 0x08, 0x01, 0x2c, // 5: group holding 1: varint 1
        ];
        assert_eq!(
            all(&input).unwrap(),
            vec![
                (1, Value::Varint(150)),
                (2, Value::Fixed64(1)),
                (3, Value::Bytes(b"hi")),
                (4, Value::Fixed32(2)),
                (5, Value::Group),
            ]
        );
    }

    #[test]
    fn max_varint_and_overlong_varints() {
        let max = [
            0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
        ];
        assert_eq!(all(&max).unwrap(), vec![(1, Value::Varint(u64::MAX))]);
        let too_big = [
            0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02,
        ];
        assert!(all(&too_big).unwrap_err().0.contains("64 bits"));
        let eleven = [
            0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0x01,
        ];
        assert!(all(&eleven).is_err());
    }

    #[test]
    fn malformed_inputs_are_errors() {
        let cases: &[(&[u8], &str)] = &[
            (&[0x08], "truncated varint"),
            (&[0x08, 0x80], "truncated varint"),
            (&[0x1a, 5, b'a'], "truncated length-delimited"),
            (
                &[0x1a, 0xff, 0xff, 0xff, 0xff, 0x0f],
                "truncated length-delimited",
            ),
            (&[0x11, 1, 2], "truncated 64-bit"),
            (&[0x25, 1], "truncated 32-bit"),
            (&[0x00, 1], "invalid field number 0"),
            (&[0x0e], "invalid wire type 6"),
            (&[0x0f], "invalid wire type 7"),
            (&[0x0c], "end-group"),
            (&[0x0b, 0x08, 0x01], "not closed"),
            (&[0x0b, 0x14], "closes group 1"),
        ];
        for (input, expected) in cases {
            let e = all(input).unwrap_err();
            assert!(e.0.contains(expected), "{input:?}: {e}");
        }
    }

    #[test]
    fn deep_groups_are_bounded() {
        let mut input = vec![0x0b; 1000];
        input.extend(vec![0x0c; 1000]);
        assert!(all(&input).unwrap_err().0.contains("too deeply"));
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        // A cheap deterministic fuzz: every prefix and byte flip of a valid message, plus
        // pseudo-random buffers.
        let valid = [
            0x0a, 3, b'a', b'b', b'c', 0x10, 0x8a, 0x82, 0x84, 0x48, 0x18, 0xba, 0x27, 0x3a, 4,
            0x10, 1, 0x18, 2,
        ];
        for len in 0..=valid.len() {
            let _ = all(&valid[..len]);
        }
        for i in 0..valid.len() {
            for flip in 0..8 {
                let mut v = valid.to_vec();
                v[i] ^= 1 << flip;
                let _ = all(&v);
            }
        }
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            let len = (seed % 40) as usize;
            let buf: Vec<u8> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    seed as u8
                })
                .collect();
            let _ = all(&buf);
        }
    }
}
