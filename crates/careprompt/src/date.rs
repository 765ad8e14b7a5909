//! Calendar dates and the durations rules measure with.
//!
//! Dates are proleptic Gregorian days counted from 1970-01-01. The engine
//! never reads the clock: the evaluation date is always passed in.

use std::fmt;

/// A calendar date (no time of day, no time zone).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    days: i32,
}

/// Why a text is not a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DateError {
    /// The text is not laid out as `YYYY-MM-DD`.
    #[error("expected a date written as YYYY-MM-DD")]
    Layout,
    /// The layout is right but the day does not exist (31 February, month 13).
    #[error("`{0}` is not a real calendar date")]
    Impossible(String),
}

impl Date {
    /// Builds a date from year, month (1-12) and day (1-31), or `None` when
    /// the day does not exist in that month.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        if !(1..=9999).contains(&year) {
            return None;
        }
        Some(Date {
            days: days_from_civil(year, month, day),
        })
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Date, DateError> {
        let Ok(&[y0, y1, y2, y3, dash1, m0, m1, dash2, d0, d1]) =
            <&[u8; 10]>::try_from(text.as_bytes())
        else {
            return Err(DateError::Layout);
        };
        let digits = [y0, y1, y2, y3, m0, m1, d0, d1].map(|c| c.wrapping_sub(b'0'));
        if dash1 != b'-' || dash2 != b'-' || digits.iter().any(|d| *d > 9) {
            return Err(DateError::Layout);
        }
        let [y0, y1, y2, y3, m0, m1, d0, d1] = digits.map(u32::from);
        let (y, m, d) = (
            y0 * 1000 + y1 * 100 + y2 * 10 + y3,
            m0 * 10 + m1,
            d0 * 10 + d1,
        );
        Date::from_ymd(y as i32, m, d).ok_or_else(|| DateError::Impossible(text.to_string()))
    }

    /// Year, month and day.
    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.days)
    }

    /// The date `days` days after 1970-01-01 (before it when negative).
    pub fn from_days(days: i32) -> Date {
        Date { days }
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days(self) -> i32 {
        self.days
    }

    /// The date `n` days later (earlier when negative).
    pub fn add_days(self, n: i64) -> Date {
        let days =
            (i64::from(self.days) + n).clamp(i64::from(i32::MIN / 2), i64::from(i32::MAX / 2));
        Date { days: days as i32 }
    }

    /// The same day `n` months later (earlier when negative), clamped to the
    /// end of a shorter month: 31 March minus one month is 28 or 29 February.
    pub fn add_months(self, n: i64) -> Date {
        let (y, m, d) = self.ymd();
        let total = i64::from(y) * 12 + i64::from(m) - 1 + n;
        // Past the calendar's ends, the first or last day of it: keeping the
        // month and day there would put "4 billion years ago" after 1 January 1.
        let (year, month) = match total.div_euclid(12) {
            y if y < 1 => (1, 1),
            y if y > 9999 => (9999, 12),
            y => (y as i32, total.rem_euclid(12) as u32 + 1),
        };
        let d = if total.div_euclid(12) < 1 {
            1
        } else if total.div_euclid(12) > 9999 {
            31
        } else {
            d
        };
        let day = d.min(days_in_month(year, month));
        Date {
            days: days_from_civil(year, month, day),
        }
    }

    /// Whole years from `self` (a birth date) to `on`; negative if `on` is earlier.
    pub fn whole_years_until(self, on: Date) -> i64 {
        let (y0, m0, d0) = self.ymd();
        let (y1, m1, d1) = on.ymd();
        let mut years = i64::from(y1) - i64::from(y0);
        if (m1, d1) < (m0, d0) {
            years -= 1;
        }
        years
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// A length of time as rules write it: `6 months`, `2 weeks`, `1 term`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Duration {
    /// How many units.
    pub amount: u32,
    /// Which unit.
    pub unit: Unit,
}

/// The units a duration can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unit {
    /// Calendar days.
    Day,
    /// Seven days.
    Week,
    /// Calendar months (same day of the month, clamped to month end).
    Month,
    /// A school term, taken as four calendar months (three terms a year).
    Term,
    /// Calendar years (twelve calendar months).
    Year,
}

impl Unit {
    /// The unit's name, singular or plural to suit `amount`.
    pub fn name(self, amount: u32) -> &'static str {
        let one = amount == 1;
        match self {
            Unit::Day if one => "day",
            Unit::Day => "days",
            Unit::Week if one => "week",
            Unit::Week => "weeks",
            Unit::Month if one => "month",
            Unit::Month => "months",
            Unit::Term if one => "term",
            Unit::Term => "terms",
            Unit::Year if one => "year",
            Unit::Year => "years",
        }
    }

    /// Reads a unit word (`day`, `days`, ... `terms`).
    pub fn from_word(word: &str) -> Option<Unit> {
        Some(match word {
            "day" | "days" => Unit::Day,
            "week" | "weeks" => Unit::Week,
            "month" | "months" => Unit::Month,
            "term" | "terms" => Unit::Term,
            "year" | "years" => Unit::Year,
            _ => return None,
        })
    }
}

impl Duration {
    /// The date this long before `date`.
    pub fn before(self, date: Date) -> Date {
        let n = i64::from(self.amount);
        match self.unit {
            Unit::Day => date.add_days(-n),
            Unit::Week => date.add_days(-7 * n),
            Unit::Month => date.add_months(-n),
            Unit::Term => date.add_months(-4 * n),
            Unit::Year => date.add_months(-12 * n),
        }
    }
}

/// The rules' `within`: whether `date` lies in the `duration` up to and
/// including `as_of`, from `cutoff` (`duration.before(as_of)`) on.
#[inline]
pub(crate) fn within_from(cutoff: Date, date: Date, as_of: Date) -> bool {
    cutoff <= date && date <= as_of
}

impl Duration {
    /// Whether `date` is within this long up to `as_of`, both ends
    /// included: exactly what `date within 12 months` decides in a rule.
    pub fn contains(self, date: Date, as_of: Date) -> bool {
        within_from(self.before(as_of), date, as_of)
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.unit.name(self.amount))
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

// Howard Hinnant's days_from_civil / civil_from_days algorithms.
fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    if let Ok(y) = u32::try_from(y) {
        // Years from 1 BC on (every date a plan can hold): unsigned
        // division by constants, which compiles to multiplications.
        let era = y / 400;
        let yoe = y % 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return (era * 146_097 + doe) as i32 - 719_468;
    }
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400) as u32;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe as i32 - 719_468
}

fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097) as u32;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe as i32 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn round_trips_through_days() {
        for s in [
            "1970-01-01",
            "2000-02-29",
            "2026-11-26",
            "1999-12-31",
            "0001-01-01",
        ] {
            assert_eq!(d(s).to_string(), s);
        }
        assert_eq!(d("1970-01-02").days(), 1);
        // Every day from 1 January 1 to 31 December 9999: day number to
        // calendar date and back, and consecutive days one apart.
        let first = d("0001-01-01").days();
        let last = d("9999-12-31").days();
        let mut prev = None;
        for n in first..=last {
            let (y, m, day) = Date::from_days(n).ymd();
            let back = Date::from_ymd(y, m, day).map(Date::days);
            assert_eq!(back, Some(n), "{y}-{m}-{day}");
            if let Some((py, pm, pd)) = prev {
                assert!((y, m, day) > (py, pm, pd));
            }
            prev = Some((y, m, day));
        }
        // Before the calendar's first year, the signed arithmetic still
        // round-trips.
        for n in (first - 1000)..first {
            let (y, m, day) = Date::from_days(n).ymd();
            assert_eq!(days_from_civil(y, m, day), n);
        }
    }

    #[test]
    fn rejects_impossible_and_malformed_dates() {
        assert_eq!(
            Date::parse("2023-02-29"),
            Err(DateError::Impossible("2023-02-29".into()))
        );
        assert_eq!(
            Date::parse("2024-13-01"),
            Err(DateError::Impossible("2024-13-01".into()))
        );
        assert_eq!(Date::parse("2024-1-01"), Err(DateError::Layout));
        assert_eq!(Date::parse("24-01-2024"), Err(DateError::Layout));
        assert_eq!(Date::parse("2024-01-0x"), Err(DateError::Layout));
        assert!(Date::parse("2024-02-29").is_ok());
    }

    #[test]
    fn month_arithmetic_clamps_to_month_end() {
        assert_eq!(d("2026-03-31").add_months(-1), d("2026-02-28"));
        assert_eq!(d("2024-03-31").add_months(-1), d("2024-02-29"));
        assert_eq!(d("2026-01-15").add_months(-1), d("2025-12-15"));
        let term = Duration {
            amount: 1,
            unit: Unit::Term,
        };
        assert_eq!(term.before(d("2026-11-26")), d("2026-07-26"));
        let weeks = Duration {
            amount: 2,
            unit: Unit::Week,
        };
        assert_eq!(weeks.before(d("2026-11-26")), d("2026-11-12"));
    }

    #[test]
    fn whole_years_counts_birthdays() {
        assert_eq!(d("2012-11-26").whole_years_until(d("2026-11-26")), 14);
        assert_eq!(d("2012-11-27").whole_years_until(d("2026-11-26")), 13);
        assert_eq!(d("2012-02-29").whole_years_until(d("2026-02-28")), 13);
    }
}
