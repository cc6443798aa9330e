//! Prints each page of a PDF as the reader lays it out (lines, cells with
//! their x ranges and font sizes): for looking at a new layout by eye.
//!
//! `cargo run --example read_layout -- FILE.pdf`

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
                }
            }
            Err(e) => eprintln!("{path}: {e}"),
        }
    }
}
