//! Runs a [`Schema`] read from an official stylesheet over one document, with
//! the `xee-xpath` XPath 3.1 engine, the way the compiled stylesheet would
//! under an XSLT processor:
//! - each pattern walks the document from the root (elements, and attributes
//!   where the stylesheet's templates walk into them); each node is handled
//!   by the pattern's highest-priority rule whose context matches it, once;
//! - a rule's `let`s are bound, then each assert's test is evaluated with the
//!   node as context; a false assert or a true report is a [`Fired`];
//! - a rule whose XPath raises a dynamic error is evaluated assert by assert,
//!   and each assert that cannot be evaluated is reported as such, never
//!   counted as passed.
//!
//! XPath is compiled once per stylesheet and thread: `xee` programs are not
//! `Send`, so [`super::check_xml`] hands documents to worker threads that
//! each keep one compiled copy of the schemas read once per process.
//!
//! Not here: which stylesheets apply, ids → rule sets, wording (`super`).

use std::collections::HashMap;
use std::sync::Arc;

use xee_xpath::context::{StaticContextBuilder, Variables};
use xee_xpath::{Documents, Item, Queries, Query, Sequence};
use xot::xmlname::OwnedName;

use super::stylesheet::{CODE_LIST_BASE, Descend, Schema};

/// URI the document under check is loaded under.
const DOCUMENT_URI: &str = "file:///facteur/document.xml";

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("XPath of the stylesheet does not compile: {0}")]
    Compile(String),
    #[error("the document cannot be loaded: {0}")]
    Load(String),
    #[error("the stylesheet's global variable ${0} cannot be evaluated: {1}")]
    Global(String, String),
}

/// One assert that failed (or report that fired), or could not be evaluated.
#[derive(Debug, Clone)]
pub struct Fired {
    pub pattern: usize,
    pub rule: usize,
    pub assert: usize,
    /// Readable path of the context node.
    pub location: String,
    /// The context node's text, when it is a leaf.
    pub value: Option<String>,
    pub message: String,
    /// `Some(error)` when the assert could not be evaluated.
    pub error: Option<String>,
}

/// A stylesheet compiled for this thread.
pub struct Compiled {
    schema: Arc<Schema>,
    var_names: Vec<OwnedName>,
    globals: Vec<xee_xpath::query::SequenceQuery>,
    patterns: Vec<CompiledPattern>,
}

struct CompiledPattern {
    /// One query per rule, giving the nodes the rule's context matches.
    matches: Vec<xee_xpath::query::SequenceQuery>,
    /// Per rule, the local names its context can end on (`@name` for an
    /// attribute), when every alternative ends on a plain name.
    last_names: Vec<Option<Vec<String>>>,
    /// One query per rule giving every assert's outcome at once.
    all: Vec<xee_xpath::query::SequenceQuery>,
}

impl Compiled {
    pub fn new(schema: Arc<Schema>) -> Result<Self, EngineError> {
        let var_names: Vec<OwnedName> = schema
            .globals
            .iter()
            .map(|(n, _)| owned_name(&schema, n))
            .collect();
        let queries = queries(&schema, &var_names);
        let compile = |x: &str| {
            let x = with_functions(&schema, x);
            queries
                .sequence(&x)
                .map_err(|e| EngineError::Compile(format!("{e} in: {}", shorten(&x))))
        };
        let globals = schema
            .globals
            .iter()
            .map(|(_, g)| compile(g))
            .collect::<Result<_, _>>()?;
        let mut patterns = Vec::new();
        for p in &schema.patterns {
            let mut matches = Vec::new();
            let mut all = Vec::new();
            let mut last_names = Vec::new();
            for r in &p.rules {
                matches.push(compile(&match_query(&r.context))?);
                last_names.push(last_names_of(&r.context));
                let tests: Vec<String> = r
                    .asserts
                    .iter()
                    .map(|a| format!("boolean({})", a.test))
                    .collect();
                all.push(compile(&with_lets(
                    &r.lets,
                    &format!("({})", tests.join(", ")),
                ))?);
            }
            patterns.push(CompiledPattern {
                matches,
                last_names,
                all,
            });
        }
        Ok(Compiled {
            schema,
            var_names,
            globals,
            patterns,
        })
    }

    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Runs every pattern over `xml`.
    pub fn run(&self, xml: &str) -> Result<Vec<Fired>, EngineError> {
        let mut documents = Documents::new();
        for name in &self.schema.code_lists {
            if let Some((_, text)) = super::sets::CODE_LISTS.iter().find(|(n, _)| n == name) {
                let uri = format!("{CODE_LIST_BASE}{name}");
                documents
                    .add_string(
                        uri.as_str()
                            .try_into()
                            .map_err(|_| EngineError::Load(uri.clone()))?,
                        text,
                    )
                    .map_err(|e| EngineError::Load(format!("{name}: {e}")))?;
            }
        }
        let uri: &iri_string::types::IriStr = DOCUMENT_URI
            .try_into()
            .map_err(|_| EngineError::Load("uri".into()))?;
        let handle = documents
            .add_string(uri, xml)
            .map_err(|e| EngineError::Load(e.to_string()))?;
        let root = documents
            .document_node(handle)
            .ok_or_else(|| EngineError::Load("no document node".into()))?;

        let mut vars = Variables::new();
        for name in &self.var_names {
            vars.insert(name.clone(), Sequence::default());
        }
        let mut run = Run {
            documents: &mut documents,
            vars,
        };
        for (i, q) in self.globals.iter().enumerate() {
            let v = run
                .eval(q, root)
                .map_err(|e| EngineError::Global(self.schema.globals[i].0.clone(), e))?;
            run.vars.insert(self.var_names[i].clone(), v);
        }

        // The local names present: a rule whose context ends in a name the
        // document never uses matches nothing, and is not asked.
        let names: std::collections::HashSet<String> = {
            let xot = run.documents.xot();
            let mut names = std::collections::HashSet::new();
            for n in xot.descendants(root) {
                if xot.is_element(n) {
                    if let Some(id) = xot.node_name(n) {
                        names.insert(xot.local_name_str(id).to_string());
                    }
                    for a in xot.attribute_nodes(n) {
                        if let Some(id) = xot.node_name(a) {
                            names.insert(format!("@{}", xot.local_name_str(id)));
                        }
                    }
                }
            }
            names
        };
        let mut fired = Vec::new();
        for (pi, (pattern, compiled)) in self.schema.patterns.iter().zip(&self.patterns).enumerate()
        {
            // Which rule handles each node: the highest priority match wins.
            let mut handler: HashMap<xot::Node, usize> = HashMap::new();
            for (ri, q) in compiled.matches.iter().enumerate() {
                if let Some(last) = &compiled.last_names[ri]
                    && !last.iter().any(|n| names.contains(n))
                {
                    continue;
                }
                let nodes = match run.eval(q, root) {
                    Ok(seq) => seq,
                    Err(e) => {
                        for ai in 0..pattern.rules[ri].asserts.len() {
                            fired.push(Fired {
                                pattern: pi,
                                rule: ri,
                                assert: ai,
                                location: "/".into(),
                                value: None,
                                message: String::new(),
                                error: Some(format!("context {}: {e}", pattern.rules[ri].context)),
                            });
                        }
                        continue;
                    }
                };
                for item in nodes.iter() {
                    if let Item::Node(n) = item {
                        handler.entry(n).or_insert(ri);
                    }
                }
            }
            if handler.is_empty() {
                continue;
            }
            // Walk as the templates do, in document order.
            let mut stack = vec![root];
            while let Some(node) = stack.pop() {
                let rule = handler.get(&node).copied();
                let descend = match rule {
                    Some(ri) => {
                        run.fire(self, pi, ri, node, &mut fired);
                        pattern.rules[ri].descend
                    }
                    None if run.documents.xot().is_document(node) => Descend {
                        attributes: false,
                        elements: true,
                    },
                    None => pattern.default_descend,
                };
                let xot = run.documents.xot();
                let mut next: Vec<xot::Node> = Vec::new();
                if descend.attributes && xot.is_element(node) {
                    next.extend(xot.attribute_nodes(node));
                }
                if descend.elements {
                    next.extend(xot.children(node).filter(|c| xot.is_element(*c)));
                }
                stack.extend(next.into_iter().rev());
            }
        }
        Ok(fired)
    }
}

struct Run<'d> {
    documents: &'d mut Documents,
    vars: Variables,
}

impl Run<'_> {
    fn eval(
        &mut self,
        q: &xee_xpath::query::SequenceQuery,
        node: xot::Node,
    ) -> Result<Sequence, String> {
        let mut b = q.program().dynamic_context_builder();
        b.context_node(node);
        b.documents(self.documents.documents().clone());
        b.variables(self.vars.clone());
        let ctx = b.build();
        q.execute_with_context(self.documents, &ctx)
            .map_err(|e| e.to_string())
    }

    fn fire(&mut self, c: &Compiled, pi: usize, ri: usize, node: xot::Node, out: &mut Vec<Fired>) {
        let rule = &c.schema.patterns[pi].rules[ri];
        let outcomes: Vec<Result<bool, String>> = match self.eval(&c.patterns[pi].all[ri], node) {
            Ok(seq) => {
                let v: Vec<Result<bool, String>> = seq
                    .iter()
                    .map(|i| i.effective_boolean_value().map_err(|e| e.to_string()))
                    .collect();
                if v.len() == rule.asserts.len() {
                    v
                } else {
                    self.one_by_one(c, pi, ri, node)
                }
            }
            Err(_) => self.one_by_one(c, pi, ri, node),
        };
        for (ai, outcome) in outcomes.into_iter().enumerate() {
            let a = &rule.asserts[ai];
            let hit = match &outcome {
                Ok(v) => *v != a.is_assert,
                Err(_) => true,
            };
            if !hit {
                continue;
            }
            let (message, error) = match outcome {
                Ok(_) => (self.message(c, pi, ri, ai, node), None),
                Err(e) => (String::new(), Some(e)),
            };
            let xot = self.documents.xot();
            out.push(Fired {
                pattern: pi,
                rule: ri,
                assert: ai,
                location: location(xot, &c.schema, node),
                value: leaf_value(xot, node),
                message,
                error,
            });
        }
    }

    /// Each assert of a rule alone, so one that raises an error does not
    /// hide the others.
    fn one_by_one(
        &mut self,
        c: &Compiled,
        pi: usize,
        ri: usize,
        node: xot::Node,
    ) -> Vec<Result<bool, String>> {
        let rule = &c.schema.patterns[pi].rules[ri];
        let queries = queries(&c.schema, &c.var_names);
        rule.asserts
            .iter()
            .map(|a| {
                let q = queries
                    .sequence(&with_functions(
                        &c.schema,
                        &with_lets(&rule.lets, &format!("boolean({})", a.test)),
                    ))
                    .map_err(|e| e.to_string())?;
                let seq = self.eval(&q, node)?;
                seq.effective_boolean_value().map_err(|e| e.to_string())
            })
            .collect()
    }

    /// The assert's message with its inserted values, whitespace collapsed.
    fn message(
        &mut self,
        c: &Compiled,
        pi: usize,
        ri: usize,
        ai: usize,
        node: xot::Node,
    ) -> String {
        use super::stylesheet::Piece;
        let rule = &c.schema.patterns[pi].rules[ri];
        let a = &rule.asserts[ai];
        let mut text = String::new();
        let queries = queries(&c.schema, &c.var_names);
        for piece in &a.message {
            match piece {
                Piece::Text(t) => text.push_str(t),
                Piece::Value(x) => {
                    let expr = with_lets(&rule.lets, &format!("string-join(({x})!string(.), ' ')"));
                    let v = queries
                        .sequence(&with_functions(&c.schema, &expr))
                        .map_err(|e| e.to_string())
                        .and_then(|q| self.eval(&q, node))
                        .and_then(|s| {
                            s.string_value(self.documents.xot())
                                .map_err(|e| e.to_string())
                        });
                    text.push_str(&v.unwrap_or_default());
                }
            }
        }
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

fn queries<'a>(schema: &'a Schema, var_names: &[OwnedName]) -> Queries<'a> {
    let mut b = StaticContextBuilder::default();
    b.namespaces(
        schema
            .namespaces
            .iter()
            .map(|(p, u)| (p.as_str(), u.as_str())),
    );
    b.variable_names(var_names.iter().cloned());
    Queries::new(b)
}

fn owned_name(schema: &Schema, name: &str) -> OwnedName {
    match name.split_once(':') {
        Some((prefix, local)) => {
            let ns = schema
                .namespaces
                .iter()
                .find(|(p, _)| p == prefix)
                .map(|(_, u)| u.as_str())
                .unwrap_or("");
            OwnedName::new(local.to_string(), ns.to_string(), prefix.to_string())
        }
        None => OwnedName::new(name.to_string(), String::new(), String::new()),
    }
}

/// The stylesheet's own functions an expression calls, bound in front of
/// it (with the ones they call, first): a function item lives in the
/// program that made it, so each program makes its own.
fn with_functions(schema: &Schema, expr: &str) -> String {
    let mut needed: Vec<usize> = Vec::new();
    let mut todo: Vec<&str> = vec![expr];
    while let Some(text) = todo.pop() {
        for (i, (name, body)) in schema.functions.iter().enumerate() {
            if !needed.contains(&i) && text.contains(&format!("${name}(")) {
                needed.push(i);
                todo.push(body);
            }
        }
    }
    if needed.is_empty() {
        return expr.to_string();
    }
    // Stylesheet order puts a function after the ones it calls in these
    // stylesheets; a call to a later one would fail to compile, not pass.
    needed.sort_unstable();
    let bound: Vec<String> = needed
        .iter()
        .map(|&i| format!("${} := {}", schema.functions[i].0, schema.functions[i].1))
        .collect();
    format!("let {} return ({expr})", bound.join(", "))
}

/// `let`s wrapped around an expression.
fn with_lets(lets: &[(String, String)], body: &str) -> String {
    if lets.is_empty() {
        return body.to_string();
    }
    let bound: Vec<String> = lets.iter().map(|(n, x)| format!("${n} := ({x})")).collect();
    format!("let {} return {body}", bound.join(", "))
}

/// A match pattern as the query that yields every node it matches, from the
/// document node: each alternative of a union that is relative is searched
/// at any depth.
fn match_query(pattern: &str) -> String {
    let alts: Vec<String> = split_union(pattern)
        .into_iter()
        .map(|a| {
            let a = a.trim();
            if a.starts_with('/') {
                format!("({a})")
            } else {
                format!("(//{a})")
            }
        })
        .collect();
    alts.join(" | ")
}

/// The local names a pattern's alternatives end on, or `None` when one of
/// them ends on something else (`*`, `node()`, `/`, a function).
fn last_names_of(pattern: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for alt in split_union(pattern) {
        if alt.trim().ends_with(')') {
            return None;
        }
        // The last step, without its predicates.
        let mut depth = 0i32;
        let mut plain = String::new();
        for ch in alt.trim().chars() {
            match ch {
                '[' | '(' => depth += 1,
                ']' | ')' => depth -= 1,
                _ if depth == 0 => plain.push(ch),
                _ => {}
            }
        }
        let step = plain.rsplit('/').next().unwrap_or("").trim();
        let (attr, name) = match step.strip_prefix('@') {
            Some(n) => (true, n),
            None => (false, step.strip_prefix("attribute::").unwrap_or(step)),
        };
        let local = name.rsplit(':').next().unwrap_or("");
        if local.is_empty()
            || !local
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return None;
        }
        out.push(if attr {
            format!("@{local}")
        } else {
            local.to_string()
        });
    }
    Some(out)
}

/// Splits a pattern at its top-level `|`, not inside predicates, parentheses
/// or string literals.
fn split_union(p: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None::<char>, 0);
    for (i, ch) in p.char_indices() {
        match (quote, ch) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(ch),
            (None, '[' | '(') => depth += 1,
            (None, ']' | ')') => depth -= 1,
            (None, '|') if depth == 0 => {
                out.push(&p[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&p[start..]);
    out
}

/// A readable path of a node with the stylesheet's prefixes, positions only
/// where siblings share the name.
fn location(xot: &xot::Xot, schema: &Schema, node: xot::Node) -> String {
    let name = |n: xot::Node| -> String {
        let Some(id) = xot.node_name(n) else {
            return String::new();
        };
        let (local, ns) = xot.name_ns_str(id);
        match schema.namespaces.iter().find(|(_, u)| u == ns) {
            Some((p, _)) if !ns.is_empty() => format!("{p}:{local}"),
            _ => local.to_string(),
        }
    };
    let mut parts = Vec::new();
    let mut cur = Some(node);
    while let Some(n) = cur {
        if xot.is_document(n) {
            break;
        }
        if xot.is_attribute_node(n) {
            parts.push(format!("@{}", name(n)));
        } else if xot.is_element(n) {
            let same: Vec<xot::Node> = xot
                .parent(n)
                .map(|p| {
                    xot.children(p)
                        .filter(|c| xot.is_element(*c) && xot.node_name(*c) == xot.node_name(n))
                        .collect()
                })
                .unwrap_or_default();
            if same.len() > 1 {
                let pos = same.iter().position(|c| *c == n).unwrap_or(0) + 1;
                parts.push(format!("{}[{pos}]", name(n)));
            } else {
                parts.push(name(n));
            }
        }
        cur = xot.parent(n);
    }
    parts.reverse();
    format!("/{}", parts.join("/"))
}

/// The text of a leaf element or an attribute, short enough to show.
fn leaf_value(xot: &xot::Xot, node: xot::Node) -> Option<String> {
    let leaf = xot.is_attribute_node(node)
        || (xot.is_element(node) && !xot.children(node).any(|c| xot.is_element(c)));
    if !leaf {
        return None;
    }
    let v = xot.string_value(node);
    let v = v.trim();
    (!v.is_empty() && v.chars().count() <= 200).then(|| v.to_string())
}

fn shorten(x: &str) -> String {
    x.chars().take(160).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unions_split_at_the_top_level_only() {
        assert_eq!(
            split_union("a | b[c|d] | '|'"),
            vec!["a ", " b[c|d] ", " '|'"]
        );
        assert_eq!(match_query("/x/y | z"), "(/x/y) | (//z)");
        assert_eq!(
            last_names_of("ram:A[ram:B/ram:C]/ram:D | cbc:E/@currencyID"),
            Some(vec!["D".to_string(), "@currencyID".to_string()])
        );
        assert_eq!(last_names_of("ram:A/*"), None);
        assert_eq!(last_names_of("/"), None);
    }
}
