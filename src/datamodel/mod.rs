//! Datamodels: the Common Information Model's datasets, evaluated over the loaded events.
//!
//! A datamodel (Change, Authentication, ...) is a tree of datasets. An event belongs to a
//! dataset when it meets that dataset's constraint (a search expression, usually on `tag`)
//! and its parent's. A dataset's fields are the event's own fields of the same name, or
//! eval expressions over them. Definitions are data: `datamodels/*.yml` at the top of the
//! repository are built in (the CIM's Change and Authentication, written for spelunk), and
//! more can be added from a directory of files in the same format ([`DataModels::load_dir`]).
//!
//! Three commands read datamodels, each as a first search of [`lineage_constraint`] (the
//! dataset's events) and then [`evaluate`] (its fields):
//! - `tstats ... from datamodel=Model[.Dataset]`: fields named by their dataset path from
//!   the root (`All_Changes.user`, `All_Changes.Instance_Changes.image_id`), see
//!   [`Naming::Prefixed`];
//! - `datamodel Model Dataset search`: the events, with the same prefixed fields;
//! - `from datamodel:Model.Dataset`: the events, with the dataset's fields under their
//!   plain names ([`Naming::Plain`]).

mod shared;

pub use shared::Evaluations;

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;
use std::sync::OnceLock;

use indexmap::IndexMap;
use serde::Deserialize;

use crate::eval::memo::Memo;
use crate::eval::search::matches;
use crate::eval::{eval, Context, EvalError};
use crate::events::Value;
use crate::frame::Frame;
use crate::syntax::fields::{expr_fields, search_fields};
use crate::syntax::{CommandKind, Expr, ExprKind, SearchExpr, SearchKind};

/// The datamodels a search can name.
#[derive(Debug)]
pub struct DataModels {
    models: Vec<DataModel>,
}

#[derive(Debug)]
pub struct DataModel {
    pub name: String,
    /// In tree order: a parent comes before its children.
    pub datasets: Vec<DatasetDef>,
}

#[derive(Debug)]
pub struct DatasetDef {
    pub name: String,
    pub parent: Option<usize>,
    pub constraint: Option<SearchExpr>,
    pub fields: Vec<FieldDef>,
}

/// A dataset field: the event's field `name`, or `name = <eval expression>`.
#[derive(Debug)]
pub struct FieldDef {
    pub name: String,
    pub calculation: Option<Expr>,
}

/// A definition file that could not be used.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelError {
    pub file: String,
    pub message: String,
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

impl std::error::Error for ModelError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModel {
    model: String,
    datasets: Vec<RawDataset>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDataset {
    name: String,
    #[serde(default)]
    parent: Option<String>,
    #[serde(default)]
    constraint: Option<String>,
    #[serde(default)]
    fields: Vec<String>,
}

/// The definitions spelunk ships (`datamodels/` at the top of the repository).
const BUILTIN: &[(&str, &str)] = &[
    ("datamodels/Authentication.yml", include_str!("../../datamodels/Authentication.yml")),
    ("datamodels/Change.yml", include_str!("../../datamodels/Change.yml")),
];

impl Default for DataModels {
    /// The built-in definitions.
    fn default() -> Self {
        DataModels::new()
    }
}

impl DataModels {
    /// The built-in definitions (CIM Change and Authentication), shared.
    pub fn builtin() -> &'static DataModels {
        static MODELS: OnceLock<DataModels> = OnceLock::new();
        MODELS.get_or_init(DataModels::new)
    }

    /// The built-in definitions, as a set more can be added to ([`DataModels::load_dir`]).
    pub fn new() -> DataModels {
        let mut m = DataModels { models: Vec::new() };
        for (file, text) in BUILTIN {
            // The shipped files are tested (`builtin_definitions_load`).
            m.add_text(file, text).unwrap_or_else(|e| panic!("built-in datamodel: {e}"));
        }
        m
    }

    /// Reads every `*.yml` file of `dir`, in name order; a model defined again replaces the
    /// earlier definition (a built-in one included).
    pub fn load_dir(&mut self, dir: &Path) -> Result<(), ModelError> {
        let err = |message: String| ModelError { file: dir.display().to_string(), message };
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| err(e.to_string()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yml" || x == "yaml"))
            .collect();
        files.sort();
        for p in files {
            let text = std::fs::read_to_string(&p)
                .map_err(|e| ModelError { file: p.display().to_string(), message: e.to_string() })?;
            self.add_text(&p.display().to_string(), &text)?;
        }
        Ok(())
    }

    /// Adds one definition (YAML, the format of `datamodels/Change.yml`).
    pub fn add_text(&mut self, file: &str, text: &str) -> Result<(), ModelError> {
        let err = |message: String| ModelError { file: file.to_string(), message };
        let raw: RawModel = serde_saphyr::from_str(text).map_err(|e| err(e.to_string()))?;
        let mut datasets: Vec<DatasetDef> = Vec::new();
        for d in raw.datasets {
            if datasets.iter().any(|x| x.name == d.name) {
                return Err(err(format!("dataset `{}` is defined twice", d.name)));
            }
            let parent =
                match &d.parent {
                    None => None,
                    Some(p) => Some(datasets.iter().position(|x| &x.name == p).ok_or_else(|| {
                        err(format!("dataset `{}`: its parent `{p}` must be defined before it", d.name))
                    })?),
                };
            let constraint = match &d.constraint {
                None => None,
                Some(text) => Some(parse_constraint(text).map_err(|m| err(format!("dataset `{}`: {m}", d.name)))?),
            };
            let mut fields = Vec::new();
            for f in &d.fields {
                let field = parse_field(f).map_err(|m| err(format!("dataset `{}`, field `{f}`: {m}", d.name)))?;
                if fields.iter().any(|x: &FieldDef| x.name == field.name) {
                    return Err(err(format!("dataset `{}`: field `{}` is listed twice", d.name, field.name)));
                }
                fields.push(field);
            }
            datasets.push(DatasetDef { name: d.name, parent, constraint, fields });
        }
        if datasets.is_empty() {
            return Err(err(format!("datamodel `{}` has no datasets", raw.model)));
        }
        let model = DataModel { name: raw.model, datasets };
        self.models.retain(|m| !m.name.eq_ignore_ascii_case(&model.name));
        self.models.push(model);
        Ok(())
    }

    pub fn models(&self) -> &[DataModel] {
        &self.models
    }

    /// `Model`, `Model.Dataset` or `Model.Root.Child` (as `from datamodel=` writes them) to
    /// a dataset. A model alone means its root dataset when it has only one.
    pub fn resolve(&self, spec: &str) -> Result<Node<'_>, String> {
        let spec = spec.trim().trim_matches('"');
        let mut parts = spec.split('.');
        let name = parts.next().unwrap_or_default();
        let model = self.models.iter().find(|m| m.name.eq_ignore_ascii_case(name)).ok_or_else(|| {
            let known: Vec<&str> = self.models.iter().map(|m| m.name.as_str()).collect();
            format!("no datamodel named `{name}` (spelunk knows: {})", known.join(", "))
        })?;
        let path: Vec<&str> = parts.collect();
        let dataset = match path.last() {
            None => {
                let roots: Vec<usize> =
                    (0..model.datasets.len()).filter(|&d| model.datasets[d].parent.is_none()).collect();
                match roots.as_slice() {
                    [one] => *one,
                    _ => {
                        let names: Vec<&str> = roots.iter().map(|&d| model.datasets[d].name.as_str()).collect();
                        return Err(format!("name a dataset of `{}`: {}", model.name, names.join(", ")));
                    }
                }
            }
            Some(last) => model.datasets.iter().position(|d| d.name.eq_ignore_ascii_case(last)).ok_or_else(|| {
                let names: Vec<&str> = model.datasets.iter().map(|d| d.name.as_str()).collect();
                format!("datamodel `{}` has no dataset `{last}` (it has: {})", model.name, names.join(", "))
            })?,
        };
        let node = Node { model, dataset };
        // A written path must be the dataset's own path (`Change.Instance_Changes` and
        // `Change.All_Changes.Instance_Changes` both name Instance_Changes).
        if path.len() > 1 && !node.path(dataset).eq_ignore_ascii_case(&path.join(".")) {
            return Err(format!("`{spec}`: the path of that dataset is `{}.{}`", model.name, node.path(dataset)));
        }
        Ok(node)
    }
}

/// The datamodel a command names: `datamodel=Change.All_Changes`, `datamodel:...` or
/// `datamodel ...` (as `tstats from` and `from` write it) to `Change.All_Changes`.
pub fn reference(text: &str) -> Option<&str> {
    let text = text.trim();
    let head = text.get(..10)?;
    let named = head[..9].eq_ignore_ascii_case("datamodel") && matches!(head.as_bytes()[9], b'=' | b':' | b' ');
    Some(text[10..].trim()).filter(|rest| named && !rest.is_empty())
}

/// A constraint is search text, as after `search`: one expression, no pipe.
fn parse_constraint(text: &str) -> Result<SearchExpr, String> {
    let p = crate::syntax::parse(text).map_err(|e| format!("constraint `{text}`: {}", e.message))?;
    let single = p.commands.len() == 1;
    match p.commands.into_iter().next().map(|c| c.kind) {
        Some(CommandKind::Search(Some(e))) if single => Ok(e),
        _ => Err(format!("constraint `{text}` must be a search expression")),
    }
}

/// `name` or `name = expression`.
fn parse_field(text: &str) -> Result<FieldDef, String> {
    let (name, calc) = match text.split_once('=') {
        Some((n, e)) => (n.trim(), Some(e.trim())),
        None => (text.trim(), None),
    };
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err("a field is `name` or `name = <eval expression>`".into());
    }
    let calculation = match calc {
        None => None,
        Some(e) => Some(crate::syntax::parse_expr(e).map_err(|err| format!("the expression: {}", err.message))?),
    };
    Ok(FieldDef { name: name.to_string(), calculation })
}

/// One dataset of a model.
#[derive(Debug, Clone, Copy)]
pub struct Node<'m> {
    pub model: &'m DataModel,
    pub dataset: usize,
}

impl Node<'_> {
    /// The dataset's ancestors and itself, root first.
    pub fn lineage(&self) -> Vec<usize> {
        let mut out = vec![self.dataset];
        while let Some(p) = self.model.datasets[*out.last().expect("not empty")].parent {
            out.push(p);
        }
        out.reverse();
        out
    }

    /// Every dataset below this one (children, their children, ...), in tree order.
    pub fn descendants(&self) -> Vec<usize> {
        let mut inside = vec![self.dataset];
        let mut out = Vec::new();
        for (d, def) in self.model.datasets.iter().enumerate() {
            if def.parent.is_some_and(|p| inside.contains(&p)) {
                inside.push(d);
                out.push(d);
            }
        }
        out
    }

    /// A dataset's path of names from its root: `All_Changes.Instance_Changes`.
    pub fn path(&self, d: usize) -> String {
        let node = Node { model: self.model, dataset: d };
        let names: Vec<&str> = node.lineage().iter().map(|&k| self.model.datasets[k].name.as_str()).collect();
        names.join(".")
    }

    /// The datasets whose fields a search of this node sees: its lineage, and with
    /// prefixed names every dataset below it.
    fn scope(&self, naming: Naming) -> Vec<usize> {
        let mut scope = self.lineage();
        if naming == Naming::Prefixed {
            scope.extend(self.descendants());
        }
        scope
    }

    /// The datasets in the scope that are not on the lineage: those whose membership
    /// among the node's events is decided per event.
    fn below(&self, naming: Naming) -> Vec<usize> {
        let lineage = self.lineage();
        self.scope(naming).into_iter().filter(|d| !lineage.contains(d)).collect()
    }

    /// Every datamodel field a search of this node sees: (dataset, definition, name).
    pub fn fields(&self, naming: Naming) -> Vec<(usize, &FieldDef, String)> {
        let mut out = Vec::new();
        for d in self.scope(naming) {
            for f in &self.model.datasets[d].fields {
                let name = match naming {
                    Naming::Prefixed => format!("{}.{}", self.path(d), f.name),
                    Naming::Plain => f.name.clone(),
                };
                out.push((d, f, name));
            }
        }
        out
    }

    /// A digest of all that this node's fields under `naming` depend on besides the events
    /// and the search-time knowledge: the model's definitions (as parsed, printed with
    /// their spans), the dataset and the naming. `None` when they depend on the run as
    /// well: a calculation calls `now()` or `time()`, or a constraint has a time modifier
    /// or a subsearch.
    pub fn fingerprint(&self, naming: Naming) -> Option<[u8; 16]> {
        let by_run = self.model.datasets.iter().any(|d| {
            d.constraint.as_ref().is_some_and(search_depends_on_run)
                || d.fields.iter().filter_map(|f| f.calculation.as_ref()).any(expr_depends_on_run)
        });
        if by_run {
            return None;
        }
        let mut h = crate::digest::Hasher128::new();
        h.bytes(format!("{:?} {} {naming:?}", self.model, self.dataset).as_bytes());
        Some(h.finish())
    }

    /// `Model.Root.Dataset`, for messages.
    pub fn display(&self) -> String {
        format!("{}.{}", self.model.name, self.path(self.dataset))
    }
}

/// Whether an expression's value depends on when it runs (`now()`, `time()`).
fn expr_depends_on_run(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Call { name, args } => {
            matches!(name.to_ascii_lowercase().as_str(), "now" | "time") || args.iter().any(expr_depends_on_run)
        }
        ExprKind::Field(_) | ExprKind::Str(_) | ExprKind::Num(_) => false,
        ExprKind::Unary { expr, .. } => expr_depends_on_run(expr),
        ExprKind::Binary { lhs, rhs, .. } => expr_depends_on_run(lhs) || expr_depends_on_run(rhs),
        ExprKind::In { expr, list } => expr_depends_on_run(expr) || list.iter().any(expr_depends_on_run),
    }
}

/// Whether the events a search matches depend on when it runs (a time modifier) or on
/// other searches (a subsearch).
fn search_depends_on_run(e: &SearchExpr) -> bool {
    match &e.kind {
        SearchKind::And(items) | SearchKind::Or(items) => items.iter().any(search_depends_on_run),
        SearchKind::Not(inner) => search_depends_on_run(inner),
        SearchKind::TimeModifier { .. } | SearchKind::Subsearch(_) => true,
        SearchKind::Compare { .. } | SearchKind::In { .. } | SearchKind::Term { .. } => false,
    }
}

/// How a dataset's fields are named in the results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Naming {
    /// `All_Changes.user`, `All_Changes.Instance_Changes.image_id` (tstats, `datamodel`):
    /// the node's lineage and every dataset below it, each field under its dataset's path,
    /// and `nodename`, the paths of the datasets each event belongs to.
    Prefixed,
    /// `user`, `image_id` (`from datamodel`): the node's lineage only, plain names.
    Plain,
}

/// Fields every dataset inherits from the event, unprefixed (`by _time`, `where source=*`).
pub const INHERITED: &[&str] = &["_time", "host", "source", "sourcetype", "index"];

/// The search that selects a dataset's events: its lineage's constraints (root to node),
/// AND-ed. `None` when no dataset on the way has a constraint (every event belongs).
/// Run as the first search of the events ([`crate::engine`]'s `search::initial`), so over
/// many events it is decided once per distinct combination of the values it reads.
pub fn lineage_constraint(node: &Node) -> Option<SearchExpr> {
    let parts: Vec<SearchExpr> =
        node.lineage().iter().filter_map(|&d| node.model.datasets[d].constraint.clone()).collect();
    match parts.len() {
        0 => None,
        1 => parts.into_iter().next(),
        _ => {
            let span = parts[0].span;
            Some(SearchExpr { kind: SearchKind::And(parts), span })
        }
    }
}

/// Evaluates `node` over a frame of its events (those [`lineage_constraint`] selects) and
/// returns the datamodel fields that `wanted` accepts (by their names under `naming`), one
/// value per row (null where the row is outside the field's dataset, a child of the node).
/// The event fields the datamodel's fields read are extracted only for these events.
pub fn evaluate(
    node: &Node,
    frame: &mut Frame,
    naming: Naming,
    wanted: &dyn Fn(&str) -> bool,
    ctx: &Context,
) -> Result<IndexMap<String, Vec<Value>>, EvalError> {
    let member = membership(node, frame, naming)?;
    evaluate_in(node, frame, naming, &member, wanted, ctx)
}

/// Which of the frame's rows (the node's events) belong to each dataset in the node's
/// scope: every row to the node and its ancestors; to a dataset below it, those that meet
/// its constraints.
pub fn membership(node: &Node, frame: &mut Frame, naming: Naming) -> Result<Membership, EvalError> {
    let below = node.below(naming);
    let all_rows = vec![true; frame.height()];
    let mut member = memberships(node.model, &below, frame, Some((node.dataset, &all_rows)))?;
    for d in node.lineage() {
        member.insert(d, all_rows.clone());
    }
    Ok(member)
}

/// Each dataset's membership over a frame's rows, by dataset index.
pub type Membership = IndexMap<usize, Vec<bool>>;

/// [`evaluate`] with the rows' [`membership`] already known.
pub fn evaluate_in(
    node: &Node,
    frame: &mut Frame,
    naming: Naming,
    member: &Membership,
    wanted: &dyn Fn(&str) -> bool,
    ctx: &Context,
) -> Result<IndexMap<String, Vec<Value>>, EvalError> {
    let scope = node.scope(naming);

    // The wanted fields, from the event fields they read.
    let outputs: Vec<(usize, &FieldDef, String)> =
        node.fields(naming).into_iter().filter(|(_, _, name)| wanted(name)).collect();
    let needed = calculation_reads(outputs.iter().map(|(_, f, _)| *f));
    frame.ensure(&needed);
    let cols = frame.columns(&needed);
    let mut columns: IndexMap<String, Vec<Value>> = IndexMap::new();
    for (d, f, name) in &outputs {
        let mut values = Vec::with_capacity(frame.height());
        // A calculation depends only on the fields it reads: over many events it is made
        // once per distinct combination of their values.
        let reads = f.calculation.as_ref().and_then(|e| crate::eval::memo::reads([e]));
        let mut memo: Memo<Result<Value, EvalError>> = Memo::default();
        for (i, &is_member) in member[d].iter().enumerate() {
            let v = if !is_member {
                Value::Null
            } else {
                let row = cols.row(i);
                let calculate = |e: &Expr| Ok(eval(e, &row, ctx)?.into_field().unwrap_or(Value::Null));
                match (&f.calculation, &reads) {
                    (Some(e), Some(reads)) => memo.get_or(&crate::eval::memo::key(&row, reads), || calculate(e))?,
                    (Some(e), None) => calculate(e)?,
                    (None, _) => crate::eval::Row::field(&row, &f.name).cloned().unwrap_or(Value::Null),
                }
            };
            values.push(v);
        }
        columns.insert(name.clone(), values);
    }
    if naming == Naming::Prefixed && wanted("nodename") {
        let nodes: Vec<Value> = (0..frame.height())
            .map(|i| Value::from_values(scope.iter().filter(|d| member[*d][i]).map(|&d| node.path(d)).collect()))
            .collect();
        columns.insert("nodename".into(), nodes);
    }
    Ok(columns)
}

/// The event fields [`evaluate`] reads over the node's events for the datamodel fields
/// `wanted` accepts: the constraints of the datasets below the node (their membership)
/// and what those fields are made from. Known before running, so a run of many searches
/// can make them in its shared passes over the events.
pub fn event_fields(node: &Node, naming: Naming, wanted: &dyn Fn(&str) -> bool) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for d in node.below(naming) {
        if let Some(c) = &node.model.datasets[d].constraint {
            search_fields(c, &mut out);
        }
    }
    let outputs = node.fields(naming).into_iter().filter(|(_, _, name)| wanted(name));
    out.extend(calculation_reads(outputs.map(|(_, f, _)| f)));
    out
}

/// The event fields some datamodel fields are made from: a calculated field's inputs, or
/// the event field of the same name.
fn calculation_reads<'f>(fields: impl Iterator<Item = &'f FieldDef>) -> BTreeSet<String> {
    let mut needed = BTreeSet::new();
    for f in fields {
        match &f.calculation {
            Some(e) => expr_fields(e, &mut needed),
            None => {
                needed.insert(f.name.clone());
            }
        }
    }
    needed
}

/// Each dataset's membership over the frame's rows, datasets in tree order: its parent's
/// (from `known`, or computed here) and its constraint. `known` gives one dataset's
/// membership already decided.
fn memberships(
    model: &DataModel,
    datasets: &[usize],
    frame: &mut Frame,
    known: Option<(usize, &Vec<bool>)>,
) -> Result<IndexMap<usize, Vec<bool>>, EvalError> {
    let mut needed = BTreeSet::new();
    for &d in datasets {
        if let Some(c) = &model.datasets[d].constraint {
            search_fields(c, &mut needed);
        }
    }
    frame.ensure(&needed);
    let cols = frame.columns(&needed);
    let mut member: IndexMap<usize, Vec<bool>> = IndexMap::new();
    if let Some((d, m)) = known {
        member.insert(d, m.clone());
    }
    for &d in datasets {
        let def = &model.datasets[d];
        let mut m = match def.parent.and_then(|p| member.get(&p)) {
            Some(parent) => parent.clone(),
            None => vec![true; frame.height()],
        };
        if let Some(c) = &def.constraint {
            // Decided once per distinct combination of the values the constraint reads.
            let reads = crate::eval::memo::search_reads(c);
            let mut memo: Memo<Result<bool, EvalError>> = Memo::default();
            for (i, keep) in m.iter_mut().enumerate() {
                if *keep {
                    let row = cols.row(i);
                    *keep = match &reads {
                        Some(reads) => memo.get_or(&crate::eval::memo::key(&row, reads), || matches(c, &row))?,
                        None => matches(c, &row)?,
                    };
                }
            }
        }
        member.insert(d, m);
    }
    Ok(member)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_definitions_load() {
        let m = DataModels::builtin();
        let names: Vec<&str> = m.models().iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["Authentication", "Change"]);
    }

    /// A model of one root dataset and a child, the root's field and constraint given.
    fn model(field: &str, constraint: &str) -> DataModels {
        let mut m = DataModels { models: Vec::new() };
        let text = format!(
            "model: M\ndatasets:\n  - name: Root\n    constraint: '{constraint}'\n    fields: ['{field}']\n  - name: Child\n    parent: Root\n    constraint: tag=x\n"
        );
        m.add_text("m.yml", &text).unwrap();
        m
    }

    #[test]
    fn a_fingerprint_tells_apart_what_the_fields_depend_on_and_not_runs() {
        let print = |m: &DataModels, name: &str, naming: Naming| m.resolve(name).unwrap().fingerprint(naming);
        let base = model("user = lower(u)", "tag=change");
        let fp = print(&base, "M", Naming::Prefixed).expect("the same in every run");
        assert_eq!(print(&model("user = lower(u)", "tag=change"), "M", Naming::Prefixed), Some(fp));
        for other in [
            print(&base, "M", Naming::Plain),
            print(&base, "M.Child", Naming::Prefixed),
            print(&model("user = upper(u)", "tag=change"), "M", Naming::Prefixed),
            print(&model("user = lower(u)", "tag=changes"), "M", Naming::Prefixed),
        ] {
            assert!(other.is_some_and(|o| o != fp), "{other:?}");
        }
        // Fields that depend on when the search runs are not the same in the next run.
        for (field, constraint) in [
            ("age = now() - _time", "tag=change"),
            ("t = if(isnull(x), time(), x)", "tag=change"),
            ("user", "tag=change earliest=-1d"),
            ("user", "tag=change [search tag=y | fields host]"),
        ] {
            assert_eq!(print(&model(field, constraint), "M", Naming::Prefixed), None, "{field} {constraint}");
        }
    }

    #[test]
    fn names_resolve_to_datasets_and_paths() {
        let m = DataModels::builtin();
        let root = m.resolve("Change").unwrap();
        assert_eq!(root.display(), "Change.All_Changes");
        let child = m.resolve("Change.Instance_Changes").unwrap();
        assert_eq!(child.path(child.dataset), "All_Changes.Instance_Changes");
        assert_eq!(child.lineage().len(), 2);
        assert_eq!(m.resolve("change.All_Changes.Instance_Changes").unwrap().dataset, child.dataset);
        let auth = m.resolve("Authentication.Authentication").unwrap();
        assert_eq!(auth.descendants().len(), 9);
        let failed = m.resolve("Authentication.Failed_Default_Authentication").unwrap();
        assert_eq!(
            failed.display(),
            "Authentication.Authentication.Default_Authentication.Failed_Default_Authentication"
        );
    }

    #[test]
    fn references_are_written_three_ways() {
        for text in ["datamodel=Change.All_Changes", "DATAMODEL:Change.All_Changes", "datamodel  Change.All_Changes "] {
            assert_eq!(reference(text), Some("Change.All_Changes"), "{text}");
        }
        for text in ["datamodel=", "datamodels=Change", "sid=1234.5", "datamodel", "datamodél=X"] {
            assert_eq!(reference(text), None, "{text}");
        }
    }

    #[test]
    fn unknown_names_say_what_exists() {
        let m = DataModels::builtin();
        let e = m.resolve("Risk.All_Risk").unwrap_err();
        assert!(e.contains("no datamodel named `Risk`") && e.contains("Change"), "{e}");
        let e = m.resolve("Change.Nope").unwrap_err();
        assert!(e.contains("no dataset `Nope`") && e.contains("Instance_Changes"), "{e}");
        let e = m.resolve("Change.Account_Management.Instance_Changes").unwrap_err();
        assert!(e.contains("All_Changes.Instance_Changes"), "{e}");
    }

    #[test]
    fn bad_definitions_are_refused_with_the_reason() {
        let mut m = DataModels::new();
        let e = m.add_text("x.yml", "model: X\ndatasets:\n  - name: B\n    parent: A\n").unwrap_err();
        assert!(e.message.contains("parent `A` must be defined before it"), "{e}");
        let e = m
            .add_text("x.yml", "model: X\ndatasets:\n  - name: A\n    constraint: 'tag=a | stats count'\n")
            .unwrap_err();
        assert!(e.message.contains("must be a search expression"), "{e}");
        let e = m.add_text("x.yml", "model: X\ndatasets:\n  - name: A\n    fields: ['x = if(']\n").unwrap_err();
        assert!(e.to_string().starts_with("x.yml: dataset `A`, field `x = if(`"), "{e}");
        let e = m.add_text("x.yml", "model: X\ndatasets: []\n").unwrap_err();
        assert!(e.message.contains("no datasets"), "{e}");
        let e = m.add_text("x.yml", "model: X\ndatasets:\n  - name: A\n    tags: [a]\n").unwrap_err();
        assert!(e.message.contains("tags"), "{e}");
    }

    #[test]
    fn a_later_definition_replaces_an_earlier_one() {
        let mut m = DataModels { models: Vec::new() };
        m.add_text("a.yml", "model: X\ndatasets:\n  - name: A\n").unwrap();
        m.add_text("b.yml", "model: x\ndatasets:\n  - name: B\n").unwrap();
        assert_eq!(m.models().len(), 1);
        assert_eq!(m.resolve("X").unwrap().display(), "x.B");
        let mut m = DataModels::new();
        m.add_text("mine.yml", "model: Change\ndatasets:\n  - name: Only\n").unwrap();
        assert_eq!(m.resolve("Change").unwrap().display(), "Change.Only");
    }
}
