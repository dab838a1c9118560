//! Doubles as Apache's JSON protocol writes them: 17 significant digits in the shortest of
//! C's `%.17g` forms (what C++'s `precision(17)` and Python's `'{0:.17g}'` print), and the
//! three values JSON has no number for as the strings C++ writes.

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

/// Appends `value` (finite) as `%.17g` prints it.
pub(super) fn write_g17(value: f64, out: &mut impl std::fmt::Write) {
    const DIGITS: i32 = 17;
    if value == 0.0 {
        let _ = out.write_str(if value.is_sign_negative() { "-0" } else { "0" });
        return;
    }
    // d.dddddddddddddddde±x, correctly rounded, as printf rounds.
    let scientific = format!("{:.16e}", value.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if value < 0.0 {
        let _ = out.write_char('-');
    }
    if !(-4..DIGITS).contains(&exponent) {
        let (first, rest) = digits.split_at(1);
        let rest = rest.trim_end_matches('0');
        let _ = out.write_str(first);
        if !rest.is_empty() {
            let _ = write!(out, ".{rest}");
        }
        let sign = if exponent < 0 { '-' } else { '+' };
        let _ = write!(out, "e{sign}{:02}", exponent.unsigned_abs());
    } else if exponent < 0 {
        let zeros = "0".repeat(exponent.unsigned_abs() as usize - 1);
        let _ = write!(out, "0.{zeros}{}", digits.trim_end_matches('0'));
    } else {
        let (whole, fraction) = digits.split_at(exponent.unsigned_abs() as usize + 1);
        let fraction = fraction.trim_end_matches('0');
        let _ = out.write_str(whole);
        if !fraction.is_empty() {
            let _ = write!(out, ".{fraction}");
        }
    }
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
        let mut out = String::new();
        write_g17(value, &mut out);
        out
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
