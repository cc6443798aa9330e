-- Schema 13: a Factur-X made from a plain PDF is a document of its own,
-- linked to the plain PDF it was made from. Its invoice row moves to the
-- made document (the plain PDF is never sent as well); the plain PDF's
-- document and checks stay, for the history.
ALTER TABLE documents ADD COLUMN made_from INTEGER REFERENCES documents(id);

-- A watched folder can make the Factur-X of each plain PDF it takes: made
-- and sent when every value was read with certainty and the official rules
-- pass, held for the owner's review otherwise.
ALTER TABLE watched_folders ADD COLUMN make_facturx INTEGER NOT NULL DEFAULT 0
    CHECK (make_facturx IN (0, 1));
