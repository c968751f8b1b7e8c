//! The token the X syndication endpoint asks for (docs/platforms.md §1.5).
//!
//! The embed widget computes it in JavaScript as
//! `((Number(id) / 1e15) * Math.PI).toString(36).replace(/(0+|\.)/g, '')`.
//! [`js_radix_string`] renders a double exactly as
//! `Number.prototype.toString(radix)` does, fractional digits included (the
//! shortest digits that still identify the double, rounded half to even), so
//! the token matches the widget's bit for bit.

/// The syndication token of the tweet `id` (its decimal digits).
pub fn syndication_token(id: &str) -> Option<String> {
    let n: f64 = id.trim().parse().ok()?;
    if !n.is_finite() || n < 0.0 {
        return None;
    }
    let value = (n / 1e15) * std::f64::consts::PI;
    Some(
        js_radix_string(value, 36)
            .chars()
            .filter(|c| *c != '0' && *c != '.')
            .collect(),
    )
}

const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// `value.toString(radix)` as JavaScript engines print it (the algorithm of
/// V8's `DoubleToRadixCString`); `radix` is 2..=36.
pub fn js_radix_string(value: f64, radix: u32) -> String {
    let radix_f = f64::from(radix);
    if value.is_nan() {
        return "NaN".into();
    }
    if value.is_infinite() {
        return if value > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if value == 0.0 {
        return "0".into();
    }
    let negative = value < 0.0;
    let value = value.abs();
    let mut integer = value.floor();
    let mut fraction = value - integer;
    // Only the digits the double's precision justifies: half the gap to the
    // next double, at least the smallest positive double.
    let mut delta = (0.5 * (next_double(value) - value)).max(f64::from_bits(1));
    let mut frac_digits: Vec<u8> = Vec::new();
    if fraction >= delta {
        loop {
            fraction *= radix_f;
            delta *= radix_f;
            let digit = fraction as u32;
            frac_digits.push(digit as u8);
            fraction -= f64::from(digit);
            if (fraction > 0.5 || (fraction == 0.5 && digit & 1 == 1)) && fraction + delta > 1.0 {
                // Round up, carrying into earlier digits (and the integer).
                loop {
                    match frac_digits.pop() {
                        None => {
                            integer += 1.0;
                            break;
                        }
                        Some(d) if u32::from(d) + 1 < radix => {
                            frac_digits.push(d + 1);
                            break;
                        }
                        Some(_) => {}
                    }
                }
                break;
            }
            if fraction < delta {
                break;
            }
        }
    }
    // Integer digits; those below the double's precision are zeros.
    let mut int_digits: Vec<u8> = Vec::new();
    while exponent(integer / radix_f) > 0 {
        integer /= radix_f;
        int_digits.push(0);
    }
    loop {
        let remainder = integer % radix_f;
        int_digits.push(remainder as u8);
        integer = (integer - remainder) / radix_f;
        if integer <= 0.0 {
            break;
        }
    }
    let mut out = String::with_capacity(int_digits.len() + frac_digits.len() + 2);
    if negative {
        out.push('-');
    }
    out.extend(int_digits.iter().rev().map(|&d| DIGITS[d as usize] as char));
    if !frac_digits.is_empty() {
        out.push('.');
        out.extend(frac_digits.iter().map(|&d| DIGITS[d as usize] as char));
    }
    out
}

/// The next larger double (for finite positive values).
fn next_double(v: f64) -> f64 {
    f64::from_bits(v.to_bits() + 1)
}

/// The exponent of `v` as V8's `Double::Exponent` counts it: the power of two
/// of the least significant bit of the 53-bit significand.
fn exponent(v: f64) -> i32 {
    let biased = ((v.to_bits() >> 52) & 0x7ff) as i32;
    let biased = if biased == 0 { 1 } else { biased };
    biased - 1075
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_match_the_published_vectors() {
        for (id, token) in [
            ("20", "6dq1a2xwd93"),
            ("1581661660728950784", "3uxpwiq636"),
            ("1225455484259442691", "2yxvr3peq8"),
            ("1721144944059118002", "4674wnrujvw"),
            ("463440424141459456", "14fxvks611f"),
        ] {
            assert_eq!(syndication_token(id).as_deref(), Some(token), "id {id}");
        }
        assert_eq!(syndication_token("not a number"), None);
    }

    #[test]
    fn radix_36_matches_javascript() {
        // Printed by Node.js: `(v).toString(36)`.
        for (v, js) in [
            (6.283185307179587e-14, "0.000000006dq1a2xwd93"),
            (4968.936653810704, "3u0.xpwiq636"),
            (3849.8819466507875, "2yx.vr03peq8"),
            (0.5, "0.i"),
            (1.0 / 3.0, "0.c"),
            (123.456, "3f.gez4w97ry"),
            (0.1, "0.3lllllllllm"),
            (1e-7, "0.000061oezo085tl"),
            (35.99999999999999, "z.zzzzzzzzz"),
            (1e21, "5v1j4f4ds7c000"),
            (9007199254740994.0, "2gosa7pa2gy"),
            (-2.5, "-2.i"),
            (36.0, "10"),
            (0.0, "0"),
        ] {
            assert_eq!(js_radix_string(v, 36), js, "{v}");
        }
    }

    #[test]
    fn other_radices_match_javascript() {
        // `(0.1).toString(2)`, `(255.5).toString(16)`, `(-0.75).toString(8)`.
        assert_eq!(
            js_radix_string(0.1, 2),
            "0.0001100110011001100110011001100110011001100110011001101"
        );
        assert_eq!(js_radix_string(255.5, 16), "ff.8");
        assert_eq!(js_radix_string(-0.75, 8), "-0.6");
    }
}
