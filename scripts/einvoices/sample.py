#!/usr/bin/env python3
"""Chooses the CI sample from the generated corpus: the valid bases of each
profile and syntax that matter most (French invoice, credit note, to the EU,
German) and one mutation of every other family, spread over the profiles,
plus every Factur-X PDF of the shared corpus (read in place by the test).
Prints a JSON list of {"source": path, "key": fixture name or
"shared:pdfs/NAME.pdf"}.

Deterministic: the same corpus gives the same sample.

Usage: sample.py CORPUS_DIR SHARED_CORPUS_DIR
"""

import csv
import json
import os
import sys


def main():
    corpus, shared = sys.argv[1], sys.argv[2]
    with open(os.path.join(corpus, "manifest.json")) as f:
        docs = json.load(f)["documents"]
    picked = []
    for d in docs:
        if d["mutation"] is None:
            keep = {"CII": ("fr-0", "fr-credit-0", "fr-intl-0", "de-0"),
                    "UBL": ("fr-0", "fr-credit-0", "fr-exempt-0", "fr-zero-0", "fr-intl-0", "de-0")}
            if d["base"] in keep[d["syntax"]]:
                picked.append(d["file"])
    names = []
    for d in docs:
        if d["mutation"] and d["mutation"] not in names:
            names.append(d["mutation"])
    for i, name in enumerate(names):
        if i % 2:
            continue
        cands = [d["file"] for d in docs if d["mutation"] == name and d["file"].endswith("-a.xml")]
        picked.append(cands[(i // 2) % len(cands)])
    out = [{"source": os.path.join(corpus, f), "key": f} for f in picked]
    with open(os.path.join(shared, "manifest.csv"), newline="") as f:
        for row in csv.DictReader(f):
            if row.get("facturx") == "yes":
                out.append({"source": os.path.join(shared, row["path"]), "key": "shared:" + row["path"]})
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
