//! Euro amounts between whole cents (what Amtsweg computes with) and the
//! JSON numbers XBezahldienste carries (`12.5` for 12,50 €). Only this
//! encoding lives here; what an amount means is the adapter's business.
//!
//! Why not floats: a fee is never computed in floating point. Writing, a
//! cent count divided by 100 is the `f64` nearest to the decimal, and
//! serde_json prints the shortest text that reads back as that `f64` —
//! the decimal itself. Reading, serde_json has parsed the provider's text
//! into an `f64`; its shortest text is again the decimal the provider sent
//! (amounts up to 999 999,99 € have far fewer than 15 digits), which is
//! parsed here digit by digit. More than two decimals, a sign, an exponent
//! or a value beyond [`MAX_CENTS`] is refused, never rounded.

use serde_json::Number;

/// The interface's upper bound for an amount: 999 999 €.
pub const MAX_CENTS: u64 = 99_999_900;

/// `cents` as a JSON number of euros (`1250` → `12.5`).
pub fn to_json(cents: u64) -> Number {
    // u64 → f64 is exact below 2^53, far above MAX_CENTS; a finite f64
    // always makes a Number, the fallback is never taken.
    #[allow(clippy::cast_precision_loss)]
    let euros = cents as f64 / 100.0;
    Number::from_f64(euros).unwrap_or_else(|| Number::from(0))
}

/// A JSON number of euros as cents, refusing anything that is not a
/// non-negative amount with at most two decimals up to [`MAX_CENTS`].
pub fn from_json(number: &Number) -> Result<u64, String> {
    let cents = if let Some(euros) = number.as_u64() {
        euros.checked_mul(100)
    } else {
        parse_decimal(&number.to_string())
    };
    match cents {
        Some(cents) if cents <= MAX_CENTS => Ok(cents),
        Some(_) => Err(format!("amount {number} is above 999999")),
        None => Err(format!(
            "amount {number} is not a non-negative amount with at most two decimals"
        )),
    }
}

fn parse_decimal(text: &str) -> Option<u64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || (!fraction.is_empty() && !digits(fraction)) || fraction.len() > 2 {
        return None;
    }
    let whole: u64 = whole.parse().ok()?;
    let fraction: u64 = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<u64>().ok()? * 10,
        _ => fraction.parse().ok()?,
    };
    whole.checked_mul(100)?.checked_add(fraction)
}

/// `cents` as German text for pages: `12,50 €`.
pub fn format_de(cents: u64) -> String {
    format!("{},{:02} €", cents / 100, cents % 100)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn parse(text: &str) -> Result<u64, String> {
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        match value {
            serde_json::Value::Number(n) => from_json(&n),
            _ => Err("not a number".into()),
        }
    }

    #[test]
    fn cents_round_trip_through_json_text() {
        for cents in [
            0, 1, 5, 10, 99, 100, 1250, 3050, 123_456, 9_999_999, MAX_CENTS,
        ] {
            let text = serde_json::to_string(&to_json(cents)).unwrap();
            assert_eq!(parse(&text), Ok(cents), "{cents} → {text}");
        }
        assert_eq!(serde_json::to_string(&to_json(1250)).unwrap(), "12.5");
        assert_eq!(serde_json::to_string(&to_json(1)).unwrap(), "0.01");
    }

    #[test]
    fn every_cent_up_to_a_thousand_euros_round_trips() {
        for cents in 0..100_000 {
            let text = serde_json::to_string(&to_json(cents)).unwrap();
            assert_eq!(parse(&text), Ok(cents), "{text}");
        }
    }

    #[test]
    fn provider_spellings_are_read_exactly() {
        assert_eq!(parse("12"), Ok(1200));
        assert_eq!(parse("12.50"), Ok(1250));
        assert_eq!(parse("12.500"), Ok(1250));
        assert_eq!(parse("0.1"), Ok(10));
        assert_eq!(parse("999999"), Ok(MAX_CENTS));
    }

    #[test]
    fn fractions_of_cents_signs_and_huge_amounts_are_refused() {
        assert!(parse("12.505").is_err());
        assert!(parse("-1").is_err());
        assert!(parse("-1.5").is_err());
        assert!(parse("1e30").is_err());
        assert!(parse("0.000001").is_err());
        assert!(parse("1000000").is_err());
        assert!(parse("999999.01").is_err());
    }

    #[test]
    fn german_format() {
        assert_eq!(format_de(1250), "12,50 €");
        assert_eq!(format_de(5), "0,05 €");
    }
}
