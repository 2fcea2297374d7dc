//! The canonical bytes of an operation: what is hashed and signed.
//!
//! One operation has exactly one byte form, defined here rather than by a
//! serialisation library, so a signature never depends on a library's
//! formatting (`schemas/signed-batch-v2.md` gives the rules and test
//! vectors). The form is a line of JSON that `serde_json` reads back into the
//! same [`Op`]: keys in a fixed order, no spaces, strings escaped as below,
//! integers in decimal, floats as the shortest decimal that reads back to the
//! same binary64 (always with a `.`), dates `YYYY-MM-DD`.
//!
//! A receiver hashes the line it received and then checks that the line is
//! this canonical form of what it parsed ([`is_canonical`]): two byte forms
//! of one operation cannot both carry a signature.

use super::ops::{Change, Hlc, Op, OpId, Value};
use std::fmt::Write;

/// The canonical line of `op` (no trailing newline).
pub fn canonical_line(op: &Op) -> Vec<u8> {
    let mut s = String::with_capacity(160);
    s.push_str("{\"id\":");
    op_id(&mut s, &op.id);
    s.push_str(",\"hlc\":");
    hlc(&mut s, op.hlc);
    s.push_str(",\"entity\":{\"kind\":\"");
    s.push_str(kind_name(op.entity.kind));
    s.push_str("\",\"id\":");
    string(&mut s, &op.entity.id);
    s.push_str("},\"change\":");
    change(&mut s, &op.change);
    s.push_str(",\"base\":");
    match &op.base {
        None => s.push_str("null"),
        Some(b) => op_id(&mut s, b),
    }
    s.push('}');
    s.into_bytes()
}

/// Whether `line` is the canonical form of `op` (as parsed from it).
pub fn is_canonical(op: &Op, line: &[u8]) -> bool {
    canonical_line(op) == line
}

fn kind_name(k: super::ops::Kind) -> &'static str {
    use super::ops::Kind;
    match k {
        Kind::Engagement => "Engagement",
        Kind::Member => "Member",
        Kind::Assessment => "Assessment",
        Kind::Finding => "Finding",
        Kind::Action => "Action",
        Kind::Evidence => "Evidence",
        Kind::Milestone => "Milestone",
        Kind::Programme => "Programme",
        Kind::TestCall => "TestCall",
        Kind::QaReview => "QaReview",
        Kind::Interest => "Interest",
        Kind::Meeting => "Meeting",
        Kind::Activity => "Activity",
        Kind::Request => "Request",
    }
}

fn op_id(s: &mut String, id: &OpId) {
    s.push_str("{\"actor\":");
    string(s, &id.actor);
    let _ = write!(s, ",\"seq\":{}}}", id.seq);
}

fn hlc(s: &mut String, h: Hlc) {
    let _ = write!(s, "{{\"wall_ms\":{},\"counter\":{}}}", h.wall_ms, h.counter);
}

fn change(s: &mut String, c: &Change) {
    match c {
        Change::Create => s.push_str("\"Create\""),
        Change::Tombstone => s.push_str("\"Tombstone\""),
        Change::Set { field, value: v } => {
            s.push_str("{\"Set\":{\"field\":");
            string(s, field);
            s.push_str(",\"value\":");
            value(s, v);
            s.push_str("}}");
        }
        Change::Link { rel, target } | Change::Unlink { rel, target } => {
            let tag = if matches!(c, Change::Link { .. }) {
                "Link"
            } else {
                "Unlink"
            };
            let _ = write!(s, "{{\"{tag}\":{{\"rel\":");
            string(s, rel);
            s.push_str(",\"target\":");
            string(s, target);
            s.push_str("}}");
        }
        Change::Resolve { field, loser } => {
            s.push_str("{\"Resolve\":{\"field\":");
            string(s, field);
            s.push_str(",\"loser\":");
            op_id(s, loser);
            s.push_str("}}");
        }
    }
}

fn value(s: &mut String, v: &Value) {
    match v {
        Value::Null => s.push_str("\"Null\""),
        Value::Bool(b) => {
            let _ = write!(s, "{{\"Bool\":{b}}}");
        }
        Value::Int(i) => {
            let _ = write!(s, "{{\"Int\":{i}}}");
        }
        Value::Float(x) => {
            s.push_str("{\"Float\":");
            float(s, *x);
            s.push('}');
        }
        Value::Text(t) => {
            s.push_str("{\"Text\":");
            string(s, t);
            s.push('}');
        }
        Value::Date(d) => {
            let y = d.year();
            if y >= 0 {
                let _ = write!(s, "{{\"Date\":\"{y:04}-{:02}-{:02}\"}}", d.month(), d.day());
            } else {
                let _ = write!(
                    s,
                    "{{\"Date\":\"-{:06}-{:02}-{:02}\"}}",
                    -(y as i32),
                    d.month(),
                    d.day()
                );
            }
        }
    }
}

/// A finite float: Rust's shortest round-trip decimal (never an exponent),
/// with `.0` when it has no point. A non-finite float has no JSON form:
/// `null`, which no receiver reads back as a float (refused, not altered).
fn float(s: &mut String, x: f64) {
    if !x.is_finite() {
        s.push_str("null");
        return;
    }
    let start = s.len();
    let _ = write!(s, "{x}");
    if !s[start..].contains('.') {
        s.push_str(".0");
    }
}

/// A JSON string: `"` and `\` escaped, \b \f \n \r \t by name, other
/// characters below U+0020 as `\u00xx` (lower-case hex); everything else as
/// its UTF-8 bytes.
fn string(s: &mut String, t: &str) {
    s.push('"');
    for c in t.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\u{8}' => s.push_str("\\b"),
            '\u{c}' => s.push_str("\\f"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(s, "\\u{:04x}", c as u32);
            }
            c => s.push(c),
        }
    }
    s.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ops::{EntityId, Kind};
    use proptest::prelude::*;

    fn op(change: Change) -> Op {
        Op {
            id: OpId {
                actor: "zhang.wei".into(),
                seq: 7,
            },
            hlc: Hlc {
                wall_ms: 1_767_225_600_000,
                counter: 2,
            },
            entity: EntityId::new(Kind::Finding, "ZW-001"),
            change,
            base: None,
        }
    }

    #[test]
    fn reads_back_as_the_same_op() {
        let cases = [
            Change::Create,
            Change::Tombstone,
            Change::Set {
                field: "title".into(),
                value: Value::Text("录音\"缺失\"\n\t\u{1}\\".into()),
            },
            Change::Set {
                field: "value".into(),
                value: Value::Float(1e21),
            },
            Change::Set {
                field: "value".into(),
                value: Value::Float(-0.0),
            },
            Change::Set {
                field: "due".into(),
                value: Value::Date(jiff::civil::date(2026, 3, 9)),
            },
            Change::Link {
                rel: "evidence".into(),
                target: "x".into(),
            },
            Change::Resolve {
                field: "title".into(),
                loser: OpId {
                    actor: "li.min".into(),
                    seq: 3,
                },
            },
        ];
        for c in cases {
            let o = op(c);
            let line = canonical_line(&o);
            let back: Op = serde_json::from_slice(&line).expect("reads");
            assert_eq!(back, o);
            assert!(is_canonical(&back, &line));
        }
    }

    #[test]
    fn a_reformatted_line_is_not_canonical() {
        let o = op(Change::Create);
        let mut spaced = String::from_utf8(canonical_line(&o)).unwrap();
        spaced = spaced.replace(":", ": ");
        let back: Op = serde_json::from_str(&spaced).unwrap();
        assert!(!is_canonical(&back, spaced.as_bytes()));
    }

    proptest! {
        #[test]
        fn any_text_and_number_round_trip(t in "\\PC*|[\\x00-\\x1f\"\\\\]*", x in any::<f64>(), i in any::<i64>()) {
            for v in [Value::Text(t.clone()), Value::Int(i), Value::Float(x)] {
                let o = op(Change::Set { field: "f".into(), value: v });
                let line = canonical_line(&o);
                if let Value::Float(x) = &o.change_value() && !x.is_finite() {
                    prop_assert!(serde_json::from_slice::<Op>(&line).is_err());
                    continue;
                }
                let back: Op = serde_json::from_slice(&line).unwrap();
                prop_assert_eq!(&back, &o);
            }
        }
    }

    trait ChangeValue {
        fn change_value(&self) -> Value;
    }
    impl ChangeValue for Op {
        fn change_value(&self) -> Value {
            match &self.change {
                Change::Set { value, .. } => value.clone(),
                _ => Value::Null,
            }
        }
    }
}
