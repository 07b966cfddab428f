//! Rules for text that people write for other people to read (names, reasons, later
//! messages): something must be visible, and nothing may hide or reorder what is shown.

use unicode_general_category::{GeneralCategory, get_general_category};

use super::FieldError;

/// Bidirectional formatting characters (Unicode's Bidi_Control): they can make text display in
/// an order other than the one it is stored in ("Trojan Source").
const BIDI_CONTROLS: [char; 12] = [
    '\u{061C}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}',
    '\u{2067}', '\u{2068}', '\u{2069}',
];

/// A letter, number, punctuation mark or symbol: something a reader sees. White space, control,
/// format (such as U+200B ZERO WIDTH SPACE) and lone combining marks are not.
fn is_visible(c: char) -> bool {
    use GeneralCategory::*;
    matches!(
        get_general_category(c),
        UppercaseLetter
            | LowercaseLetter
            | TitlecaseLetter
            | ModifierLetter
            | OtherLetter
            | DecimalNumber
            | LetterNumber
            | OtherNumber
            | ConnectorPunctuation
            | DashPunctuation
            | OpenPunctuation
            | ClosePunctuation
            | InitialPunctuation
            | FinalPunctuation
            | OtherPunctuation
            | MathSymbol
            | CurrencySymbol
            | ModifierSymbol
            | OtherSymbol
    )
}

/// Single-line text for display: no control characters, no bidi controls, one visible character at least.
pub(crate) fn check_display_text(text: &str) -> Result<(), FieldError> {
    if text.chars().any(char::is_control) {
        return Err(FieldError::new("must not contain control characters"));
    }
    if text.chars().any(|c| BIDI_CONTROLS.contains(&c)) {
        return Err(FieldError::new("must not contain bidirectional control characters"));
    }
    if !text.chars().any(is_visible) {
        return Err(FieldError::new("must contain a visible character"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_people_write() {
        for ok in ["Acme", "Ünïcødé GmbH", "株式会社", "שלום", "!!!", "€", "O'Neil & Sons", "👍"] {
            assert_eq!(check_display_text(ok), Ok(()), "{ok:?}");
        }
    }

    #[test]
    fn refuses_invisible_and_reordering_text() {
        for bad in [
            "\u{200B}",
            "\u{200B}\u{200D}\u{FEFF}",
            " \u{3000} ",
            "\u{0301}",
            "abc\u{202E}fed",
            "a\u{2066}b",
            "a\u{7}b",
        ] {
            assert!(check_display_text(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
