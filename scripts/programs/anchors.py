#!/usr/bin/env python3
"""The anchors the reader is measured against, on the same real invoices
(tests/fixtures/programs/programs.tsv) and the same truth (NAME.truth.json):

- pdfplumber's table extraction (ruling lines first, then text alignment),
  the lines table found by a generic header regex (a description column and
  an amount column); scored on the invoice lines (BG-25: description,
  quantity, unit price, net amount);
- invoice2data with a hand-written template per layout (its best case:
  scripts/programs/templates/, plus invoice2data's own templates for its test
  files); scored on the number, the issue date and the totals (BT-1, BT-2,
  BT-109, BT-110, BT-112).

Measurement only, never shipped. Prints a table per anchor; the reader's
figures on the same field families come from
`cargo run --release --example read_programs`.

    python3 -m venv /tmp/anchors-venv
    /tmp/anchors-venv/bin/pip install pdfplumber invoice2data
    /tmp/anchors-venv/bin/python scripts/programs/anchors.py
"""

import json
import logging
import re
import sys
import unicodedata
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
TEMPLATES = Path(__file__).resolve().parent / "templates"

logging.disable(logging.WARNING)


def programs():
    for line in (FIXTURES / "programs" / "programs.tsv").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, kind, files = line.split("\t")[:3]
        yield name, [FIXTURES / f.strip() for f in files.split(",")]


def truth(pdf):
    return json.loads(pdf.with_suffix(".truth.json").read_text())


def fold(s):
    s = unicodedata.normalize("NFKD", str(s))
    s = "".join(c for c in s if not unicodedata.combining(c))
    return " ".join(s.lower().split())


def number(s):
    """A printed amount ("1.234,50 €", "1,234.50", "-20,48") as a Decimal."""
    if s is None:
        return None
    if isinstance(s, (int, float)):
        return Decimal(str(s))
    t = re.sub(r"[^\d,.\-]", "", str(s))
    if not re.search(r"\d", t):
        return None
    if "," in t and "." in t:
        if t.rfind(",") > t.rfind("."):
            t = t.replace(".", "").replace(",", ".")
        else:
            t = t.replace(",", "")
    elif "," in t:
        head, _, tail = t.rpartition(",")
        t = head.replace(",", "") + "." + tail if len(tail) != 3 else t.replace(",", "")
    try:
        return Decimal(t)
    except InvalidOperation:
        return None


def same(path, want, got):
    term = path.rsplit("/", 1)[-1]
    if got is None:
        return False
    if term in ("BT-129", "BT-131", "BT-146", "BT-152", "BT-109", "BT-110", "BT-112", "BT-115"):
        a, b = number(want), number(got)
        return a is not None and b is not None and abs(abs(a) - abs(b)) < Decimal("0.01")
    if term in ("BT-1",):
        return str(want).replace(" ", "").lower() == str(got).replace(" ", "").lstrip("#").lower()
    if term == "BT-153":
        # As the reader is scored: the printed line may go on with the
        # item's description after its name.
        w, g = fold(want), fold(got)
        return g == w or g.startswith(w + ":") or g.startswith(w + " ")
    return fold(want) == fold(got)


def family(path):
    return re.sub(r"\[\d+\]", "", path)


# --- pdfplumber -----------------------------------------------------------

DESC = re.compile(
    r"descri|d[ée]signation|libell|bezeichnung|beschreibung|produkt|product|artikel|article|item|material|leistung",
    re.I,
)
AMOUNT = re.compile(r"total|montant|amount|betrag|gesamt|summe|netto|nettowert|entgelt|prix|price|preis", re.I)
QTY = re.compile(r"qt[ée]|quantit|qty|menge|anzahl|amount$|quantity", re.I)
PRICE = re.compile(r"p\.?u\.?|prix unit|unit price|einzelpreis|preis|price|nettopreis", re.I)
VAT = re.compile(r"tva|ust|mwst|vat|steuer|tax", re.I)
STOP = re.compile(r"total|summe|sous-total|subtotal|zwischensumme|net total", re.I)


def header_columns(row):
    cells = [c or "" for c in row]
    desc = next((i for i, c in enumerate(cells) if DESC.search(c)), None)
    amounts = [i for i, c in enumerate(cells) if AMOUNT.search(c) and i != desc]
    if desc is None or not amounts:
        return None
    net = amounts[-1]
    qty = next((i for i, c in enumerate(cells) if QTY.search(c) and i not in (desc, net)), None)
    price = next(
        (i for i, c in enumerate(cells) if PRICE.search(c) and i not in (desc, net, qty)), None
    )
    vat = next(
        (i for i, c in enumerate(cells) if VAT.search(c) and i not in (desc, net, qty, price)), None
    )
    return {
        "BG-31/BT-153": desc,
        "BT-131": net,
        "BT-129": qty,
        "BG-29/BT-146": price,
        "BG-30/BT-152": vat,
    }


def plumber_lines(pdf):
    import pdfplumber

    out = []
    with pdfplumber.open(str(pdf)) as doc:
        for page in doc.pages:
            for settings in (None, {"vertical_strategy": "text", "horizontal_strategy": "text"}):
                try:
                    tables = page.extract_tables(settings) if settings else page.extract_tables()
                except Exception:
                    tables = []
                found = False
                for table in tables:
                    for hi, row in enumerate(table):
                        cols = header_columns(row)
                        if not cols:
                            continue
                        found = True
                        for r in table[hi + 1 :]:
                            cells = [(c or "").strip() for c in r]
                            if any(STOP.search(c) for c in cells):
                                break
                            net = cells[cols["BT-131"]] if cols["BT-131"] < len(cells) else ""
                            if number(net) is None:
                                continue
                            item = {}
                            for k, i in cols.items():
                                if i is not None and i < len(cells) and cells[i]:
                                    item[k] = " ".join(cells[i].split())
                            out.append(item)
                        break
                if found:
                    break
    return out


# --- invoice2data ---------------------------------------------------------

I2D_FIELDS = {
    "BT-1": "invoice_number",
    "BT-2": "date",
    "BG-22/BT-109": "amount_untaxed",
    "BG-22/BT-110": "amount_tax",
    "BG-22/BT-112": "amount",
}


def invoice2data_read(pdf, templates):
    from invoice2data import extract_data

    try:
        r = extract_data(str(pdf), templates=templates)
    except Exception:
        return {}
    if not r:
        return {}
    r = r[0] if isinstance(r, list) else r
    out = {}
    for bt, k in I2D_FIELDS.items():
        v = r.get(k)
        if v is None:
            continue
        if k == "date":
            v = v.strftime("%Y-%m-%d") if hasattr(v, "strftime") else str(v)
        out[bt] = v
    return out


def main():
    from invoice2data.extract.loader import read_templates

    templates = read_templates(str(TEMPLATES)) + read_templates()
    plumber = defaultdict(lambda: [0, 0])
    i2d = defaultdict(lambda: [0, 0])
    per_program = []
    for name, files in programs():
        pr = [0, 0]
        ir = [0, 0]
        for pdf in files:
            t = truth(pdf)
            lines = plumber_lines(pdf)
            for path, want in t.items():
                if not path.startswith("BG-25["):
                    continue
                idx = int(path[6 : path.index("]")])
                key = path.split("]/", 1)[1]
                got = lines[idx].get(key) if idx < len(lines) else None
                ok = same(path, want, got)
                plumber[family(path)][1] += 1
                pr[1] += 1
                if ok:
                    plumber[family(path)][0] += 1
                    pr[0] += 1
            read = invoice2data_read(pdf, templates)
            for path in I2D_FIELDS:
                if path not in t:
                    continue
                ok = same(path, t[path], read.get(path))
                i2d[path][1] += 1
                ir[1] += 1
                if ok:
                    i2d[path][0] += 1
                    ir[0] += 1
        per_program.append((name, pr, ir))
    print("| program or template | pdfplumber: lines fields | invoice2data template: number, date, totals |")
    print("|---|---|---|")
    for name, pr, ir in per_program:
        print(f"| {name} | {pr[0]}/{pr[1]} | {ir[0]}/{ir[1]} |")
    print()
    for title, d in (("pdfplumber + header regex", plumber), ("invoice2data, a template per layout", i2d)):
        r = sum(v[0] for v in d.values())
        t = sum(v[1] for v in d.values())
        print(f"{title}: {r}/{t} ({100 * r / max(t, 1):.1f} %)")
        for k in sorted(d):
            print(f"  {k:<22} {d[k][0]}/{d[k][1]}")


if __name__ == "__main__":
    sys.exit(main())
