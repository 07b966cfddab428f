//! Opaque pagination cursors: the last key read, signed (HMAC-SHA256) together with the list it
//! belongs to, so a cursor that was altered or moved to another list is refused.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::BTreeMap;

type HmacSha256 = Hmac<Sha256>;

/// A table or index key, every attribute a string (as all keys of this table are).
pub type StringKey = BTreeMap<String, String>;

pub fn encode(key: &StringKey, scope: &str, secret: &[u8]) -> String {
    let payload = serde_json::to_vec(key).expect("a string map always serializes");
    let signature = sign(&payload, scope, secret).finalize().into_bytes();
    format!("{}.{}", URL_SAFE_NO_PAD.encode(&payload), URL_SAFE_NO_PAD.encode(signature))
}

/// Longer than any cursor this store issues (keys are short); a longer one is refused unread.
pub const MAX_CURSOR_CHARS: usize = 1024;

/// `None` for anything that is not a cursor this list issued.
pub fn decode(cursor: &str, scope: &str, secret: &[u8]) -> Option<StringKey> {
    if cursor.len() > MAX_CURSOR_CHARS {
        return None;
    }
    let (payload, signature) = cursor.split_once('.')?;
    let payload = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
    sign(&payload, scope, secret).verify_slice(&signature).ok()?;
    serde_json::from_slice(&payload).ok()
}

fn sign(payload: &[u8], scope: &str, secret: &[u8]) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(scope.as_bytes());
    mac.update(b"\n");
    mac.update(payload);
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn key() -> StringKey {
        BTreeMap::from([("pk".to_owned(), "CUSTOMER#acme".to_owned()), ("sk".to_owned(), "CUSTOMER".to_owned())])
    }

    #[test]
    fn round_trips() {
        let cursor = encode(&key(), "customers:PARTNER#acme", SECRET);
        assert_eq!(decode(&cursor, "customers:PARTNER#acme", SECRET), Some(key()));
    }

    #[test]
    fn refuses_tampering_other_lists_and_other_secrets() {
        let cursor = encode(&key(), "customers:PARTNER#acme", SECRET);
        let (payload, signature) = cursor.split_once('.').unwrap();
        let forged_payload = URL_SAFE_NO_PAD.encode(br#"{"pk":"CUSTOMER#globex","sk":"CUSTOMER"}"#);
        assert_eq!(decode(&format!("{forged_payload}.{signature}"), "customers:PARTNER#acme", SECRET), None);
        assert_eq!(decode(&format!("{payload}.AAAA"), "customers:PARTNER#acme", SECRET), None);
        assert_eq!(decode(&cursor, "customers:PARTNER#globex", SECRET), None);
        assert_eq!(decode(&cursor, "customers:PARTNER#acme", b"another secret of sufficient size"), None);
        assert_eq!(decode("garbage", "customers:PARTNER#acme", SECRET), None);
    }
}
