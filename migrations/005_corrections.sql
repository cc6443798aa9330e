-- A corrected invoice the user announced for a rejected one: the new number
-- it will carry. When an invoice with that number (same seller) is sent, it
-- goes as the correction of the original ("resend") and the link is kept.
CREATE TABLE corrections (
    original_id   INTEGER PRIMARY KEY REFERENCES invoices(id),
    new_number    TEXT    NOT NULL,
    seller_siren  TEXT,
    prepared_ms   INTEGER NOT NULL,
    corrected_by  INTEGER REFERENCES invoices(id)
);
CREATE INDEX corrections_number ON corrections(new_number);
