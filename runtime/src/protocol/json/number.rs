//! Doubles as Apache's JSON protocol writes them: 17 significant digits in the shortest of
//! C's `%.17g` forms (what C++'s `precision(17)` and Python's `'{0:.17g}'` print), and the
//! three values JSON has no number for as the strings C++ writes. And integers, without
//! `fmt`.

use std::io::Write as _;

use bytes::{BufMut, BytesMut};

/// The text of a double that is not a JSON number, or `None` for one that is.
pub(super) fn special(value: f64) -> Option<&'static str> {
    if value.is_nan() {
        Some("NaN")
    } else if value.is_infinite() {
        Some(if value < 0.0 { "-Infinity" } else { "Infinity" })
    } else {
        None
    }
}

/// Appends `value` (finite) as `%.17g` prints it, without allocating.
pub(super) fn write_g17(value: f64, out: &mut BytesMut) {
    const DIGITS: i32 = 17;
    if value == 0.0 {
        out.put_slice(if value.is_sign_negative() {
            b"-0"
        } else {
            b"0"
        });
        return;
    }
    // d.dddddddddddddddde±x, correctly rounded, as printf rounds.
    let mut text = [0u8; 32];
    let len = {
        let mut cursor = &mut text[..];
        let _ = write!(cursor, "{:.16e}", value.abs());
        32 - cursor.len()
    };
    let text = &text[..len];
    // `d.` then 16 digits then `e`: anything else would be a formatter unlike Rust's.
    let (Some(&first), Some(fraction), Some(exponent)) =
        (text.first(), text.get(2..18), text.get(19..))
    else {
        let _ = write!(out.writer(), "{value:e}");
        return;
    };
    let exponent: i32 = std::str::from_utf8(exponent)
        .ok()
        .and_then(|x| x.parse().ok())
        .unwrap_or(0);
    let mut digits = [0u8; DIGITS as usize];
    digits[0] = first;
    digits[1..].copy_from_slice(fraction);
    let significant = DIGITS as usize - digits.iter().rev().take_while(|&&d| d == b'0').count();
    if value < 0.0 {
        out.put_u8(b'-');
    }
    if !(-4..DIGITS).contains(&exponent) {
        out.put_u8(digits[0]);
        if significant > 1 {
            out.put_u8(b'.');
            out.put_slice(&digits[1..significant]);
        }
        out.put_u8(b'e');
        out.put_u8(if exponent < 0 { b'-' } else { b'+' });
        write_unsigned(u64::from(exponent.unsigned_abs()), 2, out);
    } else if exponent < 0 {
        out.put_slice(b"0.");
        out.put_bytes(b'0', exponent.unsigned_abs() as usize - 1);
        out.put_slice(&digits[..significant]);
    } else {
        let whole = exponent.unsigned_abs() as usize + 1;
        out.put_slice(&digits[..whole]);
        if significant > whole {
            out.put_u8(b'.');
            out.put_slice(&digits[whole..significant]);
        }
    }
}

/// Appends `value` in decimal, at least `width` digits.
pub(super) fn write_unsigned(mut value: u64, width: usize, out: &mut BytesMut) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    while value > 0 || digits.len() - start < width.max(1) {
        start -= 1;
        digits[start] = b'0' + (value % 10) as u8;
        value /= 10;
    }
    out.put_slice(&digits[start..]);
}

/// Appends `value` in decimal.
pub(super) fn write_integer(value: i64, out: &mut BytesMut) {
    if value < 0 {
        out.put_u8(b'-');
    }
    write_unsigned(value.unsigned_abs(), 1, out);
}

/// Reads a double from its text: a JSON number, or the special values as C++ writes them
/// (`NaN`, `Infinity`, `-Infinity`) and as Python does (`nan`, `inf`, `-inf`).
pub(super) fn parse(text: &[u8]) -> Option<f64> {
    let text = std::str::from_utf8(text).ok()?;
    match text {
        "NaN" | "nan" => Some(f64::NAN),
        "Infinity" | "inf" => Some(f64::INFINITY),
        "-Infinity" | "-inf" => Some(f64::NEG_INFINITY),
        // Rust's parser takes every JSON number, and words JSON has not: reject those.
        _ if text.bytes().all(|b| b"+-.0123456789eE".contains(&b)) => text.parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g17(value: f64) -> String {
        let mut out = BytesMut::new();
        write_g17(value, &mut out);
        String::from_utf8(out.to_vec()).unwrap()
    }

    #[test]
    fn integers_as_display_writes_them() {
        for value in [0, 7, -1, 10, 1_000_000, i64::MIN, i64::MAX] {
            let mut out = BytesMut::new();
            write_integer(value, &mut out);
            assert_eq!(&out[..], value.to_string().as_bytes());
        }
    }

    /// What Python's `'{0:.17g}'.format` (C's `%.17g`) printed for these; the wire tests
    /// compare whole messages with Apache's Python.
    #[test]
    fn prints_as_printf_g17() {
        for (value, text) in [
            (1.0, "1"),
            (-2.5, "-2.5"),
            (0.1, "0.10000000000000001"),
            (100.0, "100"),
            (1e16, "10000000000000000"),
            (1e17, "1e+17"),
            (1.5e300, "1.5000000000000001e+300"),
            (0.0001, "0.0001"),
            (0.00001, "1.0000000000000001e-05"),
            (-0.0, "-0"),
            (f64::MAX, "1.7976931348623157e+308"),
            (5e-324, "4.9406564584124654e-324"),
        ] {
            assert_eq!(g17(value), text, "{value:e}");
        }
    }

    #[test]
    fn reads_numbers_and_both_spellings_of_the_special_values() {
        assert_eq!(parse(b"-1.5e3"), Some(-1500.0));
        assert!(parse(b"NaN").is_some_and(f64::is_nan));
        assert_eq!(parse(b"-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse(b"Infinity"), Some(f64::INFINITY));
        assert_eq!(parse(b"infinity"), None);
        assert_eq!(parse(b""), None);
        assert_eq!(parse(b"1.2.3"), None);
    }
}
