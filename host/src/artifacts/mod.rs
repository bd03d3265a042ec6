//! Artifacts as the host tracks them: records with digests, the content-addressed
//! store holding their bytes, `artifacts.json` (and GoReleaser's metadata files on request), and publishing `dist/`.

pub mod dist;
pub mod goreleaser;
pub mod manifest;
pub mod partial;
mod record;
mod set;
mod store;

pub use record::{Kind, Record};
pub use set::ArtifactSet;
pub use store::Store;
