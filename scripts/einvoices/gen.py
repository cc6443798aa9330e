#!/usr/bin/env python3
"""Generator of a wide corpus of e-invoices for measuring Facteur's rule
engine against the official stylesheets run by Saxon-HE.

It writes CII invoices of each Factur-X profile (MINIMUM, BASIC WL, BASIC,
EN 16931, EXTENDED) and UBL invoices and credit notes: French B2B ones built
to pass EN 16931 and BR-FR (PMT/PMD/AAB notes, BT-23 business process, buyer
SIREN with scheme 0002, electronic addresses with scheme 0225), invoices from
France to other EU countries, and foreign (German) ones; then mutations of
them, each aimed at a rule family that fails in real life (sums, decimals,
VAT categories, code lists, missing terms, BR-FR mentions, currencyID,
dates, empty elements). `manifest.json` lists every document with its base,
its mutation and the rule ids the mutation aims at; `verify.py` checks with
Saxon that the valid ones are valid and the mutated ones fail as aimed.

What it deliberately is not: not a validator (it never decides whether a
document is valid; Saxon does), not a faithful model of every EN 16931 term
(only what the rules measured here need), and not random at run time: the
same seed always gives byte-identical files.

Python standard library + lxml only.

Usage: gen.py OUT_DIR [--seed N] [--bulk N]
  --bulk N  instead of the corpus, N valid EN 16931 / BR-FR Factur-X CII
            documents of varied size (for the speed measurement)
"""

import argparse
import copy
import json
import os
import random
import sys
from decimal import ROUND_HALF_UP, Decimal

from lxml import etree

D = Decimal
CENT = D("0.01")


def q2(x):
    return D(x).quantize(CENT, rounding=ROUND_HALF_UP)


# --- identifiers -------------------------------------------------------------


def luhn_digit(digits):
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 0:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return str((10 - total % 10) % 10)


def siren(rng):
    body = "".join(str(rng.randint(0, 9)) for _ in range(8))
    if body[0] == "0":
        body = "4" + body[1:]
    return body + luhn_digit(body)


def siret(rng, s):
    body = s + "".join(str(rng.randint(0, 9)) for _ in range(4))
    return body + luhn_digit(body)


def fr_vat(s):
    return "FR%02d%s" % ((12 + 3 * (int(s) % 97)) % 97, s)


COMPANIES_FR = [
    ("Ateliers Durand SARL", "12 rue des Forges", "69007", "Lyon"),
    ("Boulangerie Martin", "3 place du Marché", "33000", "Bordeaux"),
    ("Conseil Lefèvre & Associés", "88 avenue Foch", "75116", "Paris"),
    ("Transports Girard SAS", "ZI des Écluses, lot 4", "59000", "Lille"),
    ("Imprimerie Moreau", "5 impasse Gutenberg", "44000", "Nantes"),
    ("Menuiserie Petit Frères", "21 chemin des Chênes", "31200", "Toulouse"),
    ("Laboratoire Roux SA", "140 boulevard Pasteur", "13005", "Marseille"),
    ("Garage Fournier", "7 route de Paris", "67000", "Strasbourg"),
    ("Éditions Bonnet", "2 quai Voltaire", "75007", "Paris"),
    ("Informatique Mercier SAS", "45 rue de la République", "38000", "Grenoble"),
]
COMPANIES_EU = [
    ("Müller Maschinenbau GmbH", "Industriestraße 5", "70173", "Stuttgart", "DE"),
    ("Schmidt Logistik AG", "Hafenweg 12", "20457", "Hamburg", "DE"),
    ("Janssens Bouw NV", "Kerkstraat 44", "2000", "Antwerpen", "BE"),
    ("García Distribuciones SL", "Calle Mayor 10", "28013", "Madrid", "ES"),
    ("Rossi Forniture SpA", "Via Roma 3", "20121", "Milano", "IT"),
]
PRODUCTS = [
    ("Heure de conseil", "HUR", "95.00"),
    ("Maintenance mensuelle", "C62", "240.00"),
    ("Palette de papier A4", "C62", "38.90"),
    ("Transport Lyon-Paris", "C62", "415.50"),
    ("Licence logicielle annuelle", "C62", "1200.00"),
    ("Vis inox 6x40 (boîte)", "C62", "7.35"),
    ("Formation sur site (jour)", "DAY", "850.00"),
    ("Câble réseau 5 m", "C62", "4.99"),
    ("Location de nacelle", "DAY", "180.00"),
    ("Livres reliés", "C62", "23.70"),
]


def fr_party(rng, idx):
    name, street, pc, city = COMPANIES_FR[idx % len(COMPANIES_FR)]
    s = siren(rng)
    return {
        "name": name, "street": street, "postcode": pc, "city": city, "country": "FR",
        "siren": s, "siret": siret(rng, s), "vat": fr_vat(s),
        "endpoint": s, "endpoint_scheme": "0225",
    }


def eu_party(rng, idx):
    name, street, pc, city, cc = COMPANIES_EU[idx % len(COMPANIES_EU)]
    num = "".join(str(rng.randint(0, 9)) for _ in range(9))
    vat = {"DE": "DE" + num, "BE": "BE0" + num, "ES": "ESB" + num[:8], "IT": "IT" + num + "12"}[cc]
    return {
        "name": name, "street": street, "postcode": pc, "city": city, "country": cc,
        "siren": None, "siret": None, "vat": vat, "legal": None,
        "endpoint": "billing@" + name.split()[0].lower().replace("ü", "ue").replace("í", "i") + ".example",
        "endpoint_scheme": "EM",
    }


# --- the invoice model --------------------------------------------------------


def make_invoice(rng, kind, n_lines=None, credit=False):
    """kind: 'fr' (French B2B), 'intl' (France to another EU country, reverse
    charge), 'foreign' (German domestic), 'exempt' (French, VAT-exempt lines
    mixed with standard ones), 'zero' (zero-rated line)."""
    year = rng.choice([2026, 2026, 2027])
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    inv = {
        "kind": kind,
        "number": "F%d-%05d" % (year, rng.randint(1, 99999)),
        "type": "381" if credit else "380",
        "date": "%04d%02d%02d" % (year, month, day),
        "due": "%04d%02d%02d" % (year + (month == 12), month % 12 + 1, day),
        "currency": "EUR",
        "process": rng.choice(["S1", "B1", "M1"]) if kind != "foreign" else None,
        "buyer_ref": "REF-%04d" % rng.randint(1, 9999),
        "order_ref": "PO-%06d" % rng.randint(1, 999999),
        "notes": [],
        "iban": "FR7630006000011234567890189",
        "lines": [],
        "allowances": [],
        "credit": credit,
    }
    if kind == "foreign":
        inv["seller"] = eu_party(rng, rng.randint(0, 1))
        inv["buyer"] = eu_party(rng, rng.randint(0, 1))
        inv["buyer"]["name"] = "Weber Handel GmbH"
        inv["iban"] = "DE89370400440532013000"
        inv["notes"] = [("Zahlbar innerhalb 30 Tagen ohne Abzug.", None)]
    else:
        i = rng.randint(0, len(COMPANIES_FR) - 1)
        inv["seller"] = fr_party(rng, i)
        inv["buyer"] = fr_party(rng, i + 1 + rng.randint(0, 7)) if kind != "intl" else eu_party(rng, rng.randint(0, 4))
        inv["notes"] = [
            ("Indemnité forfaitaire pour frais de recouvrement : 40 EUR.", "PMT"),
            ("Pénalités de retard : trois fois le taux d'intérêt légal.", "PMD"),
            ("Pas d'escompte pour paiement anticipé.", "AAB"),
        ]
        if kind != "intl" and rng.random() < 0.5:
            inv["notes"].append(("B2B", "BAR"))
    n_lines = n_lines or rng.randint(1, 5)
    for li in range(n_lines):
        name, unit, price = PRODUCTS[rng.randrange(len(PRODUCTS))]
        qty = D(rng.choice(["1", "2", "3", "5", "10", "0.5", "1.5", "12"]))
        price = D(price)
        if kind == "intl":
            cat, rate = "AE", D("0")
        elif kind == "exempt" and li % 2 == 1:
            cat, rate = "E", D("0")
        elif kind == "zero" and li == 0:
            cat, rate = "Z", D("0")
        elif kind == "foreign":
            cat, rate = "S", rng.choice([D("19"), D("7")])
        else:
            cat, rate = "S", rng.choice([D("20"), D("20"), D("10"), D("5.5")])
        inv["lines"].append({
            "id": str(li + 1), "name": name, "unit": unit, "qty": qty, "price": price,
            "amount": q2(qty * price), "cat": cat, "rate": rate,
        })
    if rng.random() < 0.3 and kind not in ("intl",):
        l0 = inv["lines"][0]
        inv["allowances"].append({"charge": False, "amount": q2(l0["amount"] * D("0.05")),
                                  "reason": "Remise", "cat": l0["cat"], "rate": l0["rate"]})
    if rng.random() < 0.2 and kind not in ("intl",):
        l0 = inv["lines"][0]
        inv["allowances"].append({"charge": True, "amount": D("15.00"), "reason": "Frais de port",
                                  "reason_code": "FC", "cat": l0["cat"], "rate": l0["rate"]})
    compute(inv)
    return inv


EXEMPTION = {"E": ("Exonération de TVA, article 261 du CGI", "VATEX-EU-132"),
             "AE": ("Autoliquidation", "VATEX-EU-AE")}


def compute(inv):
    """Fills the VAT breakdown and the totals as EN 16931 computes them."""
    groups = {}
    for ln in inv["lines"]:
        groups.setdefault((ln["cat"], ln["rate"]), D(0))
        groups[(ln["cat"], ln["rate"])] += ln["amount"]
    for ac in inv["allowances"]:
        key = (ac["cat"], ac["rate"])
        groups.setdefault(key, D(0))
        groups[key] += ac["amount"] if ac["charge"] else -ac["amount"]
    inv["vat"] = []
    for (cat, rate), basis in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        tax = q2(basis * rate / 100)
        inv["vat"].append({"cat": cat, "rate": rate, "basis": q2(basis), "tax": tax,
                           "reason": EXEMPTION.get(cat)})
    line_total = sum((ln["amount"] for ln in inv["lines"]), D("0.00"))
    allow = sum((a["amount"] for a in inv["allowances"] if not a["charge"]), D("0.00"))
    charge = sum((a["amount"] for a in inv["allowances"] if a["charge"]), D("0.00"))
    basis = line_total - allow + charge
    tax = sum((v["tax"] for v in inv["vat"]), D("0.00"))
    inv["totals"] = {
        "line": q2(line_total), "allowance": q2(allow) if any(not a["charge"] for a in inv["allowances"]) else None,
        "charge": q2(charge) if any(a["charge"] for a in inv["allowances"]) else None,
        "basis": q2(basis), "tax": q2(tax), "grand": q2(basis + tax), "prepaid": None,
        "due": q2(basis + tax),
    }


# --- CII ---------------------------------------------------------------------

NS_CII = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
GUIDELINES = {
    "MINIMUM": "urn:factur-x.eu:1p0:minimum",
    "BASIC WL": "urn:factur-x.eu:1p0:basicwl",
    "BASIC": "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic",
    "EN 16931": "urn:cen.eu:en16931:2017",
    "EXTENDED": "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended",
}
PROFILE_RANK = {"MINIMUM": 0, "BASIC WL": 1, "BASIC": 2, "EN 16931": 3, "EXTENDED": 4}


def sub(parent, qname, text=None, **attrs):
    prefix, local = qname.split(":")
    ns = NS_CII.get(prefix) or NS_UBL[prefix]
    el = etree.SubElement(parent, "{%s}%s" % (ns, local))
    for k, v in attrs.items():
        el.set(k, v)
    if text is not None:
        el.text = str(text)
    return el


def cii_party(parent, p, rank, role):
    if rank >= 1 or p["name"]:
        sub(parent, "ram:Name", p["name"])
    legal = p.get("siren") if p.get("siren") else None
    if legal:
        sub(sub(parent, "ram:SpecifiedLegalOrganization"), "ram:ID", legal, schemeID="0002")
    if rank >= 1 or role == "seller":
        addr = sub(parent, "ram:PostalTradeAddress")
        if rank >= 1:
            sub(addr, "ram:PostcodeCode", p["postcode"])
            sub(addr, "ram:LineOne", p["street"])
            sub(addr, "ram:CityName", p["city"])
        sub(addr, "ram:CountryID", p["country"])
    if p.get("endpoint"):
        sub(sub(parent, "ram:URIUniversalCommunication"), "ram:URIID", p["endpoint"],
            schemeID=p["endpoint_scheme"])
    if p.get("vat") and (role == "seller" or rank >= 1):
        sub(sub(parent, "ram:SpecifiedTaxRegistration"), "ram:ID", p["vat"], schemeID="VA")


def cii_date(parent, qname, value, fmt="102"):
    sub(sub(parent, qname), "udt:DateTimeString", value, format=fmt)


def to_cii(inv, profile):
    rank = PROFILE_RANK[profile]
    root = etree.Element("{%s}CrossIndustryInvoice" % NS_CII["rsm"], nsmap=NS_CII)
    ctx = sub(root, "rsm:ExchangedDocumentContext")
    if inv["process"]:
        sub(sub(ctx, "ram:BusinessProcessSpecifiedDocumentContextParameter"), "ram:ID", inv["process"])
    sub(sub(ctx, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", GUIDELINES[profile])
    doc = sub(root, "rsm:ExchangedDocument")
    sub(doc, "ram:ID", inv["number"])
    sub(doc, "ram:TypeCode", inv["type"])
    cii_date(doc, "ram:IssueDateTime", inv["date"])
    for text, code in inv["notes"]:
        note = sub(doc, "ram:IncludedNote")
        sub(note, "ram:Content", text)
        if code:
            sub(note, "ram:SubjectCode", code)
    tx = sub(root, "rsm:SupplyChainTradeTransaction")
    if rank >= 2:
        for ln in inv["lines"]:
            item = sub(tx, "ram:IncludedSupplyChainTradeLineItem")
            sub(sub(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", ln["id"])
            prod = sub(item, "ram:SpecifiedTradeProduct")
            if rank >= 3:
                sub(prod, "ram:SellerAssignedID", "ART-%s" % ln["id"])
            sub(prod, "ram:Name", ln["name"])
            agr = sub(item, "ram:SpecifiedLineTradeAgreement")
            if rank >= 3:
                sub(sub(agr, "ram:GrossPriceProductTradePrice"), "ram:ChargeAmount", ln["price"])
            sub(sub(agr, "ram:NetPriceProductTradePrice"), "ram:ChargeAmount", ln["price"])
            sub(sub(item, "ram:SpecifiedLineTradeDelivery"), "ram:BilledQuantity", ln["qty"], unitCode=ln["unit"])
            sett = sub(item, "ram:SpecifiedLineTradeSettlement")
            tax = sub(sett, "ram:ApplicableTradeTax")
            sub(tax, "ram:TypeCode", "VAT")
            sub(tax, "ram:CategoryCode", ln["cat"])
            sub(tax, "ram:RateApplicablePercent", ln["rate"])
            sub(sub(sett, "ram:SpecifiedTradeSettlementLineMonetarySummation"), "ram:LineTotalAmount", ln["amount"])
    agr = sub(tx, "ram:ApplicableHeaderTradeAgreement")
    if inv["buyer_ref"]:
        sub(agr, "ram:BuyerReference", inv["buyer_ref"])
    cii_party(sub(agr, "ram:SellerTradeParty"), inv["seller"], rank, "seller")
    cii_party(sub(agr, "ram:BuyerTradeParty"), inv["buyer"], rank, "buyer")
    if inv["order_ref"]:
        sub(sub(agr, "ram:BuyerOrderReferencedDocument"), "ram:IssuerAssignedID", inv["order_ref"])
    dlv = sub(tx, "ram:ApplicableHeaderTradeDelivery")
    if rank >= 1 and inv["kind"] == "intl":
        cii_date(sub(dlv, "ram:ActualDeliverySupplyChainEvent"), "ram:OccurrenceDateTime", inv["date"])
    st = sub(tx, "ram:ApplicableHeaderTradeSettlement")
    sub(st, "ram:InvoiceCurrencyCode", inv["currency"])
    if rank >= 1:
        pm = sub(st, "ram:SpecifiedTradeSettlementPaymentMeans")
        sub(pm, "ram:TypeCode", "58")
        sub(sub(pm, "ram:PayeePartyCreditorFinancialAccount"), "ram:IBANID", inv["iban"])
        for v in inv["vat"]:
            t = sub(st, "ram:ApplicableTradeTax")
            sub(t, "ram:CalculatedAmount", v["tax"])
            sub(t, "ram:TypeCode", "VAT")
            if v["reason"]:
                sub(t, "ram:ExemptionReason", v["reason"][0])
            sub(t, "ram:BasisAmount", v["basis"])
            sub(t, "ram:CategoryCode", v["cat"])
            if v["reason"]:
                sub(t, "ram:ExemptionReasonCode", v["reason"][1])
            if v["cat"] == "S" and inv["kind"] != "foreign":
                sub(t, "ram:DueDateTypeCode", "72")
            sub(t, "ram:RateApplicablePercent", v["rate"])
        for ac in inv["allowances"]:
            a = sub(st, "ram:SpecifiedTradeAllowanceCharge")
            sub(sub(a, "ram:ChargeIndicator"), "udt:Indicator", "true" if ac["charge"] else "false")
            sub(a, "ram:ActualAmount", ac["amount"])
            if ac.get("reason_code"):
                sub(a, "ram:ReasonCode", ac["reason_code"])
            sub(a, "ram:Reason", ac["reason"])
            t = sub(a, "ram:CategoryTradeTax")
            sub(t, "ram:TypeCode", "VAT")
            sub(t, "ram:CategoryCode", ac["cat"])
            sub(t, "ram:RateApplicablePercent", ac["rate"])
        terms = sub(st, "ram:SpecifiedTradePaymentTerms")
        if rank >= 2:
            sub(terms, "ram:Description", "Paiement à 30 jours")
        cii_date(terms, "ram:DueDateDateTime", inv["due"])
    tot = sub(st, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    t = inv["totals"]
    if rank >= 1:
        sub(tot, "ram:LineTotalAmount", t["line"])
        if t["charge"] is not None:
            sub(tot, "ram:ChargeTotalAmount", t["charge"])
        if t["allowance"] is not None:
            sub(tot, "ram:AllowanceTotalAmount", t["allowance"])
    sub(tot, "ram:TaxBasisTotalAmount", t["basis"])
    sub(tot, "ram:TaxTotalAmount", t["tax"], currencyID=inv["currency"])
    sub(tot, "ram:GrandTotalAmount", t["grand"])
    if t["prepaid"] is not None and rank >= 1:
        sub(tot, "ram:TotalPrepaidAmount", t["prepaid"])
    sub(tot, "ram:DuePayableAmount", t["due"])
    if inv["credit"] and rank >= 1 and inv.get("preceding"):
        ref = sub(st, "ram:InvoiceReferencedDocument")
        sub(ref, "ram:IssuerAssignedID", inv["preceding"])
        sub(sub(ref, "ram:FormattedIssueDateTime"), "qdt:DateTimeString", inv["preceding_date"], format="102")
    return root


# --- UBL ---------------------------------------------------------------------

NS_UBL = {
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cn": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


def iso(d):
    return "%s-%s-%s" % (d[:4], d[4:6], d[6:8])


def ubl_party(parent, p):
    party = sub(parent, "cac:Party")
    if p.get("endpoint"):
        sub(party, "cbc:EndpointID", p["endpoint"], schemeID=p["endpoint_scheme"])
    addr = sub(party, "cac:PostalAddress")
    sub(addr, "cbc:StreetName", p["street"])
    sub(addr, "cbc:CityName", p["city"])
    sub(addr, "cbc:PostalZone", p["postcode"])
    sub(sub(addr, "cac:Country"), "cbc:IdentificationCode", p["country"])
    if p.get("vat"):
        ts = sub(party, "cac:PartyTaxScheme")
        sub(ts, "cbc:CompanyID", p["vat"])
        sub(sub(ts, "cac:TaxScheme"), "cbc:ID", "VAT")
    le = sub(party, "cac:PartyLegalEntity")
    sub(le, "cbc:RegistrationName", p["name"])
    if p.get("siren"):
        sub(le, "cbc:CompanyID", p["siren"], schemeID="0002")


def to_ubl(inv):
    credit = inv["credit"]
    nsmap = {None: NS_UBL["cn" if credit else "inv"], "cac": NS_UBL["cac"], "cbc": NS_UBL["cbc"]}
    root = etree.Element("{%s}%s" % (nsmap[None], "CreditNote" if credit else "Invoice"), nsmap=nsmap)
    cur = inv["currency"]
    sub(root, "cbc:CustomizationID", "urn:cen.eu:en16931:2017")
    if inv["process"]:
        sub(root, "cbc:ProfileID", inv["process"])
    sub(root, "cbc:ID", inv["number"])
    sub(root, "cbc:IssueDate", iso(inv["date"]))
    if not credit:
        sub(root, "cbc:DueDate", iso(inv["due"]))
    sub(root, "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode", inv["type"])
    for text, code in inv["notes"]:
        sub(root, "cbc:Note", ("#%s#%s" % (code, text)) if code else text)
    sub(root, "cbc:DocumentCurrencyCode", cur)
    if inv["buyer_ref"]:
        sub(root, "cbc:BuyerReference", inv["buyer_ref"])
    if inv["order_ref"]:
        sub(sub(root, "cac:OrderReference"), "cbc:ID", inv["order_ref"])
    if credit and inv.get("preceding"):
        ref = sub(sub(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
        sub(ref, "cbc:ID", inv["preceding"])
        sub(ref, "cbc:IssueDate", iso(inv["preceding_date"]))
    ubl_party(sub(root, "cac:AccountingSupplierParty"), inv["seller"])
    ubl_party(sub(root, "cac:AccountingCustomerParty"), inv["buyer"])
    if inv["kind"] == "intl":
        d = sub(root, "cac:Delivery")
        sub(d, "cbc:ActualDeliveryDate", iso(inv["date"]))
        country = sub(sub(sub(d, "cac:DeliveryLocation"), "cac:Address"), "cac:Country")
        sub(country, "cbc:IdentificationCode", inv["buyer"]["country"])
    pm = sub(root, "cac:PaymentMeans")
    sub(pm, "cbc:PaymentMeansCode", "58")
    sub(sub(pm, "cac:PayeeFinancialAccount"), "cbc:ID", inv["iban"])
    sub(sub(root, "cac:PaymentTerms"), "cbc:Note", "Paiement à 30 jours")
    for ac in inv["allowances"]:
        a = sub(root, "cac:AllowanceCharge")
        sub(a, "cbc:ChargeIndicator", "true" if ac["charge"] else "false")
        if ac.get("reason_code"):
            sub(a, "cbc:AllowanceChargeReasonCode", ac["reason_code"])
        sub(a, "cbc:AllowanceChargeReason", ac["reason"])
        sub(a, "cbc:Amount", ac["amount"], currencyID=cur)
        tc = sub(a, "cac:TaxCategory")
        sub(tc, "cbc:ID", ac["cat"])
        sub(tc, "cbc:Percent", ac["rate"])
        sub(sub(tc, "cac:TaxScheme"), "cbc:ID", "VAT")
    tt = sub(root, "cac:TaxTotal")
    sub(tt, "cbc:TaxAmount", inv["totals"]["tax"], currencyID=cur)
    for v in inv["vat"]:
        s = sub(tt, "cac:TaxSubtotal")
        sub(s, "cbc:TaxableAmount", v["basis"], currencyID=cur)
        sub(s, "cbc:TaxAmount", v["tax"], currencyID=cur)
        tc = sub(s, "cac:TaxCategory")
        sub(tc, "cbc:ID", v["cat"])
        sub(tc, "cbc:Percent", v["rate"])
        if v["reason"]:
            sub(tc, "cbc:TaxExemptionReasonCode", v["reason"][1])
            sub(tc, "cbc:TaxExemptionReason", v["reason"][0])
        sub(sub(tc, "cac:TaxScheme"), "cbc:ID", "VAT")
    t = inv["totals"]
    lmt = sub(root, "cac:LegalMonetaryTotal")
    sub(lmt, "cbc:LineExtensionAmount", t["line"], currencyID=cur)
    sub(lmt, "cbc:TaxExclusiveAmount", t["basis"], currencyID=cur)
    sub(lmt, "cbc:TaxInclusiveAmount", t["grand"], currencyID=cur)
    if t["allowance"] is not None:
        sub(lmt, "cbc:AllowanceTotalAmount", t["allowance"], currencyID=cur)
    if t["charge"] is not None:
        sub(lmt, "cbc:ChargeTotalAmount", t["charge"], currencyID=cur)
    if t["prepaid"] is not None:
        sub(lmt, "cbc:PrepaidAmount", t["prepaid"], currencyID=cur)
    sub(lmt, "cbc:PayableAmount", t["due"], currencyID=cur)
    for ln in inv["lines"]:
        il = sub(root, "cac:CreditNoteLine" if credit else "cac:InvoiceLine")
        sub(il, "cbc:ID", ln["id"])
        sub(il, "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity", ln["qty"], unitCode=ln["unit"])
        sub(il, "cbc:LineExtensionAmount", ln["amount"], currencyID=cur)
        item = sub(il, "cac:Item")
        sub(item, "cbc:Name", ln["name"])
        tc = sub(item, "cac:ClassifiedTaxCategory")
        sub(tc, "cbc:ID", ln["cat"])
        sub(tc, "cbc:Percent", ln["rate"])
        sub(sub(tc, "cac:TaxScheme"), "cbc:ID", "VAT")
        sub(sub(il, "cac:Price"), "cbc:PriceAmount", ln["price"], currencyID=cur)
    return root


# --- mutations ---------------------------------------------------------------
# Each: (name, aimed ids, syntaxes, profiles it applies to (CII), kind, function).
# kind "model" functions change the invoice before rendering; kind "xml" ones
# change the rendered tree. Aimed ids are prefixes: any one of them failing
# (fatal) counts as a hit; "~ID" is hit by a failure of any flag (the rule is
# a warning). No aim at all: the case is measured, no outcome is claimed
# (e.g. an empty element, which only some stylesheets warn about). The
# currencyID the CII data types forbid (CII-DT-031 in other releases) is a
# report of the Factur-X stylesheets here, without an id: FX-REPORT.


def m_totals(field, delta):
    def f(inv):
        inv["totals"][field] = inv["totals"][field] + D(delta)
    return f


def m_first_line(key, value):
    def f(inv):
        inv["lines"][0][key] = value
    return f


def m_first_vat(key, value):
    def f(inv):
        inv["vat"][0][key] = value
    return f


def m_seller(key, value):
    def f(inv):
        inv["seller"][key] = value
    return f


def m_buyer(key, value):
    def f(inv):
        inv["buyer"][key] = value
    return f


def m_set(key, value):
    def f(inv):
        inv[key] = value
    return f


def m_drop_note(code):
    def f(inv):
        inv["notes"] = [n for n in inv["notes"] if n[1] != code]
    return f


def m_dup_note(code):
    def f(inv):
        inv["notes"] = inv["notes"] + [n for n in inv["notes"] if n[1] == code]
    return f


def m_rate_all(cat, rate, reason=None):
    """Every line and breakdown to one category, keeping sums consistent."""
    def f(inv):
        for ln in inv["lines"]:
            ln["cat"], ln["rate"] = cat, D(rate)
        for a in inv["allowances"]:
            a["cat"], a["rate"] = cat, D(rate)
        compute(inv)
        if reason is not None:
            for v in inv["vat"]:
                v["reason"] = reason or None
    return f


def m_line_amount_decimals(inv):
    ln = inv["lines"][0]
    ln["amount"] = D(str(ln["amount"]) + "1") if "." in str(ln["amount"]) else ln["amount"]


def m_total_decimals(field):
    def f(inv):
        inv["totals"][field] = D(str(inv["totals"][field]) + "4")
    return f


def m_vat_tax(delta):
    def f(inv):
        inv["vat"][0]["tax"] = inv["vat"][0]["tax"] + D(delta)
    return f


def m_vat_basis(delta):
    def f(inv):
        inv["vat"][0]["basis"] = inv["vat"][0]["basis"] + D(delta)
    return f


def x_remove(*paths):
    """Removes every element matched by any of the XPaths (local names)."""
    def f(root):
        for p in paths:
            for el in root.xpath(p):
                el.getparent().remove(el)
    return f


def x_empty(path):
    def f(root):
        for el in root.xpath(path)[:1]:
            for c in list(el):
                el.remove(c)
            el.text = ""
    return f


def x_attr(path, name, value):
    def f(root):
        for el in root.xpath(path):
            if value is None:
                el.attrib.pop(name, None)
            else:
                el.set(name, value)
    return f


def x_text(path, value):
    def f(root):
        for el in root.xpath(path)[:1]:
            el.text = value
    return f


def L(*steps):
    return "/" + "/".join("*[local-name()='%s']" % s for s in steps)


H = ("CrossIndustryInvoice", "SupplyChainTradeTransaction")
HS = H + ("ApplicableHeaderTradeSettlement",)
HSUM = HS + ("SpecifiedTradeSettlementHeaderMonetarySummation",)
HA = H + ("ApplicableHeaderTradeAgreement",)
LINE = H + ("IncludedSupplyChainTradeLineItem",)

ALL = ("MINIMUM", "BASIC WL", "BASIC", "EN 16931", "EXTENDED")
WL_UP = ("BASIC WL", "BASIC", "EN 16931", "EXTENDED")
LINES = ("BASIC", "EN 16931", "EXTENDED")

MUTATIONS = [
    # sums
    ("line-total-off", ["BR-CO-10"], "CU", LINES, "model", m_totals("line", "1.00")),
    ("tax-basis-off", ["BR-CO-13"], "CU", WL_UP, "model", m_totals("basis", "-3.00")),
    ("tax-total-off", ["BR-CO-14"], "CU", WL_UP, "model", m_totals("tax", "0.50")),
    ("grand-total-off", ["BR-CO-15"], "CU", WL_UP, "model", m_totals("grand", "10.00")),
    ("due-off", ["BR-CO-16"], "CU", WL_UP, "model", m_totals("due", "-7.00")),
    ("vat-amount-off", ["BR-S-09", "BR-CO-17", "BR-CO-14"], "CU", WL_UP, "model", m_vat_tax("0.03")),
    ("vat-basis-off", ["BR-S-08", "BR-E-08", "BR-CO-14"], "CU", LINES, "model", m_vat_basis("5.00")),
    ("line-amount-off", ["BR-CO-10", "PEPPOL-EN16931-R120"], "CU", LINES, "model",
     lambda inv: inv["lines"][0].update(amount=inv["lines"][0]["amount"] + D("2.00"))),
    # decimals
    ("line-total-3-decimals", ["BR-DEC-09", "BR-FR-DEC-01_BT-106"], "CU", WL_UP, "model", m_total_decimals("line")),
    ("grand-total-3-decimals", ["BR-DEC-14", "BR-FR-DEC-01_BT-112"], "CU", ALL, "model", m_total_decimals("grand")),
    ("tax-total-3-decimals", ["BR-DEC-13", "BR-FR-DEC-01_BT-110"], "CU", ALL, "model", m_total_decimals("tax")),
    ("line-amount-3-decimals", ["BR-DEC-23", "BR-FR-DEC-01_BT-131"], "CU", LINES, "model", m_line_amount_decimals),
    ("vat-tax-3-decimals", ["BR-DEC-20", "BR-FR-DEC-01_BT-117"], "CU", WL_UP, "model",
     lambda inv: inv["vat"][0].update(tax=D(str(inv["vat"][0]["tax"]) + "7"))),
    ("quantity-5-decimals", ["BR-FR-DEC-02_BT-129"], "CU", LINES, "model",
     lambda inv: inv["lines"][0].update(qty=D("1.00001"), amount=q2(D("1.00001") * inv["lines"][0]["price"]))),
    # VAT categories
    ("exempt-no-reason", ["BR-E-10"], "CU", WL_UP, "model", m_rate_all("E", "0", reason=False)),
    ("exempt-with-rate", ["BR-E-05", "BR-E-06"], "CU", LINES, "model",
     lambda inv: [ln.update(cat="E") for ln in inv["lines"]] and None),
    ("reverse-charge-no-reason", ["BR-AE-10"], "CU", WL_UP, "model", m_rate_all("AE", "0", reason=False)),
    ("reverse-charge-no-vat-ids", ["BR-AE-02", "BR-AE-03", "BR-AE-04"], "CU", LINES, "model",
     lambda inv: (m_rate_all("AE", "0", reason=("Autoliquidation", "VATEX-EU-AE"))(inv),
                  inv["buyer"].update(vat=None), inv["seller"].update(vat=None))),
    ("zero-rated-with-rate", ["BR-Z-05", "BR-Z-06"], "CU", LINES, "model",
     lambda inv: [ln.update(cat="Z") for ln in inv["lines"]] and None),
    ("standard-rate-zero", ["BR-S-05", "BR-FR-16_BT-152"], "CU", LINES, "model",
     lambda inv: inv["lines"][0].update(rate=D("0"))),
    ("vat-rate-19-in-france", ["BR-FR-16_BT-152", "BR-FR-16_BT-119", "BR-FR-16_BT-96_BT-103",
                               "BR-FR-16_BT-152-1", "BR-FR-16_BT-119-1"], "CU", LINES, "model", m_rate_all("S", "19")),
    ("vat-category-L", ["BR-FR-15_BT-"],
     "CU", WL_UP, "model", m_rate_all("L", "20")),
    # code lists
    ("type-code-999", ["BR-CL-01", "BR-FR-04_BT-3"], "CU", ALL, "model", m_set("type", "999")),
    ("currency-EUX", ["BR-CL-04"], "CU", ALL, "model", m_set("currency", "EUX")),
    ("country-XX", ["BR-CL-14"], "CU", ALL, "model", m_seller("country", "XX")),
    ("unit-code-ZZ9", ["BR-CL-23"], "CU", LINES, "model", m_first_line("unit", "ZZ9")),
    ("vat-category-Q", ["BR-CL-17", "BR-CL-18", "BR-FR-15_BT-151"], "CU", LINES, "model", m_first_line("cat", "Q")),
    ("payment-means-code-999", ["BR-CL-16"], "CU", WL_UP, "xml-both", None),
    ("endpoint-scheme-9999", ["BR-CL-25", "BR-FR-12_BT-49", "BR-FR-21_BT-49"], "CU", WL_UP, "model", m_buyer("endpoint_scheme", "9999")),
    ("legal-scheme-bad", ["BR-CL-11"], "CU", ALL, "xml-both", None),
    # missing mandatory terms
    ("no-invoice-number", ["BR-02"], "CU", ALL, "xml-both", None),
    ("no-issue-date", ["BR-03"], "CU", ALL, "xml-both", None),
    ("no-type-code", ["BR-04"], "CU", ALL, "xml-both", None),
    ("no-currency", ["BR-05"], "CU", ALL, "xml-both", None),
    ("no-seller-name", ["BR-06"], "CU", ALL, "xml-both", None),
    ("no-buyer-name", ["BR-07"], "CU", ALL, "xml-both", None),
    ("no-seller-address", ["BR-08"], "CU", ALL, "xml-both", None),
    ("no-seller-country", ["BR-09"], "CU", ALL, "xml-both", None),
    ("no-buyer-address", ["BR-10"], "CU", WL_UP, "xml-both", None),
    ("no-line-total", ["BR-12"], "CU", WL_UP, "xml-both", None),
    ("no-tax-basis-total", ["BR-13"], "CU", ALL, "xml-both", None),
    ("no-grand-total", ["BR-14"], "CU", ALL, "xml-both", None),
    ("no-due-payable", ["BR-15"], "CU", ALL, "xml-both", None),
    ("no-lines", ["BR-16"], "CU", LINES, "xml-both", None),
    ("no-guideline", ["BR-01"], "U", ALL, "xml-both", None),
    ("no-vat-breakdown", ["BR-CO-18"], "CU", WL_UP, "xml-both", None),
    ("no-line-name", ["BR-25"], "CU", LINES, "xml-both", None),
    # French rules
    ("no-PMT-note", ["BR-FR-05_BT-22_PMT", "BR-FR-05_BT-22-1"], "CU", ALL, "model", m_drop_note("PMT")),
    ("no-PMD-note", ["BR-FR-05_BT-22_PMD", "BR-FR-05_BT-22-2"], "CU", ALL, "model", m_drop_note("PMD")),
    ("no-AAB-note", ["BR-FR-05_BT-22_AAB", "BR-FR-05_BT-22-3"], "CU", ALL, "model", m_drop_note("AAB")),
    ("PMT-note-twice", ["BR-FR-06_BT-21_PMT", "BR-FR-06_BT-21-1"], "CU", WL_UP, "model", m_dup_note("PMT")),
    ("no-business-process", ["BR-FR-08_BT-23"], "CU", ALL, "model", m_set("process", None)),
    ("business-process-X1", ["BR-FR-08_BT-23"], "CU", ALL, "model", m_set("process", "X1")),
    ("siret-as-siren", ["BR-FR-10_BT-30"], "CU", ALL, "model",
     lambda inv: inv["seller"].update(siren=inv["seller"]["siret"])),
    ("no-seller-siren", ["BR-FR-10_BT-30"], "CU", ALL, "model", m_seller("siren", None)),
    ("no-buyer-endpoint", ["BR-FR-12_BT-49"], "CU", WL_UP, "model", m_buyer("endpoint", None)),
    ("no-seller-endpoint", ["BR-FR-13_BT-34"], "CU", WL_UP, "model", m_seller("endpoint", None)),
    ("buyer-endpoint-not-siren", ["BR-FR-21_BT-49"], "CU", WL_UP, "model",
     lambda inv: (inv["notes"].append(("B2B", "BAR")) if ("B2B", "BAR") not in inv["notes"] else None,
                  inv["buyer"].update(endpoint="123456789"))),
    ("endpoint-bad-chars", ["BR-FR-23_BT-49"], "CU", WL_UP, "model", m_buyer("endpoint", "achats@client fr")),
    ("invoice-number-too-long", ["BR-FR-01_BT-1"], "CU", ALL, "model", m_set("number", "F" + "0123456789" * 4)),
    ("invoice-number-bad-chars", ["BR-FR-02_BT-1"], "CU", ALL, "model", m_set("number", "F2026#0001 bis")),
    ("issue-year-1999", ["BR-FR-03_BT-2"], "CU", ALL, "model", m_set("date", "19991215")),
    ("bar-B2B-no-buyer-siren", ["BR-FR-11_BT-47"], "CU", ALL, "model",
     lambda inv: (inv["notes"].append(("B2B", "BAR")) if ("B2B", "BAR") not in inv["notes"] else None,
                  inv["buyer"].update(siren=None))),
    ("bar-unknown", ["BR-FR-20_BT-21", "BR-FR-20_BT-22"], "CU", WL_UP, "model",
     lambda inv: inv["notes"].append(("B2X", "BAR"))),
    ("credit-note-type-326", ["BR-FR-04_BT-3"], "CU", ALL, "model", m_set("type", "326")),
    ("line-negative-price", ["BR-FR-DEC-03_BT-146", "BR-27"], "CU", LINES, "model",
     lambda inv: inv["lines"][0].update(price=-inv["lines"][0]["price"])),
    # syntax-level details that plateformes reject
    ("currencyID-on-grand-total", ["~FX-REPORT"], "C", ALL, "xml-both", None),
    ("no-currencyID-on-tax-total", ["BR-CO-14", "BR-CO-15"], "C", WL_UP, "xml-both", None),
    ("issue-date-format-203", ["CII-DT-014", "BR-03", "FX-SCH-A-000017", "BR-FR-03_BT-2"], "C", ALL, "xml-both", None),
    ("issue-date-impossible", ["BR-FR-03_BT-2", "CII-DT-098", "FX-SCH-A-000017", "BR-03"], "CU", ALL, "model", m_set("date", "20261345")),
    ("empty-buyer-reference", [], "CU", ALL, "xml-both", None),
    ("empty-note", [], "CU", WL_UP, "xml-both", None),
    ("ubl-line-currency-EUX", ["BR-CL-03", "UBL-"], "U", ALL, "xml-both", None),
]

# The XML-level mutations, per syntax.
XML_MUT = {
    ("payment-means-code-999", "CII"): x_text(L(*HS, "SpecifiedTradeSettlementPaymentMeans", "TypeCode"), "999"),
    ("payment-means-code-999", "UBL"): x_text("/*/*[local-name()='PaymentMeans']/*[local-name()='PaymentMeansCode']", "999"),
    ("legal-scheme-bad", "CII"): x_attr(L(*HA, "SellerTradeParty", "SpecifiedLegalOrganization", "ID"), "schemeID", "9999"),
    ("legal-scheme-bad", "UBL"): x_attr("/*/*[local-name()='AccountingSupplierParty']//*[local-name()='PartyLegalEntity']/*[local-name()='CompanyID']", "schemeID", "9999"),
    ("no-invoice-number", "CII"): x_remove(L("CrossIndustryInvoice", "ExchangedDocument", "ID")),
    ("no-invoice-number", "UBL"): x_remove("/*/*[local-name()='ID']"),
    ("no-issue-date", "CII"): x_remove(L("CrossIndustryInvoice", "ExchangedDocument", "IssueDateTime")),
    ("no-issue-date", "UBL"): x_remove("/*/*[local-name()='IssueDate']"),
    ("no-type-code", "CII"): x_remove(L("CrossIndustryInvoice", "ExchangedDocument", "TypeCode")),
    ("no-type-code", "UBL"): x_remove("/*/*[local-name()='InvoiceTypeCode' or local-name()='CreditNoteTypeCode']"),
    ("no-currency", "CII"): x_remove(L(*HS, "InvoiceCurrencyCode")),
    ("no-currency", "UBL"): x_remove("/*/*[local-name()='DocumentCurrencyCode']"),
    ("no-seller-name", "CII"): x_remove(L(*HA, "SellerTradeParty", "Name")),
    ("no-seller-name", "UBL"): x_remove("/*/*[local-name()='AccountingSupplierParty']//*[local-name()='RegistrationName']"),
    ("no-buyer-name", "CII"): x_remove(L(*HA, "BuyerTradeParty", "Name")),
    ("no-buyer-name", "UBL"): x_remove("/*/*[local-name()='AccountingCustomerParty']//*[local-name()='RegistrationName']"),
    ("no-seller-address", "CII"): x_remove(L(*HA, "SellerTradeParty", "PostalTradeAddress")),
    ("no-seller-address", "UBL"): x_remove("/*/*[local-name()='AccountingSupplierParty']//*[local-name()='PostalAddress']"),
    ("no-seller-country", "CII"): x_remove(L(*HA, "SellerTradeParty", "PostalTradeAddress", "CountryID")),
    ("no-seller-country", "UBL"): x_remove("/*/*[local-name()='AccountingSupplierParty']//*[local-name()='PostalAddress']/*[local-name()='Country']"),
    ("no-buyer-address", "CII"): x_remove(L(*HA, "BuyerTradeParty", "PostalTradeAddress")),
    ("no-buyer-address", "UBL"): x_remove("/*/*[local-name()='AccountingCustomerParty']//*[local-name()='PostalAddress']"),
    ("no-line-total", "CII"): x_remove(L(*HSUM, "LineTotalAmount")),
    ("no-line-total", "UBL"): x_remove("/*/*[local-name()='LegalMonetaryTotal']/*[local-name()='LineExtensionAmount']"),
    ("no-tax-basis-total", "CII"): x_remove(L(*HSUM, "TaxBasisTotalAmount")),
    ("no-tax-basis-total", "UBL"): x_remove("/*/*[local-name()='LegalMonetaryTotal']/*[local-name()='TaxExclusiveAmount']"),
    ("no-grand-total", "CII"): x_remove(L(*HSUM, "GrandTotalAmount")),
    ("no-grand-total", "UBL"): x_remove("/*/*[local-name()='LegalMonetaryTotal']/*[local-name()='TaxInclusiveAmount']"),
    ("no-due-payable", "CII"): x_remove(L(*HSUM, "DuePayableAmount")),
    ("no-due-payable", "UBL"): x_remove("/*/*[local-name()='LegalMonetaryTotal']/*[local-name()='PayableAmount']"),
    ("no-lines", "CII"): x_remove(L(*LINE)),
    ("no-lines", "UBL"): x_remove("/*/*[local-name()='InvoiceLine' or local-name()='CreditNoteLine']"),
    ("no-guideline", "UBL"): x_remove("/*/*[local-name()='CustomizationID']"),
    ("no-vat-breakdown", "CII"): x_remove(L(*HS, "ApplicableTradeTax")),
    ("no-vat-breakdown", "UBL"): x_remove("/*/*[local-name()='TaxTotal']/*[local-name()='TaxSubtotal']"),
    ("no-line-name", "CII"): x_remove(L(*LINE, "SpecifiedTradeProduct", "Name")),
    ("no-line-name", "UBL"): x_remove("/*/*[local-name()='InvoiceLine' or local-name()='CreditNoteLine']/*[local-name()='Item']/*[local-name()='Name']"),
    ("currencyID-on-grand-total", "CII"): x_attr(L(*HSUM, "GrandTotalAmount"), "currencyID", "EUR"),
    ("no-currencyID-on-tax-total", "CII"): x_attr(L(*HSUM, "TaxTotalAmount"), "currencyID", None),
    ("issue-date-format-203", "CII"): x_attr(L("CrossIndustryInvoice", "ExchangedDocument", "IssueDateTime", "DateTimeString"), "format", "203"),
    ("empty-buyer-reference", "CII"): x_empty(L(*HA, "BuyerReference")),
    ("empty-buyer-reference", "UBL"): x_empty("/*/*[local-name()='BuyerReference']"),
    ("empty-note", "CII"): x_empty(L("CrossIndustryInvoice", "ExchangedDocument", "IncludedNote", "Content")),
    ("empty-note", "UBL"): x_empty("/*/*[local-name()='Note']"),
    ("ubl-line-currency-EUX", "UBL"): x_attr("/*/*[local-name()='InvoiceLine' or local-name()='CreditNoteLine']/*[local-name()='LineExtensionAmount']", "currencyID", "EUX"),
}


# --- output ------------------------------------------------------------------


def serialise(root):
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def render(inv, syntax, profile):
    return to_cii(inv, profile) if syntax == "CII" else to_ubl(inv)


BASES = [
    # (name, kind of invoice, credit note)
    ("fr", "fr", False), ("fr-credit", "fr", True), ("fr-exempt", "exempt", False),
    ("fr-zero", "zero", False), ("fr-intl", "intl", False), ("de", "foreign", False),
]


def base_invoices(rng):
    out = []
    for profile in ALL:
        for name, kind, credit in BASES:
            for k in range(2 if name == "fr" else 1):
                inv = make_invoice(rng, kind, credit=credit)
                if credit:
                    inv["preceding"] = "F2026-%05d" % rng.randint(1, 99999)
                    inv["preceding_date"] = "2026%02d%02d" % (rng.randint(1, 12), rng.randint(1, 28))
                out.append(("CII", profile, "%s-%d" % (name, k), inv))
    for name, kind, credit in BASES:
        for k in range(3 if name in ("fr", "fr-credit") else 1):
            inv = make_invoice(rng, kind, credit=credit)
            if credit:
                inv["preceding"] = "F2026-%05d" % rng.randint(1, 99999)
                inv["preceding_date"] = "2026%02d%02d" % (rng.randint(1, 12), rng.randint(1, 28))
            out.append(("UBL", "EN 16931", "%s-%d" % (name, k), inv))
    return out


def slug(profile):
    return profile.lower().replace(" ", "")


def generate(out_dir, seed):
    rng = random.Random(seed)
    os.makedirs(out_dir, exist_ok=True)
    manifest = []

    def write(fname, root, entry):
        with open(os.path.join(out_dir, fname), "wb") as f:
            f.write(serialise(root))
        entry["file"] = fname
        manifest.append(entry)

    bases = base_invoices(rng)
    for syntax, profile, name, inv in bases:
        # French ones must pass every set; German ones EN 16931 and Factur-X
        # only (BR-FR is France's, a German invoice rightly fails it).
        expect = "valid" if inv["kind"] != "foreign" else "valid-except-br-fr"
        fname = "%s-%s-%s.xml" % (syntax.lower(), slug(profile) if syntax == "CII" else "ubl", name)
        write(fname, render(inv, syntax, profile),
              {"syntax": syntax, "profile": profile, "base": name, "mutation": None,
               "expect": expect, "aims": []})
    # Mutations: on the first French domestic base of each profile and syntax,
    # and, for the families where the profile matters least, on a second one.
    targets = {}
    for syntax, profile, name, inv in bases:
        if inv["kind"] in ("fr",) and (syntax, profile) not in targets:
            targets[(syntax, profile)] = (name, inv)
    extra = {}
    for syntax, profile, name, inv in bases:
        if inv["kind"] == "exempt" and (syntax, profile) not in extra:
            extra[(syntax, profile)] = (name, inv)
    for mname, aims, syntaxes, profiles, kind, fn in MUTATIONS:
        for (syntax, profile), (bname, binv) in sorted(targets.items()):
            if syntax[0] not in syntaxes:
                continue
            if syntax == "CII" and profile not in profiles:
                continue
            for tag, src in (("a", binv),) + ((("b", extra[(syntax, profile)][1]),)
                                              if syntax == "UBL" or profile == "EN 16931" else ()):
                inv = copy.deepcopy(src)
                if kind == "model":
                    fn(inv)
                    root = render(inv, syntax, profile)
                else:
                    mut = XML_MUT.get((mname, syntax))
                    if mut is None:
                        continue
                    root = render(inv, syntax, profile)
                    mut(root)
                fname = "%s-%s-mut-%s-%s.xml" % (syntax.lower(), slug(profile) if syntax == "CII" else "ubl", mname, tag)
                write(fname, root, {"syntax": syntax, "profile": profile, "base": bname if tag == "a" else "exempt",
                                    "mutation": mname, "expect": "fail" if aims else "measure", "aims": aims})
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump({"seed": seed, "documents": manifest}, f, indent=1, ensure_ascii=False)
        f.write("\n")
    return manifest


def bulk(out_dir, seed, n):
    """N valid French Factur-X EN 16931 documents, 1 to 40 lines each."""
    rng = random.Random(seed)
    os.makedirs(out_dir, exist_ok=True)
    for i in range(n):
        inv = make_invoice(rng, rng.choice(["fr", "fr", "exempt"]), n_lines=rng.choice([1, 2, 3, 5, 8, 13, 40]))
        with open(os.path.join(out_dir, "bulk-%04d.xml" % i), "wb") as f:
            f.write(serialise(to_cii(inv, "EN 16931")))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--bulk", type=int, default=0)
    args = ap.parse_args()
    if args.bulk:
        bulk(args.out, args.seed, args.bulk)
        print("%d documents in %s" % (args.bulk, args.out))
    else:
        m = generate(args.out, args.seed)
        print("%d documents in %s" % (len(m), args.out))


if __name__ == "__main__":
    sys.exit(main())
