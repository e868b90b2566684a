//! The reference number citizens and case workers quote:
//! `AW-<year>-<number>`, e.g. `AW-2026-000123`. Short, unique, readable on
//! a phone and over the telephone. This module owns its format; the
//! numbers themselves come from the `reference_counters` table
//! ([`crate::store`]), one counter per year.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::{OffsetDateTime, macros::offset};

/// The prefix of every reference number.
pub const PREFIX: &str = "AW";

/// The number is zero-padded to this many digits (it may grow longer).
/// PostgreSQL's submit statement pads the same way (`crate::store`).
pub const DIGITS: usize = 6;

/// `AW-2026-000123`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReferenceNumber {
    year: i32,
    number: u64,
}

/// A text that is not a reference number.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0:?} is not a reference number like AW-2026-000123")]
pub struct ParseReferenceError(String);

impl ReferenceNumber {
    /// The reference number `number` of `year`; `None` unless the year has
    /// four digits and the number is at least 1.
    pub fn new(year: i32, number: u64) -> Option<ReferenceNumber> {
        ((1000..=9999).contains(&year) && number >= 1).then_some(ReferenceNumber { year, number })
    }

    pub fn year(&self) -> i32 {
        self.year
    }

    pub fn number(&self) -> u64 {
        self.number
    }
}

/// The year a reference number issued at `now` carries: the calendar year
/// in Germany. At the turn of the year Germany is always on CET (UTC+1),
/// so this needs no time-zone database.
pub fn reference_year(now: OffsetDateTime) -> i32 {
    now.to_offset(offset!(+1)).year()
}

impl fmt::Display for ReferenceNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{PREFIX}-{}-{:0width$}",
            self.year,
            self.number,
            width = DIGITS
        )
    }
}

impl FromStr for ReferenceNumber {
    type Err = ParseReferenceError;

    /// Accepts the printed form, case-insensitively and with surrounding
    /// spaces (people type it from a letter).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || ParseReferenceError(text.to_owned());
        let mut parts = text.trim().split('-');
        let (Some(prefix), Some(year), Some(number), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(error());
        };
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !prefix.eq_ignore_ascii_case(PREFIX)
            || year.len() != 4
            || !all_digits(year)
            || number.len() < DIGITS
            || !all_digits(number)
        {
            return Err(error());
        }
        let year = year.parse().map_err(|_| error())?;
        let number = number.parse().map_err(|_| error())?;
        ReferenceNumber::new(year, number).ok_or_else(error)
    }
}

impl Serialize for ReferenceNumber {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ReferenceNumber {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use time::macros::datetime;

    use super::*;

    #[test]
    fn prints_and_parses() {
        let r = ReferenceNumber::new(2026, 123).unwrap();
        assert_eq!(r.to_string(), "AW-2026-000123");
        assert_eq!("AW-2026-000123".parse::<ReferenceNumber>().unwrap(), r);
        assert_eq!(" aw-2026-000123 ".parse::<ReferenceNumber>().unwrap(), r);
        let big = ReferenceNumber::new(2026, 1_234_567).unwrap();
        assert_eq!(big.to_string(), "AW-2026-1234567");
        assert_eq!(big.to_string().parse::<ReferenceNumber>().unwrap(), big);
    }

    #[test]
    fn rejects_other_texts() {
        for text in [
            "",
            "AW-2026",
            "AW-2026-123",
            "XY-2026-000123",
            "AW-26-000123",
            "AW-2026-000000",
            "AW-2026-00012a",
            "AW-2026-000123-1",
            "AW-2026-+00123",
        ] {
            assert!(text.parse::<ReferenceNumber>().is_err(), "{text}");
        }
    }

    #[test]
    fn year_is_the_german_calendar_year() {
        assert_eq!(reference_year(datetime!(2025-12-31 22:59:59 UTC)), 2025);
        assert_eq!(reference_year(datetime!(2025-12-31 23:00:00 UTC)), 2026);
        assert_eq!(reference_year(datetime!(2026-07-01 12:00 UTC)), 2026);
    }
}
