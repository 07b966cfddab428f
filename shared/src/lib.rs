//! meshcustomers' shared core: the domain, the caller and what it may do, the events, the
//! single-table store, and the HTTP boundary every function uses.

pub mod access;
pub mod app;
pub mod authorization;
pub mod change;
pub mod config;
pub mod diagnostics;
pub mod domain;
pub mod entry;
pub mod events;
pub mod http;
pub mod principal;
pub mod refusal;
pub mod sdk;
pub mod secrets;
pub mod store;
pub mod sweep;

pub use app::App;
