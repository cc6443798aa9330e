-- Schema 12: what an EN 16931 buyer needs beyond the identifiers routing
-- compares, for the Factur-X made from a plain PDF: the postal address
-- (BG-8: street, postcode, city, ISO country code) and the scheme of the
-- electronic address (BT-49-1; 0225 for the French directory when empty).
ALTER TABLE customers ADD COLUMN street TEXT;
ALTER TABLE customers ADD COLUMN postcode TEXT;
ALTER TABLE customers ADD COLUMN city TEXT;
ALTER TABLE customers ADD COLUMN country TEXT;
ALTER TABLE customers ADD COLUMN electronic_scheme TEXT;
