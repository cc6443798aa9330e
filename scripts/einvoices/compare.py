#!/usr/bin/env python3
"""Compares Facteur's rule results with Saxon-HE's on the same documents and
prints, per rule set, the share of documents on which both give the same
verdict and the same set of failed fatal rule ids, then every difference.

Both inputs are JSON lines of the `facteur rules --json` shape (Saxon's from
saxon_rules.py). Documents are matched by their "path".

It is a measurement, not a gate: it always exits 0 unless its inputs cannot
be read. It deliberately does not compare messages or locations (the engine
is free to word and place them its own way), only verdicts and ids.

Usage: compare.py SAXON.jsonl FACTEUR.jsonl
       compare.py --record DIR --sample SAMPLE.json SAXON.jsonl
"""

import argparse
import json
import os
import shutil
import sys

SETS_OF = {"CII": ["en16931", "br-fr", "factur-x"], "UBL": ["en16931", "br-fr"]}


def load(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line.startswith("{"):
                continue  # a log line, not a result
            try:
                r = json.loads(line)
            except json.JSONDecodeError as e:
                sys.exit("%s:%d: not JSON: %s" % (path, n, e))
            out[r["path"]] = r
    return out


def per_set(r, s):
    """(verdict, fatal ids) of one document restricted to one rule set."""
    fatal = sorted({x["id"] for x in r.get("rules", []) if x.get("set") == s and x.get("flag") == "fatal"})
    unevaluated = [u for u in r.get("unevaluated", []) if u.get("set") == s]
    verdict = "invalid" if fatal or unevaluated else "valid"
    return verdict, fatal, bool(unevaluated)


def compare(saxon, facteur):
    paths = sorted(saxon)
    diffs = []
    stats = {}
    doc_same = 0
    for p in paths:
        s = saxon[p]
        f = facteur.get(p)
        if f is None:
            diffs.append((p, "*", "no result from facteur", [], []))
            for st in SETS_OF.get(s.get("syntax"), []):
                stats.setdefault(st, [0, 0])[1] += 1
            continue
        same_doc = s.get("verdict") == f.get("verdict")
        if s.get("verdict") == "absent" or f.get("verdict") == "absent":
            if not same_doc:
                diffs.append((p, "*", "verdict saxon=%s facteur=%s" % (s.get("verdict"), f.get("verdict")), [], []))
            doc_same += same_doc
            continue
        for st in SETS_OF.get(s.get("syntax"), []):
            sv, sf, su = per_set(s, st)
            fv, ff, fu = per_set(f, st)
            ok = sv == fv and sf == ff
            stats.setdefault(st, [0, 0])
            stats[st][1] += 1
            if ok:
                stats[st][0] += 1
            else:
                same_doc = False
                note = "verdict saxon=%s%s facteur=%s%s" % (
                    sv, " (unevaluated)" if su else "", fv, " (unevaluated)" if fu else "")
                diffs.append((p, st, note, sorted(set(sf) - set(ff)), sorted(set(ff) - set(sf))))
        doc_same += same_doc
    for p in sorted(set(facteur) - set(saxon)):
        diffs.append((p, "*", "no result from saxon", [], []))
    return stats, doc_same, len(paths), diffs


def record(saxon, sample_path, out_dir):
    """Copies the sample's generated documents into out_dir and writes
    expected.json: per document, Saxon's verdict and its fatal and warning
    rule ids (sorted, unique)."""
    with open(sample_path) as f:
        sample = json.load(f)
    os.makedirs(out_dir, exist_ok=True)
    expected = {}
    for item in sample:
        src, key = item["source"], item["key"]
        r = saxon.get(src)
        if r is None:
            sys.exit("no Saxon result for %s" % src)
        if not key.startswith("shared:"):
            shutil.copyfile(src, os.path.join(out_dir, key))
        expected[key] = {
            "syntax": r.get("syntax"),
            "profile": r.get("profile"),
            "verdict": r.get("verdict"),
            "fatal": sorted({x["id"] for x in r["rules"] if x["flag"] == "fatal"}),
            "warning": sorted({x["id"] for x in r["rules"] if x["flag"] == "warning"}),
            "unevaluated": sorted({u["set"] for u in r.get("unevaluated", [])}),
        }
    with open(os.path.join(out_dir, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")
    print("recorded %d documents in %s" % (len(expected), out_dir))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("saxon")
    ap.add_argument("facteur", nargs="?")
    ap.add_argument("--record")
    ap.add_argument("--sample")
    args = ap.parse_args()
    saxon = load(args.saxon)
    if args.record:
        record(saxon, args.sample, args.record)
        return 0
    facteur = load(args.facteur)
    stats, doc_same, n, diffs = compare(saxon, facteur)
    print("Agreement with Saxon-HE (same verdict and same failed fatal rule ids):")
    for st in ("en16931", "br-fr", "factur-x"):
        same, total = stats.get(st, [0, 0])
        share = 100.0 * same / total if total else 0.0
        print("  %-9s %4d / %-4d documents  %5.1f %%" % (st, same, total, share))
    print("  %-9s %4d / %-4d documents  %5.1f %%" % ("all", doc_same, n, 100.0 * doc_same / n if n else 0.0))
    if diffs:
        print("\nDifferences (document, set, only in Saxon, only in Facteur):")
        for p, st, note, only_s, only_f in diffs:
            print("  %s [%s] %s" % (p, st, note))
            if only_s or only_f:
                print("      only Saxon:   %s" % (" ".join(only_s) or "-"))
                print("      only Facteur: %s" % (" ".join(only_f) or "-"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
