//! Scoring a reading against the ground truth, field by field: shared by
//! the reader's tests (`tests/read.rs`) and its measurement program
//! (`examples/read_measure.rs`).

#![allow(dead_code)]

use std::collections::BTreeMap;

use facteur::read::{Dec, Invoice};

/// Right and total per field family, and the sure values that were wrong.
#[derive(Debug, Default, Clone)]
pub struct Score {
    pub fields: BTreeMap<String, (usize, usize)>,
    pub sure: usize,
    pub sure_wrong: Vec<String>,
    /// Every value not read right: "path: read …, true …".
    pub misses: Vec<String>,
}

impl Score {
    pub fn right(&self) -> usize {
        self.fields.values().map(|v| v.0).sum()
    }
    pub fn total(&self) -> usize {
        self.fields.values().map(|v| v.1).sum()
    }
    pub fn share(&self) -> f64 {
        self.right() as f64 / self.total().max(1) as f64
    }
    pub fn add(&mut self, other: &Score) {
        for (k, (r, t)) in &other.fields {
            let e = self.fields.entry(k.clone()).or_default();
            e.0 += r;
            e.1 += t;
        }
        self.sure += other.sure;
        self.sure_wrong.extend(other.sure_wrong.iter().cloned());
        self.misses.extend(other.misses.iter().cloned());
    }
}

/// "BG-25[3]/BT-131" → "BG-25/BT-131".
pub fn family(path: &str) -> String {
    let mut out = String::new();
    let mut skip = false;
    for c in path.chars() {
        match c {
            '[' => skip = true,
            ']' => skip = false,
            c if !skip => out.push(c),
            _ => {}
        }
    }
    out
}

fn fold(s: &str) -> String {
    facteur::text::fold(s)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a read value is the true one.
pub fn same(path: &str, truth: &str, read: &str) -> bool {
    let term = path.rsplit('/').next().unwrap_or(path);
    let amount = path.starts_with("BG-22")
        || matches!(
            term,
            "BT-131" | "BT-146" | "BT-116" | "BT-117" | "BT-119" | "BT-129" | "BT-152"
        );
    if amount {
        return match (Dec::parse_plain(truth), Dec::parse_plain(read)) {
            (Some(a), Some(b)) => a.near(b, 0) && (a.0 - b.0).abs() < 100,
            _ => false,
        };
    }
    if matches!(
        term,
        "BT-1" | "BT-13" | "BT-31" | "BT-48" | "BT-30" | "BT-47" | "BT-29" | "BT-46"
    ) {
        return truth
            .replace([' ', '.'], "")
            .eq_ignore_ascii_case(&read.replace([' ', '.'], ""));
    }
    if term == "BT-153" {
        // The printed line often goes on with the item's description
        // (BT-154) after its name: « Ballons: various colors ».
        let (t, r) = (fold(truth), fold(read));
        return r == t || r.starts_with(&format!("{t}:")) || r.starts_with(&format!("{t} "));
    }
    fold(truth) == fold(read)
}

/// Scores one invoice's reading against its truth (path → value).
pub fn score(truth: &[(String, String)], inv: &Invoice) -> Score {
    let mut s = Score::default();
    let read = inv.flat();
    for (path, want) in truth {
        let got = read.iter().find(|(p, _)| p == path).map(|(_, f)| f);
        let ok = got.is_some_and(|f| same(path, want, &f.value));
        let e = s.fields.entry(family(path)).or_default();
        e.1 += 1;
        if ok {
            e.0 += 1;
        } else {
            s.misses.push(format!(
                "{path}: read {:?}, true {want:?}",
                got.map(|f| &f.value)
            ));
        }
    }
    for (path, f) in &read {
        if !f.sure {
            continue;
        }
        s.sure += 1;
        if let Some((_, want)) = truth.iter().find(|(p, _)| p == path)
            && !same(path, want, &f.value)
        {
            s.sure_wrong
                .push(format!("{path}: read {:?}, true {:?}", f.value, want));
        }
    }
    s
}
