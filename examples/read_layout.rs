//! Prints each page of a PDF as the reader lays it out (lines, cells with
//! their x ranges and font sizes): for looking at a new layout by eye.
//!
//! `cargo run --example read_layout -- FILE.pdf`; with `TABLE=1`, also the
//! table's columns and rows as the general reader finds them on each page.

fn main() {
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).expect("readable file");
        match facteur::read::read_bytes(&bytes, &[]) {
            Ok(reading) => {
                for p in &reading.pages {
                    println!("== {path} page {} ({} x {})", p.number, p.width, p.height);
                    for l in &p.lines {
                        let cells: Vec<String> = l
                            .cells
                            .iter()
                            .map(|c| format!("[{:.0}-{:.0} {:.0}] {}", c.x0, c.x1, c.size, c.text))
                            .collect();
                        println!("{:>5.0}  {}", l.y, cells.join("  |  "));
                    }
                    if std::env::var_os("TABLE").is_some() {
                        let pf = facteur::read::fields::page_facts(p);
                        for (k, a, b) in &pf.table_cols {
                            println!("  column {k:?} [{a:.0}-{b:.0}]");
                        }
                        for r in &pf.rows {
                            let d = r.description.as_ref().map(|d| d.0.as_str());
                            let q = r.quantity.as_ref().map(|q| q.0.to_string());
                            let u = r.unit.as_ref().map(|u| u.0.as_str());
                            let p = r.unit_price.as_ref().map(|p| p.0.to_string());
                            let v = r.vat_rate.as_ref().map(|v| v.0.to_string());
                            let n = r.net.as_ref().map(|n| n.0.to_string());
                            println!("  row {d:?} qty {q:?} {u:?} price {p:?} vat {v:?} net {n:?}");
                        }
                    }
                }
            }
            Err(e) => eprintln!("{path}: {e}"),
        }
    }
}
