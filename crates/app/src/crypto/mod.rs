//! Cryptography with the auditors' ssh keys: signing operation batches
//! ([`sign`], sshsig) and encrypting bundles and sync files to the team
//! ([`seal`], age).

pub mod seal;
pub mod sign;
