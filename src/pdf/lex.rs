//! A content stream cut into operations, without copying: each operation's
//! operands are numbers, names and strings that borrow the stream's bytes
//! (a string is copied only when it holds escapes or line ends to rewrite).
//!
//! It reads exactly the grammar lopdf's content parser reads — the same
//! operations, the same operands, stopping silently where lopdf stops and
//! failing where lopdf fails (an inline image without its end) — which a
//! test checks on every content stream of the test corpora and on thousands
//! of damaged copies of them. It exists because the content walk is the
//! check's largest cost and lopdf builds an owned object, with allocations,
//! for every operand of every operator.
//!
//! This module deliberately does not interpret anything: the graphics and
//! text state are [`super::Walker`]'s. Inline image data is skipped, never
//! decoded.

use std::borrow::Cow;

/// Array and dictionary nesting, and string parentheses nesting, as lopdf
/// caps them (`MAX_NESTING_DEPTH`, `MAX_BRACKET`).
const MAX_NESTING: usize = 100;
const MAX_BRACKET: usize = 100;

/// One operand of an operator.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Real(f32),
    Name(Cow<'a, [u8]>),
    /// A string's bytes, escapes resolved.
    Str(Cow<'a, [u8]>),
    Array(Vec<Operand<'a>>),
    Dict(Vec<(Cow<'a, [u8]>, Operand<'a>)>),
    /// `n g R`, only inside arrays and dictionaries.
    Ref(u32, u16),
}

impl Operand<'_> {
    /// A number's value (0 for anything else), as the walker reads operands.
    pub(crate) fn num(&self) -> f32 {
        match self {
            Operand::Int(i) => *i as f32,
            Operand::Real(r) => *r,
            _ => 0.0,
        }
    }

    pub(crate) fn as_name(&self) -> Option<&[u8]> {
        match self {
            Operand::Name(n) => Some(n),
            _ => None,
        }
    }

    fn as_size(&self) -> Option<usize> {
        match self {
            Operand::Int(i) => usize::try_from(*i).ok(),
            _ => None,
        }
    }
}

/// The stream could not be read on (lopdf's "invalid content stream").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Broken;

/// The operations of one content stream, one at a time.
pub(crate) struct Lexer<'a> {
    data: &'a [u8],
    pos: usize,
    started: bool,
    done: bool,
    operands: Vec<Operand<'a>>,
}

fn is_white(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\0' | b'\x0C')
}

fn is_delimiter(c: u8) -> bool {
    matches!(
        c,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn is_regular(c: u8) -> bool {
    !is_white(c) && !is_delimiter(c)
}

pub(crate) fn hex_value(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|v| v as u8)
}

/// What an operand parser gives: `Ok(None)` where lopdf's parser fails and
/// another may be tried, `Err` where lopdf gives up on the whole stream.
type Parsed<'a, T> = Result<Option<(T, usize)>, Broken>;

impl<'a> Lexer<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Lexer {
            data,
            pos: 0,
            started: false,
            done: false,
            operands: Vec::new(),
        }
    }

    /// The operands of the operation [`Lexer::next_op`] last gave.
    pub(crate) fn operands(&self) -> &[Operand<'a>] {
        &self.operands
    }

    /// The next operator (its operands in [`Lexer::operands`]); `None` at
    /// the end, or where the stream stops making sense (lopdf drops the
    /// rest silently too); `Some(Err)` where lopdf reports the stream
    /// broken.
    pub(crate) fn next_op(&mut self) -> Option<Result<&'a [u8], Broken>> {
        if self.done {
            return None;
        }
        self.operands.clear();
        if !self.started {
            self.started = true;
            self.pos = self.skip_white(self.pos);
        }
        match self.operation() {
            Ok(Some((op, end))) => {
                self.pos = end;
                Some(Ok(op))
            }
            Ok(None) => {
                self.done = true;
                None
            }
            Err(b) => {
                self.done = true;
                self.operands.clear();
                Some(Err(b))
            }
        }
    }

    fn at(&self, i: usize) -> Option<u8> {
        self.data.get(i).copied()
    }

    fn starts(&self, i: usize, tag: &[u8]) -> bool {
        self.data.get(i..).is_some_and(|d| d.starts_with(tag))
    }

    fn skip_white(&self, mut i: usize) -> usize {
        while self.at(i).is_some_and(is_white) {
            i += 1;
        }
        i
    }

    /// End of a line end at `i` (CR LF, LF or CR), if there is one.
    fn eol(&self, i: usize) -> Option<usize> {
        if self.starts(i, b"\r\n") {
            Some(i + 2)
        } else if matches!(self.at(i), Some(b'\n' | b'\r')) {
            Some(i + 1)
        } else {
            None
        }
    }

    /// A comment with its line end (one at the very end has none, and is
    /// not a comment to lopdf).
    fn comment(&self, i: usize) -> Option<usize> {
        if self.at(i) != Some(b'%') {
            return None;
        }
        let rest = &self.data[i..];
        let end = rest
            .iter()
            .position(|&c| c == b'\r' || c == b'\n')
            .map(|p| i + p)?;
        self.eol(end)
    }

    /// White space and comments.
    fn space(&self, mut i: usize) -> usize {
        loop {
            let j = self.skip_white(i);
            if j > i {
                i = j;
            } else if let Some(j) = self.comment(i) {
                i = j;
            } else {
                return i;
            }
        }
    }

    fn operation(&mut self) -> Parsed<'a, &'a [u8]> {
        let mut i = self.pos;
        while let Some(j) = self.comment(i) {
            i = self.skip_white(j);
        }
        if self.starts(i, b"BI") {
            return self.inline_image(self.skip_white(i + 2)).map(Some);
        }
        while let Some((o, j)) = self.operand(i)? {
            self.operands.push(o);
            i = self.skip_white(j);
        }
        // An operator: letters, digits, `*`, `'`, `"`, not starting with a
        // digit (`d0`, `d1`).
        let len = self.data[i..]
            .iter()
            .take_while(|&&c| c.is_ascii_alphanumeric() || matches!(c, b'*' | b'\'' | b'"'))
            .count();
        if len == 0 || self.data[i].is_ascii_digit() {
            return Ok(None);
        }
        let op = &self.data[i..i + len];
        Ok(Some((op, self.skip_white(i + len))))
    }

    /// An operand at the top level of an operation.
    fn operand(&self, i: usize) -> Parsed<'a, Operand<'a>> {
        let Some(c) = self.at(i) else {
            return Ok(None);
        };
        match c {
            b'n' if self.starts(i, b"null") => Ok(Some((Operand::Null, i + 4))),
            b't' if self.starts(i, b"true") => Ok(Some((Operand::Bool(true), i + 4))),
            b'f' if self.starts(i, b"false") => Ok(Some((Operand::Bool(false), i + 5))),
            b'0'..=b'9' | b'+' | b'-' | b'.' => Ok(self.number(i)),
            b'/' => {
                let (name, end) = self.name(i);
                Ok(Some((Operand::Name(name), end)))
            }
            b'(' => Ok(self.literal(i)),
            b'<' => match self.hex(i) {
                Some(h) => Ok(Some(h)),
                None => self.dictionary(i, MAX_NESTING),
            },
            b'[' => self.array(i, MAX_NESTING),
            _ => Ok(None),
        }
    }

    /// A real, else an integer (lopdf tries them in that order).
    fn number(&self, i: usize) -> Option<(Operand<'a>, usize)> {
        self.real(i).or_else(|| self.integer(i))
    }

    fn digits(&self, mut i: usize) -> usize {
        while self.at(i).is_some_and(|c| c.is_ascii_digit()) {
            i += 1;
        }
        i
    }

    fn sign(&self, i: usize) -> (usize, bool) {
        match self.at(i) {
            Some(b'+') => (i + 1, false),
            Some(b'-') => (i + 1, true),
            _ => (i, false),
        }
    }

    fn real(&self, start: usize) -> Option<(Operand<'a>, usize)> {
        let (i, _) = self.sign(start);
        let int_end = self.digits(i);
        let mut j = if int_end > i && self.at(int_end) == Some(b'.') {
            self.digits(int_end + 1)
        } else if self.at(i) == Some(b'.') && self.at(i + 1).is_some_and(|c| c.is_ascii_digit()) {
            self.digits(i + 1)
        } else {
            return None;
        };
        // A minus sign inside the fraction (`0.00-4142502`) is ignored, as
        // pdf.js, Poppler and lopdf do.
        let fraction = j;
        while self.at(j).is_some_and(|c| c == b'-' || c.is_ascii_digit()) {
            j += 1;
        }
        let text = &self.data[start..j];
        if j == fraction
            && let Some(v) = short_decimal(text)
        {
            return Some((Operand::Real(v), j));
        }
        let value = if self.data[fraction..j].contains(&b'-') {
            let mut digits = vec![text[0]];
            digits.extend(text[1..].iter().filter(|&&c| c != b'-'));
            std::str::from_utf8(&digits).ok()?.parse::<f32>().ok()?
        } else {
            std::str::from_utf8(text).ok()?.parse::<f32>().ok()?
        };
        Some((Operand::Real(value), j))
    }

    fn integer(&self, start: usize) -> Option<(Operand<'a>, usize)> {
        let (i, negative) = self.sign(start);
        let (magnitude, end) = self.unsigned::<u64>(i)?;
        let value = if negative {
            0i64.checked_sub_unsigned(magnitude)?
        } else {
            i64::try_from(magnitude).ok()?
        };
        Some((Operand::Int(value), end))
    }

    fn unsigned<T: TryFrom<u64>>(&self, i: usize) -> Option<(T, usize)> {
        let end = self.digits(i);
        if end == i {
            return None;
        }
        let v = self.data[i..end].iter().try_fold(0u64, |v, &d| {
            v.checked_mul(10)?.checked_add(u64::from(d - b'0'))
        })?;
        Some((T::try_from(v).ok()?, end))
    }

    /// A name: `#` and two hexadecimal digits stand for a byte; any other
    /// `#` ends it.
    fn name(&self, start: usize) -> (Cow<'a, [u8]>, usize) {
        let mut i = start + 1;
        let mut owned: Option<Vec<u8>> = None;
        loop {
            let run_end = i + self.data[i..]
                .iter()
                .position(|&c| c == b'#' || !is_regular(c))
                .unwrap_or(self.data.len() - i);
            if let Some(o) = owned.as_mut() {
                o.extend_from_slice(&self.data[i..run_end]);
            }
            let escape = (self.at(run_end) == Some(b'#'))
                .then(|| {
                    Some(hex_value(self.at(run_end + 1)?)? << 4 | hex_value(self.at(run_end + 2)?)?)
                })
                .flatten();
            match escape {
                Some(byte) => {
                    owned
                        .get_or_insert_with(|| self.data[start + 1..run_end].to_vec())
                        .push(byte);
                    i = run_end + 3;
                }
                None => {
                    let name = match owned {
                        Some(o) => Cow::Owned(o),
                        None => Cow::Borrowed(&self.data[start + 1..run_end]),
                    };
                    return (name, run_end);
                }
            }
        }
    }

    /// A literal string: borrowed when it holds no escape and no carriage
    /// return (line ends are read as LF), copied and rewritten otherwise.
    fn literal(&self, start: usize) -> Option<(Operand<'a>, usize)> {
        let mut depth = 0usize;
        let mut i = start + 1;
        loop {
            match self.at(i)? {
                b'\\' | b'\r' => break,
                b'(' => {
                    depth += 1;
                    if depth > MAX_BRACKET {
                        break;
                    }
                }
                b')' if depth == 0 => {
                    return Some((Operand::Str(Cow::Borrowed(&self.data[start + 1..i])), i + 1));
                }
                b')' => depth -= 1,
                _ => {}
            }
            i += 1;
        }
        let mut out = Vec::new();
        let end = self.literal_inner(start + 1, MAX_BRACKET, &mut out)?;
        (self.at(end) == Some(b')')).then(|| (Operand::Str(Cow::Owned(out)), end + 1))
    }

    /// The inside of a literal string from `i`, up to (not including) the
    /// `)` that closes it, as lopdf's `inner_literal_string` reads it.
    fn literal_inner(&self, mut i: usize, depth: usize, out: &mut Vec<u8>) -> Option<usize> {
        loop {
            let Some(c) = self.at(i) else { return Some(i) };
            match c {
                b'\\' => {
                    let Some(e) = self.at(i + 1) else {
                        return Some(i);
                    };
                    if (b'0'..=b'7').contains(&e) {
                        let mut v = 0u16;
                        let mut j = i + 1;
                        while j < i + 4 && self.at(j).is_some_and(|d| (b'0'..=b'7').contains(&d)) {
                            v = v * 8 + u16::from(self.data[j] - b'0');
                            j += 1;
                        }
                        out.push(v as u8);
                        i = j;
                    } else if let Some(j) = self.eol(i + 1) {
                        i = j;
                    } else {
                        out.push(match e {
                            b'n' => b'\n',
                            b'r' => b'\r',
                            b't' => b'\t',
                            b'b' => b'\x08',
                            b'f' => b'\x0C',
                            other => other,
                        });
                        i += 2;
                    }
                }
                b'\r' | b'\n' => {
                    out.push(b'\n');
                    i = self.eol(i).unwrap_or(i + 1);
                }
                b'(' => {
                    if depth == 0 {
                        return Some(i);
                    }
                    let mut inner = vec![b'('];
                    let end = self.literal_inner(i + 1, depth - 1, &mut inner)?;
                    if self.at(end) != Some(b')') {
                        return Some(i);
                    }
                    inner.push(b')');
                    out.extend_from_slice(&inner);
                    i = end + 1;
                }
                b')' => return Some(i),
                _ => {
                    out.push(c);
                    i += 1;
                }
            }
        }
    }

    /// A hexadecimal string; white space between digits is allowed, and an
    /// odd last digit counts as followed by 0.
    fn hex(&self, start: usize) -> Option<(Operand<'a>, usize)> {
        let mut i = start + 1;
        let mut out = Vec::new();
        let mut high = true;
        loop {
            let j = self.skip_white(i);
            match self.at(j).and_then(hex_value) {
                Some(v) => {
                    if high {
                        out.push(v << 4);
                    } else if let Some(last) = out.last_mut() {
                        *last |= v;
                    }
                    high = !high;
                    i = j + 1;
                }
                None => break,
            }
        }
        let j = self.skip_white(i);
        (self.at(j) == Some(b'>')).then(|| (Operand::Str(Cow::Owned(out)), j + 1))
    }

    /// `[` objects `]`, objects as inside a dictionary.
    fn array(&self, start: usize, depth: usize) -> Parsed<'a, Operand<'a>> {
        let mut i = self.space(start + 1);
        let mut items = Vec::new();
        while let Some((o, j)) = self.direct_object(i, depth)? {
            items.push(o);
            i = j;
        }
        Ok((self.at(i) == Some(b']')).then(|| (Operand::Array(items), i + 1)))
    }

    fn dictionary(&self, start: usize, depth: usize) -> Parsed<'a, Operand<'a>> {
        if !self.starts(start, b"<<") {
            return Ok(None);
        }
        let (entries, i) = self.dictionary_entries(self.space(start + 2), depth)?;
        Ok(self
            .starts(i, b">>")
            .then(|| (Operand::Dict(entries), i + 2)))
    }

    /// `name object` pairs, as many as there are.
    #[allow(clippy::type_complexity)]
    fn dictionary_entries(
        &self,
        mut i: usize,
        depth: usize,
    ) -> Result<(Vec<(Cow<'a, [u8]>, Operand<'a>)>, usize), Broken> {
        let mut entries = Vec::new();
        while self.at(i) == Some(b'/') {
            let (key, j) = self.name(i);
            let Some((value, k)) = self.direct_object(self.space(j), depth)? else {
                break;
            };
            entries.push((key, value));
            i = k;
        }
        Ok((entries, i))
    }

    /// An object inside an array or dictionary, with the space after it.
    fn direct_object(&self, i: usize, depth: usize) -> Parsed<'a, Operand<'a>> {
        if depth == 0 {
            return Err(Broken);
        }
        let depth = depth - 1;
        let found = match self.at(i) {
            Some(b'n') => self.starts(i, b"null").then_some((Operand::Null, i + 4)),
            Some(b't') => self
                .starts(i, b"true")
                .then_some((Operand::Bool(true), i + 4)),
            Some(b'f') => self
                .starts(i, b"false")
                .then_some((Operand::Bool(false), i + 5)),
            Some(b'0'..=b'9') => self.reference(i).or_else(|| self.number(i)),
            Some(b'+' | b'-' | b'.') => self.number(i),
            Some(b'/') => {
                let (name, end) = self.name(i);
                Some((Operand::Name(name), end))
            }
            Some(b'(') => self.literal(i),
            Some(b'<') => match self.hex(i) {
                Some(h) => Some(h),
                None => self.dictionary(i, depth)?,
            },
            Some(b'[') => self.array(i, depth)?,
            _ => None,
        };
        Ok(found.map(|(o, j)| (o, self.space(j))))
    }

    fn reference(&self, i: usize) -> Option<(Operand<'a>, usize)> {
        let (n, j) = self.unsigned::<u32>(i)?;
        let (g, k) = self.unsigned::<u16>(self.space(j))?;
        let k = self.space(k);
        (self.at(k) == Some(b'R')).then_some((Operand::Ref(n, g), k + 1))
    }

    /// `BI` … `ID` data `EI`, from just after `BI` and its white space.
    /// The data's length is computed from the image's dictionary where it
    /// can be (no filter); otherwise the data ends at the first `EI`
    /// between white space.
    fn inline_image(&mut self, i: usize) -> Result<(&'a [u8], usize), Broken> {
        let (dict, i) = self.dictionary_entries(i, MAX_NESTING)?;
        if !self.starts(i, b"ID") {
            return Err(Broken);
        }
        let mut i = i + 2;
        if let Some(j) = self.eol(i) {
            i = j;
        } else if self.at(i).is_some_and(is_white) {
            i += 1;
        }
        let op = b"BI".as_slice();
        if let Some(len) = inline_image_length(&dict)
            && let Some(end) = i.checked_add(len).filter(|&e| e <= self.data.len())
        {
            let j = self.skip_white(end);
            if !self.starts(j, b"EI") {
                return Err(Broken);
            }
            return Ok((op, self.skip_white(j + 2)));
        }
        let rest = &self.data[i..];
        let ei = rest
            .windows(3)
            .enumerate()
            .find(|&(k, w)| {
                is_white(w[0]) && w[1..] == *b"EI" && rest.get(k + 3).is_none_or(|&c| is_white(c))
            })
            .map(|(k, _)| k)
            .ok_or(Broken)?;
        Ok((op, self.skip_white(i + ei + 3)))
    }
}

/// A decimal of at most seven significant figures and ten decimals (nearly
/// every number a content stream holds), computed as one division: both
/// the figures and the power of ten are exact in `f32`, so IEEE division
/// rounds the quotient correctly, exactly as `str::parse` does (Clinger's
/// fast path). `None` for anything else, left to `str::parse`.
fn short_decimal(text: &[u8]) -> Option<f32> {
    const POWERS: [f32; 11] = [1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10];
    let (negative, digits) = match text.split_first()? {
        (b'-', rest) => (true, rest),
        (b'+', rest) => (false, rest),
        _ => (false, text),
    };
    let mut figures = 0u32;
    let mut decimals: Option<usize> = None;
    for &c in digits {
        match c {
            b'0'..=b'9' => {
                figures = figures * 10 + u32::from(c - b'0');
                if figures > 1 << 24 {
                    return None;
                }
                if let Some(d) = decimals.as_mut() {
                    *d += 1;
                }
            }
            b'.' if decimals.is_none() => decimals = Some(0),
            _ => return None,
        }
    }
    let value = figures as f32 / *POWERS.get(decimals.unwrap_or(0))?;
    Some(if negative { -value } else { value })
}

/// The byte length of an unfiltered inline image's data (ISO 32000-2,
/// 8.9.7), as lopdf computes it; `None` where it cannot be known.
fn inline_image_length(dict: &[(Cow<'_, [u8]>, Operand<'_>)]) -> Option<usize> {
    let get = |abbr: &[u8], key: &[u8]| {
        let find = |k: &[u8]| {
            dict.iter()
                .rev()
                .find(|(n, _)| n.as_ref() == k)
                .map(|e| &e.1)
        };
        find(abbr).or_else(|| find(key))
    };
    let width = get(b"W", b"Width")?.as_size()?;
    let height = get(b"H", b"Height")?.as_size()?;
    let mask = matches!(get(b"IM", b"ImageMask"), Some(Operand::Bool(true)));
    let bpc = match get(b"BPC", b"BitsPerComponent") {
        None if mask => 1,
        other => other?.as_size()?,
    };
    let colours = if mask {
        1
    } else {
        match get(b"CS", b"ColorSpace")? {
            Operand::Array(a)
                if matches!(
                    a.first().and_then(Operand::as_name),
                    Some(b"Indexed" | b"I")
                ) =>
            {
                1
            }
            cs => match cs.as_name()? {
                b"DeviceGray" | b"G" | b"Gray" => 1,
                b"DeviceRGB" | b"RGB" => 3,
                b"DeviceRGBA" | b"RGBA" | b"DeviceCMYK" | b"CMYK" => 4,
                _ => return None,
            },
        }
    };
    if get(b"F", b"Filter").is_some() {
        return None;
    }
    bpc.checked_mul(colours)
        .and_then(|bits| width.checked_mul(bits))
        .and_then(|row| row.div_ceil(8).checked_mul(height))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::content::Content;
    use lopdf::{Document, Object};

    /// lopdf's object and ours say the same.
    fn same(o: &Object, p: &Operand) -> bool {
        match (o, p) {
            (Object::Null, Operand::Null) => true,
            (Object::Boolean(a), Operand::Bool(b)) => a == b,
            (Object::Integer(a), Operand::Int(b)) => a == b,
            (Object::Real(a), Operand::Real(b)) => a.to_bits() == b.to_bits(),
            (Object::Name(a), Operand::Name(b)) => a[..] == b[..],
            (Object::String(a, _), Operand::Str(b)) => a[..] == b[..],
            (Object::Reference((n, g)), Operand::Ref(m, h)) => n == m && g == h,
            (Object::Array(a), Operand::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
            }
            (Object::Dictionary(d), Operand::Dict(entries)) => {
                let keys: std::collections::BTreeSet<&[u8]> =
                    entries.iter().map(|(k, _)| k.as_ref()).collect();
                keys.len() == d.len()
                    && d.iter().all(|(k, v)| {
                        entries
                            .iter()
                            .rev()
                            .find(|(n, _)| n.as_ref() == &k[..])
                            .is_some_and(|(_, w)| same(v, w))
                    })
            }
            _ => false,
        }
    }

    /// Both readings of `data`, operation by operation; the first
    /// difference, if any.
    fn differ(data: &[u8]) -> Option<String> {
        let mut ours = Lexer::new(data);
        let mut n = 0;
        for theirs in Content::decode_iter(data) {
            let mine = ours.next_op();
            match (theirs, mine) {
                (Ok(op), Some(Ok(operator))) => {
                    let operands = ours.operands();
                    let equal = op.operator.as_bytes() == operator
                        && (op.operator == "BI"
                            || (op.operands.len() == operands.len()
                                && op.operands.iter().zip(operands).all(|(a, b)| same(a, b))));
                    if !equal {
                        return Some(format!(
                            "operation {n}: lopdf {op:?}, ours {:?} {operands:?}",
                            String::from_utf8_lossy(operator)
                        ));
                    }
                }
                (Err(_), Some(Err(Broken))) => return ours.next_op().map(|_| "more after".into()),
                (theirs, mine) => {
                    return Some(format!("operation {n}: lopdf {theirs:?}, ours {mine:?}"));
                }
            }
            n += 1;
        }
        ours.next_op()
            .map(|extra| format!("operation {n}: lopdf ended, ours {extra:?}"))
    }

    #[test]
    fn reads_the_grammar_as_lopdf_reads_it() {
        let cases: &[&[u8]] = &[
            b"BT /F1 12 Tf 72 712 Td (Hello) Tj ET",
            b"q 1 0 0 1 .5 -.5 cm 0.00-4142502 w +3 -4 5. re f Q",
            b"[(Fa) -120 (cture) 250.5 (n\\260 12)] TJ",
            b"(esc \\n \\r \\t \\b \\f \\( \\) \\\\ \\101\\7\\0777 \\q end) Tj",
            b"(line\r\nend\rand\nso) Tj (cont\\\r\ninued) Tj (x\\\ny) Tj",
            b"(nested (once (twice)) done) Tj (unbalanced ( Tj",
            b"<48 65 6c6C 6f> Tj <4> Tj <> Tj <4g> Tj",
            b"/Name#20with#2Fhash /Bad#zz Tf /P <</MCID 0 /Sub [1 2 0 R /x] /D <</k true>>>> BDC EMC",
            b"% a comment\n  % another\r\nBT ET % trailing",
            b"0 g nullify truely falsehood d0 d1 T* ' \" 1 2 (x) \"",
            b"1 2 3 4 5 6 cm 99999999999999999999 w 1 j",
            b"BI /W 2 /H 2 /BPC 8 /CS /G ID \x01EI\x03 EI Q q",
            b"BI /W 2 /H 1 /CS /RGB /BPC 8 ID\r\nABCDEF\nEI 0 g",
            b"BI /W 4 /H 4 /BPC 1 /IM true ID ab EI  cd EI\n1 g",
            b"BI /W 9 /H 9 /F /AHx /CS /G /BPC 8 ID 0a0b> EI",
            b"BI /W 9 /H 9 /CS /G /BPC 8 ID short",
            b"BI /W 1 /H 1 /CS [/I /RGB 1 <000000ffffff>] /BPC 8 ID x EI",
            b"BIG 1 2 Tf",
            b"[[[[1]]]] TJ [1 2 TJ",
            b"1 0 0 1 0 0 cm } 0 g",
            b"5 - Tj",
            b"(abc",
            b"(ends with backslash\\",
            b"%no end of line",
            b"",
            b"   \x0C\0 BT",
        ];
        for case in cases {
            assert_eq!(differ(case), None, "{:?}", String::from_utf8_lossy(case));
        }
        // Deep nesting: lopdf's caps, ours the same.
        for depth in [99usize, 100, 101, 150] {
            let arrays = format!("{}1{} TJ 0 g", "[".repeat(depth), "]".repeat(depth));
            assert_eq!(differ(arrays.as_bytes()), None, "arrays {depth}");
            let parens = format!("({}x{}) Tj 0 g", "(".repeat(depth), ")".repeat(depth));
            assert_eq!(differ(parens.as_bytes()), None, "parens {depth}");
        }
    }

    #[test]
    fn short_decimals_are_the_floats_parse_gives() {
        let mut random = crate::pdf::tests::random(0x9E37_79B9_7F4A_7C15);
        let mut fast = 0;
        for _ in 0..200_000 {
            let width = 1 + random(8) as u32;
            let figures = random(10u64.pow(width));
            let text = figures.to_string();
            let point = random(text.len() as u64 + 2) as usize;
            let mut t = match random(3) {
                0 => "-".to_string(),
                1 => "+".to_string(),
                _ => String::new(),
            };
            t.push_str(&"0".repeat(random(3) as usize));
            if point <= text.len() {
                t.push_str(&text[..point]);
                t.push('.');
                t.push_str(&text[point..]);
            } else {
                t.push_str(&text);
            }
            let parsed: f32 = t.parse().unwrap();
            if let Some(v) = short_decimal(t.as_bytes()) {
                assert_eq!(v.to_bits(), parsed.to_bits(), "{t}");
                fast += 1;
            }
        }
        assert!(fast > 100_000, "{fast} taken by the short path");
        assert_eq!(short_decimal(b"16777217"), None);
        assert_eq!(short_decimal(b"1.00000000001"), None);
        assert_eq!(short_decimal(b"1.2.3"), None);
    }

    #[test]
    fn borrows_plain_strings_and_names() {
        let mut lexer = Lexer::new(b"/F1 12 Tf (plain) Tj (with\\)escape) Tj");
        assert_eq!(lexer.next_op(), Some(Ok(&b"Tf"[..])));
        assert!(matches!(
            &lexer.operands()[0],
            Operand::Name(Cow::Borrowed(b"F1"))
        ));
        assert_eq!(lexer.operands()[1], Operand::Int(12));
        assert_eq!(lexer.next_op(), Some(Ok(&b"Tj"[..])));
        assert!(matches!(
            &lexer.operands()[0],
            Operand::Str(Cow::Borrowed(b"plain"))
        ));
        assert_eq!(lexer.next_op(), Some(Ok(&b"Tj"[..])));
        assert!(matches!(&lexer.operands()[0], Operand::Str(Cow::Owned(s)) if s == b"with)escape"));
        assert_eq!(lexer.next_op(), None);
    }

    /// Every stream of every PDF in the test corpora (content streams, and
    /// fonts and images as garbage), then damaged copies of the content
    /// streams: truncated, bytes replaced by delimiters, bytes inserted.
    #[test]
    fn reads_every_stream_of_the_corpora_as_lopdf_does_even_damaged() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in [root.join("tests/fixtures"), root.join("../shared/corpus")] {
            collect_pdfs(&dir, &mut files);
        }
        assert!(files.len() >= 40, "the corpora are where they should be");
        let mut random = {
            let mut r = crate::pdf::tests::random(0x2545_F491_4F6C_DD1D);
            move |n: usize| r(n.max(1) as u64) as usize
        };
        let (mut streams, mut damaged) = (0, 0);
        for file in &files {
            let Ok(doc) = Document::load(file) else {
                continue;
            };
            for (id, object) in &doc.objects {
                let Object::Stream(stream) = object else {
                    continue;
                };
                let Ok(data) = stream.decompressed_content_with_limit(1 << 20) else {
                    continue;
                };
                let data = &data[..data.len().min(64 * 1024)];
                assert_eq!(differ(data), None, "{} object {id:?}", file.display());
                streams += 1;
                let is_content = stream.dict.get(b"Length").is_ok()
                    && data
                        .windows(2)
                        .any(|w| w == b"Tj" || w == b"TJ" || w == b"re");
                if !is_content {
                    continue;
                }
                for _ in 0..12 {
                    let mut copy = data.to_vec();
                    let at = random(copy.len());
                    match random(3) {
                        0 => copy.truncate(at),
                        1 => copy[at] = b"()<>[]{}/%\\#.-+ \r\n0BIDE"[random(23)],
                        _ => copy.insert(at, b"()<>[]/%\\#.-\rBI ID EI"[random(21)]),
                    }
                    assert_eq!(
                        differ(&copy),
                        None,
                        "{} object {id:?} damaged at {at}",
                        file.display()
                    );
                    damaged += 1;
                }
            }
        }
        assert!(
            streams > 500 && damaged > 1000,
            "{streams} streams, {damaged} damaged"
        );
    }

    /// 200,000 streams of content-stream tokens and stray delimiters in
    /// random order, with random white space or none between them.
    #[test]
    fn reads_random_token_soup_as_lopdf_does() {
        let mut r = crate::pdf::tests::random(77);
        let toks: &[&[u8]] = &[
            b"1",
            b"-2.5",
            b".5",
            b"0.00-41",
            b"+3",
            b"4.",
            b"/F1",
            b"/N#41",
            b"/B#4",
            b"(a)",
            b"(a\\)b)",
            b"(x\r\ny)",
            b"(n(e)st)",
            b"(\\101)",
            b"<41>",
            b"<4 1>",
            b"<4>",
            b"[",
            b"]",
            b"<<",
            b">>",
            b"/K",
            b"Tj",
            b"TJ",
            b"BT",
            b"ET",
            b"q",
            b"Q",
            b"BI /W 1 /H 1 /CS /G /BPC 8 ID",
            b"BI /F /A ID",
            b"x",
            b"EI",
            b"% c\n",
            b"%",
            b"true",
            b"null",
            b"false",
            b"1 0 R",
            b"}",
            b")",
            b"(",
            b"<",
            b">",
            b"'",
            b"\"",
            b"d0",
            b"9999999999999999999999",
            b"\\",
        ];
        let seps: &[&[u8]] = &[b" ", b"", b"\n", b"\r\n", b"\t", b"\x00", b"\x0c"];
        for n in 0..200_000 {
            let count = r(40) as usize;
            let mut data = Vec::new();
            for _ in 0..count {
                data.extend_from_slice(toks[r(toks.len() as u64) as usize]);
                data.extend_from_slice(seps[r(seps.len() as u64) as usize]);
            }
            assert_eq!(
                differ(&data),
                None,
                "{n}: {:?}",
                String::from_utf8_lossy(&data)
            );
        }
    }

    fn collect_pdfs(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                collect_pdfs(&p, out);
            } else if p.extension().is_some_and(|x| x == "pdf") {
                out.push(p);
            }
        }
    }
}
