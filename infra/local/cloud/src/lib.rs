//! The deployed stack on one machine, read from `infra/template.yaml` ([`template`]), one folder
//! per AWS service it stands in for:
//! - [`gateway`]: API Gateway's HTTP API with its Lambda authorizer, routes, CORS and payload 2.0;
//! - [`lambda`]: Lambda, running every function binary against a Runtime API of its own;
//! - [`stream`]: the table's stream and its event source mapping;
//! - [`bus`]: EventBridge, its rules, the integrator's own rules and the schedules;
//! - [`secrets`]: Secrets Manager;
//! - [`signin`]: the hosted sign-in (Cognito's OAuth endpoints and its tokens);
//! - [`services`]: DynamoDB Local and the SES emulator, with the template's table;
//! - [`portal`]: CloudFront serving the web page.
//!
//! `local-cloud dev` ([`cloud`]) runs it all.

pub mod aws_json;
pub mod bus;
pub mod cloud;
pub mod dead_letters;
pub mod environment;
pub mod gateway;
pub mod lambda;
pub mod loopback_host;
pub mod portal;
pub mod processes;
pub mod secrets;
pub mod services;
pub mod settings;
pub mod signin;
pub mod stream;
pub mod template;
