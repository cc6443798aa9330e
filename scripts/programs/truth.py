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

Measurement only: standard library, qpdf and poppler-utils; never shipped.
Usage: python3 scripts/programs/truth.py   (from the repository root)
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
    manifest = FIXTURES / "programs" / "programs.tsv"
    kept = dropped = 0
    for line in manifest.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        program, kind, files = line.split("\t")[:3]
        for rel in files.split(","):
            pdf = FIXTURES / rel.strip()
            out = pdf.with_suffix(".truth.json")
            if kind == "hand":
                continue
            if kind == "invoice2data":
                truth = from_invoice2data(json.loads(pdf.with_suffix(".json").read_text()))
            else:
                xml = embedded_xml(pdf)
                if xml is None:
                    print(f"{rel}: no embedded XML", file=sys.stderr)
                    continue
                truth = from_cii(xml)
            text = page_text(pdf)
            shown = renumber({k: v for k, v in truth.items() if printed(k, v, text)})
            dropped += len(truth) - len(shown)
            kept += len(shown)
            out.write_text(json.dumps(shown, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    print(f"{kept} values kept, {dropped} not printed on the page and left out")


if __name__ == "__main__":
    main()
