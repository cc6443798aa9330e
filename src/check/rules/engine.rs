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

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use xee_xpath::context::{StaticContextBuilder, Variables};
use xee_xpath::{Documents, Item, Queries, Query, Sequence};
use xot::xmlname::OwnedName;

use super::stylesheet::{CODE_LIST_BASE, Descend, Schema};

/// URI the documents under check are loaded under (a run number and
/// `.xml` follow).
const DOCUMENT_URI: &str = "file:///facteur/document-";

/// The variables a rule's batch query takes its nodes from.
const NODES: &str = "facteur-nodes";
const NODE: &str = "facteur-node";

fn nodes_name() -> OwnedName {
    OwnedName::new(NODES.to_string(), String::new(), String::new())
}

/// The longest tests (with their lets) evaluated over all their nodes in one
/// loop; see [`Compiled::batch`].
const BATCH_MAX_TEXT: usize = 3000;

/// The most test text compiled as one query: a rule's asserts are compiled
/// in chunks of about this much, since compiling one long sequence costs the
/// square of its length (the UBL rule of 400 asserts took 1.7 s as one
/// query).
const CHUNK_TEXT: usize = 2000;

/// Runs whose documents share one tree arena before it is dropped.
const DOCUMENTS_KEPT: usize = 32;

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

/// A stylesheet compiled for this thread. Its global variables are compiled
/// at once; a rule's XPath only the first time a document could reach it
/// (a rule whose context ends on a name the document never uses is never
/// compiled), so a single document pays only for the rules it meets.
pub struct Compiled {
    schema: Arc<Schema>,
    var_names: Vec<OwnedName>,
    globals: Vec<xee_xpath::query::SequenceQuery>,
    patterns: Vec<CompiledPattern>,
    /// The message's XPath pieces, per (pattern, rule, assert), compiled the
    /// first time the assert fires.
    messages: RefCell<HashMap<(usize, usize, usize), Pieces>>,
    /// The code lists already parsed, and how many runs used them.
    documents: RefCell<Option<(Documents, usize)>>,
}

/// One compiled XPath.
type Program = xee_xpath::query::SequenceQuery;

/// An assert message's XPath pieces, compiled (`None` for text, or for a
/// piece that does not compile).
type Pieces = Rc<Vec<Option<Program>>>;

struct CompiledPattern {
    rules: Vec<CompiledRule>,
}

struct CompiledRule {
    /// The local names its context can end on (`@name` for an attribute),
    /// when every alternative ends on a plain name.
    last_names: Option<Vec<String>>,
    /// The context as plain paths matched without XPath, when it is one.
    paths: Option<Vec<Path>>,
    /// The context is `//*[not(*) and not(normalize-space(string(.)))]`
    /// (the Factur-X rule on empty elements), matched without XPath: asked
    /// of every element of every document, it cost as much as a tenth of a
    /// Factur-X invoice's whole check.
    empty_leaves: bool,
    /// The query giving the nodes the context matches (when not `paths`).
    matches: OnceCell<Result<Program, String>>,
    /// The queries giving every assert's outcome, one per chunk of asserts
    /// (see [`CHUNK_TEXT`]).
    all: OnceCell<Result<Vec<Program>, String>>,
    /// The same for every node of `$facteur-nodes` in turn, in one run.
    batch: OnceCell<Result<Vec<Program>, String>>,
}

impl Compiled {
    pub fn new(schema: Arc<Schema>) -> Result<Self, EngineError> {
        // The globals, then the nodes a rule is evaluated on at once.
        let var_names: Vec<OwnedName> = schema
            .globals
            .iter()
            .map(|(n, _)| owned_name(&schema, n))
            .chain([nodes_name()])
            .collect();
        let queries = queries(&schema, &var_names);
        let globals = schema
            .globals
            .iter()
            .map(|(_, g)| {
                let x = descendant_steps(&with_functions(&schema, g));
                queries
                    .sequence(&x)
                    .map_err(|e| EngineError::Compile(format!("{e} in: {}", shorten(&x))))
            })
            .collect::<Result<_, _>>()?;
        let patterns = schema
            .patterns
            .iter()
            .map(|p| CompiledPattern {
                rules: p
                    .rules
                    .iter()
                    .map(|r| CompiledRule {
                        last_names: last_names_of(&r.context),
                        paths: Path::parse_all(&schema, &r.context),
                        empty_leaves: is_empty_leaf_pattern(&r.context),
                        matches: OnceCell::new(),
                        all: OnceCell::new(),
                        batch: OnceCell::new(),
                    })
                    .collect(),
            })
            .collect();
        Ok(Compiled {
            schema,
            var_names,
            globals,
            patterns,
            messages: RefCell::new(HashMap::new()),
            documents: RefCell::new(None),
        })
    }

    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Compiles `x` (with the stylesheet's functions it calls) for this
    /// stylesheet's namespaces and globals.
    fn compile(&self, x: &str) -> Result<Program, String> {
        let x = code_list_lookups(&descendant_steps(&with_functions(&self.schema, x)));
        queries(&self.schema, &self.var_names)
            .sequence(&x)
            .map_err(|e| format!("{e} in: {}", shorten(&x)))
    }

    fn matches(&self, pi: usize, ri: usize) -> &Result<Program, String> {
        self.patterns[pi].rules[ri]
            .matches
            .get_or_init(|| self.compile(&match_query(&self.schema.patterns[pi].rules[ri].context)))
    }

    /// A rule's asserts' tests as sequences of booleans, one per chunk of
    /// consecutive asserts of at most [`CHUNK_TEXT`] (or one assert), each
    /// with the rule's lets it needs (see [`guarded_lets`]).
    fn tests(&self, pi: usize, ri: usize) -> Vec<String> {
        let r = &self.schema.patterns[pi].rules[ri];
        let mut size = 0;
        // Each test, and what of it reads the lets bound for the chunk.
        let mut chunks: Vec<Vec<(String, &str)>> = Vec::new();
        for a in &r.asserts {
            let (t, reads) = match guarded_lets(&r.lets, &a.test) {
                Some(guarded) => (format!("boolean({guarded})"), ""),
                None => (format!("boolean({})", a.test), a.test.as_str()),
            };
            match chunks.last_mut() {
                Some(c) if size + t.len() <= CHUNK_TEXT => {
                    size += t.len();
                    c.push((t, reads));
                }
                _ => {
                    size = t.len();
                    chunks.push(vec![(t, reads)]);
                }
            }
        }
        chunks
            .iter()
            .map(|c| {
                let tests: Vec<&str> = c.iter().map(|(t, _)| t.as_str()).collect();
                let reads: Vec<&str> = c.iter().map(|(_, r)| *r).collect();
                bind_lets(&r.lets, &reads, &format!("({})", tests.join(", ")))
            })
            .collect()
    }

    fn all(&self, pi: usize, ri: usize) -> &Result<Vec<Program>, String> {
        self.patterns[pi].rules[ri]
            .all
            .get_or_init(|| self.tests(pi, ri).iter().map(|t| self.compile(t)).collect())
    }

    /// The tests with each node of `$facteur-nodes` as the context in turn:
    /// the context position and size stay 1, as for one node alone.
    ///
    /// Only for chunks short enough: the engine's loops jump back at most a
    /// 16-bit offset, and refuses (or, past half of it, miscounts) a longer
    /// body; a rule with a longer chunk (one long assert, or long lets) is
    /// asked node by node.
    fn batch(&self, pi: usize, ri: usize) -> &Result<Vec<Program>, String> {
        self.patterns[pi].rules[ri].batch.get_or_init(|| {
            self.tests(pi, ri)
                .iter()
                .map(|tests| {
                    if tests.len() > BATCH_MAX_TEXT {
                        return Err("too long to batch".into());
                    }
                    let x = format!("for ${NODE} in ${NODES} return ${NODE} ! ({tests})");
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.compile(&x)))
                        .unwrap_or_else(|_| Err("the batch query does not compile".into()))
                })
                .collect()
        })
    }

    /// The documents the stylesheet reads with `document()`, parsed once and
    /// kept for [`DOCUMENTS_KEPT`] runs (each run adds its document to the
    /// same tree arena, which is then dropped to bound memory).
    fn documents(&self) -> Result<(Documents, usize), EngineError> {
        if let Some((docs, runs)) = self.documents.borrow_mut().take()
            && runs < DOCUMENTS_KEPT
        {
            return Ok((docs, runs + 1));
        }
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
        Ok((documents, 1))
    }

    /// Runs every pattern over `xml`.
    pub fn run(&self, xml: &str) -> Result<Vec<Fired>, EngineError> {
        let (mut documents, runs) = self.documents()?;
        let out = self.run_in(&mut documents, runs, xml);
        *self.documents.borrow_mut() = Some((documents, runs));
        out
    }

    /// Every variable the queries declare, empty: the globals are set in
    /// turn, `$facteur-nodes` per batch.
    fn empty_vars(&self) -> Variables {
        self.var_names
            .iter()
            .map(|n| (n.clone(), Sequence::default()))
            .collect()
    }

    fn run_in(
        &self,
        documents: &mut Documents,
        runs: usize,
        xml: &str,
    ) -> Result<Vec<Fired>, EngineError> {
        // Each run's document under its own URI in the shared collection.
        let root = add_document(documents, &format!("{DOCUMENT_URI}{runs}.xml"), xml)?;
        // `//name` steps (and `/descendant::name`, see `descendant_steps`)
        // read an index of the document's elements by name, built once per
        // run, instead of walking the whole tree each time: the official
        // rules scan the document this way hundreds of times per invoice.
        let _index = DescendantIndex::on();
        let mut run = Run {
            documents,
            vars: self.empty_vars(),
        };
        for (i, q) in self.globals.iter().enumerate() {
            let v = run
                .eval(q, root)
                .map_err(|e| EngineError::Global(self.schema.globals[i].0.clone(), e))?;
            run.vars.insert(self.var_names[i].clone(), v);
        }

        // Every element and attribute by local name (`@name` for an
        // attribute), in document order: a rule whose context ends in a name
        // the document never uses matches nothing and is not asked, and a
        // plain-path context is matched from here without XPath.
        let by_name: HashMap<String, Vec<xot::Node>> = {
            let xot = run.documents.xot();
            let mut by_name: HashMap<String, Vec<xot::Node>> = HashMap::new();
            for n in xot.descendants(root) {
                if xot.is_element(n) {
                    if let Some(id) = xot.node_name(n) {
                        by_name
                            .entry(xot.local_name_str(id).to_string())
                            .or_default()
                            .push(n);
                    }
                    for a in xot.attribute_nodes(n) {
                        if let Some(id) = xot.node_name(a) {
                            by_name
                                .entry(format!("@{}", xot.local_name_str(id)))
                                .or_default()
                                .push(a);
                        }
                    }
                }
            }
            by_name
        };
        let mut fired = Vec::new();
        for (pi, (pattern, compiled)) in self.schema.patterns.iter().zip(&self.patterns).enumerate()
        {
            // Which rule handles each node: the highest priority match wins.
            let mut handler: HashMap<xot::Node, usize> = HashMap::new();
            for (ri, rule) in compiled.rules.iter().enumerate() {
                if let Some(last) = &rule.last_names
                    && !last.iter().any(|n| by_name.contains_key(n))
                {
                    continue;
                }
                if let (Some(paths), Some(last)) = (&rule.paths, &rule.last_names) {
                    let xot = run.documents.xot();
                    for name in last {
                        for &n in by_name.get(name).map(Vec::as_slice).unwrap_or_default() {
                            if paths.iter().any(|p| p.matches(xot, n)) {
                                handler.entry(n).or_insert(ri);
                            }
                        }
                    }
                    continue;
                }
                if rule.empty_leaves {
                    let xot = run.documents.xot();
                    for n in xot.descendants(root) {
                        if is_empty_leaf(xot, n) {
                            handler.entry(n).or_insert(ri);
                        }
                    }
                    continue;
                }
                let nodes = match self.matches(pi, ri) {
                    Ok(q) => run.eval(q, root),
                    Err(e) => Err(e.clone()),
                };
                let nodes = match nodes {
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
            // Walk as the templates do, in document order: which rule
            // handles which node (the walk never depends on an outcome).
            let mut order: Vec<(xot::Node, usize)> = Vec::new();
            let mut stack = vec![root];
            while let Some(node) = stack.pop() {
                let rule = handler.get(&node).copied();
                let descend = match rule {
                    Some(ri) => {
                        order.push((node, ri));
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
            // Each rule's asserts on all its nodes in one evaluation, then
            // what fired in the walk's order.
            let mut by_rule: std::collections::BTreeMap<usize, Vec<xot::Node>> =
                std::collections::BTreeMap::new();
            for &(node, ri) in &order {
                by_rule.entry(ri).or_default().push(node);
            }
            let mut outcomes: HashMap<(xot::Node, usize), Vec<Result<bool, String>>> =
                HashMap::new();
            for (ri, nodes) in by_rule {
                match run.batch(self, pi, ri, &nodes) {
                    Some(per_node) => {
                        outcomes.extend(nodes.into_iter().zip(per_node).map(|(n, o)| ((n, ri), o)));
                    }
                    None => {
                        for n in nodes {
                            let o = run.outcomes(self, pi, ri, n);
                            outcomes.insert((n, ri), o);
                        }
                    }
                }
            }
            for (node, ri) in order {
                if let Some(o) = outcomes.remove(&(node, ri)) {
                    run.emit(self, pi, ri, node, o, &mut fired);
                }
            }
        }
        Ok(fired)
    }
}

/// This thread's index of elements by name for `descendant` steps, on while
/// one run's document is checked (its tree does not change meanwhile), off
/// and forgotten when dropped.
struct DescendantIndex;

impl DescendantIndex {
    fn on() -> Self {
        xee_interpreter::xml::index_descendants(true);
        DescendantIndex
    }
}

impl Drop for DescendantIndex {
    fn drop(&mut self) {
        xee_interpreter::xml::index_descendants(false);
    }
}

/// Parses `xml` into `documents` under `uri`; its document node.
fn add_document(documents: &mut Documents, uri: &str, xml: &str) -> Result<xot::Node, EngineError> {
    let uri: &iri_string::types::IriStr = uri
        .try_into()
        .map_err(|_| EngineError::Load(format!("uri {uri}")))?;
    let handle = documents
        .add_string(uri, xml)
        .map_err(|e| EngineError::Load(e.to_string()))?;
    documents
        .document_node(handle)
        .ok_or_else(|| EngineError::Load("no document node".into()))
}

/// A match pattern's alternative that is a plain path of names: child steps
/// only, each an element name, `*`, or (last) an attribute name; no
/// predicate, no function, no other axis. Matched by walking up from a
/// node, as an XSLT processor matches a pattern.
#[derive(Debug, Clone, PartialEq)]
struct Path {
    /// From the root (`/a/b`), or at any depth (`a/b`, `//a/b`).
    absolute: bool,
    /// Outermost first.
    steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    /// An element of this namespace and local name.
    Element(String, String),
    /// Any element (`*`).
    AnyElement,
    /// An attribute of this namespace and local name (last step only).
    Attribute(String, String),
}

impl Path {
    /// Every alternative of `pattern` as a plain path, or `None` when one of
    /// them is something else (then the pattern goes to XPath).
    fn parse_all(schema: &Schema, pattern: &str) -> Option<Vec<Path>> {
        split_union(pattern)
            .into_iter()
            .map(|alt| Path::parse(schema, alt.trim()))
            .collect()
    }

    fn parse(schema: &Schema, alt: &str) -> Option<Path> {
        if alt.is_empty()
            || alt
                .chars()
                .any(|c| matches!(c, '[' | '(' | '\'' | '"' | '$' | '.' | ' ' | '|' | '='))
        {
            return None;
        }
        let (absolute, rest) = if let Some(r) = alt.strip_prefix("//") {
            (false, r)
        } else if let Some(r) = alt.strip_prefix('/') {
            (true, r)
        } else {
            (false, alt)
        };
        let parts: Vec<&str> = rest.split('/').collect();
        let mut steps = Vec::with_capacity(parts.len());
        for (i, part) in parts.iter().enumerate() {
            let last = i + 1 == parts.len();
            if part.is_empty() || part.contains("::") {
                return None;
            }
            let step = if *part == "*" {
                Step::AnyElement
            } else if let Some(name) = part.strip_prefix('@') {
                if !last || name.contains('*') {
                    return None;
                }
                let (ns, local) = resolve(schema, name)?;
                Step::Attribute(ns, local)
            } else {
                if part.contains('*') {
                    return None;
                }
                let (ns, local) = resolve(schema, part)?;
                Step::Element(ns, local)
            };
            steps.push(step);
        }
        // Only a named last step can be found by its name.
        match steps.last()? {
            Step::AnyElement => None,
            _ => Some(Path { absolute, steps }),
        }
    }

    fn matches(&self, xot: &xot::Xot, node: xot::Node) -> bool {
        let mut cur = Some(node);
        for step in self.steps.iter().rev() {
            let Some(n) = cur else { return false };
            let ok = match step {
                Step::AnyElement => xot.is_element(n),
                Step::Element(ns, local) => xot.is_element(n) && named(xot, n, ns, local),
                Step::Attribute(ns, local) => xot.is_attribute_node(n) && named(xot, n, ns, local),
            };
            if !ok {
                return false;
            }
            cur = xot.parent(n);
        }
        !self.absolute || cur.is_some_and(|p| xot.is_document(p))
    }
}

/// Whether a rule's context is the empty-element pattern that
/// [`is_empty_leaf`] matches, whitespace aside.
fn is_empty_leaf_pattern(context: &str) -> bool {
    let c: String = context.chars().filter(|c| !c.is_whitespace()).collect();
    let c = c.strip_prefix("//").unwrap_or(&c);
    c == "*[not(*)andnot(normalize-space(string(.)))]"
}

/// `*[not(*) and not(normalize-space(string(.)))]`: an element with no
/// child element whose text is empty or only XML white space (the four
/// characters `normalize-space` removes; comments are not text).
fn is_empty_leaf(xot: &xot::Xot, n: xot::Node) -> bool {
    xot.is_element(n)
        && !xot.children(n).any(|c| xot.is_element(c))
        && xot.children(n).all(|c| {
            xot.text_str(c)
                .is_none_or(|t| t.chars().all(|ch| matches!(ch, ' ' | '\t' | '\r' | '\n')))
        })
}

fn named(xot: &xot::Xot, n: xot::Node, ns: &str, local: &str) -> bool {
    xot.node_name(n).is_some_and(|id| {
        let (l, u) = xot.name_ns_str(id);
        l == local && u == ns
    })
}

/// A `prefix:local` or `local` name as (namespace, local). An unprefixed
/// element name is in no namespace (the stylesheets set no default); an
/// unknown prefix is `None`.
fn resolve(schema: &Schema, name: &str) -> Option<(String, String)> {
    let ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_'))
    };
    match name.split_once(':') {
        Some((prefix, local)) if ok(prefix) && ok(local) => schema
            .namespaces
            .iter()
            .find(|(p, _)| p == prefix)
            .map(|(_, u)| (u.clone(), local.to_string())),
        None if ok(name) => Some((String::new(), name.to_string())),
        _ => None,
    }
}

struct Run<'d> {
    documents: &'d mut Documents,
    vars: Variables,
}

impl Run<'_> {
    fn eval(&mut self, q: &Program, node: xot::Node) -> Result<Sequence, String> {
        self.eval_with(q, node, None)
    }

    /// Evaluates `q` with `node` as the context, and `$facteur-nodes` bound
    /// to `nodes` when given.
    fn eval_with(
        &mut self,
        q: &Program,
        node: xot::Node,
        nodes: Option<Sequence>,
    ) -> Result<Sequence, String> {
        let mut b = q.program().dynamic_context_builder();
        b.context_node(node);
        b.documents(self.documents.documents().clone());
        let mut vars = self.vars.clone();
        if let Some(nodes) = nodes {
            vars.insert(nodes_name(), nodes);
        }
        b.variables(vars);
        let ctx = b.build();
        q.execute_with_context(self.documents, &ctx)
            .map_err(|e| e.to_string())
    }

    /// A rule's asserts on every node in one evaluation: per node, each
    /// assert's outcome; `None` when it raised an error or gave an
    /// unexpected shape (then each node is asked alone).
    fn batch(
        &mut self,
        c: &Compiled,
        pi: usize,
        ri: usize,
        nodes: &[xot::Node],
    ) -> Option<Vec<Vec<Result<bool, String>>>> {
        let n = c.schema.patterns[pi].rules[ri].asserts.len();
        if n == 0 {
            return Some(vec![Vec::new(); nodes.len()]);
        }
        if nodes.len() < 2 {
            return None;
        }
        let chunks = c.batch(pi, ri).as_ref().ok()?;
        let items: Vec<Item> = nodes.iter().map(|&n| Item::Node(n)).collect();
        let mut per_node: Vec<Vec<Result<bool, String>>> = vec![Vec::with_capacity(n); nodes.len()];
        for q in chunks {
            let seq = self
                .eval_with(q, nodes[0], Some(Sequence::from(items.clone())))
                .ok()?;
            let v: Vec<bool> = seq
                .iter()
                .map(|i| i.effective_boolean_value())
                .collect::<Result<_, _>>()
                .ok()?;
            if !v.len().is_multiple_of(nodes.len()) {
                return None;
            }
            let k = v.len() / nodes.len();
            for (outcomes, node_values) in per_node.iter_mut().zip(v.chunks(k.max(1))) {
                outcomes.extend(node_values.iter().map(|&b| Ok(b)));
            }
        }
        if per_node.iter().any(|o| o.len() != n) {
            return None;
        }
        Some(per_node)
    }

    /// A rule's asserts on one node.
    fn outcomes(
        &mut self,
        c: &Compiled,
        pi: usize,
        ri: usize,
        node: xot::Node,
    ) -> Vec<Result<bool, String>> {
        let rule = &c.schema.patterns[pi].rules[ri];
        let all = match c.all(pi, ri) {
            Ok(chunks) => chunks
                .iter()
                .map(|q| self.eval(q, node))
                .collect::<Result<Vec<Sequence>, String>>(),
            Err(e) => Err(e.clone()),
        };
        match all {
            Ok(seqs) => {
                let v: Vec<Result<bool, String>> = seqs
                    .iter()
                    .flat_map(|seq| seq.iter())
                    .map(|i| i.effective_boolean_value().map_err(|e| e.to_string()))
                    .collect();
                if v.len() == rule.asserts.len() {
                    v
                } else {
                    self.one_by_one(c, pi, ri, node)
                }
            }
            Err(_) => self.one_by_one(c, pi, ri, node),
        }
    }

    /// Each failed assert (or true report, or assert that could not be
    /// evaluated) of a rule on a node, with its message.
    fn emit(
        &mut self,
        c: &Compiled,
        pi: usize,
        ri: usize,
        node: xot::Node,
        outcomes: Vec<Result<bool, String>>,
        out: &mut Vec<Fired>,
    ) {
        let rule = &c.schema.patterns[pi].rules[ri];
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
        rule.asserts
            .iter()
            .map(|a| {
                let q = c.compile(&with_lets(&rule.lets, &format!("boolean({})", a.test)))?;
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
        let compiled = c
            .messages
            .borrow_mut()
            .entry((pi, ri, ai))
            .or_insert_with(|| {
                Rc::new(
                    a.message
                        .iter()
                        .map(|piece| match piece {
                            Piece::Text(_) => None,
                            Piece::Value(x) => c
                                .compile(&with_lets(
                                    &rule.lets,
                                    &format!("string-join(({x})!string(.), ' ')"),
                                ))
                                .ok(),
                        })
                        .collect(),
                )
            })
            .clone();
        let mut text = String::new();
        for (piece, q) in a.message.iter().zip(compiled.iter()) {
            match (piece, q) {
                (Piece::Text(t), _) => text.push_str(t),
                (Piece::Value(_), Some(q)) => {
                    let v = self.eval(q, node).and_then(|s| {
                        s.string_value(self.documents.xot())
                            .map_err(|e| e.to_string())
                    });
                    text.push_str(&v.unwrap_or_default());
                }
                (Piece::Value(_), None) => {}
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
/// `body` with the rule's lets it uses, directly or through another let,
/// bound before it. An XSLT processor evaluates a variable only when it is
/// used; binding them all would evaluate (and let fail) lets no test reads.
fn with_lets(lets: &[(String, String)], body: &str) -> String {
    bind_lets(lets, &[body], body)
}

/// `body` with the lets that the texts `reads` use bound before it.
fn bind_lets(lets: &[(String, String)], reads: &[&str], body: &str) -> String {
    let mut needed: Vec<bool> = lets
        .iter()
        .map(|(n, _)| reads.iter().any(|r| refers_to(r, n)))
        .collect();
    for i in (0..lets.len()).rev() {
        if needed[i] {
            for j in 0..i {
                needed[j] = needed[j] || refers_to(&lets[i].1, &lets[j].0);
            }
        }
    }
    let bound: Vec<String> = lets
        .iter()
        .zip(&needed)
        .filter(|(_, n)| **n)
        .map(|((n, x), _)| format!("${n} := ({x})"))
        .collect();
    if bound.is_empty() {
        return body.to_string();
    }
    format!("let {} return {body}", bound.join(", "))
}

/// An assert's test `A or B` whose `A` reads none of the rule's lets, as
/// `(A) or (let … return B)`: the lets are then evaluated only when `A` is
/// false (the French rules guard most tests so, `not(special case) or
/// (…)`, with lets that look through every line of the invoice). `None`
/// for any other test, which reads the lets bound around its chunk.
fn guarded_lets(lets: &[(String, String)], test: &str) -> Option<String> {
    let (a, b) = first_disjunct(test)?;
    if lets.is_empty() || lets.iter().any(|(n, _)| refers_to(a, n)) {
        return None;
    }
    Some(format!("({a}) or ({})", with_lets(lets, &format!("({b})"))))
}

/// Whether XPath `x` reads the variable `$name`.
fn refers_to(x: &str, name: &str) -> bool {
    let name_char = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':');
    x.match_indices('$').any(|(i, _)| {
        let rest = &x[i + 1..];
        rest.strip_prefix(name)
            .is_some_and(|after| !after.starts_with(name_char))
    })
}

/// `A` and `B` of a test `A or B`, split at its first `or` outside
/// brackets and strings; `None` when the test's top level is not a
/// disjunction (a sequence, or an `if`, `let`, `for`, `some` or `every`
/// whose body would hold the `or`).
fn first_disjunct(test: &str) -> Option<(&str, &str)> {
    let b = test.as_bytes();
    let mut depth = 0i32;
    let mut quote: Option<u8> = None;
    let mut split = None;
    let word_at = |i: usize, w: &str| {
        test[i..].starts_with(w)
            && (i == 0 || !is_name_byte(b[i - 1]))
            && b.get(i + w.len()).is_none_or(|c| !is_name_byte(*c))
    };
    for (i, &c) in b.iter().enumerate() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                b'\'' | b'"' => quote = Some(c),
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth -= 1,
                b',' if depth == 0 => return None,
                _ if depth == 0 && c.is_ascii_alphabetic() => {
                    if ["satisfies", "return", "then", "else", "in"]
                        .iter()
                        .any(|w| word_at(i, w))
                    {
                        return None;
                    }
                    // `or` between spaces or brackets: not a name.
                    if split.is_none()
                        && word_at(i, "or")
                        && (i == 0 || b[i - 1].is_ascii_whitespace() || b[i - 1] == b')')
                        && b.get(i + 2)
                            .is_some_and(|c| c.is_ascii_whitespace() || *c == b'(')
                    {
                        split = Some(i);
                    }
                }
                _ => {}
            },
        }
    }
    let i = split?;
    let (a, b) = (test[..i].trim(), test[i + 2..].trim());
    (!a.is_empty() && !b.is_empty()).then_some((a, b))
}

fn is_name_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b':' | b'$' | b'@')
}

/// Each code list of the stylesheets' `document()` files, as one string
/// `" code code … "`, by (file, list id); only lists whose codes hold no
/// space, quote or control character.
fn code_lists() -> &'static HashMap<(String, String), String> {
    static LISTS: std::sync::OnceLock<HashMap<(String, String), String>> =
        std::sync::OnceLock::new();
    LISTS.get_or_init(|| {
        let mut out = HashMap::new();
        for (file, text) in super::sets::CODE_LISTS {
            let Ok(doc) = roxmltree::Document::parse(text) else {
                continue;
            };
            for cl in doc.descendants().filter(|n| n.has_tag_name("cl")) {
                let Some(id) = cl.attribute("id") else {
                    continue;
                };
                let values: Vec<&str> = cl
                    .children()
                    .filter(|n| n.has_tag_name("enumeration"))
                    .filter_map(|n| n.attribute("value"))
                    .collect();
                let plain = values.iter().all(|v| {
                    !v.is_empty()
                        && !v
                            .chars()
                            .any(|c| c.is_whitespace() || c.is_control() || c == '\'' || c == '"')
                });
                if plain {
                    out.insert(
                        (file.to_string(), id.to_string()),
                        format!(" {} ", values.join(" ")),
                    );
                }
            }
        }
        out
    })
}

/// The Factur-X stylesheets test a code against their code list with
/// `string-length($v)=0 or document('F')/codedb/cl[@id=N]/enumeration[@value=$v]`:
/// a scan of up to two thousand elements, each compared under the default
/// collation, for every coded value of the invoice. Where that lookup is an
/// operand of `or` (so only its truth counts), it is written as the same
/// test on the list held as one string: some item of `$v` whose string has
/// no whitespace is one of the list's codes. Other uses are left as written.
fn code_list_lookups(x: &str) -> String {
    static LOOKUP: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = LOOKUP.get_or_init(|| {
        regex::Regex::new(&format!(
            r"\bor\s+doc\('{}([^']+)'\)/codedb/cl\[@id=(\d+)\]/enumeration\[@value=\$([A-Za-z_][\w.-]*)\](\s*(?:\)|$|or\b|and\b))",
            regex::escape(CODE_LIST_BASE)
        ))
        .expect("the code list pattern is valid")
    });
    if !x.contains("/codedb/cl[") {
        return x.to_string();
    }
    re.replace_all(x, |c: &regex::Captures| {
        let whole = c[0].to_string();
        let Some(list) = code_lists().get(&(c[1].to_string(), c[2].to_string())) else {
            return whole;
        };
        let v = &c[3];
        format!(
            "or (some $facteur-v in ${v} satisfies (string-length(translate(string($facteur-v), ' \t\n\r', '')) = string-length(string($facteur-v)) and contains('{list}', concat(' ', string($facteur-v), ' ')))){}",
            &c[4]
        )
    })
    .into_owned()
}

/// `//name` written as `/descendant::name` where the two select the same
/// nodes: a named step whose predicates cannot be positional. The official
/// rules count and sum over `//` paths from the root on every document;
/// the engine evaluates `//` as `descendant-or-self::node()/child::`, one
/// step per node of the document then a sort into document order, where
/// the descendant axis is one walk. Everything else is left as written:
/// `//` before `@`, `(`, `.`, `*` or a kind test, inside a string literal,
/// or before a step with a predicate that is a number, a variable, or uses
/// `position()` or `last()`.
fn descendant_steps(x: &str) -> String {
    let b = x.as_bytes();
    let mut out = String::with_capacity(x.len() + 64);
    let mut quote: Option<u8> = None;
    let mut i = 0;
    let mut copied = 0;
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'\'' || c == b'"' => quote = Some(c),
            None if c == b'/' && b.get(i + 1) == Some(&b'/') => {
                if let Some(end) = safe_named_step(x, i + 2) {
                    out.push_str(&x[copied..i]);
                    out.push_str("/descendant::");
                    copied = i + 2;
                    i = end;
                    continue;
                }
                i += 2;
                continue;
            }
            None => {}
        }
        i += 1;
    }
    out.push_str(&x[copied..]);
    out
}

/// Where a named step starting at `start` ends, when it is a plain
/// `prefix:name` or `name` followed only by predicates that cannot select by
/// position; `None` otherwise.
fn safe_named_step(x: &str, start: usize) -> Option<usize> {
    let b = x.as_bytes();
    let name_char = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.');
    let mut i = start;
    if !b
        .get(i)
        .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
    {
        return None;
    }
    while i < b.len() && (name_char(b[i]) || b[i] == b':') {
        // `::` is an axis, not a prefix.
        if b[i] == b':' && b.get(i + 1) == Some(&b':') {
            return None;
        }
        i += 1;
    }
    if b.get(i - 1) == Some(&b':') {
        return None;
    }
    // A kind test or a function call.
    let mut j = i;
    while b.get(j).is_some_and(|c| c.is_ascii_whitespace()) {
        j += 1;
    }
    if b.get(j) == Some(&b'(') {
        return None;
    }
    // Each predicate must be positional-proof.
    while b.get(j) == Some(&b'[') {
        let close = matching_bracket(x, j)?;
        let p = x[j + 1..close].trim();
        if !non_positional(p) {
            return None;
        }
        j = close + 1;
        while b.get(j).is_some_and(|c| c.is_ascii_whitespace()) {
            j += 1;
        }
    }
    Some(i)
}

/// The `]` closing the `[` at `open`, outside string literals.
fn matching_bracket(x: &str, open: usize) -> Option<usize> {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for (k, c) in x[open..].char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '[') => depth += 1,
            (None, ']') => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + k);
                }
            }
            _ => {}
        }
    }
    None
}

/// A predicate whose value is a boolean or a node test, never a number:
/// a comparison, or a plain relative path; and no `position()` or
/// `last()`.
fn non_positional(p: &str) -> bool {
    if p.is_empty() || p.contains("position()") || p.contains("last()") {
        return false;
    }
    let comparison = [
        "=", "<", ">", " eq ", " ne ", " lt ", " gt ", " le ", " ge ",
    ]
    .iter()
    .any(|op| p.contains(op));
    let path = p
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, ':' | '@' | '/' | '_' | '-' | '.'))
        && p.chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '@');
    // A top-level arithmetic or a variable alone could be a number.
    (comparison || path) && !p.starts_with('$')
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

    #[test]
    fn code_list_lookups_only_where_only_their_truth_counts() {
        let lookup = "doc('file:///facteur/rules/FACTUR-X_EN16931_codedb.xml')/codedb/cl[@id=8]/enumeration[@value=$codeValue8]";
        let x = format!("boolean(string-length($codeValue8)=0 or {lookup})");
        let y = code_list_lookups(&x);
        assert!(!y.contains("/codedb/"), "{y}");
        assert!(
            y.contains(" C62 ") && y.contains("$codeValue8 satisfies"),
            "{y}"
        );
        // Counted, or followed by a path: left alone.
        for x in [format!("count({lookup})"), format!("x or {lookup}/@value")] {
            assert_eq!(code_list_lookups(&x), x);
        }
    }

    /// The lookup written as a string test gives the official answer on
    /// every code of every list, and on values that are not codes.
    #[test]
    fn code_list_lookups_agree_with_the_code_lists() {
        let schema = Arc::new(Schema {
            globals: vec![],
            ..Default::default()
        });
        let c = Compiled::new(schema).unwrap();
        let mut documents = Documents::new();
        for (name, text) in super::super::sets::CODE_LISTS {
            let uri = format!("{CODE_LIST_BASE}{name}");
            let uri: &iri_string::types::IriStr = uri.as_str().try_into().unwrap();
            documents.add_string(uri, text).unwrap();
        }
        let root = add_document(
            &mut documents,
            "file:///facteur/t.xml",
            "<t><v>C62</v><v>c62</v><v> C62</v><v>C62 H87</v><v>EUR</v><v>ZZZZ</v><v/></t>",
        )
        .unwrap();
        let mut run = Run {
            documents: &mut documents,
            vars: c.empty_vars(),
        };
        let mut lists = 0;
        for ((file, id), _) in code_lists()
            .iter()
            .filter(|((f, _), _)| f.contains("EN16931"))
        {
            let official = format!(
                "for $v in (//v, doc('{CODE_LIST_BASE}{file}')/codedb/cl[@id={id}]/enumeration/@value) return boolean(string-length($v)=0 or doc('{CODE_LIST_BASE}{file}')/codedb/cl[@id={id}]/enumeration[@value=$v])"
            );
            let ours = code_list_lookups(&official);
            assert_ne!(ours, official);
            let a = run.eval(&c.compile(&official).unwrap(), root).unwrap();
            let b = run.eval(&c.compile(&ours).unwrap(), root).unwrap();
            let bools = |s: &Sequence| -> Vec<bool> {
                s.iter()
                    .map(|i| i.effective_boolean_value().unwrap())
                    .collect()
            };
            assert_eq!(bools(&a), bools(&b), "{file} list {id}");
            lists += 1;
        }
        assert!(lists > 20, "{lists}");
    }

    /// `x` evaluated with `root` as its context: each item's string value,
    /// joined by spaces.
    fn strings(documents: &mut Documents, root: xot::Node, x: &str) -> Result<String, String> {
        let q = Queries::default().sequence(x).map_err(|e| e.to_string())?;
        let seq = q.execute(documents, root).map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        for i in seq.iter() {
            out.push(i.string_value(documents.xot()).map_err(|e| e.to_string())?);
        }
        Ok(out.join(" "))
    }

    #[test]
    fn the_descendant_index_gives_the_nodes_a_walk_gives() {
        let xml = "<a><b id='1'><b id='2'/><c><b id='3'/></c></b><n:b xmlns:n='urn:n' id='4'/>\
                   <c><b id='5'/></c><!-- b --></a>";
        let (mut documents, root) = loaded(xml);
        let queries = [
            "/descendant::b/@id/string()",
            "//b/@id/string()",
            "/descendant-or-self::b/@id/string()",
            "count(/descendant::c)",
            "(/descendant::c/descendant::b)/@id/string()",
            "count(/descendant::nothing)",
            "/descendant::b[@id > 2]/@id/string()",
        ];
        let walked: Vec<_> = queries
            .iter()
            .map(|q| strings(&mut documents, root, q))
            .collect();
        assert_eq!(walked[0].as_deref(), Ok("1 2 3 5"));
        assert_eq!(xee_interpreter::xml::indexed_documents(), 0);
        let indexed: Vec<_> = {
            let _index = DescendantIndex::on();
            let found = queries
                .iter()
                .map(|q| strings(&mut documents, root, q))
                .collect();
            // The steps were read from the index of this one document.
            assert_eq!(xee_interpreter::xml::indexed_documents(), 1);
            found
        };
        assert_eq!(walked, indexed);
        assert_eq!(xee_interpreter::xml::indexed_documents(), 0);
        // Off again, and a document added after is found.
        let other =
            add_document(&mut documents, "file:///facteur/other.xml", "<b id='9'/>").unwrap();
        assert_eq!(
            strings(&mut documents, other, "/descendant::b/@id/string()").as_deref(),
            Ok("9")
        );
    }

    #[test]
    fn or_and_and_leave_their_right_operand_when_the_left_decides() {
        let (mut documents, root) = loaded("<a><b>1</b></a>");
        for (x, want) in [
            ("true() or error()", Ok::<&str, ()>("true")),
            ("false() and error()", Ok("false")),
            ("exists(/a/b) or error()", Ok("true")),
            ("/a/c or error()", Err(())),
            ("/a/b and error()", Err(())),
            ("(/a/b = 1) or (/a/b = 2)", Ok("true")),
            ("(/a/b = 2) or (/a/b = 3)", Ok("false")),
            ("(/a/b = 1) and (/a/b = 2)", Ok("false")),
            ("/a/b and /a", Ok("true")),
            ("() or 'x'", Ok("true")),
            ("'' and error()", Ok("false")),
            // The left operand's own errors stay errors.
            ("(1, 2) or true()", Err(())),
        ] {
            let got = strings(&mut documents, root, x).map_err(|_| ());
            assert_eq!(got.as_deref(), want.as_deref(), "{x}");
        }
    }

    #[test]
    fn descendant_steps_only_where_they_select_the_same_nodes() {
        for (x, want) in [
            ("count(//ram:A)", "count(/descendant::ram:A)"),
            (
                "//ram:A[ram:B='x']/ram:C",
                "/descendant::ram:A[ram:B='x']/ram:C",
            ),
            ("$d//ram:A[ram:B]", "$d/descendant::ram:A[ram:B]"),
            ("//ram:A[1]", "//ram:A[1]"),
            ("//ram:A[$n]", "//ram:A[$n]"),
            ("//ram:A[position() = 2]", "//ram:A[position() = 2]"),
            (
                "//ram:A[ram:B = 'x'][last()]",
                "//ram:A[ram:B = 'x'][last()]",
            ),
            ("//@id", "//@id"),
            ("//*", "//*"),
            ("//text()", "//text()"),
            ("'//ram:A'", "'//ram:A'"),
            ("//child::ram:A", "//child::ram:A"),
        ] {
            assert_eq!(descendant_steps(x), want, "{x}");
        }
    }

    #[test]
    fn plain_paths_are_read_and_the_rest_left_to_xpath() {
        let schema = Schema {
            namespaces: vec![("r".into(), "urn:r".into())],
            ..Default::default()
        };
        for xpath in [
            "r:A[r:B]",
            "r:A/*",
            "zz:A",
            "r:A//r:B",
            "/",
            "ancestor::r:A",
            "r:A/text()",
        ] {
            assert_eq!(Path::parse_all(&schema, xpath), None, "{xpath}");
        }
        let p = Path::parse_all(&schema, "/r:A/r:B | //r:C/@id").unwrap();
        assert!(p[0].absolute && !p[1].absolute);
        assert_eq!(p[1].steps[1], Step::Attribute(String::new(), "id".into()));

        let mut xot = xot::Xot::new();
        let doc = xot
            .parse(r#"<r:A xmlns:r="urn:r"><r:B/><r:X><r:B/><r:C id="1"/></r:X></r:A>"#)
            .unwrap();
        let all: Vec<xot::Node> = xot
            .descendants(doc)
            .flat_map(|n| std::iter::once(n).chain(xot.attribute_nodes(n).collect::<Vec<_>>()))
            .collect();
        let hits = |p: &Path| all.iter().filter(|n| p.matches(&xot, **n)).count();
        // Only the B right under the root A; the id attribute of C.
        assert_eq!(hits(&p[0]), 1);
        assert_eq!(hits(&p[1]), 1);
        let any_b = &Path::parse_all(&schema, "r:B").unwrap()[0];
        assert_eq!(hits(any_b), 2);
    }

    /// Every official rule whose context is matched without XPath matches
    /// exactly the nodes its XPath query gives, on every CI sample document.
    #[test]
    fn lets_are_bound_only_where_a_test_reads_them() {
        let lets = vec![
            ("a".to_string(), "ram:A".to_string()),
            ("b".to_string(), "normalize-space($a)".to_string()),
            ("ab".to_string(), "//ram:Line[ram:ID = $b]".to_string()),
        ];
        // Through another let; `$ab` is not `$a`.
        assert_eq!(
            with_lets(&lets, "$b = ''"),
            "let $a := (ram:A), $b := (normalize-space($a)) return $b = ''"
        );
        assert_eq!(
            with_lets(&lets, "$ab"),
            "let $a := (ram:A), $b := (normalize-space($a)), $ab := (//ram:Line[ram:ID = $b]) return $ab"
        );
        assert_eq!(with_lets(&lets, "exists(ram:B)"), "exists(ram:B)");
        // A guard that reads no let keeps them for the other side.
        assert_eq!(
            guarded_lets(&lets, "not($f(/x))   or ($ab != '' and $a)").as_deref(),
            Some(
                "(not($f(/x))) or (let $a := (ram:A), $b := (normalize-space($a)), $ab := (//ram:Line[ram:ID = $b]) return (($ab != '' and $a)))"
            )
        );
        // Not a guard: it reads a let, or the `or` is not the top level.
        for test in [
            "$a = '' or $b",
            "(x or $a)",
            "every $l in ram:L satisfies $l = 1 or $a",
            "if (x) then $a else y or $b",
            "some $x in (1, 2) satisfies $x or $a",
            "for $x in ram:L return $x or $a",
            "let $y := 1 return $y or $a",
            "x, y or $a",
            "ram:order = 'or' and $a",
            "ram:Order = ram:or-else and $a",
        ] {
            assert_eq!(guarded_lets(&lets, test), None, "{test}");
        }
        // `or` binds loosest: the first disjunct is `A and B`, the rest `C or D`.
        assert_eq!(
            first_disjunct("x = 'a or b' and y or (z) or $a"),
            Some(("x = 'a or b' and y", "(z) or $a"))
        );
        assert_eq!(first_disjunct("not(x)or(y)"), Some(("not(x)", "(y)")));
        assert_eq!(guarded_lets(&[], "x or y"), None);
    }

    /// The e-invoice fixtures' XML documents, in the order of their text.
    fn fixture_documents() -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/einvoice");
        let mut docs: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "xml"))
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect();
        docs.sort();
        docs
    }

    /// `xml` loaded for evaluation, and its document node.
    fn loaded(xml: &str) -> (Documents, xot::Node) {
        let mut documents = Documents::new();
        let root = add_document(&mut documents, "file:///facteur/test.xml", xml).unwrap();
        (documents, root)
    }

    /// The nodes of a sequence, in its order.
    fn nodes_of(seq: &Sequence) -> Vec<xot::Node> {
        seq.iter()
            .filter_map(|i| match i {
                Item::Node(n) => Some(n),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn empty_elements_are_matched_as_xpath_matches_them() {
        let schema = Arc::new(
            super::super::stylesheet::parse(
                super::super::sets::STYLESHEETS
                    .iter()
                    .find(|(n, _)| *n == "Factur-X EN 16931")
                    .map(|(_, t)| *t)
                    .unwrap(),
            )
            .unwrap(),
        );
        let c = Compiled::new(schema.clone()).unwrap();
        let (pi, ri) = c
            .patterns
            .iter()
            .enumerate()
            .find_map(|(pi, p)| {
                p.rules
                    .iter()
                    .position(|r| r.empty_leaves)
                    .map(|ri| (pi, ri))
            })
            .expect("the official Factur-X rules have the empty-element rule");
        let mut docs = fixture_documents();
        // White space of every kind, a no-break space (not white space to
        // XPath), comments and processing instructions, CDATA, nesting.
        docs.push(
            "<a><b/><c> </c><d>\t\r\n </d><e>\u{a0}</e><f><!-- x --></f><g><?p x?> </g>\
             <h><![CDATA[ ]]></h><i><![CDATA[x]]></i><j><k/></j><l>x<!-- y --></l><m a='1'/></a>"
                .to_string(),
        );
        let mut found = 0;
        for xml in &docs {
            let (mut documents, root) = loaded(xml);
            let mut run = Run {
                documents: &mut documents,
                vars: c.empty_vars(),
            };
            let xot = run.documents.xot();
            let native: Vec<xot::Node> = xot
                .descendants(root)
                .filter(|n| is_empty_leaf(xot, *n))
                .collect();
            let by_xpath = nodes_of(&run.eval(c.matches(pi, ri).as_ref().unwrap(), root).unwrap());
            assert_eq!(native, by_xpath, "{}", shorten(xml));
            found += native.len();
        }
        // b c d f g h k m of the made-up document, and some in the fixtures.
        assert!(found > 8, "{found}");
    }

    #[test]
    fn plain_path_matching_agrees_with_xpath_on_the_official_rules() {
        let docs = fixture_documents();
        // Every third document: all syntaxes and profiles, in less time.
        let docs: Vec<String> = docs.into_iter().step_by(3).collect();
        assert!(docs.len() > 10);
        let mut compared = 0usize;
        for (name, text) in super::super::sets::STYLESHEETS {
            let schema = Arc::new(super::super::stylesheet::parse(text).unwrap());
            let c = Compiled::new(schema.clone()).unwrap();
            for xml in &docs {
                let (mut documents, root) = loaded(xml);
                let mut run = Run {
                    documents: &mut documents,
                    vars: c.empty_vars(),
                };
                let nodes: Vec<xot::Node> = {
                    let xot = run.documents.xot();
                    xot.descendants(root)
                        .flat_map(|n| {
                            std::iter::once(n).chain(xot.attribute_nodes(n).collect::<Vec<_>>())
                        })
                        .collect()
                };
                for (pi, p) in c.patterns.iter().enumerate() {
                    for (ri, r) in p.rules.iter().enumerate() {
                        let Some(paths) = &r.paths else { continue };
                        let xot = run.documents.xot();
                        let native: Vec<xot::Node> = nodes
                            .iter()
                            .copied()
                            .filter(|n| paths.iter().any(|p| p.matches(xot, *n)))
                            .collect();
                        let q = c.matches(pi, ri).as_ref().unwrap();
                        let mut by_xpath = nodes_of(&run.eval(q, root).unwrap());
                        let order: HashMap<xot::Node, usize> =
                            nodes.iter().enumerate().map(|(i, n)| (*n, i)).collect();
                        by_xpath.sort_by_key(|n| order.get(n).copied().unwrap_or(usize::MAX));
                        assert_eq!(
                            native, by_xpath,
                            "{name}: {}",
                            schema.patterns[pi].rules[ri].context
                        );
                        compared += 1;
                    }
                }
            }
        }
        assert!(compared > 1000, "{compared}");
    }
}
