//! Reads the rules out of an official compiled Schematron stylesheet.
//!
//! The rule authors publish their Schematron compiled to XSLT 2.0 by the ISO
//! skeleton: each pattern is a mode `Mnn` started from the root, each rule a
//! template of that mode with a `match` and a `priority`, its `let`s as
//! `xsl:variable`s, each assert an `xsl:choose/xsl:when/@test` whose
//! `xsl:otherwise` writes an `svrl:failed-assert`, each report an `xsl:if`
//! writing an `svrl:successful-report`. This module turns that fixed shape back
//! into [`Schema`]: patterns, rules, asserts, global variables and the
//! `xsl:function`s the rules call, with their XPath kept as written except for
//! two mechanical rewrites that XPath alone needs (see [`rewrite_xpath`]).
//!
//! It is deliberately not an XSLT processor: a stylesheet of another shape is
//! refused with [`StylesheetError::Unexpected`] rather than half-read, so a
//! rule release that changes the compiled form is noticed by the tests, never
//! silently skipped.

use std::collections::BTreeMap;

/// The XSLT namespace.
const XSL: &str = "http://www.w3.org/1999/XSL/Transform";
/// The SVRL namespace of the reports the stylesheets write.
const SVRL: &str = "http://purl.oclc.org/dsdl/svrl";

/// URI under which a stylesheet's `document('x.xml')` code lists are found.
pub const CODE_LIST_BASE: &str = "file:///facteur/rules/";

#[derive(Debug, thiserror::Error)]
pub enum StylesheetError {
    #[error("the stylesheet is not well-formed XML: {0}")]
    Xml(String),
    #[error("unexpected stylesheet shape: {0}")]
    Unexpected(String),
}

/// One compiled Schematron schema.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    /// Prefix → namespace URI, as the stylesheet declares them.
    pub namespaces: Vec<(String, String)>,
    /// Global `xsl:param` and `xsl:variable`, in stylesheet order: name (as
    /// written, possibly prefixed) and its XPath (`''` for a param without one).
    pub globals: Vec<(String, String)>,
    /// `xsl:function`s as XPath inline functions bound to a variable of the
    /// function's name (calls are rewritten into dynamic calls).
    pub functions: Vec<(String, String)>,
    /// Patterns in the order the root template runs them.
    pub patterns: Vec<Pattern>,
    /// File names the stylesheet reads with `document()`.
    pub code_lists: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Pattern {
    pub mode: String,
    pub id: Option<String>,
    /// Rules, highest priority first.
    pub rules: Vec<Rule>,
    /// What the pattern's catch-all template walks into (`*` or `@*|*`).
    pub default_descend: Descend,
}

/// Which children a template's `xsl:apply-templates` walks into.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Descend {
    pub attributes: bool,
    pub elements: bool,
}

#[derive(Debug, Clone)]
pub struct Rule {
    /// The template's match pattern, as written.
    pub context: String,
    pub priority: i64,
    /// The rule's `let`s, in order: name and XPath.
    pub lets: Vec<(String, String)>,
    pub asserts: Vec<Assert>,
    pub descend: Descend,
}

#[derive(Debug, Clone)]
pub struct Assert {
    /// `true` for an `assert` (fails when the test is false), `false` for a
    /// `report` (fires when the test is true).
    pub is_assert: bool,
    pub test: String,
    pub id: Option<String>,
    pub flag: Option<String>,
    /// The message: literal text and XPath whose values are inserted.
    pub message: Vec<Piece>,
}

#[derive(Debug, Clone)]
pub enum Piece {
    Text(String),
    Value(String),
}

/// Parses a compiled stylesheet.
pub fn parse(text: &str) -> Result<Schema, StylesheetError> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: 2_000_000,
    };
    let doc = roxmltree::Document::parse_with_options(text, opts)
        .map_err(|e| StylesheetError::Xml(e.to_string()))?;
    let root = doc.root_element();
    if !is_xsl(&root, "stylesheet") && !is_xsl(&root, "transform") {
        return Err(StylesheetError::Unexpected(
            "root is not xsl:stylesheet".into(),
        ));
    }
    let mut schema = Schema::default();
    for ns in root.namespaces() {
        if let Some(p) = ns.name() {
            schema
                .namespaces
                .push((p.to_string(), ns.uri().to_string()));
        }
    }
    let function_names: Vec<String> = root
        .children()
        .filter(|c| is_xsl(c, "function"))
        .filter_map(|f| f.attribute("name").map(str::to_string))
        .collect();
    let rw = |x: &str| rewrite_xpath(x, &function_names);

    let mut order: Vec<(String, Option<String>)> = Vec::new();
    let mut templates: BTreeMap<String, Vec<roxmltree::Node>> = BTreeMap::new();
    for child in root.children().filter(|c| c.is_element()) {
        if is_xsl(&child, "param") || is_xsl(&child, "variable") {
            let name = attr(&child, "name")?;
            let select = match child.attribute("select") {
                Some(s) => rw(s),
                None => content_as_xpath(&child, &rw),
            };
            schema.globals.push((name, select));
        } else if is_xsl(&child, "function") {
            schema
                .functions
                .push((attr(&child, "name")?, function_as_xpath(&child, &rw)?));
        } else if is_xsl(&child, "template") {
            match (child.attribute("match"), child.attribute("mode")) {
                (Some("/"), None) => order = pattern_order(&child),
                (Some(_), Some(mode)) if is_pattern_mode(mode) => {
                    templates.entry(mode.to_string()).or_default().push(child)
                }
                _ => {}
            }
        }
    }
    if order.is_empty() {
        return Err(StylesheetError::Unexpected(
            "no pattern started from the root".into(),
        ));
    }
    for (mode, id) in order {
        let mut pattern = Pattern {
            mode: mode.clone(),
            id,
            rules: Vec::new(),
            default_descend: Descend {
                attributes: false,
                elements: true,
            },
        };
        for t in templates.get(&mode).map(Vec::as_slice).unwrap_or(&[]) {
            let context = attr(t, "match")?;
            let priority: i64 = t
                .attribute("priority")
                .and_then(|p| p.trim().parse::<f64>().ok())
                .map(|p| p as i64)
                .unwrap_or(0);
            let descend = descend_of(t);
            if priority < 0 {
                // The catch-all (`@*|node()`, -2) and the text stripper (-1).
                if context.contains("node()") {
                    pattern.default_descend = descend;
                }
                continue;
            }
            pattern
                .rules
                .push(rule_of(t, context, priority, descend, &rw)?);
        }
        pattern.rules.sort_by_key(|r| std::cmp::Reverse(r.priority));
        schema.patterns.push(pattern);
    }
    let mut lists: Vec<String> = Vec::new();
    for cap in DOCUMENT_CALL.captures_iter(text) {
        let name = cap[1].to_string();
        if !lists.contains(&name) {
            lists.push(name);
        }
    }
    schema.code_lists = lists;
    Ok(schema)
}

static DOCUMENT_CALL: std::sync::LazyLock<regex::Regex> =
    std::sync::LazyLock::new(|| regex::Regex::new(r"document\('([^']+)'\)").expect("regex"));

/// XPath from a stylesheet, made runnable by an XPath 3.1 engine:
/// - `document('x.xml')` (XSLT only) becomes `doc('file:///facteur/rules/x.xml')`,
///   the code list the engine loaded under that name;
/// - a call of one of the stylesheet's own `xsl:function`s becomes a dynamic
///   call of the variable holding it (`custom:f(.)` → `$custom:f(.)`).
///
/// String literals are left alone.
pub fn rewrite_xpath(xpath: &str, functions: &[String]) -> String {
    let mut out = String::with_capacity(xpath.len() + 16);
    let bytes = xpath.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'\'' || c == b'"' {
            let end = xpath[i + 1..]
                .find(c as char)
                .map(|e| i + 1 + e)
                .unwrap_or(xpath.len() - 1);
            out.push_str(&xpath[i..=end]);
            i = end + 1;
            continue;
        }
        let rest = &xpath[i..];
        let prev_is_name = i > 0 && is_name_char(bytes[i - 1]);
        if !prev_is_name {
            if let Some(q) = rest.strip_prefix("document('")
                && let Some(end) = q.find('\'')
            {
                out.push_str("doc('");
                out.push_str(CODE_LIST_BASE);
                out.push_str(&q[..end]);
                out.push('\'');
                i += "document('".len() + end + 1;
                continue;
            }
            if let Some(f) = functions.iter().find(|f| {
                rest.starts_with(f.as_str())
                    && rest[f.len()..].trim_start().starts_with('(')
                    && (i == 0 || bytes[i - 1] != b'$')
            }) {
                out.push('$');
                out.push_str(f);
                i += f.len();
                continue;
            }
        }
        if !prev_is_name {
            // The one-argument forms on the context item: the engine's
            // zero-argument forms do not atomize an element.
            if let Some(f) = ["normalize-space()", "string-length()"]
                .iter()
                .find(|f| rest.starts_with(**f))
            {
                out.push_str(&f[..f.len() - 1]);
                out.push_str("string(.))");
                i += f.len();
                continue;
            }
        }
        let ch = rest.chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':' | b'$')
}

fn is_xsl(n: &roxmltree::Node, local: &str) -> bool {
    n.is_element() && n.tag_name().namespace() == Some(XSL) && n.tag_name().name() == local
}

fn is_svrl(n: &roxmltree::Node, local: &str) -> bool {
    n.is_element() && n.tag_name().namespace() == Some(SVRL) && n.tag_name().name() == local
}

fn is_pattern_mode(mode: &str) -> bool {
    mode.len() > 1 && mode.starts_with('M') && mode[1..].bytes().all(|b| b.is_ascii_digit())
}

fn attr(n: &roxmltree::Node, name: &str) -> Result<String, StylesheetError> {
    n.attribute(name).map(str::to_string).ok_or_else(|| {
        StylesheetError::Unexpected(format!(
            "<{}> without @{name} (line {})",
            n.tag_name().name(),
            n.document().text_pos_at(n.range().start).row
        ))
    })
}

/// The patterns the root template runs, in order, with their ids (from the
/// `svrl:active-pattern` written just before each).
fn pattern_order(root_template: &roxmltree::Node) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut last_id: Option<String> = None;
    for n in root_template.descendants() {
        if is_svrl(&n, "active-pattern") {
            last_id = n.attribute("id").map(str::to_string).or_else(|| {
                n.children()
                    .find(|c| is_xsl(c, "attribute") && c.attribute("name") == Some("id"))
                    .and_then(|c| c.text())
                    .map(|t| t.trim().to_string())
            });
        }
        if is_xsl(&n, "apply-templates")
            && n.attribute("select") == Some("/")
            && let Some(mode) = n.attribute("mode")
        {
            out.push((mode.to_string(), last_id.take()));
        }
    }
    out
}

fn descend_of(t: &roxmltree::Node) -> Descend {
    let mut d = Descend::default();
    for a in t.children().filter(|c| is_xsl(c, "apply-templates")) {
        let sel = a.attribute("select").unwrap_or("node()");
        for part in sel.split('|').map(str::trim) {
            match part {
                "*" | "node()" => d.elements = true,
                "@*" => d.attributes = true,
                _ => {}
            }
        }
    }
    d
}

fn rule_of(
    t: &roxmltree::Node,
    context: String,
    priority: i64,
    descend: Descend,
    rw: &dyn Fn(&str) -> String,
) -> Result<Rule, StylesheetError> {
    let mut rule = Rule {
        context: rw(&context),
        priority,
        lets: Vec::new(),
        asserts: Vec::new(),
        descend,
    };
    for c in t.children().filter(|c| c.is_element()) {
        if is_xsl(&c, "variable") {
            let name = attr(&c, "name")?;
            let select = match c.attribute("select") {
                Some(s) => typed(&rw(s), c.attribute("as")),
                None => content_as_xpath(&c, rw),
            };
            rule.lets.push((name, select));
        } else if is_xsl(&c, "choose") {
            let when = c.children().find(|w| is_xsl(w, "when"));
            let otherwise = c.children().find(|w| is_xsl(w, "otherwise"));
            let (Some(when), Some(otherwise)) = (when, otherwise) else {
                return Err(StylesheetError::Unexpected(format!(
                    "assert without when/otherwise in {context}"
                )));
            };
            let Some(out) = otherwise.children().find(|o| is_svrl(o, "failed-assert")) else {
                return Err(StylesheetError::Unexpected(format!(
                    "assert without failed-assert in {context}"
                )));
            };
            rule.asserts
                .push(assert_of(true, &attr(&when, "test")?, &out, rw));
        } else if is_xsl(&c, "if")
            && let Some(out) = c.children().find(|o| is_svrl(o, "successful-report"))
        {
            rule.asserts
                .push(assert_of(false, &attr(&c, "test")?, &out, rw));
        }
    }
    Ok(rule)
}

fn assert_of(
    is_assert: bool,
    test: &str,
    out: &roxmltree::Node,
    rw: &dyn Fn(&str) -> String,
) -> Assert {
    let field = |name: &str| {
        out.attribute(name).map(str::to_string).or_else(|| {
            out.children()
                .find(|c| is_xsl(c, "attribute") && c.attribute("name") == Some(name))
                .and_then(|c| c.text())
                .map(|t| t.trim().to_string())
        })
    };
    let mut message = Vec::new();
    if let Some(text) = out.children().find(|c| is_svrl(c, "text")) {
        for n in text.descendants().skip(1) {
            // Whitespace-only text between instructions is stripped from a
            // stylesheet, as XSLT does; `xsl:text` keeps its own.
            let kept =
                |t: &str| !t.trim().is_empty() || n.parent().is_some_and(|p| is_xsl(&p, "text"));
            if n.is_text()
                && !n.parent().is_some_and(|p| is_xsl(&p, "attribute"))
                && kept(n.text().unwrap_or(""))
            {
                message.push(Piece::Text(n.text().unwrap_or("").to_string()));
            } else if is_xsl(&n, "value-of")
                && let Some(s) = n.attribute("select")
            {
                message.push(Piece::Value(rw(s)));
            }
        }
    }
    Assert {
        is_assert,
        test: rw(test),
        id: field("id"),
        flag: field("flag"),
        message,
    }
}

/// An `xsl:variable` written with content instead of `select`: only the
/// `xsl:value-of` / text form the compiled skeleton writes is understood;
/// anything else is the empty string (such variables only feed the report's
/// header, never a test).
fn content_as_xpath(n: &roxmltree::Node, rw: &dyn Fn(&str) -> String) -> String {
    let parts: Vec<String> = n
        .children()
        .filter_map(|c| {
            if is_xsl(&c, "value-of") {
                c.attribute("select")
                    .map(|s| format!("string-join(({})!string(.), ' ')", rw(s)))
            } else if c.is_text() && !c.text().unwrap_or("").trim().is_empty() {
                Some(quote(c.text().unwrap_or("")))
            } else {
                None
            }
        })
        .collect();
    if parts.is_empty() {
        "''".into()
    } else {
        format!("concat({}, '')", parts.join(", "))
    }
}

/// An `xsl:function` as an XPath inline function: its params with their
/// types, its variables as a `let` chain, its `xsl:sequence` as the result.
fn function_as_xpath(
    f: &roxmltree::Node,
    rw: &dyn Fn(&str) -> String,
) -> Result<String, StylesheetError> {
    let mut params = Vec::new();
    let mut lets = Vec::new();
    let mut result = None;
    for c in f.children().filter(|c| c.is_element()) {
        if is_xsl(&c, "param") {
            // The parameter's type is applied in the body, as XSLT's
            // function conversion does (atomize, cast), rather than left to
            // the engine's coercion of dynamic calls.
            let name = attr(&c, "name")?;
            params.push(format!("${name}"));
            if let Some(t) = c.attribute("as").filter(|t| t.trim().starts_with("xs:")) {
                lets.push(format!(
                    "${name} := {}",
                    typed(&format!("${name}"), Some(t))
                ));
            }
        } else if is_xsl(&c, "variable") {
            let select = c.attribute("select").ok_or_else(|| {
                StylesheetError::Unexpected("function variable without select".into())
            })?;
            lets.push(format!(
                "${} := {}",
                attr(&c, "name")?,
                typed(&rw(select), c.attribute("as"))
            ));
        } else if is_xsl(&c, "sequence") {
            result = Some(rw(&attr(&c, "select")?));
        } else {
            return Err(StylesheetError::Unexpected(format!(
                "xsl:function with <{}>",
                c.tag_name().name()
            )));
        }
    }
    let result = result
        .ok_or_else(|| StylesheetError::Unexpected("function without xsl:sequence".into()))?;
    let body = if lets.is_empty() {
        result
    } else {
        format!("let {} return ({result})", lets.join(", "))
    };
    Ok(format!("function({}) {{ {body} }}", params.join(", ")))
}

/// An `xsl:variable`'s `as` applied the way XSLT does for the atomic types
/// the rules use (a cast of each item); node and sequence types need nothing.
fn typed(select: &str, as_type: Option<&str>) -> String {
    match as_type.map(str::trim) {
        Some(t) if t.starts_with("xs:") => {
            let base = t.trim_end_matches(['?', '*', '+']);
            format!("(for $facteur-v in ({select}) return {base}($facteur-v))")
        }
        _ => select.to_string(),
    }
}

/// An XPath string literal.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_document_calls_and_own_functions_outside_literals() {
        let f = vec!["custom:is-ok".to_string()];
        assert_eq!(
            rewrite_xpath(
                "custom:is-ok(.) and 'custom:is-ok(x)' = document('a.xml')//x",
                &f
            ),
            "$custom:is-ok(.) and 'custom:is-ok(x)' = doc('file:///facteur/rules/a.xml')//x"
        );
        assert_eq!(rewrite_xpath("$custom:is-ok", &f), "$custom:is-ok");
        assert_eq!(rewrite_xpath("xcustom:is-ok(1)", &f), "xcustom:is-ok(1)");
        assert_eq!(
            rewrite_xpath("*[not(normalize-space())]", &f),
            "*[not(normalize-space(string(.)))]"
        );
    }

    #[test]
    fn every_official_stylesheet_reads_into_patterns_and_asserts() {
        for (name, text) in crate::check::rules::sets::STYLESHEETS {
            let s = parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            let asserts: usize = s
                .patterns
                .iter()
                .flat_map(|p| &p.rules)
                .map(|r| r.asserts.len())
                .sum();
            let failed = text.matches("<svrl:failed-assert").count();
            let reports = text.matches("<svrl:successful-report").count();
            assert_eq!(
                asserts,
                failed + reports,
                "{name}: every assert and report read"
            );
            assert!(!s.patterns.is_empty(), "{name}");
        }
    }
}
