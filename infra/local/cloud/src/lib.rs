//! The deployed stack on one machine, read from `infra/template.yaml`: API Gateway with its JWT
//! authorizer ([`gateway`]), Lambda running every function binary against a Runtime API of its
//! own ([`lambda_twin`]), the stream's event source mapping ([`stream_pump`]), the EventBridge
//! bus and its rules ([`bus`]) and Secrets Manager ([`secrets_manager`]), in front of DynamoDB
//! Local and the SES emulator ([`services`]); the web page ([`portal`]) with the API's CORS
//! ([`cors`]) and a local stand-in for the hosted sign-in ([`oauth`]). `local-cloud dev`
//! ([`cloud`]) runs it all.

pub mod api_payload;
pub mod api_reference;
pub mod aws_json;
pub mod bus;
pub mod cloud;
pub mod code_reload;
pub mod cors;
pub mod dead_letters;
pub mod environment;
pub mod event_pattern;
pub mod event_source_mapping;
pub mod function_spec;
pub mod function_twin;
pub mod gateway;
pub mod instance;
pub mod integrations;
pub mod integrator_stack;
pub mod lambda;
pub mod lambda_twin;
pub mod loopback_host;
pub mod oauth;
pub mod portal;
pub mod processes;
pub mod routes;
pub mod runtime_api;
pub mod schedules;
pub mod secrets;
pub mod secrets_manager;
pub mod services;
pub mod settings;
pub mod sqs_queue;
pub mod stream_pump;
pub mod stream_records;
pub mod table;
pub mod template;
pub mod tokens;
