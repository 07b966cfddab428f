//! The TLS trust roots compiled into every function: the `webpki-root-certs` crate's (Mozilla's
//! root program) as one PEM bundle in `OUT_DIR`, since the SDK's TLS context takes extra roots
//! only as PEM (`src/app.rs`). Encoded here, once, so that a function's start does not.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::fmt::Write;

fn main() {
    let mut pem = String::new();
    for certificate in webpki_root_certs::TLS_SERVER_ROOT_CERTS {
        let encoded = STANDARD.encode(certificate.as_ref());
        pem.push_str("-----BEGIN CERTIFICATE-----\n");
        for line in encoded.as_bytes().chunks(64) {
            writeln!(pem, "{}", std::str::from_utf8(line).expect("base64 is ASCII")).expect("writing to a String");
        }
        pem.push_str("-----END CERTIFICATE-----\n");
    }
    let out = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(std::path::Path::new(&out).join("trust-roots.pem"), pem).expect("OUT_DIR is writable");
}
