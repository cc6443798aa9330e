#!/usr/bin/env python3
"""Writes the ground truth of the real invoices in tests/fixtures/ as
`NAME.truth.json` (EN 16931 path -> plain value) beside each PDF:

- a Factur-X / ZUGFeRD PDF: from its embedded CII XML (ZUGFeRD 1 or 2),
  extracted with `qpdf --show-attachment`;
- an invoice2data test file: from invoice2data's own expected JSON;
- a file listed as `hand` in programs.tsv: its truth is written by hand and
  left alone.

Only values printed on the page are kept (the reader sees the page, not the
XML): an amount, identifier or text is kept when one of its printed forms
is in `pdftotext`'s output; dates and codes are kept as they are.

With `--einvoice`, it writes instead, for each file that carries an
e-invoice, `NAME.einvoice.json`: every term of that XML Facteur's draft
holds, printed or not (lines, VAT categories, allowances and charges on the
whole invoice, the corrected invoice, payment terms, notes). It is what the
owner knows of the invoice: tests/make_programs.rs makes a Factur-X of each
real layout from it.

Measurement only: standard library, qpdf and poppler-utils; never shipped.
Usage: python3 scripts/programs/truth.py [--einvoice]   (from the repository root)
"""

import json
import re
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
from decimal import Decimal, InvalidOperation
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"


def fold(s):
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return re.sub(r"\s+", "", s).lower()


def page_text(pdf):
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True)
    return out.stdout


def amount_forms(v):
    try:
        d = Decimal(v)
    except InvalidOperation:
        return [v]
    forms = set()
    for places in range(0, 5):
        q = Decimal(1).scaleb(-places)
        r = d.quantize(q)
        if r != d.normalize() and r != d:
            continue
        s = f"{abs(r):.{places}f}"
        ip, _, fp = s.partition(".")
        grouped_dot = "{:,}".format(int(ip)).replace(",", ".")
        grouped_comma = "{:,}".format(int(ip))
        for ipart, sep in ((ip, ","), (ip, "."), (grouped_dot, ","), (grouped_comma, ".")):
            forms.add(ipart + (sep + fp if fp else ""))
    return sorted(forms)


MONTHS = {
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "en": "January February March April May June July August September October November December",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
}


def date_forms(v):
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", v)
    if not m:
        return [v]
    y, mo, d = m.groups()
    di, moi = int(d), int(mo)
    forms = [v, f"{d}.{mo}.{y}", f"{d}/{mo}/{y}", f"{d}.{mo}.{y[2:]}", f"{di}.{moi}.{y}", f"{d}-{mo}-{y}"]
    for names in MONTHS.values():
        name = names.split()[moi - 1]
        forms += [f"{di}. {name} {y}", f"{di} {name} {y}", f"{name} {di}, {y}", f"{name[:3]} {di}, {y}"]
    return forms


def printed(path, value, text):
    term = path.rsplit("/", 1)[-1]
    t = fold(text)
    if term in ("BT-2", "BT-9"):
        return any(fold(f) in t for f in date_forms(value))
    if term in ("BT-3", "BT-5", "BT-40", "BT-55", "BT-119", "BT-152"):
        return True
    if term in ("BT-106", "BT-109", "BT-110", "BT-112", "BT-115", "BT-116", "BT-117",
                "BT-129", "BT-131", "BT-146"):
        return any(fold(f) in t for f in amount_forms(value))
    return fold(value) in t


def iso(d):
    d = d.strip()
    if re.fullmatch(r"\d{8}", d):
        return f"{d[0:4]}-{d[4:6]}-{d[6:8]}"
    return d


def local(el):
    return el.tag.rsplit("}", 1)[-1]


def find(el, *names):
    """The first descendant reached by the chain of local names."""
    for n in names:
        if el is None:
            return None
        el = next((c for c in el.iter() if c is not el and local(c) == n), None)
    return el


def either(a, b):
    return a if a is not None else b


def text_of(el, *names):
    e = find(el, *names)
    return e.text.strip() if e is not None and e.text and e.text.strip() else None


def dec(s):
    try:
        return format(Decimal(s.strip()).normalize(), "f")
    except (InvalidOperation, AttributeError):
        return None


def party(p, prefix, addr):
    out = {}
    if p is None:
        return out
    name = next((c for c in p if local(c) == "Name"), None)
    if name is not None and name.text:
        out[f"{prefix}/BT-{27 if prefix == 'BG-4' else 44}"] = name.text.strip()
    for reg in p.iter():
        if local(reg) == "ID" and reg.get("schemeID") == "VA" and reg.text:
            out[f"{prefix}/BT-{31 if prefix == 'BG-4' else 48}"] = reg.text.strip().replace(" ", "")
        if local(reg) == "ID" and reg.get("schemeID") in ("0002", "0009") and reg.text:
            v = reg.text.strip().replace(" ", "")
            if len(v) == 9:
                out[f"{prefix}/BT-{30 if prefix == 'BG-4' else 47}"] = v
            elif len(v) == 14:
                out[f"{prefix}/BT-{29 if prefix == 'BG-4' else 46}"] = v
    post = find(p, "PostalTradeAddress")
    if post is not None:
        b = 35 if prefix == "BG-4" else 50
        for name, off in (("LineOne", 0), ("CityName", 2), ("PostcodeCode", 3), ("CountryID", 5)):
            v = text_of(post, name)
            if v:
                out[f"{prefix}/{addr}/BT-{b + off}"] = v
    return out


def from_cii(xml):
    root = ET.fromstring(xml)
    t = {}
    doc = next((e for e in root if local(e) in ("ExchangedDocument", "HeaderExchangedDocument")), None)
    if doc is not None:
        if v := text_of(doc, "ID"):
            t["BT-1"] = v
        if v := text_of(doc, "TypeCode"):
            if v in ("380", "381"):
                t["BT-3"] = v
        if v := text_of(doc, "IssueDateTime", "DateTimeString"):
            t["BT-2"] = iso(v)
    seller = find(root, "SellerTradeParty")
    buyer = find(root, "BuyerTradeParty")
    t.update(party(seller, "BG-4", "BG-5"))
    t.update(party(buyer, "BG-7", "BG-8"))
    settle = either(find(root, "ApplicableHeaderTradeSettlement"), find(root, "ApplicableSupplyChainTradeSettlement"))
    if settle is not None:
        if v := text_of(settle, "InvoiceCurrencyCode"):
            t["BT-5"] = v
        if v := text_of(settle, "PayeePartyCreditorFinancialAccount", "IBANID"):
            t["BG-16/BG-17/BT-84"] = v.replace(" ", "")
        if v := text_of(settle, "SpecifiedTradePaymentTerms", "DueDateDateTime", "DateTimeString"):
            t["BT-9"] = iso(v)
        summ = either(
            find(settle, "SpecifiedTradeSettlementHeaderMonetarySummation"),
            find(settle, "SpecifiedTradeSettlementMonetarySummation"),
        )
        if summ is not None:
            for name, bt in (
                ("LineTotalAmount", "BT-106"),
                ("TaxBasisTotalAmount", "BT-109"),
                ("GrandTotalAmount", "BT-112"),
                ("DuePayableAmount", "BT-115"),
            ):
                if (v := dec(text_of(summ, name) or "")) is not None:
                    t[f"BG-22/{bt}"] = v
            cur = t.get("BT-5")
            for c in summ:
                if local(c) == "TaxTotalAmount" and (cur is None or c.get("currencyID") in (None, cur)):
                    if (v := dec(c.text or "")) is not None:
                        t["BG-22/BT-110"] = v
                        break
        i = 0
        for tax in settle:
            if local(tax) != "ApplicableTradeTax":
                continue
            base = dec(text_of(tax, "BasisAmount") or "")
            amt = dec(text_of(tax, "CalculatedAmount") or "")
            rate = dec(text_of(tax, "RateApplicablePercent") or text_of(tax, "ApplicablePercent") or "")
            for v, bt in ((base, "BT-116"), (amt, "BT-117"), (rate, "BT-119")):
                if v is not None:
                    t[f"BG-23[{i}]/{bt}"] = v
            i += 1
    for party_ref, bt in (("BuyerOrderReferencedDocument", "BT-13"), ("ContractReferencedDocument", "BT-12")):
        e = find(root, party_ref)
        if e is not None and (v := text_of(e, "IssuerAssignedID")):
            t[bt] = v
    if v := text_of(root, "BuyerReference"):
        t["BT-10"] = v
    i = 0
    for line in root.iter():
        if local(line) != "IncludedSupplyChainTradeLineItem":
            continue
        prod = find(line, "SpecifiedTradeProduct")
        if prod is not None and (v := text_of(prod, "Name")):
            t[f"BG-25[{i}]/BG-31/BT-153"] = v
        if (v := dec(text_of(line, "BilledQuantity") or "")) is not None:
            t[f"BG-25[{i}]/BT-129"] = v
        net = find(line, "NetPriceProductTradePrice")
        if net is not None and (v := dec(text_of(net, "ChargeAmount") or "")) is not None:
            t[f"BG-25[{i}]/BG-29/BT-146"] = v
        tax = find(line, "ApplicableTradeTax")
        if tax is not None:
            r = text_of(tax, "RateApplicablePercent") or text_of(tax, "ApplicablePercent")
            if r and (v := dec(r)) is not None:
                t[f"BG-25[{i}]/BG-30/BT-152"] = v
        s = either(find(line, "SpecifiedLineTradeSettlement"), find(line, "SpecifiedSupplyChainTradeSettlement"))
        if s is not None and (v := dec(text_of(s, "LineTotalAmount") or "")) is not None:
            t[f"BG-25[{i}]/BT-131"] = v
        i += 1
    return t


def children(el, name):
    return [c for c in el if local(c) == name]


def from_cii_full(xml):
    """Every term of the CII the draft holds, printed on the page or not."""
    root = ET.fromstring(xml)
    t = from_cii(xml)
    doc = next((e for e in root if local(e) in ("ExchangedDocument", "HeaderExchangedDocument")), None)
    if doc is not None:
        if v := text_of(doc, "TypeCode"):
            t["BT-3"] = v
        if "BT-2" not in t and (v := text_of(doc, "IssueDateTime")):
            t["BT-2"] = iso(v)
        notes = []
        for n in children(doc, "IncludedNote"):
            content = " ".join(c.text.strip() for c in children(n, "Content") if c.text and c.text.strip())
            if content:
                note = {"BT-22": content}
                if code := text_of(n, "SubjectCode"):
                    note["BT-21"] = code
                notes.append(note)
        for i, note in enumerate(notes):
            for k, v in note.items():
                t[f"BG-1[{i}]/{k}"] = v
    settle = either(find(root, "ApplicableHeaderTradeSettlement"), find(root, "ApplicableSupplyChainTradeSettlement"))
    if settle is not None:
        terms = find(settle, "SpecifiedTradePaymentTerms")
        if terms is not None and (v := text_of(terms, "Description")):
            t["BT-20"] = v
        if terms is not None and "BT-9" not in t and (v := text_of(terms, "DueDateDateTime")):
            t["BT-9"] = iso(v)
        if (means := find(settle, "SpecifiedTradeSettlementPaymentMeans")) is not None:
            if v := text_of(means, "TypeCode"):
                t["BG-16/BT-81"] = v
            if v := text_of(means, "PayeeSpecifiedCreditorFinancialInstitution", "BICID"):
                t["BG-16/BG-17/BT-86"] = v
        ref = find(settle, "InvoiceReferencedDocument")
        if ref is not None:
            if v := text_of(ref, "IssuerAssignedID"):
                t["BG-3/BT-25"] = v
            if v := text_of(ref, "FormattedIssueDateTime", "DateTimeString"):
                t["BG-3/BT-26"] = iso(v)
        i = 0
        for tax in children(settle, "ApplicableTradeTax"):
            if v := text_of(tax, "CategoryCode"):
                t[f"BG-23[{i}]/BT-118"] = v
            if v := text_of(tax, "ExemptionReason"):
                t[f"BG-23[{i}]/BT-120"] = v
            i += 1
        counts = {"BG-20": 0, "BG-21": 0}
        for ac in children(settle, "SpecifiedTradeAllowanceCharge"):
            charge = (text_of(ac, "ChargeIndicator", "Indicator") or "").lower() == "true"
            group, first = ("BG-21", 99) if charge else ("BG-20", 92)
            i = counts[group]
            counts[group] += 1
            for k, name in enumerate(("ActualAmount", "BasisAmount", "CalculationPercent")):
                if (v := dec(text_of(ac, name) or "")) is not None:
                    t[f"{group}[{i}]/BT-{first + k}"] = v
            tax = find(ac, "CategoryTradeTax")
            if tax is not None:
                if v := text_of(tax, "CategoryCode"):
                    t[f"{group}[{i}]/BT-{first + 3}"] = v
                if (v := dec(text_of(tax, "RateApplicablePercent") or text_of(tax, "ApplicablePercent") or "")) is not None:
                    t[f"{group}[{i}]/BT-{first + 4}"] = v
            if v := text_of(ac, "Reason"):
                t[f"{group}[{i}]/BT-{first + 5}"] = v
            if v := text_of(ac, "ReasonCode"):
                t[f"{group}[{i}]/BT-{first + 6}"] = v
        summ = either(
            find(settle, "SpecifiedTradeSettlementHeaderMonetarySummation"),
            find(settle, "SpecifiedTradeSettlementMonetarySummation"),
        )
        if summ is not None:
            for name, bt in (("AllowanceTotalAmount", "BT-107"), ("ChargeTotalAmount", "BT-108")):
                if (v := dec(text_of(summ, name) or "")) is not None:
                    t[f"BG-22/{bt}"] = v
    ship = find(root, "ShipToTradeParty")
    if ship is not None:
        if (name := next((c for c in ship if local(c) == "Name"), None)) is not None and name.text:
            t["BG-13/BT-70"] = name.text.strip()
        post = find(ship, "PostalTradeAddress")
        if post is not None:
            for name, bt in (("LineOne", 75), ("CityName", 77), ("PostcodeCode", 78), ("CountryID", 80)):
                if v := text_of(post, name):
                    t[f"BG-13/BG-15/BT-{bt}"] = v
    if v := text_of(root, "ActualDeliverySupplyChainEvent", "OccurrenceDateTime", "DateTimeString"):
        t["BG-13/BT-72"] = iso(v)
    i = 0
    for line in root.iter():
        if local(line) != "IncludedSupplyChainTradeLineItem":
            continue
        gross = find(line, "GrossPriceProductTradePrice")
        if f"BG-25[{i}]/BG-29/BT-146" not in t and gross is not None:
            if (v := dec(text_of(gross, "ChargeAmount") or "")) is not None:
                t[f"BG-25[{i}]/BG-29/BT-146"] = v
        q = find(line, "BilledQuantity")
        if q is not None and q.get("unitCode"):
            t[f"BG-25[{i}]/BT-130"] = q.get("unitCode")
        tax = find(line, "ApplicableTradeTax")
        if tax is not None and (v := text_of(tax, "CategoryCode")):
            t[f"BG-25[{i}]/BG-30/BT-151"] = v
        price, qty, net = (t.get(f"BG-25[{i}]/{k}") for k in ("BG-29/BT-146", "BT-129", "BT-131"))
        if price is None and qty and net and Decimal(qty) != 0:
            # Profiles without a price (ZUGFeRD 1 BASIC): the printed one.
            p = Decimal(net) / Decimal(qty)
            if p == p.quantize(Decimal("0.0001")):
                t[f"BG-25[{i}]/BG-29/BT-146"] = format(p.normalize(), "f")
        i += 1
    return drop_text_lines(t)


def drop_text_lines(t):
    """Lines that carry only a note (no quantity, no amount) are text, not
    invoice lines: left out, the others renumbered."""
    keep = sorted(
        {
            int(m.group(1))
            for k in t
            for m in [re.match(r"BG-25\[(\d+)\]/BT-1(29|31)$", k)]
            if m
        }
    )
    new = {old: i for i, old in enumerate(keep)}
    out = {}
    for k, v in t.items():
        m = re.match(r"BG-25\[(\d+)\]", k)
        if not m:
            out[k] = v
        elif int(m.group(1)) in new:
            out[f"BG-25[{new[int(m.group(1))]}]" + k[m.end():]] = v
    return out


def embedded_xml(pdf):
    out = subprocess.run(["qpdf", "--list-attachments", str(pdf)], capture_output=True, text=True)
    names = [l.split(" -> ")[0].strip() for l in out.stdout.splitlines() if " -> " in l]
    for n in names:
        if n.lower() in ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml"):
            x = subprocess.run(["qpdf", f"--show-attachment={n}", str(pdf)], capture_output=True)
            return x.stdout
    return None


def from_invoice2data(j):
    j = j[0] if isinstance(j, list) else j
    t = {}
    if v := j.get("invoice_number"):
        t["BT-1"] = str(v).lstrip("#")
    if v := j.get("date"):
        t["BT-2"] = v
    if v := j.get("date_due"):
        t["BT-9"] = v
    if v := j.get("currency"):
        t["BT-5"] = v
    for k, bt in (("amount", "BT-112"), ("amount_untaxed", "BT-109"), ("amount_tax", "BT-110")):
        if j.get(k) is not None:
            t[f"BG-22/{bt}"] = f"{Decimal(str(j[k])):.2f}"
    if v := j.get("iban"):
        t["BG-16/BG-17/BT-84"] = v.replace(" ", "")
    for k in ("vat", "static_vat"):
        if v := j.get(k):
            t["BG-4/BT-31"] = v.replace(" ", "")
    if v := j.get("siren"):
        t["BG-4/BT-30"] = str(v).replace(" ", "")
    return t


def renumber(t):
    """Lines (and VAT rows) of which nothing is printed are left out, so the
    printed ones are numbered as a reader meets them: 0, 1, 2…"""
    out = {}
    for group in ("BG-25", "BG-23"):
        seen = sorted({int(m.group(1)) for k in t for m in [re.match(group + r"\[(\d+)\]", k)] if m})
        new = {old: i for i, old in enumerate(seen)}
        for k, v in t.items():
            m = re.match(group + r"\[(\d+)\]", k)
            if m:
                out[f"{group}[{new[int(m.group(1))]}]" + k[m.end():]] = v
    for k, v in t.items():
        if not re.match(r"BG-2[35]\[", k):
            out[k] = v
    return out


def main():
    full = "--einvoice" in sys.argv[1:]
    manifest = FIXTURES / "programs" / "programs.tsv"
    kept = dropped = 0
    for line in manifest.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        program, kind, files = line.split("\t")[:3]
        for rel in files.split(","):
            pdf = FIXTURES / rel.strip()
            out = pdf.with_suffix(".truth.json")
            if kind == "hand" or (full and kind != "xml"):
                continue
            if kind == "invoice2data":
                truth = from_invoice2data(json.loads(pdf.with_suffix(".json").read_text()))
            else:
                xml = embedded_xml(pdf)
                if xml is None:
                    print(f"{rel}: no embedded XML", file=sys.stderr)
                    continue
                if full:
                    data = from_cii_full(xml)
                    pdf.with_suffix(".einvoice.json").write_text(
                        json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
                    )
                    kept += len(data)
                    continue
                truth = from_cii(xml)
            text = page_text(pdf)
            shown = renumber({k: v for k, v in truth.items() if printed(k, v, text)})
            dropped += len(truth) - len(shown)
            kept += len(shown)
            out.write_text(json.dumps(shown, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    if full:
        print(f"{kept} values of the e-invoices written")
        return
    print(f"{kept} values kept, {dropped} not printed on the page and left out")


if __name__ == "__main__":
    main()
