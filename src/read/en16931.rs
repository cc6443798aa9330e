//! The reading in the standard's own vocabulary: one JSON object per
//! invoice keyed by EN 16931 business terms and groups, nested as in the
//! semantic model (`"BG-4": {"BT-27": …, "BG-5": {…}}`, `"BG-25": [ … ]`),
//! each value `{"value", "source", "sure"}`. The same form comes back as a
//! confirmed reading (`facteur read --confirm`), where a plain value is
//! allowed in place of the object.
//!
//! Deliberately not here: Factur-X XML (another format, written elsewhere
//! from this same reading), validation of the values.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::{AllowanceCharge, Field, Invoice, ItemLine, Source, VatRow};

/// Every optional field of an invoice with its path, mutably. Lines and VAT
/// rows are visited as they are; notes are handled apart (they are a list of
/// code and text).
pub fn visit(inv: &mut Invoice, f: &mut dyn FnMut(String, &mut Option<Field>)) {
    f("BT-1".into(), &mut inv.number);
    f("BT-2".into(), &mut inv.issue_date);
    f("BT-3".into(), &mut inv.type_code);
    f("BT-5".into(), &mut inv.currency);
    f("BT-9".into(), &mut inv.due_date);
    f("BT-10".into(), &mut inv.buyer_reference);
    f("BT-12".into(), &mut inv.contract_reference);
    f("BT-13".into(), &mut inv.order_reference);
    f("BT-8".into(), &mut inv.vat_point);
    f("BT-20".into(), &mut inv.payment_terms);
    f("BT-23".into(), &mut inv.process);
    f("BG-3/BT-25".into(), &mut inv.preceding);
    f("BG-3/BT-26".into(), &mut inv.preceding_date);
    let s = &mut inv.seller;
    f("BG-4/BT-27".into(), &mut s.name);
    f("BG-4/BT-29".into(), &mut s.siret);
    f("BG-4/BT-30".into(), &mut s.siren);
    f("BG-4/BT-31".into(), &mut s.vat);
    f("BG-4/BT-34".into(), &mut s.e_address);
    f("BG-4/BT-34-1".into(), &mut s.e_scheme);
    f("BG-4/BG-5/BT-35".into(), &mut s.street);
    f("BG-4/BG-5/BT-37".into(), &mut s.city);
    f("BG-4/BG-5/BT-38".into(), &mut s.postcode);
    f("BG-4/BG-5/BT-40".into(), &mut s.country);
    f("BG-4/BG-6/BT-41".into(), &mut s.contact_name);
    f("BG-4/BG-6/BT-42".into(), &mut s.contact_phone);
    f("BG-4/BG-6/BT-43".into(), &mut s.contact_email);
    let b = &mut inv.buyer;
    f("BG-7/BT-44".into(), &mut b.name);
    f("BG-7/BT-46".into(), &mut b.siret);
    f("BG-7/BT-47".into(), &mut b.siren);
    f("BG-7/BT-48".into(), &mut b.vat);
    f("BG-7/BT-49".into(), &mut b.e_address);
    f("BG-7/BT-49-1".into(), &mut b.e_scheme);
    f("BG-7/BG-8/BT-50".into(), &mut b.street);
    f("BG-7/BG-8/BT-52".into(), &mut b.city);
    f("BG-7/BG-8/BT-53".into(), &mut b.postcode);
    f("BG-7/BG-8/BT-55".into(), &mut b.country);
    f("BG-7/BG-9/BT-56".into(), &mut b.contact_name);
    f("BG-7/BG-9/BT-57".into(), &mut b.contact_phone);
    f("BG-7/BG-9/BT-58".into(), &mut b.contact_email);
    let d = &mut inv.delivery;
    f("BG-13/BT-70".into(), &mut d.name);
    f("BG-13/BG-15/BT-75".into(), &mut d.street);
    f("BG-13/BG-15/BT-77".into(), &mut d.city);
    f("BG-13/BG-15/BT-78".into(), &mut d.postcode);
    f("BG-13/BG-15/BT-80".into(), &mut d.country);
    f("BG-13/BT-72".into(), &mut inv.delivery_date);
    f("BG-16/BT-81".into(), &mut inv.payment_means);
    f("BG-16/BG-17/BT-84".into(), &mut inv.iban);
    f("BG-16/BG-17/BT-86".into(), &mut inv.bic);
    let t = &mut inv.totals;
    f("BG-22/BT-106".into(), &mut t.lines_sum);
    f("BG-22/BT-109".into(), &mut t.without_tax);
    f("BG-22/BT-110".into(), &mut t.tax);
    f("BG-22/BT-112".into(), &mut t.with_tax);
    f("BG-22/BT-115".into(), &mut t.due);
    f("BG-22/BT-107".into(), &mut t.allowances);
    f("BG-22/BT-108".into(), &mut t.charges);
    // BG-20 allowances (BT-92…98) and BG-21 charges (BT-99…105).
    for (group, list, first) in [
        ("BG-20", &mut inv.allowances, 92),
        ("BG-21", &mut inv.charges, 99),
    ] {
        for (i, a) in list.iter_mut().enumerate() {
            let fields = [
                &mut a.amount,
                &mut a.base,
                &mut a.percent,
                &mut a.vat_category,
                &mut a.vat_rate,
                &mut a.reason,
                &mut a.reason_code,
            ];
            for (k, slot) in fields.into_iter().enumerate() {
                f(format!("{group}[{i}]/BT-{}", first + k), slot);
            }
        }
    }
    for (i, v) in inv.vat.iter_mut().enumerate() {
        f(format!("BG-23[{i}]/BT-116"), &mut v.base);
        f(format!("BG-23[{i}]/BT-117"), &mut v.tax);
        f(format!("BG-23[{i}]/BT-118"), &mut v.category);
        f(format!("BG-23[{i}]/BT-119"), &mut v.rate);
        f(format!("BG-23[{i}]/BT-120"), &mut v.exemption);
    }
    for (i, l) in inv.lines.iter_mut().enumerate() {
        f(format!("BG-25[{i}]/BT-129"), &mut l.quantity);
        f(format!("BG-25[{i}]/BT-130"), &mut l.unit);
        f(format!("BG-25[{i}]/BT-131"), &mut l.net);
        f(format!("BG-25[{i}]/BG-29/BT-146"), &mut l.unit_price);
        f(format!("BG-25[{i}]/BG-30/BT-151"), &mut l.vat_category);
        f(format!("BG-25[{i}]/BG-30/BT-152"), &mut l.vat_rate);
        f(format!("BG-25[{i}]/BG-31/BT-153"), &mut l.description);
    }
}

/// Every field present, with its path ("BT-1", "BG-4/BT-27",
/// `"BG-25[2]/BT-131"`), notes as `"BG-1[i]/BT-22"`.
pub fn flatten(inv: &Invoice) -> Vec<(String, Field)> {
    let mut copy = inv.clone();
    let mut out = Vec::new();
    visit(&mut copy, &mut |path, slot| {
        if let Some(f) = slot.take() {
            out.push((path, f));
        }
    });
    for (i, (_, text)) in inv.notes.iter().enumerate() {
        out.push((format!("BG-1[{i}]/BT-22"), text.clone()));
    }
    out
}

fn leaf(f: &Field) -> Value {
    json!({"value": f.value, "source": f.source.to_string(), "sure": f.sure})
}

/// Puts `v` at `path` in `root`, creating groups and list items.
fn insert(root: &mut Map<String, Value>, path: &str, v: Value) {
    let mut parts = path.split('/').peekable();
    let mut node = root;
    while let Some(part) = parts.next() {
        let last = parts.peek().is_none();
        let (key, index) = match part.split_once('[') {
            Some((k, rest)) => (k, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        if let Some(i) = index {
            let list = node
                .entry(key.to_string())
                .or_insert_with(|| Value::Array(Vec::new()));
            let Value::Array(items) = list else { return };
            while items.len() <= i {
                items.push(Value::Object(Map::new()));
            }
            let Value::Object(m) = &mut items[i] else {
                return;
            };
            if last {
                return;
            }
            node = m;
        } else if last {
            node.insert(key.to_string(), v);
            return;
        } else {
            let next = node
                .entry(key.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            let Value::Object(m) = next else { return };
            node = m;
        }
    }
}

/// One invoice as its JSON object.
pub fn to_json(inv: &Invoice) -> Value {
    let mut root = Map::new();
    root.insert("pages".into(), json!([inv.first_page, inv.last_page]));
    if let Some(id) = inv.layout {
        root.insert("layout".into(), json!(id));
    }
    let mut copy = inv.clone();
    // Lists keep their length even when an item has no field.
    for (i, _) in inv.vat.iter().enumerate() {
        insert(&mut root, &format!("BG-23[{i}]/x"), Value::Null);
    }
    for (i, _) in inv.lines.iter().enumerate() {
        insert(&mut root, &format!("BG-25[{i}]/x"), Value::Null);
    }
    for (i, _) in inv.allowances.iter().enumerate() {
        insert(&mut root, &format!("BG-20[{i}]/x"), Value::Null);
    }
    for (i, _) in inv.charges.iter().enumerate() {
        insert(&mut root, &format!("BG-21[{i}]/x"), Value::Null);
    }
    visit(&mut copy, &mut |path, slot| {
        if let Some(f) = slot {
            insert(&mut root, &path, leaf(f));
        }
    });
    // The placeholders only held the lists' length: an item with no field
    // is an empty object, never a stray key.
    for list in ["BG-20", "BG-21", "BG-23", "BG-25"] {
        if let Some(Value::Array(items)) = root.get_mut(list) {
            for item in items {
                if let Value::Object(m) = item {
                    m.remove("x");
                }
            }
        }
    }
    if !inv.notes.is_empty() {
        let notes: Vec<Value> = inv
            .notes
            .iter()
            .map(|(code, text)| {
                let mut m = Map::new();
                if let Some(c) = code {
                    m.insert("BT-21".into(), json!(c));
                }
                m.insert("BT-22".into(), leaf(text));
                Value::Object(m)
            })
            .collect();
        root.insert("BG-1".into(), Value::Array(notes));
    }
    Value::Object(root)
}

/// Why a confirmed reading cannot be taken.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("the reading is not JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("expected an invoice object (or a list of them)")]
    Shape,
    #[error("unknown term {0}")]
    UnknownTerm(String),
}

/// Collects `path → leaf` from a JSON object.
fn collect(prefix: &str, v: &Value, out: &mut BTreeMap<String, Value>) {
    let Value::Object(m) = v else { return };
    for (k, child) in m {
        if !(k.starts_with("BT-") || k.starts_with("BG-")) {
            continue;
        }
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}/{k}")
        };
        match child {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    collect(&format!("{path}[{i}]"), item, out);
                }
            }
            Value::Object(o) if o.contains_key("value") => {
                out.insert(path, child.clone());
            }
            Value::Object(_) => collect(&path, child, out),
            other => {
                out.insert(path, other.clone());
            }
        }
    }
}

fn leaf_field(v: &Value) -> Option<Field> {
    let (value, source, sure) = match v {
        Value::Object(o) => (
            o.get("value")?,
            o.get("source")
                .and_then(Value::as_str)
                .and_then(Source::parse),
            o.get("sure").and_then(Value::as_bool),
        ),
        other => (other, None, None),
    };
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    Some(Field::new(
        text,
        source.unwrap_or(Source::User),
        sure.unwrap_or(true),
    ))
}

/// Reads one invoice object (the output of [`to_json`], or the same with
/// plain values). Unknown terms are refused, so a typo is not silently
/// ignored.
pub fn from_json(v: &Value) -> Result<Invoice, FormatError> {
    if !v.is_object() {
        return Err(FormatError::Shape);
    }
    let mut leaves = BTreeMap::new();
    collect("", v, &mut leaves);
    let mut inv = Invoice::default();
    if let Some([a, b]) = v
        .get("pages")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_u64).collect::<Vec<_>>())
        .as_deref()
    {
        inv.first_page = *a as usize;
        inv.last_page = *b as usize;
    }
    let count = |group: &str| {
        leaves
            .keys()
            .filter_map(|k| k.strip_prefix(&format!("{group}[")))
            .filter_map(|r| r.split(']').next()?.parse::<usize>().ok())
            .max()
            .map(|m| m + 1)
            .unwrap_or(0)
    };
    inv.lines = vec![ItemLine::default(); count("BG-25")];
    inv.vat = vec![VatRow::default(); count("BG-23")];
    inv.allowances = vec![AllowanceCharge::default(); count("BG-20")];
    inv.charges = vec![AllowanceCharge::default(); count("BG-21")];
    for i in 0..count("BG-1") {
        if let Some(text) = leaves.get(&format!("BG-1[{i}]/BT-22")).and_then(leaf_field) {
            let code = leaves
                .get(&format!("BG-1[{i}]/BT-21"))
                .and_then(leaf_field)
                .map(|f| f.value);
            inv.notes.push((code, text));
        }
    }
    let mut known = std::collections::HashSet::new();
    visit(&mut inv, &mut |path, slot| {
        if let Some(v) = leaves.get(&path) {
            *slot = leaf_field(v);
        }
        known.insert(path);
    });
    if let Some(unknown) = leaves
        .keys()
        .find(|k| !known.contains(*k) && !k.starts_with("BG-1["))
    {
        return Err(FormatError::UnknownTerm(unknown.clone()));
    }
    Ok(inv)
}

/// Reads a confirmed reading file: one invoice object or a list of them.
pub fn parse(text: &str) -> Result<Vec<Invoice>, FormatError> {
    let v: Value = serde_json::from_str(text)?;
    match &v {
        Value::Array(items) => items.iter().map(from_json).collect(),
        Value::Object(_) => Ok(vec![from_json(&v)?]),
        _ => Err(FormatError::Shape),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::Party;

    #[test]
    fn round_trips_through_json() {
        let src = Source::Page {
            page: 1,
            x: 10.0,
            y: 700.0,
            w: 80.0,
            h: 12.0,
        };
        let inv = Invoice {
            first_page: 1,
            last_page: 2,
            number: Some(Field::new("F-1", src, false)),
            seller: Party {
                name: Some(Field::new("ACME", src, false)),
                postcode: Some(Field::new("75001", src, false)),
                ..Party::default()
            },
            lines: vec![ItemLine {
                net: Some(Field::new("10.00", src, true)),
                ..ItemLine::default()
            }],
            notes: vec![(Some("AAB".into()), Field::new("Escompte 0 %", src, false))],
            ..Invoice::default()
        };
        let v = to_json(&inv);
        assert_eq!(v["BG-4"]["BG-5"]["BT-38"]["value"], "75001");
        assert_eq!(v["BG-25"][0]["BT-131"]["sure"], true);
        assert_eq!(v["BT-1"]["source"], "page 1 (10, 700, 80, 12)");
        assert_eq!(v["BG-1"][0]["BT-21"], "AAB");
        let line = v["BG-25"][0].as_object().unwrap();
        assert!(
            line.keys()
                .all(|k| k.starts_with("BT-") || k.starts_with("BG-")),
            "{line:?}"
        );
        let back = from_json(&v).unwrap();
        assert_eq!(back, inv);
    }

    #[test]
    fn plain_values_are_the_owners_and_typos_are_refused() {
        let inv = parse(r#"{"BT-1": "F-9", "BG-22": {"BT-112": 120.5}}"#).unwrap();
        let n = inv[0].number.as_ref().unwrap();
        assert_eq!(
            (n.value.as_str(), n.source, n.sure),
            ("F-9", Source::User, true)
        );
        assert_eq!(inv[0].totals.with_tax.as_ref().unwrap().value, "120.5");
        assert!(matches!(
            parse(r#"{"BT-999": "x"}"#),
            Err(FormatError::UnknownTerm(_))
        ));
    }
}
