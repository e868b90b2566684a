//! Reading raw answers into typed values, one function per field type.
//!
//! Raw answers are what a browser posts (strings like `"12,50"`,
//! `"01.05.2024"`, `"ja"`) or what a client sends as JSON (numbers, bools,
//! arrays). Each parser returns the normalized value or a [`Problem`] that
//! the validator turns into a message naming the field. Parsers never panic,
//! whatever the input.

use iban::IbanLike;
use serde_json::{Map, Number, Value};
use time::{Date, Month};

/// Why a raw answer could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// Not a number (`decimals` allowed places).
    NotANumber { decimals: u8 },
    /// Not an amount of euros.
    NotMoney,
    /// Not a valid date.
    NotADate,
    /// Not an e-mail address.
    NotAnEmail,
    /// Not a telephone number.
    NotAPhone,
    /// Not a valid IBAN.
    NotAnIban,
    /// Not a German postal code.
    NotAPostalCode,
    /// Neither yes nor no.
    NotYesNo,
    /// A value of the wrong JSON shape (e.g. an object for a text field).
    WrongShape,
}

/// The largest amount we accept, in cents (10 billion euro): keeps sums of
/// many amounts far away from `i64` overflow.
pub const MAX_CENTS: i64 = 1_000_000_000_000;

/// Whether a raw value counts as "not answered".
pub fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.iter().all(is_empty),
        Value::Object(o) => o.values().all(is_empty),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

/// The raw value as trimmed text, if it is a string or a number.
pub fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Reads a number with at most `decimals` places. Accepts `1234`, `1234,5`,
/// `1234.5`, `1.234,5` (German thousands separator) and JSON numbers.
pub fn parse_number(value: &Value, decimals: u8) -> Result<Value, Problem> {
    let text = match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().replace([' ', '\u{a0}'], ""),
        _ => return Err(Problem::NotANumber { decimals }),
    };
    let (int_part, frac_part, negative) =
        split_decimal(&text, decimals).ok_or(Problem::NotANumber { decimals })?;
    if frac_part.len() > usize::from(decimals) {
        return Err(Problem::NotANumber { decimals });
    }
    if decimals == 0 {
        let n: i64 = int_part
            .parse()
            .map_err(|_| Problem::NotANumber { decimals })?;
        return Ok(Value::from(if negative { -n } else { n }));
    }
    let joined = if frac_part.is_empty() {
        int_part
    } else {
        format!("{int_part}.{frac_part}")
    };
    let n: f64 = joined
        .parse()
        .map_err(|_| Problem::NotANumber { decimals })?;
    let n = if negative { -n } else { n };
    Number::from_f64(n)
        .map(Value::Number)
        .ok_or(Problem::NotANumber { decimals })
}

/// Splits `"-1.234,56"` into (`"1234"`, `"56"`, negative). German style
/// (`,` decimal, `.` thousands) and English style (`.` decimal) are both
/// read. A lone `.` followed by exactly three digits (`1.000`) is read as a
/// thousands separator when fewer than three decimals are allowed.
fn split_decimal(text: &str, max_decimals: u8) -> Option<(String, String, bool)> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if body.is_empty()
        || !body
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return None;
    }
    let (int_raw, frac) = if let Some(pos) = body.rfind(',') {
        // German decimal comma; dots before it are thousands separators.
        let (i, f) = body.split_at(pos);
        (i.to_string(), f[1..].to_string())
    } else if body.matches('.').count() == 1
        && !(max_decimals < 3 && body.find('.').is_some_and(|p| body.len() - p - 1 == 3))
    {
        let pos = body.find('.')?;
        let (i, f) = body.split_at(pos);
        (i.to_string(), f[1..].to_string())
    } else {
        (body.to_string(), String::new())
    };
    if frac.contains(['.', ',']) {
        return None;
    }
    // Thousands separators: groups of exactly three digits after the first.
    let groups: Vec<&str> = int_raw.split('.').collect();
    if groups.len() > 1
        && (groups[0].is_empty() || groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3))
    {
        return None;
    }
    let int_part: String = groups.concat();
    if int_part.is_empty() && frac.is_empty() {
        return None;
    }
    let int_part = if int_part.is_empty() {
        "0".to_string()
    } else {
        int_part
    };
    if int_part.len() > 15 {
        return None;
    }
    Some((int_part, frac, negative))
}

/// Reads an amount of euros into integer cents. Accepts `12`, `12,5`,
/// `12,50`, `1.234,56`, `12.50`, `12 €`, `EUR 12` and JSON integers (taken
/// as cents, the stored form).
pub fn parse_money(value: &Value) -> Result<i64, Problem> {
    let text = match value {
        Value::Number(n) => {
            // A JSON number is already the normalized value in cents.
            return n
                .as_i64()
                .filter(|c| c.abs() <= MAX_CENTS)
                .ok_or(Problem::NotMoney);
        }
        Value::String(s) => s.trim().to_string(),
        _ => return Err(Problem::WrongShape),
    };
    let cleaned: String = text
        .trim_end_matches('€')
        .trim_end_matches("EUR")
        .trim_start_matches("EUR")
        .trim_start_matches('€')
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}'))
        .collect();
    let (int_part, frac, negative) = split_decimal(&cleaned, 2).ok_or(Problem::NotMoney)?;
    if frac.len() > 2 {
        return Err(Problem::NotMoney);
    }
    let euros: i64 = int_part.parse().map_err(|_| Problem::NotMoney)?;
    let cents: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().map_err(|_| Problem::NotMoney)? * 10,
        _ => frac.parse().map_err(|_| Problem::NotMoney)?,
    };
    let total = euros
        .checked_mul(100)
        .and_then(|e| e.checked_add(cents))
        .filter(|t| *t <= MAX_CENTS)
        .ok_or(Problem::NotMoney)?;
    Ok(if negative { -total } else { total })
}

/// Formats cents the German way: `1.234,50 €`.
pub fn format_money(cents: i64) -> String {
    let negative = cents < 0;
    let abs = cents.unsigned_abs();
    let euros = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in euros.chars().enumerate() {
        if i > 0 && (euros.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    format!(
        "{}{},{:02} €",
        if negative { "-" } else { "" },
        grouped,
        abs % 100
    )
}

/// Reads a date: `YYYY-MM-DD` (HTML date input) or `DD.MM.YYYY` (German).
pub fn parse_date(value: &Value) -> Result<Date, Problem> {
    let text = as_text(value).ok_or(Problem::WrongShape)?;
    parse_date_str(&text).ok_or(Problem::NotADate)
}

fn parse_date_str(text: &str) -> Option<Date> {
    let (y, m, d) = if let Some((y, rest)) = text.split_once('-') {
        let (m, d) = rest.split_once('-')?;
        (y, m, d)
    } else {
        let (d, rest) = text.split_once('.')?;
        let (m, y) = rest.split_once('.')?;
        (y, m, d)
    };
    if y.len() != 4 || m.is_empty() || m.len() > 2 || d.is_empty() || d.len() > 2 {
        return None;
    }
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if !all_digits(y) || !all_digits(m) || !all_digits(d) {
        return None;
    }
    let year: i32 = y.parse().ok()?;
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    let day: u8 = d.parse().ok()?;
    if !(1000..=9999).contains(&year) {
        return None;
    }
    Date::from_calendar_date(year, month, day).ok()
}

/// `YYYY-MM-DD`.
pub fn iso_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// `DD.MM.YYYY`, as Germans write it.
pub fn german_date(date: Date) -> String {
    format!(
        "{:02}.{:02}.{:04}",
        date.day(),
        u8::from(date.month()),
        date.year()
    )
}

/// A date limit of a definition: `YYYY-MM-DD`, `today`, or `today±N(d|m|y)`.
pub fn resolve_date_bound(bound: &str, today: Date) -> Option<Date> {
    let bound = bound.trim();
    let Some(rest) = bound.strip_prefix("today") else {
        return parse_date_str(bound);
    };
    if rest.is_empty() {
        return Some(today);
    }
    let (sign, rest) = match rest.split_at_checked(1)? {
        ("+", r) => (1i64, r),
        ("-", r) => (-1i64, r),
        _ => return None,
    };
    let (num, unit) = rest.split_at_checked(rest.len().checked_sub(1)?)?;
    let n: i64 = num.parse().ok().filter(|n| *n <= 10_000)?;
    let n = n * sign;
    match unit {
        "d" => today.checked_add(time::Duration::days(n)),
        "m" => add_months(today, n),
        "y" => add_months(today, n * 12),
        _ => None,
    }
}

fn add_months(date: Date, months: i64) -> Option<Date> {
    let total = i64::from(date.year()) * 12 + i64::from(u8::from(date.month())) - 1 + months;
    let year = i32::try_from(total.div_euclid(12)).ok()?;
    let month = Month::try_from(u8::try_from(total.rem_euclid(12) + 1).ok()?).ok()?;
    // 31 March minus one month is the last day of February.
    let day = date.day().min(time::util::days_in_month(month, year));
    Date::from_calendar_date(year, month, day).ok()
}

/// Reads an e-mail address (a pragmatic check: one `@`, a local part, a
/// domain with a dot, no spaces). Stored trimmed.
pub fn parse_email(value: &Value) -> Result<String, Problem> {
    let text = as_text(value).ok_or(Problem::WrongShape)?;
    let (local, domain) = text.rsplit_once('@').ok_or(Problem::NotAnEmail)?;
    let ok = !local.is_empty()
        && local.len() <= 64
        && text.len() <= 254
        && !local.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
        && !text.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(text)
    } else {
        Err(Problem::NotAnEmail)
    }
}

/// Reads a telephone number: digits, spaces, `+ - / ( )`, 5 to 20 digits.
pub fn parse_phone(value: &Value) -> Result<String, Problem> {
    let text = as_text(value).ok_or(Problem::WrongShape)?;
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let allowed = text
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '/' | '(' | ')'));
    let plus_ok = text.rfind('+').is_none_or(|pos| pos == 0);
    if allowed && plus_ok && (5..=20).contains(&digits) {
        Ok(text.split_whitespace().collect::<Vec<_>>().join(" "))
    } else {
        Err(Problem::NotAPhone)
    }
}

/// Reads an IBAN (checksum per ISO 13616), stored upper case without spaces.
pub fn parse_iban(value: &Value) -> Result<String, Problem> {
    let text = as_text(value).ok_or(Problem::WrongShape)?;
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_ascii_uppercase();
    compact
        .parse::<iban::Iban>()
        .map(|iban| iban.electronic_str().to_string())
        .map_err(|_| Problem::NotAnIban)
}

/// Reads a German postal code: exactly five digits.
pub fn parse_postal_code(value: &Value) -> Result<String, Problem> {
    let text = as_text(value).ok_or(Problem::WrongShape)?;
    if text.len() == 5 && text.chars().all(|c| c.is_ascii_digit()) {
        Ok(text)
    } else {
        Err(Problem::NotAPostalCode)
    }
}

/// Reads yes/no: `true`/`false`, `ja`/`nein`, `yes`/`no`, `on`.
pub fn parse_yes_no(value: &Value) -> Result<bool, Problem> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::String(s) => match s.trim().to_lowercase().as_str() {
            "ja" | "yes" | "true" | "on" | "1" => Ok(true),
            "nein" | "no" | "false" | "off" | "0" => Ok(false),
            _ => Err(Problem::NotYesNo),
        },
        _ => Err(Problem::NotYesNo),
    }
}

/// Reads a list of choices: an array of strings, or one string.
pub fn parse_choices(value: &Value) -> Result<Vec<String>, Problem> {
    match value {
        Value::String(s) => Ok(vec![s.trim().to_string()]),
        Value::Array(items) => items
            .iter()
            .filter(|v| !is_empty(v))
            .map(|v| as_text(v).ok_or(Problem::WrongShape))
            .collect(),
        _ => Err(Problem::WrongShape),
    }
}

/// The sub-fields of a German postal address, in display order.
pub const ADDRESS_PARTS: [&str; 5] = ["street", "house_number", "addition", "postal_code", "city"];

/// Reads the object of an address, keeping only known parts, trimmed.
pub fn address_parts(value: &Value) -> Result<Map<String, Value>, Problem> {
    let Value::Object(obj) = value else {
        return Err(Problem::WrongShape);
    };
    let mut out = Map::new();
    for part in ADDRESS_PARTS {
        if let Some(v) = obj.get(part) {
            let text = as_text(v).ok_or(Problem::WrongShape)?;
            if !text.is_empty() {
                out.insert(part.to_string(), Value::String(text));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;
    use time::macros::date;

    #[test]
    fn money_reads_german_and_english_amounts() {
        assert_eq!(parse_money(&json!("12")), Ok(1200));
        assert_eq!(parse_money(&json!("12,5")), Ok(1250));
        assert_eq!(parse_money(&json!("12,50 €")), Ok(1250));
        assert_eq!(parse_money(&json!("1.234,56")), Ok(123_456));
        assert_eq!(parse_money(&json!("12.50")), Ok(1250));
        assert_eq!(parse_money(&json!("1.234.567")), Ok(123_456_700));
        assert_eq!(parse_money(&json!("1.000")), Ok(100_000));
        assert_eq!(parse_money(&json!("1000.5")), Ok(100_050));
        assert_eq!(parse_money(&json!(1250)), Ok(1250));
        assert_eq!(parse_money(&json!("12,505")), Err(Problem::NotMoney));
        assert_eq!(parse_money(&json!("zwölf")), Err(Problem::NotMoney));
        assert_eq!(parse_money(&json!("1.23.4")), Err(Problem::NotMoney));
        assert_eq!(
            parse_money(&json!("99999999999999999999")),
            Err(Problem::NotMoney)
        );
    }

    #[test]
    fn money_formats_the_german_way() {
        assert_eq!(format_money(123_456), "1.234,56 €");
        assert_eq!(format_money(5), "0,05 €");
        assert_eq!(format_money(-1000), "-10,00 €");
        assert_eq!(format_money(100_000_000), "1.000.000,00 €");
    }

    #[test]
    fn numbers_respect_decimal_places() {
        assert_eq!(parse_number(&json!("3"), 0), Ok(json!(3)));
        assert_eq!(parse_number(&json!("-3"), 0), Ok(json!(-3)));
        assert!(parse_number(&json!("3,5"), 0).is_err());
        assert_eq!(parse_number(&json!("72,5"), 2), Ok(json!(72.5)));
        assert_eq!(parse_number(&json!("1.072,25"), 2), Ok(json!(1072.25)));
        assert!(parse_number(&json!("abc"), 2).is_err());
        assert!(parse_number(&json!(""), 2).is_err());
    }

    #[test]
    fn dates_in_both_notations() {
        assert_eq!(parse_date(&json!("2024-02-29")), Ok(date!(2024 - 02 - 29)));
        assert_eq!(parse_date(&json!("1.5.2024")), Ok(date!(2024 - 05 - 01)));
        assert_eq!(parse_date(&json!("2023-02-29")), Err(Problem::NotADate));
        assert_eq!(parse_date(&json!("31.04.2024")), Err(Problem::NotADate));
        assert_eq!(parse_date(&json!("2024-1-1x")), Err(Problem::NotADate));
        assert_eq!(german_date(date!(2024 - 05 - 01)), "01.05.2024");
    }

    #[test]
    fn relative_date_bounds() {
        let today = date!(2024 - 03 - 31);
        assert_eq!(resolve_date_bound("today", today), Some(today));
        assert_eq!(
            resolve_date_bound("today-18y", today),
            Some(date!(2006 - 03 - 31))
        );
        assert_eq!(
            resolve_date_bound("today-1m", today),
            Some(date!(2024 - 02 - 29))
        );
        assert_eq!(
            resolve_date_bound("today+30d", today),
            Some(date!(2024 - 04 - 30))
        );
        assert_eq!(
            resolve_date_bound("2020-01-01", today),
            Some(date!(2020 - 01 - 01))
        );
        assert_eq!(resolve_date_bound("today*3d", today), None);
        assert_eq!(resolve_date_bound("today-", today), None);
        assert_eq!(resolve_date_bound("today-y", today), None);
    }

    #[test]
    fn iban_checksum() {
        assert_eq!(
            parse_iban(&json!("de89 3704 0044 0532 0130 00")),
            Ok("DE89370400440532013000".to_string())
        );
        assert_eq!(
            parse_iban(&json!("DE89370400440532013001")),
            Err(Problem::NotAnIban)
        );
    }

    #[test]
    fn email_phone_postal_code_yes_no() {
        assert!(parse_email(&json!("erika.mustermann@example.de")).is_ok());
        assert!(parse_email(&json!("erika@localhost")).is_err());
        assert!(parse_email(&json!("erika mustermann@example.de")).is_err());
        assert_eq!(
            parse_phone(&json!("+49  361 123456")),
            Ok("+49 361 123456".into())
        );
        assert!(parse_phone(&json!("0361-12a")).is_err());
        assert!(parse_phone(&json!("0361+1234567")).is_err());
        assert_eq!(parse_postal_code(&json!("99084")), Ok("99084".into()));
        assert!(parse_postal_code(&json!("9908")).is_err());
        assert_eq!(parse_yes_no(&json!("Ja")), Ok(true));
        assert_eq!(parse_yes_no(&json!("nein")), Ok(false));
        assert!(parse_yes_no(&json!("vielleicht")).is_err());
    }
}
