//! What an expression reads when one field's value is known beforehand.
//!
//! The add-on's calculated fields are decision tables keyed mostly by one field:
//! `user = case(eventName=="PutBucketAcl", 'userIdentity.userName', ..., true(), ...)`
//! reads some fifteen fields, yet for a `DescribeInstances` event its conditions up to the
//! one it takes are decided by `eventName` alone, or read one more field (`eventType`), and
//! only that branch's value is read. A shared pass that knows each event's `eventName`
//! (its column is made) extracts only those ([`reads_given`]; `frame::Dataset`'s shared
//! passes), not `userIdentity.principalId` or `requestParameters.*` for every event.
//!
//! The rule is exact: the expression gives the same value over the event's fields as over
//! only the fields [`reads_given`] names. A condition counts as decided only when the real
//! evaluator, given the known field alone, gives true, false or null for it (a condition
//! reading nothing else), or when an `AND` has an operand decided false (an `OR`, true)
//! and its other operand cannot fail whatever the fields hold ([`cannot_fail`]): the
//! evaluator evaluates both operands, so one that could fail must be read. Anything else
//! is undecided, and every field it and its branch read is read.

use std::collections::BTreeSet;

use super::{eval, Context, EvalValue, Row};
use crate::events::Value;
use crate::syntax::fields::expr_fields;
use crate::syntax::{BinOp, Expr, ExprKind, UnaryOp};

/// One field whose value is known (`None`: the event has no such field).
#[derive(Debug, Clone, Copy)]
pub struct Given<'v> {
    pub field: &'v str,
    pub value: Option<&'v Value>,
}

impl Row for Given<'_> {
    fn field(&self, name: &str) -> Option<&Value> {
        if name == self.field {
            self.value
        } else {
            None
        }
    }

    fn each_field(&self, f: &mut dyn FnMut(&str, &Value)) {
        if let Some(v) = self.value {
            f(self.field, v);
        }
    }
}

/// A condition's value when the known field decides it: `Some(Some(b))` true or false,
/// `Some(None)` null (a branch not taken, as false); `None` when other fields may change it.
type Decided = Option<Option<bool>>;

/// Adds to `out` the fields `e` may read when `given` holds: for a top-level `if` or `case`
/// with a valid number of arguments, the fields of its conditions until one the known field
/// makes true (those it decides read nothing more), and of the values of the branches that
/// may be taken; for any other expression, every field it names.
pub fn reads_given(e: &Expr, given: &Given, ctx: &Context, out: &mut BTreeSet<String>) {
    let ExprKind::Call { name, args } = &e.kind else {
        return expr_fields(e, out);
    };
    if super::functions::decision_conditions(name, args).is_none() {
        return expr_fields(e, out);
    }
    let mut all = BTreeSet::new();
    expr_fields(e, &mut all);
    if all.contains(given.field) {
        out.insert(given.field.to_string());
    }
    if name.eq_ignore_ascii_case("if") {
        match decide(&args[0], given, ctx) {
            Some(Some(true)) => expr_fields(&args[1], out),
            Some(_) => expr_fields(&args[2], out),
            None => out.extend(all),
        }
        return;
    }
    for pair in args.chunks(2) {
        let [c, v] = pair else { unreachable!("decision_conditions checked the pairs") };
        match decide(c, given, ctx) {
            Some(Some(true)) => return expr_fields(v, out),
            Some(_) => {}
            None => {
                expr_fields(c, out);
                expr_fields(v, out);
            }
        }
    }
}

/// Whether `given` decides the condition `c` (see the module's rule).
fn decide(c: &Expr, given: &Given, ctx: &Context) -> Decided {
    let mut read = BTreeSet::new();
    expr_fields(c, &mut read);
    if read.iter().all(|n| n == given.field) {
        return match eval(c, given, ctx) {
            Ok(EvalValue::Bool(b)) => Some(Some(b)),
            Ok(EvalValue::Null) => Some(None),
            // Not a truth value, or an error: left to the event's own evaluation.
            _ => None,
        };
    }
    match &c.kind {
        ExprKind::Binary { op: op @ (BinOp::And | BinOp::Or), lhs, rhs } => {
            let (a, b) = (decide(lhs, given, ctx), decide(rhs, given, ctx));
            // The value that decides the operator whatever the other operand is.
            let absorbing = Some(Some(*op == BinOp::Or));
            if (a == absorbing && cannot_fail(rhs)) || (b == absorbing && cannot_fail(lhs)) {
                return absorbing;
            }
            let (a, b) = (a?, b?);
            let v = match op {
                BinOp::And if a == Some(true) && b == Some(true) => Some(true),
                BinOp::Or if a == Some(false) && b == Some(false) => Some(false),
                _ => None,
            };
            Some(v)
        }
        ExprKind::Unary { op: UnaryOp::Not, expr } => decide(expr, given, ctx).map(|v| v.map(|b| !b)),
        _ => None,
    }
}

/// Whether evaluating `e` gives true, false or null, never an error, whatever values the
/// fields it reads hold: comparisons of fields and literals, `IN` lists of them,
/// `isnull`/`isnotnull` of one, and `AND`, `OR`, `XOR`, `NOT` of such.
fn cannot_fail(e: &Expr) -> bool {
    let plain = |e: &Expr| matches!(e.kind, ExprKind::Field(_) | ExprKind::Str(_) | ExprKind::Num(_));
    match &e.kind {
        ExprKind::Binary { op, lhs, rhs } => match op {
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Like => {
                plain(lhs) && plain(rhs)
            }
            BinOp::And | BinOp::Or | BinOp::Xor => cannot_fail(lhs) && cannot_fail(rhs),
            _ => false,
        },
        ExprKind::Unary { op: UnaryOp::Not, expr } => cannot_fail(expr),
        ExprKind::In { expr, list } => plain(expr) && list.iter().all(plain),
        ExprKind::Call { name, args } => {
            (name.eq_ignore_ascii_case("isnull") || name.eq_ignore_ascii_case("isnotnull"))
                && matches!(args.as_slice(), [a] if plain(a))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(text: &str) -> Expr {
        crate::syntax::parser::parse_expr(text).unwrap_or_else(|e| panic!("{text}: {e:?}"))
    }

    fn ctx() -> Context {
        Context { now: 1_700_000_000.0 }
    }

    fn reads(text: &str, value: Option<&str>) -> Vec<String> {
        let v = value.map(|s| Value::Str(s.to_string()));
        let mut out = BTreeSet::new();
        reads_given(&expr(text), &Given { field: "k", value: v.as_ref() }, &ctx(), &mut out);
        out.into_iter().collect()
    }

    #[test]
    fn a_case_reads_only_up_to_the_branch_its_key_takes() {
        let table = r#"case(k=="a", x, k=="b" AND t=="T", y, like(k, "c%"), z, true(), w)"#;
        assert_eq!(reads(table, Some("a")), ["k", "x"]);
        // k=="b" leaves t to decide: t and both branches that may be taken are read.
        assert_eq!(reads(table, Some("b")), ["k", "t", "w", "y"]);
        // Decided false by k, whatever t is; then like() decides.
        assert_eq!(reads(table, Some("cat")), ["k", "z"]);
        assert_eq!(reads(table, Some("d")), ["k", "w"]);
        // No such field: k=="b" is null, and null AND t is null or false, which the rule
        // does not tell apart from an undecided condition: t and y are read.
        assert_eq!(reads(table, None), ["k", "t", "w", "y"]);
        assert_eq!(reads(r#"case(k=="a", x, true(), w)"#, None), ["k", "w"]);
    }

    #[test]
    fn an_if_reads_the_branch_its_condition_takes_null_as_else() {
        assert_eq!(reads(r#"if(k=="a", x, y)"#, Some("a")), ["k", "x"]);
        assert_eq!(reads(r#"if(k=="a", x, y)"#, None), ["k", "y"]);
        assert_eq!(reads(r#"if(k=="a" OR t=="b", x, y)"#, Some("b")), ["k", "t", "x", "y"]);
        assert_eq!(reads(r#"if(NOT k=="a", x, y)"#, Some("a")), ["k", "y"]);
    }

    #[test]
    fn an_operand_that_may_fail_is_read() {
        // `t` may hold a string, which AND refuses: the evaluation reads it.
        assert_eq!(reads(r#"case(k=="b" AND t, y, true(), w)"#, Some("a")), ["k", "t", "w", "y"]);
        assert_eq!(reads(r#"case(k=="b" AND isnotnull(t), y, true(), w)"#, Some("a")), ["k", "w"]);
        assert_eq!(reads(r#"case(k=="b" AND len(t)>1, y, true(), w)"#, Some("a")), ["k", "t", "w", "y"]);
    }

    #[test]
    fn other_expressions_read_every_field() {
        assert_eq!(reads(r#"coalesce(x, if(k=="a", y, z))"#, Some("a")), ["k", "x", "y", "z"]);
        // An odd number of case arguments is the evaluator's error to give.
        assert_eq!(reads(r#"case(k=="a", x, y)"#, Some("a")), ["k", "x", "y"]);
    }

    /// The module's rule, over the add-on's own decision tables: each calculated field of
    /// the built-in knowledge gives the same value over an event's fields as over only
    /// those `reads_given` names for its `eventName`, over every record of the project's
    /// datasets and each with its `eventName` swapped for every other one seen.
    #[test]
    fn the_builtin_decision_tables_give_the_same_values_over_what_they_read() {
        let k = crate::knowledge::builtin().for_sourcetype("aws:cloudtrail").unwrap();
        let mut events: Vec<crate::events::Fields> = Vec::new();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets");
        for scenario in std::fs::read_dir(dir).unwrap() {
            for file in std::fs::read_dir(scenario.unwrap().path()).into_iter().flatten() {
                let path = file.unwrap().path();
                if path.extension().is_some_and(|x| x == "ndjson") {
                    for line in std::fs::read_to_string(path).unwrap().lines().filter(|l| l.starts_with('{')) {
                        events.push(crate::events::json::extract(line).unwrap());
                    }
                }
            }
        }
        assert!(events.len() > 50, "{} events", events.len());
        let mut names: Vec<Value> = Vec::new();
        for v in events.iter().filter_map(|f| f.get("eventName")) {
            if !names.contains(v) {
                names.push(v.clone());
            }
        }
        let ctx = ctx();
        let mut narrowed = 0;
        for f in &events {
            for name in names.iter().map(Some).chain([None]) {
                let mut full = f.clone();
                match name {
                    Some(n) => full.insert("eventName".into(), n.clone()),
                    None => full.shift_remove("eventName"),
                };
                for c in &k.evals {
                    let mut read = BTreeSet::new();
                    reads_given(&c.expr, &Given { field: "eventName", value: name }, &ctx, &mut read);
                    let mut all = BTreeSet::new();
                    expr_fields(&c.expr, &mut all);
                    narrowed += usize::from(read.len() < all.len());
                    let mut some = full.clone();
                    some.retain(|n, _| read.contains(n.as_str()));
                    let value = |row: &crate::events::Fields| eval(&c.expr, row, &ctx).map_err(|e| e.message);
                    assert_eq!(value(&full), value(&some), "{} for eventName {name:?}", c.field);
                }
            }
        }
        assert!(narrowed > 1000, "the rule narrowed {narrowed} times");
    }
}
