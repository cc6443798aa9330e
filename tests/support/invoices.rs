//! A generator of varied invoice layouts with their ground truth, for the
//! reader's tests and its measurement: French, English and German labels,
//! three page arrangements, four fonts, ruled or plain tables, one to three
//! VAT rates, credit notes, invoices continued over several pages, annexes
//! (terms, timesheets, delivery notes), and files merging several documents.
//!
//! Deterministic: the same seed always gives the same bytes. The PDFs are
//! plain (standard fonts with their widths, no embedding), as most
//! invoicing programs write them.

#![allow(dead_code)]

use std::fmt::Write as _;

use lopdf::{Document, Object, ObjectId, Stream, dictionary};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Fr,
    En,
    De,
}

#[derive(Debug, Clone)]
pub struct Party {
    pub name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub siren: Option<String>,
    pub vat: String,
}

#[derive(Debug, Clone)]
pub struct Item {
    pub description: String,
    /// Hundredths.
    pub qty: i64,
    pub unit: String,
    pub price_cents: i64,
    /// Rate in hundredths of a percent (2000 = 20 %).
    pub rate: i64,
}

impl Item {
    pub fn net_cents(&self) -> i64 {
        round_div(self.qty * self.price_cents, 100)
    }
}

fn round_div(a: i64, b: i64) -> i64 {
    let q = a / b;
    let r = a % b;
    if r.abs() * 2 >= b { q + a.signum() } else { q }
}

/// How the page is arranged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrangement {
    /// Seller top left, title and meta top right, buyer below right.
    Classic,
    /// Letterhead line at the top and legal footer, buyer left, meta in a
    /// box of labels over values.
    Letterhead,
    /// Title first, meta "Label : value" lines, seller block then buyer
    /// block stacked, labelled.
    Stacked,
}

#[derive(Debug, Clone)]
pub struct Spec {
    pub lang: Lang,
    pub arrangement: Arrangement,
    pub font: &'static str,
    pub ruled: bool,
    /// Which label variant (0..3) for number, date and buyer.
    pub variant: usize,
    pub number: String,
    pub credit: bool,
    pub date: (u32, u32, u32),
    pub due: Option<(u32, u32, u32)>,
    pub order_ref: Option<String>,
    pub seller: Party,
    pub buyer: Party,
    pub items: Vec<Item>,
    /// Invoice lines per page before continuing on the next one.
    pub lines_per_page: usize,
    /// Annex pages after the invoice: terms, timesheet, delivery note.
    pub annexes: usize,
    /// Discounts (negative cents) and fees (positive) on the whole
    /// invoice, printed as rows of the table after the lines, each at the
    /// VAT rate of the first line: (reason, cents).
    pub adjustments: Vec<(String, i64)>,
    /// The adjustments printed in the totals block instead, between a
    /// subtotal of the lines and the total without VAT, with no rate.
    pub adjustments_in_totals: bool,
}

/// What a correct reading says.
#[derive(Debug, Clone, PartialEq)]
pub struct Truth {
    pub fields: Vec<(String, String)>,
    pub pages: usize,
}

pub fn money(cents: i64) -> String {
    let neg = cents < 0;
    let c = cents.abs();
    format!("{}{}.{:02}", if neg { "-" } else { "" }, c / 100, c % 100)
}

fn rate_text(rate: i64) -> String {
    if rate % 100 == 0 {
        format!("{}", rate / 100)
    } else {
        let s = format!("{}.{:02}", rate / 100, rate % 100);
        s.trim_end_matches('0').to_string()
    }
}

impl Spec {
    fn sign(&self) -> i64 {
        if self.credit { -1 } else { 1 }
    }

    /// (rate, base cents, tax cents) per rate, in order of first use.
    pub fn breakdown(&self) -> Vec<(i64, i64, i64)> {
        let mut out: Vec<(i64, i64, i64)> = Vec::new();
        for it in &self.items {
            let net = it.net_cents() * self.sign();
            match out.iter_mut().find(|r| r.0 == it.rate) {
                Some(r) => r.1 += net,
                None => out.push((it.rate, net, 0)),
            }
        }
        if let Some(first) = self.items.first() {
            for (_, cents) in &self.adjustments {
                if let Some(r) = out.iter_mut().find(|r| r.0 == first.rate) {
                    r.1 += cents * self.sign();
                }
            }
        }
        for r in &mut out {
            r.2 = round_div(r.1 * r.0, 10_000);
        }
        out
    }

    pub fn totals(&self) -> (i64, i64, i64) {
        let b = self.breakdown();
        let ht: i64 = b.iter().map(|r| r.1).sum();
        let tva: i64 = b.iter().map(|r| r.2).sum();
        (ht, tva, ht + tva)
    }

    /// EN 16931 writes a credit note's amounts positive.
    pub fn truth(&self) -> Truth {
        let money = |c: i64| money(if self.credit { -c } else { c });
        let mut f: Vec<(String, String)> = Vec::new();
        let mut put = |k: &str, v: String| f.push((k.to_string(), v));
        put("BT-1", self.number.clone());
        put("BT-2", iso(self.date));
        put("BT-3", if self.credit { "381" } else { "380" }.into());
        if let Some(d) = self.due {
            put("BT-9", iso(d));
        }
        if let Some(o) = &self.order_ref {
            put("BT-13", o.clone());
        }
        put("BG-4/BT-27", self.seller.name.clone());
        put("BG-4/BG-5/BT-38", self.seller.postcode.clone());
        put("BG-4/BG-5/BT-37", self.seller.city.clone());
        put("BG-4/BT-31", self.seller.vat.clone());
        if let Some(s) = &self.seller.siren {
            put("BG-4/BT-30", s.clone());
        }
        put("BG-7/BT-44", self.buyer.name.clone());
        put("BG-7/BG-8/BT-53", self.buyer.postcode.clone());
        put("BG-7/BG-8/BT-52", self.buyer.city.clone());
        let (ht, tva, ttc) = self.totals();
        put("BG-22/BT-109", money(ht));
        put("BG-22/BT-110", money(tva));
        put("BG-22/BT-112", money(ttc));
        put("BG-22/BT-115", money(ttc));
        for (i, r) in self.breakdown().iter().enumerate() {
            put(&format!("BG-23[{i}]/BT-119"), rate_text(r.0));
            put(&format!("BG-23[{i}]/BT-116"), money(r.1));
            put(&format!("BG-23[{i}]/BT-117"), money(r.2));
        }
        for (i, it) in self.items.iter().enumerate() {
            put(&format!("BG-25[{i}]/BG-31/BT-153"), it.description.clone());
            put(
                &format!("BG-25[{i}]/BT-131"),
                money(it.net_cents() * self.sign()),
            );
            put(
                &format!("BG-25[{i}]/BG-29/BT-146"),
                money(it.price_cents * self.sign()),
            );
        }
        let (mut allowances, mut charges) = (0, 0);
        for (reason, cents) in &self.adjustments {
            let (g, bts, i) = if *cents < 0 {
                allowances += 1;
                ("BG-20", ["BT-92", "BT-97", "BT-96"], allowances - 1)
            } else {
                charges += 1;
                ("BG-21", ["BT-99", "BT-104", "BT-103"], charges - 1)
            };
            put(&format!("{g}[{i}]/{}", bts[0]), self::money(cents.abs()));
            put(&format!("{g}[{i}]/{}", bts[1]), reason.clone());
            if !self.adjustments_in_totals
                && let Some(first) = self.items.first()
            {
                put(&format!("{g}[{i}]/{}", bts[2]), rate_text(first.rate));
            }
        }
        Truth {
            fields: f,
            pages: self.pages().len(),
        }
    }

    fn amount(&self, cents: i64) -> String {
        let neg = cents < 0;
        let c = cents.abs();
        let int = group3(
            c / 100,
            match self.lang {
                Lang::Fr => ' ',
                Lang::En => ',',
                Lang::De => '.',
            },
        );
        let dec = if self.lang == Lang::En { '.' } else { ',' };
        let sign = if neg { "-" } else { "" };
        match self.lang {
            Lang::En => format!("{sign}{int}{dec}{:02}", c % 100),
            _ => format!("{sign}{int}{dec}{:02} €", c % 100),
        }
    }

    fn qty_text(&self, q: i64) -> String {
        if q % 100 == 0 {
            format!("{}", q / 100)
        } else {
            let dec = if self.lang == Lang::En { "." } else { "," };
            format!("{}{dec}{:02}", q / 100, q % 100)
                .trim_end_matches('0')
                .to_string()
        }
    }

    fn date_text(&self, d: (u32, u32, u32)) -> String {
        let (y, m, dd) = d;
        match (self.lang, self.variant % 2) {
            (Lang::Fr, _) => format!("{dd:02}/{m:02}/{y}"),
            (Lang::En, 0) => format!("{dd:02}/{m:02}/{y}"),
            (Lang::En, _) => {
                const M: [&str; 12] = [
                    "January",
                    "February",
                    "March",
                    "April",
                    "May",
                    "June",
                    "July",
                    "August",
                    "September",
                    "October",
                    "November",
                    "December",
                ];
                format!("{} {dd}, {y}", M[(m - 1) as usize])
            }
            (Lang::De, _) => format!("{dd:02}.{m:02}.{y}"),
        }
    }

    fn words(&self) -> Words {
        let v = self.variant % 3;
        match self.lang {
            Lang::Fr => Words {
                title: if self.credit { "AVOIR" } else { "FACTURE" },
                number: if self.credit {
                    ["Avoir n°", "N° d'avoir", "Avoir n°"][v]
                } else {
                    ["Facture n°", "N° de facture", "Numéro de facture"][v]
                },
                date: ["Date de facture", "Date", "Émise le"][v],
                due: ["Échéance", "Date d'échéance", "Échéance"][v],
                order: "Bon de commande",
                buyer: ["Client", "Facturé à", "Adresse de facturation"][v],
                seller: "Émetteur",
                header: ["Désignation", "Qté", "Unité", "PU HT", "TVA", "Montant HT"],
                ht: "Total HT",
                tva_row: "TVA",
                tva: "Total TVA",
                ttc: "Total TTC",
                due_amount: "Net à payer",
                continued: "suite",
                page: "Page",
                of: "/",
            },
            Lang::En => Words {
                title: if self.credit {
                    "CREDIT NOTE"
                } else {
                    "INVOICE"
                },
                number: if self.credit {
                    "Credit note No."
                } else {
                    ["Invoice No.", "Invoice #", "Invoice number"][v]
                },
                date: ["Invoice date", "Date", "Issue date"][v],
                due: "Due date",
                order: "PO number",
                buyer: ["Bill to", "Invoice to", "Customer"][v],
                seller: "From",
                header: [
                    "Description",
                    "Qty",
                    "Unit",
                    "Unit price",
                    "VAT %",
                    "Amount",
                ],
                ht: "Subtotal",
                tva_row: "VAT",
                tva: "Total VAT",
                ttc: "Total",
                due_amount: "Amount due",
                continued: "continued",
                page: "Page",
                of: "of",
            },
            Lang::De => Words {
                title: if self.credit {
                    "GUTSCHRIFT"
                } else {
                    "RECHNUNG"
                },
                number: if self.credit {
                    "Gutschriftsnummer"
                } else {
                    ["Rechnungsnummer", "Rechnungs-Nr.", "Rechnung Nr."][v]
                },
                date: ["Rechnungsdatum", "Datum", "Rechnungsdatum"][v],
                due: "Fällig am",
                order: "Bestellnummer",
                buyer: ["Rechnungsempfänger", "Kunde", "Rechnungsempfänger"][v],
                seller: "Lieferant",
                header: [
                    "Bezeichnung",
                    "Menge",
                    "Einheit",
                    "Einzelpreis",
                    "MwSt.",
                    "Gesamt",
                ],
                ht: "Nettobetrag",
                tva_row: "MwSt.",
                tva: "Summe MwSt.",
                ttc: "Gesamtbetrag",
                due_amount: "Zahlbetrag",
                continued: "Fortsetzung",
                page: "Seite",
                of: "von",
            },
        }
    }

    /// The invoice's own pages, then its annexes.
    pub fn pages(&self) -> Vec<PageOut> {
        let w = self.words();
        let chunks: Vec<&[Item]> = if self.items.is_empty() {
            vec![&[]]
        } else {
            self.items.chunks(self.lines_per_page.max(1)).collect()
        };
        let n = chunks.len();
        let mut pages = Vec::new();
        for (pi, chunk) in chunks.iter().enumerate() {
            let mut p = PageText::new(self.font);
            if pi == 0 {
                self.header(&mut p, &w);
            } else {
                p.text(
                    50.0,
                    800.0,
                    10.0,
                    &format!("{} {} — {}", w.title, self.number, w.continued),
                    true,
                );
            }
            let mut y = if pi == 0 { 520.0 } else { 760.0 };
            y = self.table(&mut p, &w, chunk, y);
            if pi + 1 == n {
                self.totals_block(&mut p, &w, y - 20.0);
            }
            p.text(
                270.0,
                30.0,
                8.0,
                &format!("{} {} {} {}", w.page, pi + 1, w.of, n),
                false,
            );
            if self.arrangement == Arrangement::Letterhead {
                self.footer(&mut p);
            }
            pages.push(p.finish());
        }
        for a in 0..self.annexes {
            pages.push(self.annex(a));
        }
        pages
    }

    fn header(&self, p: &mut PageText, w: &Words) {
        let s = &self.seller;
        let b = &self.buyer;
        let ids = |party: &Party| -> Vec<String> {
            let mut v = Vec::new();
            if let Some(siren) = &party.siren {
                v.push(format!("SIREN : {}", group_digits(siren)));
            }
            v.push(match self.lang {
                Lang::Fr => format!("TVA intracommunautaire : {}", party.vat),
                Lang::En => format!("VAT No. {}", party.vat),
                Lang::De => format!("USt-IdNr.: {}", party.vat),
            });
            v
        };
        let meta = |p: &mut PageText, x: f32, y: f32, stacked: bool| {
            let mut rows: Vec<(String, String)> = vec![
                (w.number.to_string(), self.number.clone()),
                (w.date.to_string(), self.date_text(self.date)),
            ];
            if let Some(d) = self.due {
                rows.push((w.due.to_string(), self.date_text(d)));
            }
            if let Some(o) = &self.order_ref {
                rows.push((w.order.to_string(), o.clone()));
            }
            if stacked {
                // Labels over values, side by side.
                let mut cx = x;
                for (l, v) in rows {
                    p.text(cx, y, 8.0, &l, true);
                    p.text(cx, y - 12.0, 10.0, &v, false);
                    cx += 120.0;
                }
            } else {
                let mut cy = y;
                for (l, v) in rows {
                    if self.variant.is_multiple_of(2) {
                        p.text(x, cy, 10.0, &format!("{l} : {v}"), false);
                    } else {
                        p.text(x, cy, 10.0, &l, true);
                        p.text(x + 110.0, cy, 10.0, &v, false);
                    }
                    cy -= 14.0;
                }
            }
        };
        match self.arrangement {
            Arrangement::Classic => {
                p.text(50.0, 790.0, 13.0, &s.name, true);
                p.text(50.0, 776.0, 10.0, &s.street, false);
                p.text(
                    50.0,
                    763.0,
                    10.0,
                    &format!("{} {}", s.postcode, s.city),
                    false,
                );
                let mut y = 745.0;
                for line in ids(s) {
                    p.text(50.0, y, 8.0, &line, false);
                    y -= 11.0;
                }
                p.text(360.0, 790.0, 20.0, w.title, true);
                meta(p, 360.0, 765.0, false);
                p.text(330.0, 680.0, 8.0, &format!("{} :", w.buyer), true);
                p.text(330.0, 666.0, 10.0, &b.name, false);
                p.text(330.0, 653.0, 10.0, &b.street, false);
                p.text(
                    330.0,
                    640.0,
                    10.0,
                    &format!("{} {}", b.postcode, b.city),
                    false,
                );
            }
            Arrangement::Letterhead => {
                p.text(
                    50.0,
                    805.0,
                    8.0,
                    &format!("{} - {} - {} {}", s.name, s.street, s.postcode, s.city),
                    false,
                );
                p.text(50.0, 760.0, 18.0, w.title, true);
                p.text(50.0, 700.0, 10.0, &b.name, true);
                p.text(50.0, 687.0, 10.0, &b.street, false);
                p.text(
                    50.0,
                    674.0,
                    10.0,
                    &format!("{} {}", b.postcode, b.city),
                    false,
                );
                meta(p, 50.0, 620.0, true);
            }
            Arrangement::Stacked => {
                p.text(
                    50.0,
                    800.0,
                    16.0,
                    &format!("{} {}", w.title, self.number),
                    true,
                );
                meta(p, 50.0, 775.0, false);
                p.text(50.0, 700.0, 8.0, &format!("{} :", w.seller), true);
                p.text(50.0, 688.0, 10.0, &s.name, false);
                p.text(50.0, 676.0, 10.0, &s.street, false);
                p.text(
                    50.0,
                    664.0,
                    10.0,
                    &format!("{} {}", s.postcode, s.city),
                    false,
                );
                let mut y = 652.0;
                for line in ids(s) {
                    p.text(50.0, y, 8.0, &line, false);
                    y -= 11.0;
                }
                p.text(320.0, 700.0, 8.0, &format!("{} :", w.buyer), true);
                p.text(320.0, 688.0, 10.0, &b.name, false);
                p.text(320.0, 676.0, 10.0, &b.street, false);
                p.text(
                    320.0,
                    664.0,
                    10.0,
                    &format!("{} {}", b.postcode, b.city),
                    false,
                );
            }
        }
    }

    fn footer(&self, p: &mut PageText) {
        let s = &self.seller;
        let mut ids = Vec::new();
        if let Some(siren) = &s.siren {
            ids.push(format!("SIREN {}", group_digits(siren)));
        }
        ids.push(format!("TVA {}", s.vat));
        p.text(
            50.0,
            50.0,
            7.0,
            &format!("{} - capital 10 000 € - {}", s.name, ids.join(" - ")),
            false,
        );
    }

    /// The table: header, rows; returns the y under it.
    fn table(&self, p: &mut PageText, w: &Words, items: &[Item], top: f32) -> f32 {
        let xs = [50.0, 270.0, 310.0, 360.0, 430.0, 490.0];
        let right = [false, true, false, true, true, true];
        let ends = [260.0, 300.0, 350.0, 420.0, 475.0, 550.0];
        if self.ruled {
            p.rule(45.0, top + 12.0, 555.0, top + 12.0);
            p.rule(45.0, top - 4.0, 555.0, top - 4.0);
        }
        for (i, h) in w.header.iter().enumerate() {
            if right[i] {
                p.text_right(ends[i], top, 9.0, h, true);
            } else {
                p.text(xs[i], top, 9.0, h, true);
            }
        }
        let mut y = top - 18.0;
        for it in items {
            let cells = [
                it.description.clone(),
                self.qty_text(it.qty),
                it.unit.clone(),
                self.amount(it.price_cents),
                format!(
                    "{} %",
                    rate_text(it.rate).replace('.', if self.lang == Lang::En { "." } else { "," })
                ),
                self.amount(it.net_cents() * self.sign()),
            ];
            for (i, c) in cells.iter().enumerate() {
                if right[i] {
                    p.text_right(ends[i], y, 9.0, c, false);
                } else {
                    p.text(xs[i], y, 9.0, c, false);
                }
            }
            if self.ruled {
                p.rule(45.0, y - 5.0, 555.0, y - 5.0);
            }
            y -= 16.0;
        }
        let last = items.last().map(|it| it as *const Item)
            == self.items.last().map(|it| it as *const Item);
        if last
            && !self.adjustments_in_totals
            && let Some(first) = self.items.first()
        {
            for (reason, cents) in &self.adjustments {
                let rate = format!(
                    "{} %",
                    rate_text(first.rate)
                        .replace('.', if self.lang == Lang::En { "." } else { "," })
                );
                p.text(xs[0], y, 9.0, reason, false);
                p.text_right(ends[4], y, 9.0, &rate, false);
                p.text_right(ends[5], y, 9.0, &self.amount(cents * self.sign()), false);
                if self.ruled {
                    p.rule(45.0, y - 5.0, 555.0, y - 5.0);
                }
                y -= 16.0;
            }
        }
        y
    }

    fn totals_block(&self, p: &mut PageText, w: &Words, top: f32) {
        let (ht, tva, ttc) = self.totals();
        let mut y = top;
        let row = |p: &mut PageText, y: f32, l: &str, v: String, bold: bool| {
            p.text(340.0, y, 10.0, l, bold);
            p.text_right(550.0, y, 10.0, &v, bold);
        };
        let mut ht_label = w.ht;
        if self.adjustments_in_totals && !self.adjustments.is_empty() {
            let lines: i64 = self.items.iter().map(|it| it.net_cents()).sum();
            let (subtotal, net) = match self.lang {
                Lang::Fr => ("Sous-total", w.ht),
                Lang::En => ("Subtotal", "Net total"),
                Lang::De => ("Zwischensumme", w.ht),
            };
            row(p, y, subtotal, self.amount(lines * self.sign()), false);
            y -= 14.0;
            for (reason, cents) in &self.adjustments {
                row(p, y, reason, self.amount(cents * self.sign()), false);
                y -= 14.0;
            }
            ht_label = net;
        }
        row(p, y, ht_label, self.amount(ht), false);
        y -= 14.0;
        let b = self.breakdown();
        if b.len() == 1 && self.variant.is_multiple_of(2) {
            row(
                p,
                y,
                &format!("{} {} %", w.tva_row, rate_text(b[0].0).replace('.', ",")),
                self.amount(tva),
                false,
            );
            y -= 14.0;
        } else {
            // A breakdown table on the left: rate, base, tax.
            let mut by = top;
            for r in &b {
                p.text(
                    50.0,
                    by,
                    9.0,
                    &format!("{} {} %", w.tva_row, rate_text(r.0).replace('.', ",")),
                    false,
                );
                p.text_right(200.0, by, 9.0, &self.amount(r.1), false);
                p.text_right(290.0, by, 9.0, &self.amount(r.2), false);
                by -= 13.0;
            }
            row(p, y, w.tva, self.amount(tva), false);
            y -= 14.0;
        }
        row(p, y, w.ttc, self.amount(ttc), true);
        y -= 18.0;
        row(p, y, w.due_amount, self.amount(ttc), true);
    }

    fn annex(&self, k: usize) -> PageOut {
        let mut p = PageText::new(self.font);
        match k % 3 {
            0 => {
                p.text(
                    50.0,
                    790.0,
                    14.0,
                    match self.lang {
                        Lang::Fr => "Conditions générales de vente",
                        Lang::En => "Terms and conditions",
                        Lang::De => "Allgemeine Geschäftsbedingungen",
                    },
                    true,
                );
                let mut y = 760.0;
                for i in 0..30 {
                    p.text(50.0, y, 9.0, &format!("Article {} — Les prestations sont dues à réception ; tout retard entraîne des pénalités ({}).", i + 1, self.number), false);
                    y -= 12.0;
                }
            }
            1 => {
                p.text(
                    50.0,
                    790.0,
                    14.0,
                    match self.lang {
                        Lang::Fr => "Relevé d'heures",
                        Lang::En => "Timesheet",
                        Lang::De => "Stundennachweis",
                    },
                    true,
                );
                p.text(50.0, 760.0, 9.0, "Date", true);
                p.text(200.0, 760.0, 9.0, "Description", true);
                p.text(480.0, 760.0, 9.0, "h", true);
                let mut y = 744.0;
                for d in 1..=20 {
                    p.text(
                        50.0,
                        y,
                        9.0,
                        &format!("{d:02}/{:02}/{}", self.date.1, self.date.0),
                        false,
                    );
                    p.text(200.0, y, 9.0, "Développement et tests", false);
                    p.text_right(500.0, y, 9.0, "7,5", false);
                    y -= 13.0;
                }
            }
            _ => {
                p.text(
                    50.0,
                    790.0,
                    14.0,
                    match self.lang {
                        Lang::Fr => "Bon de livraison",
                        Lang::En => "Delivery note",
                        Lang::De => "Lieferschein",
                    },
                    true,
                );
                p.text(50.0, 770.0, 10.0, &format!("BL-{}", self.number), false);
                let mut y = 740.0;
                for it in &self.items {
                    p.text(50.0, y, 9.0, &it.description, false);
                    p.text_right(400.0, y, 9.0, &self.qty_text(it.qty), false);
                    y -= 13.0;
                }
            }
        }
        p.text(270.0, 30.0, 8.0, &format!("Annexe {}", k + 1), false);
        p.finish()
    }
}

struct Words {
    title: &'static str,
    number: &'static str,
    date: &'static str,
    due: &'static str,
    order: &'static str,
    buyer: &'static str,
    seller: &'static str,
    header: [&'static str; 6],
    ht: &'static str,
    tva_row: &'static str,
    tva: &'static str,
    ttc: &'static str,
    due_amount: &'static str,
    continued: &'static str,
    page: &'static str,
    of: &'static str,
}

fn iso((y, m, d): (u32, u32, u32)) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

fn group3(mut v: i64, sep: char) -> String {
    let mut parts = Vec::new();
    loop {
        if v < 1000 {
            parts.push(format!("{v}"));
            break;
        }
        parts.push(format!("{:03}", v % 1000));
        v /= 1000;
    }
    parts.reverse();
    parts.join(&sep.to_string())
}

fn group_digits(s: &str) -> String {
    s.as_bytes()
        .chunks(3)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Approximate standard-font widths (thousandths of an em), written into
/// the font dictionaries so the reader measures what a viewer draws.
fn glyph_width(font: &str, c: u8) -> i64 {
    if font.starts_with("Courier") {
        return 600;
    }
    let bold = font.contains("Bold");
    let w = match c {
        b' ' => 278,
        b'0'..=b'9' => 556,
        b'i' | b'j' | b'l' => 222,
        b'f' | b't' | b'r' => 300,
        b'm' => 833,
        b'w' => 722,
        b'a'..=b'z' => 520,
        b'I' => 278,
        b'M' | b'W' => 833,
        b'A'..=b'Z' => 680,
        b'.' | b',' | b':' | b';' | b'\'' | b'!' => 278,
        b'-' | b'(' | b')' | b'/' => 333,
        b'%' => 889,
        b'#' => 556,
        128 => 556, // €
        192..=255 => 520,
        _ => 500,
    };
    if font.starts_with("Times") {
        w * 9 / 10
    } else if bold {
        w * 21 / 20
    } else {
        w
    }
}

/// One page: its font family and content stream.
#[derive(Debug, Clone)]
pub struct PageOut {
    pub font: &'static str,
    pub content: Vec<u8>,
}

/// One page's content stream being written.
pub struct PageText {
    font: &'static str,
    content: String,
}

impl PageText {
    pub fn new(font: &'static str) -> Self {
        PageText {
            font,
            content: String::new(),
        }
    }

    fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        let f = if bold {
            format!("{}-Bold", self.font)
        } else {
            self.font.to_string()
        };
        win_ansi(text)
            .iter()
            .map(|&b| glyph_width(&f, b) as f32 * size / 1000.0)
            .sum()
    }

    pub fn text(&mut self, x: f32, y: f32, size: f32, text: &str, bold: bool) {
        let f = if bold { "F2" } else { "F1" };
        let _ = write!(self.content, "BT /{f} {size} Tf 1 0 0 1 {x:.2} {y:.2} Tm ");
        self.content.push('(');
        for b in win_ansi(text) {
            match b {
                b'(' | b')' | b'\\' => {
                    self.content.push('\\');
                    self.content.push(b as char);
                }
                32..=126 => self.content.push(b as char),
                _ => {
                    let _ = write!(self.content, "\\{b:03o}");
                }
            }
        }
        self.content.push_str(") Tj ET\n");
    }

    pub fn text_right(&mut self, x_end: f32, y: f32, size: f32, text: &str, bold: bool) {
        let w = self.width(text, size, bold);
        self.text(x_end - w, y, size, text, bold);
    }

    pub fn rule(&mut self, x0: f32, y0: f32, x1: f32, y1: f32) {
        let _ = writeln!(self.content, "0.5 w {x0:.2} {y0:.2} m {x1:.2} {y1:.2} l S");
    }

    pub fn finish(self) -> PageOut {
        PageOut {
            font: self.font,
            content: self.content.into_bytes(),
        }
    }
}

fn win_ansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            '€' => 128,
            '—' => 151,
            '–' => 150,
            '’' => 146,
            c if (c as u32) < 256 => c as u8,
            _ => b'?',
        })
        .collect()
}

fn font_dict(doc: &mut Document, base: &str) -> ObjectId {
    let widths: Vec<Object> = (32u8..=255)
        .map(|c| Object::Integer(glyph_width(base, c)))
        .collect();
    doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => Object::Name(base.as_bytes().to_vec()),
        "Encoding" => "WinAnsiEncoding",
        "FirstChar" => 32,
        "LastChar" => 255,
        "Widths" => widths,
    })
}

/// A PDF of the given pages (content streams from [`Spec::pages`]).
pub fn pdf(pages: &[PageOut]) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let mut kids = Vec::new();
    for PageOut { font, content } in pages {
        let (regular, bold) = match *font {
            "Times" => ("Times-Roman".to_string(), "Times-Bold".to_string()),
            f => (f.to_string(), format!("{f}-Bold")),
        };
        let f1 = font_dict(&mut doc, &regular);
        let f2 = font_dict(&mut doc, &bold);
        let c = doc.add_object(Stream::new(dictionary! {}, content.clone()));
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Contents" => c,
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => f1, "F2" => f2 } },
        });
        kids.push(Object::Reference(page));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    doc.compress();
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("PDF written to memory");
    out
}

/// Merges whole PDFs into one, in order (as a user's "combine files"
/// would): each document's objects renumbered, its pages appended.
pub fn merge(files: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Document::with_version("1.7");
    let pages_id = out.new_object_id();
    let mut kids = Vec::new();
    for bytes in files {
        let mut doc = Document::load_mem(bytes).expect("a PDF to merge");
        doc.renumber_objects_with(out.max_id + 1);
        out.max_id = doc.max_id;
        let page_ids: Vec<ObjectId> = doc.get_pages().into_values().collect();
        for (id, obj) in std::mem::take(&mut doc.objects) {
            // The source's own catalog and page tree root are replaced.
            let skip = match &obj {
                Object::Dictionary(d) => {
                    matches!(
                        d.get(b"Type").and_then(Object::as_name),
                        Ok(b"Catalog") | Ok(b"Pages")
                    )
                }
                _ => false,
            };
            if !skip {
                out.objects.insert(id, obj);
            }
        }
        for pid in page_ids {
            if let Ok(Object::Dictionary(d)) = out.get_object_mut(pid) {
                d.set("Parent", pages_id);
            }
            kids.push(Object::Reference(pid));
        }
    }
    let count = kids.len() as i64;
    out.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog = out.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    out.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    out.save_to(&mut bytes).expect("merged PDF written");
    bytes
}

// ---------------------------------------------------------------------------
// Varied specs from a seed
// ---------------------------------------------------------------------------

fn luhn_digit(body: &str) -> u32 {
    let mut sum = 0;
    for (i, c) in body.chars().rev().enumerate() {
        let mut d = c.to_digit(10).unwrap();
        if i % 2 == 0 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    (10 - sum % 10) % 10
}

fn siren(rng: &mut fastrand::Rng) -> String {
    let body: String = (0..8)
        .map(|i| char::from(b'0' + if i == 0 { rng.u8(1..10) } else { rng.u8(0..10) }))
        .collect();
    format!("{body}{}", luhn_digit(&body))
}

fn fr_vat(siren: &str) -> String {
    let n: u64 = siren.parse().unwrap();
    format!("FR{:02}{siren}", (12 + 3 * (n % 97)) % 97)
}

const COMPANIES: &[&str] = &[
    "Atelier Dupont SARL",
    "Boulangerie Martin",
    "Cabinet Leroy Conseil",
    "Durand Informatique SAS",
    "Électricité Moreau",
    "Fournil des Halles",
    "Garage Petit & Fils",
    "Hôtel du Lac SA",
    "Imprimerie Lambert",
    "Jardins de Provence",
    "Kessler Maschinenbau GmbH",
    "Lumen Software Ltd",
    "Menuiserie Girard",
    "Nordic Supplies AB",
    "Optique Bernard",
    "Plomberie Roux",
    "Quincaillerie Faure",
    "Rivière Transports",
    "Studio Fontaine",
    "Traiteur Chevalier",
];
const STREETS: &[&str] = &[
    "12 rue de la Paix",
    "4 avenue Foch",
    "27 boulevard Voltaire",
    "8 place Bellecour",
    "Hauptstraße 15",
    "3 chemin des Vignes",
    "19 rue Nationale",
    "101 High Street",
];
const CITIES: &[(&str, &str)] = &[
    ("75002", "Paris"),
    ("69002", "Lyon"),
    ("13001", "Marseille"),
    ("33000", "Bordeaux"),
    ("31000", "Toulouse"),
    ("44000", "Nantes"),
    ("67000", "Strasbourg"),
    ("59000", "Lille"),
];
const ITEMS: &[(&str, &str, i64)] = &[
    ("Développement logiciel", "jour", 65_000),
    ("Maintenance annuelle", "forfait", 120_000),
    ("Formation utilisateurs", "h", 9_000),
    ("Câble réseau Cat6", "pce", 1_250),
    ("Licence bureautique", "pce", 24_900),
    ("Audit de sécurité", "jour", 80_000),
    ("Livres scolaires", "pce", 2_390),
    ("Déplacement", "km", 45),
    ("Hébergement serveur", "mois", 4_900),
    ("Conseil stratégique", "h", 15_000),
];

fn party(rng: &mut fastrand::Rng, lang: Lang) -> Party {
    let name = COMPANIES[rng.usize(..COMPANIES.len())].to_string();
    let (pc, city) = CITIES[rng.usize(..CITIES.len())];
    let s = siren(rng);
    let vat = if lang == Lang::De && rng.bool() {
        format!(
            "DE{}",
            (0..9)
                .map(|_| char::from(b'0' + rng.u8(0..10)))
                .collect::<String>()
        )
    } else {
        fr_vat(&s)
    };
    Party {
        name,
        street: STREETS[rng.usize(..STREETS.len())].to_string(),
        postcode: pc.to_string(),
        city: city.to_string(),
        siren: vat.starts_with("FR").then_some(s),
        vat,
    }
}

/// A varied invoice from a seed.
pub fn spec(seed: u64) -> Spec {
    let mut rng = fastrand::Rng::with_seed(seed);
    let lang = [Lang::Fr, Lang::Fr, Lang::En, Lang::De][rng.usize(..4)];
    let rates: &[i64] = match lang {
        Lang::De => &[1900, 700],
        _ => &[2000, 1000, 550],
    };
    let n_rates = 1 + rng.usize(..3.min(rates.len()));
    let n_items = 1 + rng.usize(..7);
    let items = (0..n_items)
        .map(|i| {
            let (d, u, p) = ITEMS[rng.usize(..ITEMS.len())];
            Item {
                description: d.to_string(),
                qty: [100, 200, 350, 1000, 150, 2400][rng.usize(..6)],
                unit: u.to_string(),
                price_cents: p + rng.i64(0..5) * 100,
                rate: rates[i % n_rates],
            }
        })
        .collect();
    let seller = party(&mut rng, lang);
    let mut buyer = party(&mut rng, lang);
    while buyer.name == seller.name {
        buyer = party(&mut rng, lang);
    }
    let prefix = ["F-2026-", "FA", "INV-", "RE-2026/", ""][rng.usize(..5)];
    let month = rng.u32(1..13);
    Spec {
        lang,
        arrangement: [
            Arrangement::Classic,
            Arrangement::Letterhead,
            Arrangement::Stacked,
        ][rng.usize(..3)],
        font: ["Helvetica", "Times", "Courier", "Helvetica"][rng.usize(..4)],
        ruled: rng.bool(),
        variant: rng.usize(..3),
        number: format!("{prefix}{:04}", rng.u32(1..9999)),
        credit: rng.u8(..8) == 0,
        date: (2026, month, rng.u32(1..28)),
        due: rng.bool().then_some((2026, month, 28)),
        order_ref: rng.bool().then(|| format!("PO-{}", rng.u32(1000..99999))),
        seller,
        buyer,
        items,
        lines_per_page: if rng.u8(..5) == 0 { 2 } else { 30 },
        annexes: 0,
        adjustments: Vec::new(),
        adjustments_in_totals: false,
    }
}

/// Another invoice of the same seller and layout (what a learned layout
/// must read): same template, new number, date, buyer and lines.
pub fn next_of(spec: &Spec, seed: u64) -> Spec {
    let other = self::spec(seed);
    Spec {
        number: other.number.clone(),
        date: other.date,
        due: spec.due.map(|_| (other.date.0, other.date.1, 28)),
        order_ref: spec
            .order_ref
            .as_ref()
            .map(|_| format!("PO-{}", seed % 90_000 + 1000)),
        buyer: other.buyer.clone(),
        items: other
            .items
            .iter()
            .map(|it| Item {
                rate: spec.items[0].rate,
                ..it.clone()
            })
            .collect(),
        ..spec.clone()
    }
}
