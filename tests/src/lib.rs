//! The test harness: real local twins (DynamoDB Local, the SES v2 emulator) started on free
//! ports, the table created from `infra/template.yaml`, and requests shaped as API Gateway
//! delivers them.

pub mod local_services;
pub mod operations;
pub mod pipeline;
pub mod requests;
pub mod table;
pub mod template;
pub mod test_app;

pub use requests::{Caller, TestResponse, api};
pub use test_app::TestApp;

use std::path::PathBuf;

/// The repository's root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the repo root").to_owned()
}
