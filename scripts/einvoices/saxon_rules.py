#!/usr/bin/env python3
"""The reference side of the conformance measurement: runs the official
EN 16931, BR-FR and Factur-X stylesheets (src/check/rules/official/, unmodified)
with Saxon-HE (the `saxonche` package) over e-invoices and prints, per
document, one JSON line of the same shape as `facteur rules --json`.

Which stylesheets run follows the contract of `facteur::rules`:
CII -> BR-FR CII + the Factur-X stylesheet of the document's profile
(XRechnung and unknown CII profiles take the EN 16931 one);
UBL -> CEN EN16931-UBL + BR-FR UBL. The set of a failure is told by its id.

It is deliberately not a validator of its own: no rule is evaluated here,
Saxon does all of it; this script only picks the stylesheets, reads the SVRL
and classifies (see Runner.run_sheet for flags and ids). A stylesheet that stops on a
dynamic error leaves its rules unevaluated, reported as such (id "*").

Usage: saxon_rules.py [--rules DIR] [--from LIST] FILE... (.xml, or a Factur-X .pdf whose
embedded XML is read with the `factur-x` package)
"""

import argparse
import json
import os
import re
import sys

from lxml import etree

SVRL = "{http://purl.oclc.org/dsdl/svrl}"

CII_PROFILE_SHEETS = {
    "MINIMUM": "facturx-minimum/Factur-X_1.09_MINIMUM.xsl",
    "BASIC WL": "facturx-basicwl/FACTUR-X_BASIC-WL.xslt",
    "BASIC": "facturx-basic/Factur-X_1.09_BASIC.xsl",
    "EN 16931": "facturx-en16931/FACTUR-X_EN16931.xslt",
    "EXTENDED": "facturx-extended/FACTUR-X_EXTENDED.xslt",
}
BRFR_CII = "cii-schematron-fr-ctc/BR-FR-Flux2-Schematron-CII.xslt"
BRFR_UBL = "ubl-2.1/BR-FR-Flux2-Schematron-UBL.xslt"
CEN_UBL = "ubl-2.1/EN16931-UBL-validation.xslt"

CEN_PREFIXES = (
    "BR-CO-", "BR-S-", "BR-AE-", "BR-E-", "BR-Z-", "BR-G-", "BR-IC-", "BR-IG-",
    "BR-IP-", "BR-O-", "BR-DEC-", "BR-CL-", "BR-B-", "PEPPOL-EN16931-R", "UBL-",
)


def rule_set(rule_id):
    """The rule set a failure belongs to, told by its id (the contract)."""
    if rule_id.startswith("BR-FR-"):
        return "br-fr"
    if rule_id.startswith(CEN_PREFIXES) or re.fullmatch(r"BR-\d+", rule_id):
        return "en16931"
    return "factur-x"


def profile_of(guideline):
    """Mirror of facteur's Profile::from_guideline_id: the last meaningful
    '#'-separated part decides."""
    parts = [p.strip() for p in guideline.strip().lower().split("#")]
    parts = [p for p in parts if p and p not in ("compliant", "conformant", "extension")]
    part = parts[-1] if parts else ""
    if "xrechnung" in part:
        return "XRECHNUNG"
    if "minimum" in part:
        return "MINIMUM"
    if "basicwl" in part or "basic-wl" in part or "basic_wl" in part:
        return "BASIC WL"
    if "basic" in part:
        return "BASIC"
    if "extended" in part:
        return "EXTENDED"
    if "comfort" in part or "en16931" in part:
        return "EN 16931"
    return "OTHER"


def read_xml(path):
    """The document's XML bytes, or None when a PDF carries none."""
    if path.lower().endswith(".pdf"):
        from facturx import get_xml_from_pdf

        with open(path, "rb") as f:
            _name, xml = get_xml_from_pdf(f.read(), check_xsd=False)
        return xml or None
    with open(path, "rb") as f:
        return f.read()


def classify(xml):
    """(syntax, profile) of the XML, syntax None when neither CII nor UBL."""
    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    local = etree.QName(root).localname
    if local == "CrossIndustryInvoice":
        ids = root.xpath(
            "/*/*[local-name()='ExchangedDocumentContext']"
            "/*[local-name()='GuidelineSpecifiedDocumentContextParameter']/*[local-name()='ID']/text()"
        )
        return "CII", profile_of(ids[0] if ids else "")
    if local in ("Invoice", "CreditNote"):
        ids = root.xpath("/*/*[local-name()='CustomizationID']/text()")
        return "UBL", profile_of(ids[0] if ids else "")
    return None, None


class Runner:
    def __init__(self, rules_dir):
        from saxonche import PySaxonProcessor

        self.rules_dir = rules_dir
        self.proc = PySaxonProcessor(license=False)
        self.xslt = self.proc.new_xslt30_processor()
        self.compiled = {}

    def sheet(self, rel):
        if rel not in self.compiled:
            self.compiled[rel] = self.xslt.compile_stylesheet(
                stylesheet_file=os.path.join(self.rules_dir, rel)
            )
        return self.compiled[rel]

    def run_sheet(self, rel, xml_path):
        """[(id, flag, location, message)] or raises on a dynamic error.

        Failed asserts and fired reports both count, as in facteur::rules: an
        assert without a flag is fatal (ISO Schematron's default), a report
        without one a warning (the Factur-X stylesheets' reports are remarks:
        "attribute marked as not used"). A rule without an id takes its
        pattern's, or FX-REPORT when the pattern has none either."""
        out = self.sheet(rel).transform_to_string(source_file=xml_path)
        if out is None:
            raise RuntimeError(self.sheet(rel).error_message or "no output")
        root = etree.fromstring(out.encode())
        found = []
        pattern_id = None
        for el in root.iter(SVRL + "active-pattern", SVRL + "failed-assert", SVRL + "successful-report"):
            if el.tag == SVRL + "active-pattern":
                pattern_id = el.get("id")
                continue
            is_assert = el.tag == SVRL + "failed-assert"
            text = el.find(SVRL + "text")
            msg = " ".join("".join(text.itertext()).split()) if text is not None else ""
            rid = el.get("id") or pattern_id or "FX-REPORT"
            flag = el.get("flag")
            if flag in ("warning", "information"):
                flag = "warning"
            elif flag is None:
                flag = "fatal" if is_assert else "warning"
            else:
                flag = "fatal"
            found.append((rid, flag, el.get("location") or "", msg))
        return found

    def check(self, path):
        record = {"path": path, "syntax": None, "profile": None, "verdict": "absent",
                  "rules": [], "unevaluated": []}
        try:
            xml = read_xml(path)
        except Exception as e:  # an unreadable PDF has no structured invoice
            record["error"] = str(e)[:300]
            return record
        if xml is None:
            return record
        try:
            syntax, profile = classify(xml)
        except etree.XMLSyntaxError as e:
            record["error"] = "not well-formed: " + str(e)[:200]
            return record
        if syntax is None:
            return record
        record["syntax"], record["profile"] = syntax, profile
        if syntax == "CII":
            sheets = [(BRFR_CII, ["br-fr"]),
                      (CII_PROFILE_SHEETS.get(profile, CII_PROFILE_SHEETS["EN 16931"]),
                       ["en16931", "factur-x"])]
        else:
            sheets = [(CEN_UBL, ["en16931"]), (BRFR_UBL, ["br-fr"])]
        source = path
        tmp = None
        if path.lower().endswith(".pdf"):
            import tempfile

            fd, tmp = tempfile.mkstemp(suffix=".xml")
            with os.fdopen(fd, "wb") as f:
                f.write(xml)
            source = tmp
        try:
            for rel, sets in sheets:
                try:
                    found = self.run_sheet(rel, source)
                except Exception as e:
                    for s in sets:
                        record["unevaluated"].append(
                            {"id": "*", "set": s, "reason": " ".join(str(e).split())[:300]})
                    continue
                seen = set()
                for rid, flag, loc, msg in found:
                    if (rid, loc) in seen:
                        continue
                    seen.add((rid, loc))
                    record["rules"].append({"id": rid, "flag": flag, "set": rule_set(rid),
                                            "location": loc, "message": msg})
        finally:
            if tmp:
                os.unlink(tmp)
        fatal = any(r["flag"] == "fatal" for r in record["rules"])
        record["verdict"] = "invalid" if fatal or record["unevaluated"] else "valid"
        return record


def default_rules_dir():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(here, "..", "..", "src", "check", "rules", "official")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rules", default=default_rules_dir())
    ap.add_argument("--from", dest="from_file", help="a file listing documents, one a line")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    files = list(args.files)
    if args.from_file:
        with open(args.from_file) as f:
            files += [line.rstrip("\n") for line in f if line.strip()]
    runner = Runner(args.rules)
    for path in files:
        print(json.dumps(runner.check(path), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    sys.exit(main())
