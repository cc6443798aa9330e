//! What reaches the user outside the window: a native notification for each
//! invoice a portal rejects, refuses or marks paid, and the count of
//! invoices needing attention on the window's badge and title.
//!
//! Notifications follow the events table rather than the code path that
//! wrote them, so an answer recorded by the window's own sync, by the
//! outbox, or by a `facteur sync` run in a terminal is announced once.
//! A notification's body carries what others wrote (a portal's reason, the
//! customer's name read from a PDF): it is cut short, its control
//! characters dropped and, where notification servers read markup (the
//! freedesktop desktops), `&`, `<` and `>` escaped, so it is shown as text,
//! never as a link or an image.
//! Deliberately not here: deciding statuses (the core's lifecycle) or
//! asking portals (the shell's sync loop).

use facteur::mirror::lifecycle::Status;
use facteur::mirror::store::{EventRow, InvoiceRow, Store, StoreError};

/// The statuses a shop owner wants to hear about at once.
pub const NOTIFIED: [Status; 3] = [Status::Rejected, Status::Refused, Status::Paid];

/// One desktop notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub invoice_id: i64,
    pub title: String,
    pub body: String,
}

/// The notification for one event, in the user's language; `None` for a
/// status that is not announced.
pub fn notice(lang: &str, invoice: &InvoiceRow, event: &EventRow) -> Option<Notice> {
    let en = lang == "en";
    let n = &as_text(&invoice.number, 60);
    let customer = invoice
        .customer
        .as_deref()
        .map(|c| as_text(c, 80))
        .unwrap_or_else(|| if en { "The customer" } else { "Le client" }.to_string());
    let reason = &as_text(
        event
            .raw_reason
            .as_deref()
            .filter(|r| !r.trim().is_empty())
            .unwrap_or(&event.raw_status),
        300,
    );
    let (title, body) = match event.status? {
        Status::Rejected if en => (
            format!("Invoice {n} rejected"),
            format!("{customer}'s portal: {reason}. Open Facteur to see what to do."),
        ),
        Status::Rejected => (
            format!("Facture {n} rejetée"),
            format!(
                "Portail de {customer}\u{a0}: {reason}. Ouvrez Facteur pour savoir quoi faire."
            ),
        ),
        Status::Refused if en => (
            format!("Invoice {n} refused"),
            format!("{customer}: {reason}. Open Facteur to see what to do."),
        ),
        Status::Refused => (
            format!("Facture {n} refusée"),
            format!("{customer}\u{a0}: {reason}. Ouvrez Facteur pour savoir quoi faire."),
        ),
        Status::Paid if en => (
            format!("Invoice {n} paid"),
            format!("{customer} paid {}.", amount(invoice, true)),
        ),
        Status::Paid => (
            format!("Facture {n} payée"),
            format!("{customer} a payé {}.", amount(invoice, false)),
        ),
        _ => return None,
    };
    Some(Notice {
        invoice_id: invoice.id,
        title,
        body,
    })
}

/// Text from elsewhere as a notification shows it: on one line, at most
/// `max` characters, markup escaped where the notification server reads
/// it (freedesktop's body markup: `<b>`, `<a href>`, `<img>`…).
pub fn as_text(s: &str, max: usize) -> String {
    let one_line: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let one_line = one_line.trim();
    let mut cut: String = one_line.chars().take(max).collect();
    if one_line.chars().count() > max {
        cut.push('…');
    }
    if cfg!(all(unix, not(target_os = "macos"))) {
        cut.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    } else {
        cut
    }
}

/// "1 234,50 €" (fr) or "€1,234.50" (en); the plain figure when it is not
/// a decimal number.
fn amount(invoice: &InvoiceRow, en: bool) -> String {
    let Some(raw) = invoice.total_with_tax.as_deref() else {
        return if en { "the invoice" } else { "la facture" }.to_string();
    };
    let euro = invoice.currency.as_deref().unwrap_or("EUR") == "EUR";
    let Ok(v) = raw.trim().parse::<f64>() else {
        return raw.to_string();
    };
    let cents = (v * 100.0).round() as i64;
    let (whole, frac) = (cents.abs() / 100, cents.abs() % 100);
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(if en { ',' } else { '\u{202f}' });
        }
        grouped.push(c);
    }
    let sign = if cents < 0 { "-" } else { "" };
    let cur = invoice.currency.as_deref().unwrap_or("EUR");
    match (en, euro) {
        (true, true) => format!("{sign}€{grouped}.{frac:02}"),
        (true, false) => format!("{sign}{grouped}.{frac:02} {cur}"),
        (false, true) => format!("{sign}{grouped},{frac:02}\u{a0}€"),
        (false, false) => format!("{sign}{grouped},{frac:02}\u{a0}{cur}"),
    }
}

/// The notifications for every announced event recorded after event
/// `after`, and the id to start from next time.
pub fn pending(store: &Store, after: i64, lang: &str) -> Result<(Vec<Notice>, i64), StoreError> {
    let mut last = after;
    let mut out = Vec::new();
    for (invoice_id, event) in store.events_after(after, &NOTIFIED)? {
        last = last.max(event.id);
        if let Some(inv) = store.invoice(invoice_id)?
            && let Some(n) = notice(lang, &inv, &event)
        {
            out.push(n);
        }
    }
    Ok((out, last))
}

/// How many invoices need the user (the « À traiter » group).
pub fn attention(store: &Store) -> Result<i64, StoreError> {
    store.count(&facteur::view::Group::ToDo.filter())
}

/// The window title with the count in front, as mail programs do.
pub fn title(count: i64) -> String {
    if count > 0 {
        format!("({count}) Facteur")
    } else {
        "Facteur".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use facteur::mirror::store::Source;

    fn invoice(total: Option<&str>) -> InvoiceRow {
        InvoiceRow {
            id: 7,
            number: "F-2026-0042".into(),
            seller_siren: None,
            doc_type: "invoice".into(),
            issue_date: None,
            customer: Some("Mairie de Sainte-Claire".into()),
            buyer_siren: None,
            currency: Some("EUR".into()),
            total_without_tax: None,
            total_with_tax: total.map(str::to_string),
            portal: None,
            status: Status::Paid,
            reason_code: None,
            status_since_ms: 0,
            document_id: 1,
            path: String::new(),
            sha256: String::new(),
            number_source: "read".into(),
        }
    }

    fn event(status: Status, raw: &str, reason: Option<&str>) -> EventRow {
        EventRow {
            id: 1,
            at_ms: 0,
            recorded_ms: 0,
            source: Source::PortalApi,
            vocabulary: "chorus_invoice".into(),
            raw_status: raw.into(),
            raw_reason: reason.map(str::to_string),
            status: Some(status),
            reason_code: None,
            mandatory: true,
            secondary: false,
        }
    }

    /// A customer name read from a PDF and a portal's reason are shown as
    /// text: no link, no image, no bold reaches the notification server.
    #[test]
    fn markup_in_a_reason_or_a_customer_name_is_escaped() {
        let mut inv = invoice(None);
        inv.customer = Some("<a href=\"https://evil.example\">Mairie</a> & <img src=x>".into());
        let n = notice(
            "fr",
            &inv,
            &event(
                Status::Rejected,
                "REJETEE",
                Some("<b>Cliquez</b>\nici <a href='https://evil.example'>maintenant</a>"),
            ),
        )
        .unwrap();
        #[cfg(all(unix, not(target_os = "macos")))]
        {
            assert!(!n.body.contains('<') && !n.body.contains('>'), "{}", n.body);
            assert!(n.body.contains("&lt;a href="), "{}", n.body);
            assert!(n.body.contains("&amp; &lt;img"), "{}", n.body);
            assert!(
                n.body.contains("&lt;b&gt;Cliquez&lt;/b&gt; ici"),
                "{}",
                n.body
            );
        }
        assert!(!n.body.contains('\n'));
        let long = as_text(&"x".repeat(1000), 300);
        assert_eq!(long.chars().count(), 301);
    }

    #[test]
    fn rejections_refusals_and_payments_are_announced_in_the_users_language() {
        let inv = invoice(Some("1234.5"));
        let n = notice(
            "fr",
            &inv,
            &event(Status::Rejected, "REJETEE", Some("Doublon")),
        )
        .unwrap();
        assert_eq!(n.title, "Facture F-2026-0042 rejetée");
        assert!(n.body.contains("Doublon"), "{}", n.body);
        assert!(n.body.contains("Sainte-Claire"), "{}", n.body);
        let n = notice("en", &inv, &event(Status::Refused, "REFUSEE", None)).unwrap();
        assert_eq!(n.title, "Invoice F-2026-0042 refused");
        // No reason given: the portal's own word is quoted instead.
        assert!(n.body.contains("REFUSEE"), "{}", n.body);
        let n = notice("fr", &inv, &event(Status::Paid, "MISE_EN_PAIEMENT", None)).unwrap();
        assert_eq!(
            n.body,
            "Mairie de Sainte-Claire a payé 1\u{202f}234,50\u{a0}€."
        );
        let n = notice("en", &inv, &event(Status::Paid, "MISE_EN_PAIEMENT", None)).unwrap();
        assert_eq!(n.body, "Mairie de Sainte-Claire paid €1,234.50.");
        assert_eq!(
            notice(
                "fr",
                &inv,
                &event(Status::Issued, "MISE_A_DISPOSITION", None)
            ),
            None
        );
        let n = notice("fr", &invoice(None), &event(Status::Paid, "x", None)).unwrap();
        assert!(n.body.ends_with("a payé la facture."), "{}", n.body);
    }

    #[test]
    fn the_title_carries_the_count_only_when_something_waits() {
        assert_eq!(title(0), "Facteur");
        assert_eq!(title(3), "(3) Facteur");
    }
}
