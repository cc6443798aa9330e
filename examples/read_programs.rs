//! Measures the reader on real invoices of other programs
//! (`tests/fixtures/programs/programs.tsv`): per program, the files read
//! as one invoice each, the share of printed fields read right with no
//! learning, after one confirmed invoice of the layout (its other files,
//! and the confirmed file itself read again), the values marked sure that
//! are wrong; then per field family, and the invoice count of files merged
//! from these real files. Prints the figures README quotes.
//!
//! `cargo run --release --example read_programs` (`VERBOSE=1` lists every
//! miss).

#[path = "../tests/support/invoices.rs"]
mod invoices;
#[path = "../tests/support/measure.rs"]
mod measure;
#[path = "../tests/support/programs.rs"]
mod programs;

use measure::Score;

fn pct(s: &Score) -> String {
    if s.total() == 0 {
        return "—".into();
    }
    format!("{}/{} ({:.0} %)", s.right(), s.total(), s.share() * 100.0)
}

fn main() {
    let verbose = std::env::var("VERBOSE").is_ok();
    let progs = programs::programs();
    let (mut plain, mut next, mut same) = (Score::default(), Score::default(), Score::default());
    let (mut files, mut miscounted, mut matched, mut nexts) = (0, 0, 0, 0);
    println!(
        "| program or template | files | counted right | no learning | next of the layout | same file again | sure but wrong |"
    );
    println!("|---|---|---|---|---|---|---|");
    for p in &progs {
        let m = programs::measure(p);
        files += m.files;
        miscounted += m.miscounted.len();
        matched += m.next_matched;
        nexts += m.files - 1;
        plain.add(&m.plain);
        same.add(&m.same);
        if let Some(n) = &m.next {
            next.add(n);
        }
        let wrong = m.plain.sure_wrong.len()
            + m.same.sure_wrong.len()
            + m.next.as_ref().map_or(0, |n| n.sure_wrong.len());
        println!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            m.name,
            m.files,
            m.files - m.miscounted.len(),
            pct(&m.plain),
            m.next.as_ref().map_or("—".into(), pct),
            pct(&m.same),
            wrong
        );
        if verbose {
            for f in &p.files {
                let truth = programs::truth(f);
                let bytes = std::fs::read(f).unwrap();
                let r = facteur::read::read_bytes(&bytes, &[]).unwrap();
                let Some(inv) = r.invoices.first() else {
                    continue;
                };
                let read = inv.flat();
                for (path, want) in &truth {
                    let got = read.iter().find(|(q, _)| q == path).map(|(_, f)| &f.value);
                    if !got.is_some_and(|g| measure::same(path, want, g)) {
                        eprintln!(
                            "  {}: {path} read {got:?}, true {want:?}",
                            f.file_name().unwrap().to_string_lossy()
                        );
                    }
                }
            }
            for x in m
                .same
                .misses
                .iter()
                .chain(m.next.iter().flat_map(|n| &n.misses))
            {
                eprintln!("  LEARNED MISS {x}");
            }
            for w in m
                .plain
                .sure_wrong
                .iter()
                .chain(&m.same.sure_wrong)
                .chain(m.next.iter().flat_map(|n| &n.sure_wrong))
            {
                eprintln!("  SURE BUT WRONG {w}");
            }
        }
    }
    println!();
    println!(
        "{} programs, {files} files: {} read as one invoice each, {miscounted} miscounted",
        progs.len(),
        files - miscounted
    );
    println!(
        "fields right, no learning: {}; sure {} of which wrong {}",
        pct(&plain),
        plain.sure,
        plain.sure_wrong.len()
    );
    println!(
        "after one confirmed invoice, the layout's other files ({matched} of {nexts} matched): {}; sure {} of which wrong {}",
        pct(&next),
        next.sure,
        next.sure_wrong.len()
    );
    println!(
        "after one confirmed invoice, the confirmed file read again: {}; sure {} of which wrong {}",
        pct(&same),
        same.sure,
        same.sure_wrong.len()
    );
    println!();
    println!("| field family | no learning | next of the layout | same file again |");
    println!("|---|---|---|---|");
    for (k, (r, t)) in &plain.fields {
        let other = |s: &Score| {
            s.fields
                .get(k)
                .map_or("—".into(), |(r, t)| format!("{r}/{t}"))
        };
        println!("| {k} | {r}/{t} | {} | {} |", other(&next), other(&same));
    }
    println!();
    let cases = programs::merged_cases(&progs);
    let mut right = 0;
    let mut by_kind: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    for c in &cases {
        let got = programs::starts(&c.bytes);
        let ok = got == c.starts;
        let kind = c
            .what
            .split(':')
            .next()
            .unwrap_or(&c.what)
            .split(" with ")
            .last()
            .unwrap_or("")
            .to_string();
        let kind = if c.what.contains(" annex pages") {
            "with annex pages".to_string()
        } else {
            kind
        };
        let e = by_kind.entry(kind).or_default();
        e.1 += 1;
        if ok {
            right += 1;
            e.0 += 1;
        } else {
            println!("  wrong count: {}: {got:?}, true {:?}", c.what, c.starts);
        }
    }
    for (k, (r, t)) in &by_kind {
        println!("merged, {k}: {r}/{t}");
    }
    println!(
        "merged and annexed files counted right: {right}/{}",
        cases.len()
    );
}
