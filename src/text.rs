//! Text normalisation shared by everything that matches or searches words
//! typed by people: portal statuses, placeholders, customer names.
//!
//! Deliberately small: no Unicode normalisation tables, only the accents and
//! punctuation that French, Spanish, Catalan and German business text uses.

/// Comparison key: lower case, no accents, `’` as `'`, `_` `-` and any space
/// run as one space, trimmed.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        let plain = match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => "a",
            'ç' => "c",
            'é' | 'è' | 'ê' | 'ë' => "e",
            'í' | 'ì' | 'î' | 'ï' => "i",
            'ñ' => "n",
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => "o",
            'ú' | 'ù' | 'û' | 'ü' => "u",
            'ÿ' => "y",
            'œ' => "oe",
            'æ' => "ae",
            '’' | '‘' | '`' => "'",
            // Catalan "l·l".
            '·' => "",
            '_' | '-' => " ",
            c if c.is_whitespace() => " ",
            c => {
                out.push(c);
                continue;
            }
        };
        out.push_str(plain);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folding_ignores_case_accents_and_separators() {
        assert_eq!(fold("  Vidéocodage   EN_COURS "), "videocodage en cours");
        assert_eq!(
            fold("FACTURE REÇUE À DESTINATION"),
            "facture recue a destination"
        );
        assert_eq!(fold("Anul·lada"), "anullada");
        assert_eq!(fold("n’existe"), "n'existe");
        assert_eq!(fold("Done (Fetched)"), "done (fetched)");
        assert_eq!(fold("Boulangerie L’Épi d’Or"), "boulangerie l'epi d'or");
    }
}
