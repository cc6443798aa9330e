"""The comparison side of benches/check.rs: roughly the same reading work as
`facteur check`, done with pypdf — page count, encryption, signature fields,
text of every page, embedded files. Prints nothing; the bench times it."""
import pathlib
import sys

from pypdf import PdfReader


def check(path):
    try:
        r = PdfReader(path)
        encrypted = r.is_encrypted
        pages = len(r.pages)
        fields = r.get_fields() or {}
        signed = any(f.get("/FT") == "/Sig" and f.get("/V") for f in fields.values())
        text = "".join(p.extract_text() or "" for p in r.pages)
        attachments = r.attachments
        return encrypted, pages, signed, len(text), len(attachments)
    except Exception as e:  # one bad file never stops the batch
        return str(e)


def main():
    target = pathlib.Path(sys.argv[1])
    files = sorted(target.rglob("*.pdf")) if target.is_dir() else [target]
    for f in files:
        check(f)


main()
