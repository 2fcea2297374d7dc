//! Value envelopes: magic, schema version, bincode payload.
//!
//! This is the only file that names bincode (pinned to 2.0.1).

use serde::Serialize;
use serde::de::DeserializeOwned;

const MAGIC: [u8; 2] = *b"cA";
/// The schema this binary writes and the newest it reads.
/// 2: the summary indexes (`IndexTag::FindingSummary`, `ActionSummary`).
/// 3: the open-by-date indexes and per-engagement counters.
/// 4: per-day counters of the open-by-date indexes; the status, grade and
///    due indexes retired (the summary keys answer them).
pub const SCHEMA_VERSION: u16 = 4;

#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    #[error("value written by a newer cscaudit (schema {found}; this build reads up to {supported})")]
    NewerSchema { found: u16, supported: u16 },
    #[error("value is not a cscaudit record (bad envelope)")]
    BadEnvelope,
    #[error("cannot decode value: {0}")]
    Decode(String),
    #[error("cannot encode value: {0}")]
    Encode(String),
}

fn config() -> bincode::config::Configuration {
    bincode::config::standard()
}

/// Decoding never believes a length beyond this: a damaged value that
/// claims a string of 2⁵⁶ bytes is an error, not an allocation that aborts
/// the process (found by fuzzing). Far above any stored value.
const DECODE_LIMIT: usize = 128 << 20;

pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&SCHEMA_VERSION.to_be_bytes());
    bincode::serde::encode_into_std_write(value, &mut out, config()).map_err(|e| CodecError::Encode(e.to_string()))?;
    Ok(out)
}

/// The schema version in an envelope, without decoding the payload.
pub fn version_of(bytes: &[u8]) -> Result<u16, CodecError> {
    if bytes.len() < 4 || bytes[..2] != MAGIC {
        return Err(CodecError::BadEnvelope);
    }
    Ok(u16::from_be_bytes([bytes[2], bytes[3]]))
}

pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
    let v = version_of(bytes)?;
    if v > SCHEMA_VERSION {
        return Err(CodecError::NewerSchema {
            found: v,
            supported: SCHEMA_VERSION,
        });
    }
    let (value, used) = bincode::serde::decode_from_slice(&bytes[4..], config().with_limit::<DECODE_LIMIT>())
        .map_err(|e| CodecError::Decode(e.to_string()))?;
    if used != bytes.len() - 4 {
        return Err(CodecError::Decode(format!("{} trailing bytes", bytes.len() - 4 - used)));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    /// Found by cargo-fuzz (fuzz/ op_decode): a record whose string length
    /// says 2⁵⁶ bytes aborted the process on allocation.
    #[test]
    fn a_damaged_length_is_an_error_not_an_abort() {
        let mut bytes = vec![b'c', b'A', 0, 1, 0];
        bytes.extend_from_slice(&[0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00]);
        bytes.extend_from_slice(&[0x0b; 64]);
        assert!(super::decode::<crate::model::ops::Op>(&bytes).is_err());
        let crash = [
            0x63u8, 0x41, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x16, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfd,
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ];
        assert!(super::decode::<crate::model::record::Record>(&crash).is_err());
        assert!(super::decode::<Vec<crate::model::ops::Op>>(&crash).is_err());
    }

    use super::*;
    use crate::model::ops::{Change, EntityId, Hlc, Kind, Op, OpId, Value};

    #[test]
    fn round_trip_and_refusals() {
        let op = Op {
            id: OpId {
                actor: "zw".into(),
                seq: 7,
            },
            hlc: Hlc { wall_ms: 1, counter: 2 },
            entity: EntityId::new(Kind::Finding, "ZW-007"),
            change: Change::Set {
                field: "title".into(),
                value: Value::Text("录音缺失".into()),
            },
            base: None,
        };
        let bytes = encode(&op).unwrap();
        assert_eq!(decode::<Op>(&bytes).unwrap(), op);
        let mut newer = bytes.clone();
        newer[2..4].copy_from_slice(&(SCHEMA_VERSION + 1).to_be_bytes());
        assert!(matches!(decode::<Op>(&newer), Err(CodecError::NewerSchema { .. })));
        assert!(matches!(decode::<Op>(b"xx\0\x01abc"), Err(CodecError::BadEnvelope)));
        let mut trailing = bytes;
        trailing.push(0);
        assert!(matches!(decode::<Op>(&trailing), Err(CodecError::Decode(_))));
    }
}
