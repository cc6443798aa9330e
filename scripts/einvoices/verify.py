#!/usr/bin/env python3
"""Checks the generated corpus with Saxon-HE: the documents built valid are
valid (no fatal failure; the German ones are allowed to fail BR-FR only) and
each mutated one fails on one at least of the rule ids it aims at (an aim
ending in '-' is a prefix: 'BR-FR-' means any French rule).

Prints one line per document that misses, a summary, and exits 1 when any
document misses, so the generator and the rules never drift apart unseen.

Usage: verify.py CORPUS_DIR [--results FILE]  (FILE: saxon_rules.py's JSON
lines, reused instead of running Saxon again)
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def hit(aims, fatal_ids, all_ids, profile_sheet):
    """An aim is a prefix of a rule id. `~` marks an aim hit by a failure of
    any flag. On CII, the Factur-X profile stylesheets other than EN 16931's
    carry the CEN rules under their own ids (FX-SCH-A-…, BR-FXEXT-…), and
    every one of them carries the code lists as FX-SCH-A-…: a CEN aim is hit
    by those too."""
    for a in aims:
        ids = all_ids if a.startswith("~") else fatal_ids
        a = a.lstrip("~")
        for i in ids:
            if i.startswith(a):
                return True
            if profile_sheet and a.startswith("BR-") and not a.startswith("BR-FR-") and \
                    i.startswith(("FX-SCH-A-", "BR-FXEXT-")):
                return True
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--results")
    args = ap.parse_args()
    with open(os.path.join(args.corpus, "manifest.json")) as f:
        docs = json.load(f)["documents"]
    results = {}
    if args.results:
        with open(args.results) as f:
            for line in f:
                r = json.loads(line)
                results[os.path.basename(r["path"])] = r
    else:
        import saxon_rules

        runner = saxon_rules.Runner(saxon_rules.default_rules_dir())
        for d in docs:
            results[d["file"]] = runner.check(os.path.join(args.corpus, d["file"]))
    misses = 0
    for d in docs:
        r = results[d["file"]]
        fatal = sorted({x["id"] for x in r["rules"] if x["flag"] == "fatal"})
        unevaluated = r["unevaluated"]
        if d["expect"] == "valid":
            ok = not fatal and not unevaluated
        elif d["expect"] == "valid-except-br-fr":
            ok = not unevaluated and all(i.startswith("BR-FR-") for i in fatal)
        elif d["expect"] == "measure":
            ok = True
        else:
            all_ids = sorted({x["id"] for x in r["rules"]})
            ok = hit(d["aims"], fatal, all_ids, d["syntax"] == "CII")
        if not ok:
            misses += 1
            print("MISS %s expect=%s aims=%s fatal=%s unevaluated=%s" % (
                d["file"], d["expect"], d["aims"], fatal, [u["reason"][:80] for u in unevaluated]))
    print("%d documents, %d as built, %d missed" % (len(docs), len(docs) - misses, misses))
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
