//! Text normalisation shared by everything that matches or searches words
//! typed by people: portal statuses, placeholders, customer names.
//!
//! Deliberately small: no Unicode normalisation tables, only the accents and
//! punctuation that French, Spanish, Catalan and German business text uses.

/// Comparison key: lower case, no accents, `’` as `'`, `_` `-` and any space
/// run as one space, trimmed.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // A space run is written once, before the next word, never at the ends.
    let mut space = false;
    let word = |out: &mut String, space: &mut bool| {
        if *space && !out.is_empty() {
            out.push(' ');
        }
        *space = false;
    };
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
                word(&mut out, &mut space);
                out.push(c);
                continue;
            }
        };
        if plain == " " {
            space = true;
        } else if !plain.is_empty() {
            word(&mut out, &mut space);
            out.push_str(plain);
        }
    }
    out
}

/// One regex of label patterns (one pattern each, leftmost-first: a match
/// says which pattern it is), case-insensitive, for searches without
/// capture groups: the lazy DFAs and the PikeVM they fall back on are all
/// it builds. Panics on an invalid pattern: callers pass built-in ones.
pub fn labels_regex<P: AsRef<str>>(patterns: &[P]) -> regex_automata::meta::Regex {
    use regex_automata::{meta, util::syntax};
    meta::Builder::new()
        .configure(
            meta::Config::new()
                .utf8_empty(true)
                .nfa_size_limit(Some(64 << 20))
                .hybrid_cache_capacity(64 << 20)
                .onepass(false)
                .backtrack(false)
                .dfa(false),
        )
        .syntax(syntax::Config::new().utf8(true).case_insensitive(true))
        .build_many(patterns)
        .expect("built-in label patterns are valid")
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

    /// The plain definition: map each character, then one space between
    /// words. `fold` is the same in one pass.
    fn by_words(s: &str) -> String {
        let mapped: String = s
            .chars()
            .flat_map(char::to_lowercase)
            .map(|c| match c {
                '_' | '-' => " ".to_string(),
                c if c.is_whitespace() => " ".to_string(),
                c => fold(&c.to_string()),
            })
            .collect();
        mapped.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn folding_in_one_pass_keeps_one_space_between_words() {
        let pieces = [
            " ", "\t", "\u{a0}", "\u{2009}", "\n", "-", "_", "·", "É", "œ", "İ", "a", "Zz", "’",
            "1,5", "",
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let s = format!("{a}x{b}{c}y{c}{a}");
                    assert_eq!(fold(&s), by_words(&s), "{s:?}");
                    let s = format!("{a}{b}{c}");
                    assert_eq!(fold(&s), by_words(&s), "{s:?}");
                }
            }
        }
    }
}
