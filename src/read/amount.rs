//! Decimal numbers as printed on invoices ("1 234,56", "1.234,56",
//! "1,234.56", "-12.5 €", "20 %"), held exactly in ten-thousandths.
//!
//! Deliberately not a general decimal type: four decimals are enough for
//! quantities, unit prices and rates on an invoice, and amounts are compared
//! to the cent. No floats anywhere, so a total is never off by rounding.

use std::fmt;

/// A decimal with four fixed decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Dec(pub i64);

const SCALE: i64 = 10_000;

impl Dec {
    pub const ZERO: Dec = Dec(0);

    pub fn from_cents(c: i64) -> Dec {
        Dec(c.saturating_mul(100))
    }
    pub fn abs(self) -> Dec {
        Dec(self.0.saturating_abs())
    }
    /// Rounded to the cent, half away from zero.
    pub fn cents(self) -> i64 {
        let r = self.0 / 100;
        let rem = self.0 % 100;
        if rem >= 50 {
            r + 1
        } else if rem <= -50 {
            r - 1
        } else {
            r
        }
    }
    /// Product of two decimals, rounded to four decimals.
    pub fn times(self, other: Dec) -> Dec {
        let p = i128::from(self.0) * i128::from(other.0);
        let q = (p + p.signum() * i128::from(SCALE / 2)) / i128::from(SCALE);
        Dec(q.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64)
    }
    /// `self × rate / 100` (a percentage).
    pub fn percent(self, rate: Dec) -> Dec {
        let p = i128::from(self.0) * i128::from(rate.0);
        let d = i128::from(SCALE) * 100;
        let q = (p + p.signum() * d / 2) / d;
        Dec(q.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64)
    }
    pub fn plus(self, other: Dec) -> Dec {
        Dec(self.0.saturating_add(other.0))
    }
    pub fn minus(self, other: Dec) -> Dec {
        Dec(self.0.saturating_sub(other.0))
    }
    /// Equal to the cent, or within `cents` cents.
    pub fn near(self, other: Dec, cents: i64) -> bool {
        (self.cents() - other.cents()).abs() <= cents
    }
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// The plain decimal string the JSON format uses: at least two decimals
    /// for amounts ("1234.50"), trailing zeros beyond them dropped.
    pub fn amount_string(self) -> String {
        self.render(2)
    }
    /// At least no decimals: "20", "5.5", "2.125".
    pub fn plain_string(self) -> String {
        self.render(0)
    }
    fn render(self, min_decimals: usize) -> String {
        let neg = self.0 < 0;
        let v = self.0.unsigned_abs();
        let int = v / SCALE as u64;
        let mut frac = format!("{:04}", v % SCALE as u64);
        while frac.len() > min_decimals && frac.ends_with('0') {
            frac.pop();
        }
        let sign = if neg { "-" } else { "" };
        if frac.is_empty() {
            format!("{sign}{int}")
        } else {
            format!("{sign}{int}.{frac}")
        }
    }

    /// Parses a plain decimal string ("1234.5", "-3").
    pub fn parse_plain(s: &str) -> Option<Dec> {
        let s = s.trim();
        let (neg, s) = match s.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        if !int.chars().all(|c| c.is_ascii_digit())
            || !frac.chars().all(|c| c.is_ascii_digit())
            || frac.len() > 4
            || int.len() > 13
        {
            return None;
        }
        let i: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
        let f: i64 = format!("{frac:0<4}").parse().ok()?;
        let v = i * SCALE + f;
        Some(Dec(if neg { -v } else { v }))
    }
}

impl fmt::Display for Dec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.amount_string())
    }
}

/// A number as printed: digit groups separated by spaces, dots, commas or
/// apostrophes, a decimal comma or point, an optional sign (or brackets), an
/// optional currency sign or code and percent sign around it. The whole text
/// must be the number (so "12/03/2026" or "F-2026-001" are not numbers).
pub fn parse_number(text: &str) -> Option<Dec> {
    let mut s: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, '\u{a0}' | '\u{202f}' | '\u{2009}'))
        .collect();
    for sym in [
        "EUR", "eur", "USD", "CHF", "GBP", "INR", "Rs.", "Rs", "₹", "€", "$", "£", "%",
    ] {
        if let Some(r) = s.strip_suffix(sym) {
            s = r.trim_end().to_string();
        }
        if let Some(r) = s.strip_prefix(sym) {
            s = r.trim_start().to_string();
        }
    }
    let mut neg = false;
    if s.starts_with('(') && s.ends_with(')') && s.len() > 2 {
        neg = true;
        s = s[1..s.len() - 1].to_string();
    }
    if let Some(r) = s.strip_prefix(['-', '−', '–']) {
        neg = !neg;
        s = r.trim_start().to_string();
    } else if let Some(r) = s.strip_suffix('-') {
        neg = !neg;
        s = r.to_string();
    } else if let Some(r) = s.strip_prefix('+') {
        s = r.to_string();
    }
    if s.is_empty() || s.len() > 24 || !s.chars().next()?.is_ascii_digit() {
        return None;
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | ',' | '\''))
    {
        return None;
    }
    // The decimal separator is the last '.' or ',' followed by 1..=4 digits
    // and not a group of exactly three after another separator of the same
    // kind ("1.234.567" is grouping; "1.234,5" has a decimal comma).
    let last_sep = s.rfind(['.', ',']);
    let (int_part, frac_part) = match last_sep {
        // Exactly three digits after the last separator is a digit group
        // ("1.234", "12 345,000" is not written on invoices).
        // But "0.025" is a decimal: no group follows a lone zero.
        Some(i) if s.len() - i - 1 == 3 && !s[..i].chars().all(|c| c == '0') => (s.as_str(), ""),
        Some(i) => {
            let after = &s[i + 1..];
            if after.is_empty() || after.len() > 4 || !after.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            (&s[..i], after)
        }
        None => (s.as_str(), ""),
    };
    // Groups in the integer part: separators followed by exactly 3 digits.
    let mut digits = String::new();
    let mut groups = int_part.split([' ', '.', ',', '\'']);
    let first = groups.next()?;
    if first.is_empty() || first.len() > 13 {
        return None;
    }
    digits.push_str(first);
    for g in groups {
        if g.len() != 3 || !g.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        digits.push_str(g);
    }
    let plain = if frac_part.is_empty() {
        digits
    } else {
        format!("{digits}.{frac_part}")
    };
    let d = Dec::parse_plain(&plain)?;
    Some(if neg { Dec(-d.0) } else { d })
}

/// Whether the printed number has decimals (amounts do; quantities and
/// years may not).
pub fn has_decimals(text: &str) -> bool {
    let t = text.trim().trim_end_matches(['€', '%', ' ', '\u{a0}']);
    t.rfind([',', '.'])
        .is_some_and(|i| (1..=2).contains(&(t.len() - i - 1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Option<String> {
        parse_number(s).map(Dec::amount_string)
    }

    #[test]
    fn reads_the_usual_notations() {
        assert_eq!(p("1 234,56"), Some("1234.56".into()));
        assert_eq!(p("1.234,56 €"), Some("1234.56".into()));
        assert_eq!(p("1,234.56"), Some("1234.56".into()));
        assert_eq!(p("€ 12.5"), Some("12.50".into()));
        assert_eq!(p("-200,00"), Some("-200.00".into()));
        assert_eq!(p("(15.00)"), Some("-15.00".into()));
        assert_eq!(p("20 %"), Some("20.00".into()));
        assert_eq!(p("1.234.567"), Some("1234567.00".into()));
        assert_eq!(p("3"), Some("3.00".into()));
        assert_eq!(p("1'250.00 CHF"), Some("1250.00".into()));
        // A unit price below one cent: three decimals after a lone zero.
        assert_eq!(
            parse_number("0.025 €").map(Dec::plain_string),
            Some("0.025".into())
        );
        assert_eq!(
            parse_number("0,125").map(Dec::plain_string),
            Some("0.125".into())
        );
    }

    #[test]
    fn refuses_what_is_not_a_number() {
        for s in ["12/03/2026", "F-2026-001", "abc", "", "1,2,3", "12 34"] {
            assert_eq!(p(s), None, "{s}");
        }
    }

    #[test]
    fn arithmetic_is_exact() {
        let a = parse_number("1 000,00").unwrap();
        let r = parse_number("20").unwrap();
        assert_eq!(a.percent(r).amount_string(), "200.00");
        assert_eq!(parse_number("5,5").unwrap().plain_string(), "5.5");
        assert!(a.plus(Dec::from_cents(1)).near(a, 1));
    }
}
