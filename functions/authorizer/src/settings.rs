//! What the authorizer reads from its environment.

use meshcustomers::config::{self, ConfigError, Environment};

use crate::id_token::Expected;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The table keys are found in.
    pub table_name: String,
    /// `JWT_ISSUER` and `JWT_AUDIENCE`: the user pool's issuer URL (its keys are at
    /// `<issuer>/.well-known/jwks.json`) and its app client id.
    pub expected: Expected,
}

impl Settings {
    pub fn read(environment: &Environment) -> Result<Self, ConfigError> {
        Ok(Self {
            table_name: config::table_name(environment)?,
            expected: Expected {
                issuer: environment.required("JWT_ISSUER")?,
                audience: environment.required("JWT_AUDIENCE")?,
            },
        })
    }
}
