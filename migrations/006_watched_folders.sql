-- Schema 6: the folders Facteur watches, each with its own settings.
-- `mode` is 'check' (check only, the default) or 'submit' (check and
-- submit); `account` is the account a 'submit' folder sends to (NULL: the
-- built-in demonstration portal's account). `tidy` moves processed files
-- into subfolders of the folder; `paused` keeps the folder configured but
-- unwatched.
CREATE TABLE watched_folders (
    id         INTEGER PRIMARY KEY,
    path       TEXT    NOT NULL UNIQUE,
    recursive  INTEGER NOT NULL DEFAULT 0 CHECK (recursive IN (0, 1)),
    mode       TEXT    NOT NULL DEFAULT 'check' CHECK (mode IN ('check', 'submit')),
    account    TEXT,
    tidy       INTEGER NOT NULL DEFAULT 0 CHECK (tidy IN (0, 1)),
    paused     INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    created_ms INTEGER NOT NULL
);
