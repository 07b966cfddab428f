//! The test harness: real local twins (DynamoDB Local, the SES v2 emulator) started on free
//! ports, the table created from `infra/template.yaml`, and requests shaped as API Gateway
//! delivers them.

pub mod bench;
pub mod faults;
pub mod fixtures;
pub mod local_services;
pub mod logs;
pub mod members;
pub mod operations;
pub mod pipeline;
pub mod poll;
pub mod requests;
pub mod running_cloud;
pub mod schema_growth;
pub mod schemas;
pub mod template;
pub mod test_app;

pub use requests::{Caller, TestResponse, api};
pub use test_app::TestApp;

pub use local_cloud::template::repo_root;
