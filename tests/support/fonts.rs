//! Embeds a real TrueType font (DejaVu, installed with the system's
//! fontconfig; `scripts/setup.sh` installs `fonts-dejavu-core`) in place of
//! every standard font a generated PDF names without embedding: what an
//! invoicing program's « PDF/A » export does, so a Factur-X can be made
//! from it. The text and its encoding (WinAnsi) are unchanged; the widths
//! become the embedded font's.

#![allow(dead_code)]

use lopdf::{Document, Object, ObjectId, Stream, dictionary};

const REGULAR: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
const BOLD: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";

/// The Unicode character of a WinAnsi code.
fn win_ansi(code: u8) -> Option<char> {
    const HIGH: [u16; 32] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
        0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC,
        0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    ];
    match code {
        0x80..=0x9F => {
            char::from_u32(u32::from(HIGH[usize::from(code - 0x80)])).filter(|c| *c != '\0')
        }
        _ => Some(char::from(code)),
    }
}

fn font_objects(doc: &mut Document, path: &str, name: &str) -> (ObjectId, Vec<Object>) {
    let data = std::fs::read(path).unwrap_or_else(|e| {
        panic!("{path}: {e} (install fonts-dejavu-core: bash scripts/setup.sh)")
    });
    let face = ttf_parser::Face::parse(&data, 0).expect("DejaVu parses");
    let upem = f64::from(face.units_per_em());
    let scale = |v: i16| (f64::from(v) * 1000.0 / upem).round() as i64;
    let widths: Vec<Object> = (32u8..=255)
        .map(|c| {
            let w = win_ansi(c)
                .and_then(|ch| face.glyph_index(ch))
                .and_then(|g| face.glyph_hor_advance(g))
                .unwrap_or(0);
            Object::Integer((f64::from(w) * 1000.0 / upem).round() as i64)
        })
        .collect();
    let bbox = face.global_bounding_box();
    let mut file = Stream::new(dictionary! { "Length1" => data.len() as i64 }, data.clone());
    let _ = file.compress();
    let file_id = doc.add_object(file);
    let descriptor = doc.add_object(dictionary! {
        "Type" => "FontDescriptor",
        "FontName" => name,
        "Flags" => 32,
        "FontBBox" => vec![scale(bbox.x_min).into(), scale(bbox.y_min).into(), scale(bbox.x_max).into(), scale(bbox.y_max).into()],
        "ItalicAngle" => 0,
        "Ascent" => scale(face.ascender()),
        "Descent" => scale(face.descender()),
        "CapHeight" => scale(face.capital_height().unwrap_or(face.ascender())),
        "StemV" => 80,
        "FontFile2" => file_id,
    });
    (descriptor, widths)
}

/// `pdf` with every non-embedded simple font replaced by embedded DejaVu
/// Sans (Bold for bold faces).
pub fn embed(pdf: &[u8]) -> Vec<u8> {
    let mut doc = Document::load_mem(pdf).expect("a generated PDF loads");
    let fonts: Vec<(ObjectId, bool)> = doc
        .objects
        .iter()
        .filter_map(|(id, o)| {
            let d = o.as_dict().ok()?;
            let is_font = d.get(b"Type").and_then(Object::as_name).ok() == Some(b"Font".as_slice());
            let simple = matches!(
                d.get(b"Subtype").and_then(Object::as_name).ok(),
                Some(b"Type1" | b"TrueType")
            );
            (is_font && simple && d.get(b"FontDescriptor").is_err()).then(|| {
                let base = d
                    .get(b"BaseFont")
                    .and_then(Object::as_name)
                    .map(|n| String::from_utf8_lossy(n).into_owned())
                    .unwrap_or_default();
                (*id, base.contains("Bold"))
            })
        })
        .collect();
    let mut regular = None;
    let mut bold = None;
    for (id, is_bold) in fonts {
        let (descriptor, widths) = if is_bold {
            bold.get_or_insert_with(|| font_objects(&mut doc, BOLD, "DejaVuSans-Bold"))
                .clone()
        } else {
            regular
                .get_or_insert_with(|| font_objects(&mut doc, REGULAR, "DejaVuSans"))
                .clone()
        };
        let name = if is_bold {
            "DejaVuSans-Bold"
        } else {
            "DejaVuSans"
        };
        let d = doc
            .get_object_mut(id)
            .and_then(Object::as_dict_mut)
            .expect("the font is a dictionary");
        d.set("Subtype", "TrueType");
        d.set("BaseFont", name);
        d.set("FirstChar", 32);
        d.set("LastChar", 255);
        d.set("Widths", widths);
        d.set("FontDescriptor", descriptor);
        d.set("Encoding", "WinAnsiEncoding");
    }
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("saving to memory");
    out
}
