//! The deployed stack on one machine, read from `infra/template.yaml`: API Gateway with its JWT
//! authorizer ([`gateway`]), the stream's event source mapping ([`stream_pump`]), the EventBridge
//! bus and its rules ([`bus`]), in front of DynamoDB Local, the SES emulator and the functions
//! under `cargo lambda watch` ([`services`]). `local-cloud dev` ([`cloud`]) runs it all.

pub mod api_payload;
pub mod aws_json;
pub mod bus;
pub mod cloud;
pub mod dead_letters;
pub mod environment;
pub mod event_pattern;
pub mod event_source_mapping;
pub mod gateway;
pub mod lambda;
pub mod processes;
pub mod routes;
pub mod secrets;
pub mod secrets_manager;
pub mod services;
pub mod settings;
pub mod stream_pump;
pub mod stream_records;
pub mod table;
pub mod template;
pub mod tokens;
