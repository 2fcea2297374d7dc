//! cscaudit's core: the record model (pure rules: records, operations and
//! their merge, the authority rules every copy applies, signed batches as
//! data) and the store (sled, one file format in `store/codec.rs`).
//!
//! No IO above the store, no UI, no cryptography: signing and verifying
//! batches belong to `cscaudit-app`'s `crypto`.
#![deny(unsafe_code)]

pub mod model;
pub mod store;
pub mod text;
