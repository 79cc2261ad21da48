//! Which fields a search's results can have at the end of its pipeline, read statically
//! from the syntax tree (after macro expansion): what `lint` checks risk objects and
//! message tokens against.
//!
//! The answer is an over-approximation, a [`FieldSet`]: names the results may have, and
//! patterns of names they may have when the search cannot tell (`*` after the first
//! search: any event field). A name outside the set cannot be in the results. The rules,
//! one per command, are in [`apply`]:
//!
//! | command | the set afterwards |
//! |---|---|
//! | the first `search`, `inputlookup`, `from`, `datamodel`, `mstats`, any generic command not listed below | open: any name (a generic command the analysis does not know may make any field) |
//! | `stats`, `tstats`, `top`, `rare` | closed: the by-fields and the aggregations' names (`count`, `values(x)`, the `as` alias); `tstats` by-fields keep their dataset prefix (`Processes.dest`) |
//! | `timechart` | `_time` and the aggregations' names; with a split-by field, open (columns are named by its values) |
//! | `table a b*`, `fields a b*` | the listed names that were in the set; a wildcard entry keeps matching names, and matching unknown names when the set was open; `fields` keeps `_*` internal fields |
//! | `fields - a` | `a` removed (wildcards too), even from an open set |
//! | `rename a as b` | `b` when `a` was in the set (otherwise `b` is gone too), `a` gone; wildcards move matching names, and open the target pattern when the set was open |
//! | `eval x=...`, `fillnull ... x`, `bin ... as x`, `convert ... as x` | adds `x` |
//! | `rex` | adds its named groups (none in `mode=sed`) |
//! | `spath output=x path=p`, `spath p` | adds `x` (or `p`); without a path, open |
//! | `lookup ... OUTPUT a AS b` | adds `b`; without `OUTPUT` (every column of the table), open |
//! | `eventstats`, `streamstats` | adds their aggregations' names |
//! | `iplocation [prefix=P]` | adds `PCity`, `PCountry`, `PRegion`, `Plat`, `Plon` (and `PContinent`, `PMetroCode`, `PTimezone` with `allfields=true`) |
//! | `makeresults` | `_time` (and `_raw`, `host`, `source`, `sourcetype`, `splunk_server`, `splunk_server_group` with `annotate=true`) |
//! | `transaction` | adds `duration`, `eventcount`, `closed_txn`, `field_match_sum`, `linecount` |
//! | `anomalydetection` | adds `log_event_prob`, `probable_cause`, `probable_cause_freq`, `max_freq` |
//! | `append [...]`, `join [...]` | the union with the subsearch's own final fields |
//! | `appendpipe [...]` | the union with the subpipeline's fields, run from the current set |
//! | `addtotals` | adds `Total` (or `fieldname=`) |
//! | `where`, `search`, `dedup`, `sort`, `head`, `tail`, `mvexpand`, `makemv`, `nomv`, `outputlookup`, `regex`, `replace`, ... | unchanged |
//!
//! Wildcards match as `rename` does at run time (`eval::search::glob_captures`: `*` is any
//! text, case-sensitive).

use indexmap::IndexSet;

use super::ast::*;
use crate::eval::search::glob_captures;

/// The fields a search's results may have at some point of its pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldSet {
    /// Names the results may have, in the order the pipeline made them.
    known: IndexSet<String>,
    /// Patterns (with `*`) of further names the results may have; `*` is any name.
    open: IndexSet<String>,
    /// Patterns of names explicitly removed (`fields - x`): they take away from `open`,
    /// never from `known` (a name made again after its removal is in `known`).
    removed: IndexSet<String>,
}

fn matches(pattern: &str, name: &str) -> bool {
    glob_captures(pattern, name).is_some()
}

impl FieldSet {
    /// No fields.
    pub fn closed() -> Self {
        Self::default()
    }

    /// Any field (the events of a first search).
    pub fn any() -> Self {
        let mut s = Self::default();
        s.open.insert("*".into());
        s
    }

    /// Whether the results may have `name`.
    pub fn contains(&self, name: &str) -> bool {
        self.known.contains(name)
            || (self.open.iter().any(|p| matches(p, name)) && !self.removed.iter().any(|p| matches(p, name)))
    }

    /// True when nothing can be said about some names (the set has patterns).
    pub fn is_open(&self) -> bool {
        !self.open.is_empty()
    }

    /// The names known to be made, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.known.iter().map(String::as_str)
    }

    /// The patterns of names that may be there too.
    pub fn patterns(&self) -> impl Iterator<Item = &str> {
        self.open.iter().map(String::as_str)
    }

    /// Adds a name, or a pattern of names when it holds `*`.
    pub fn add(&mut self, name: &str) {
        if name.contains('*') {
            self.open.insert(name.to_string());
        } else {
            self.known.insert(name.to_string());
        }
    }

    /// Removes a name, or every name matching a pattern.
    pub fn remove(&mut self, pattern: &str) {
        self.known.retain(|n| !matches(pattern, n));
        if pattern.contains('*') {
            self.open.retain(|p| !matches(pattern, p));
        }
        if !self.open.is_empty() {
            self.removed.insert(pattern.to_string());
        }
    }

    /// Any name may be there from now on (a command that makes fields the analysis cannot
    /// name); earlier removals no longer hold.
    pub fn open_all(&mut self) {
        self.open.clear();
        self.open.insert("*".into());
        self.removed.clear();
    }

    /// Every name either set may have.
    pub fn union(&mut self, other: &FieldSet) {
        self.known.extend(other.known.iter().cloned());
        self.open.extend(other.open.iter().cloned());
        // A removal holds only when both sides removed the name: keep the common ones,
        // and none when one side is closed (an open pattern comes from the other side).
        let mine = std::mem::take(&mut self.removed);
        self.removed = mine.into_iter().filter(|p| other.removed.contains(p)).collect();
    }

    /// `table` / `fields +`: only the listed names (wildcards allowed) stay.
    fn keep_only(&mut self, list: &[String]) {
        let mut out = FieldSet::closed();
        for entry in list {
            if entry.contains('*') {
                for n in &self.known {
                    if matches(entry, n) {
                        out.known.insert(n.clone());
                    }
                }
                if self.is_open() && !self.removed.contains(entry) {
                    // Over-approximated: any name matching the entry that the open set
                    // may have (an intersection of patterns is not computed).
                    out.open.insert(entry.clone());
                }
            } else if self.contains(entry) {
                out.known.insert(entry.clone());
            }
        }
        if out.is_open() {
            out.removed = self.removed.clone();
        }
        *self = out;
    }

    /// `rename from as to`, wildcards allowed.
    fn rename(&mut self, from: &str, to: &str) {
        if from == to {
            return;
        }
        if !from.contains('*') {
            let present = self.contains(from);
            self.remove(from);
            if present {
                self.add(to);
            } else {
                self.remove(to);
            }
            return;
        }
        let moved: Vec<(String, String)> = self
            .known
            .iter()
            .filter_map(|n| glob_captures(from, n).map(|caps| (n.clone(), crate::eval::search::glob_fill(to, caps))))
            .collect();
        for (old, new) in moved {
            self.known.shift_remove(&old);
            self.known.insert(new);
        }
        if self.is_open() {
            // Unknown names matching `from` may be there: their new names match `to`.
            self.open.insert(to.to_string());
        }
    }
}

/// The fields the results of `p` may have at its end.
pub fn output_fields(p: &Pipeline) -> FieldSet {
    run(p, FieldSet::any(), true)
}

/// The fields after the commands of `p`, starting from `start`. `events`: `p` is a search
/// (its first `search` reads events), not a subpipeline over results (`appendpipe`).
fn run(p: &Pipeline, start: FieldSet, events: bool) -> FieldSet {
    let mut set = start;
    for (k, c) in p.commands.iter().enumerate() {
        apply(&mut set, &c.kind, events && k == 0);
    }
    set
}

fn opt<'a>(options: &'a [CmdOption], name: &str) -> Option<&'a str> {
    options.iter().rev().find(|o| o.name.eq_ignore_ascii_case(name)).map(|o| o.value.text.as_str())
}

fn truthy(v: Option<&str>) -> Option<bool> {
    v.map(|v| matches!(v.to_ascii_lowercase().as_str(), "t" | "true" | "1" | "yes"))
}

/// The name an aggregation's result gets: its alias, `count`, `func(field)`.
fn agg_name(a: &Aggregation) -> Option<String> {
    if let Some(alias) = &a.alias {
        return Some(alias.name.clone());
    }
    match &a.arg {
        None => Some(a.func.clone()),
        Some(AggArg::Field(f)) => Some(format!("{}({})", a.func, f.name)),
        // Splunk names it after the expression's text; nothing refers to that.
        Some(AggArg::Eval(_)) => None,
    }
}

/// A set holding exactly the by-fields and the aggregations' names.
fn aggregated(aggs: &[Aggregation], by: &[Ident]) -> FieldSet {
    let mut s = FieldSet::closed();
    for b in by {
        s.add(&b.name);
    }
    for a in aggs {
        if let Some(n) = agg_name(a) {
            s.add(&n);
        }
    }
    s
}

/// The regex's named groups: `(?<name>...)`, `(?P<name>...)`, `(?'name'...)`.
pub fn named_groups(regex: &str) -> Vec<String> {
    let b = regex.as_bytes();
    let mut out = Vec::new();
    let mut k = 0;
    while k < b.len() {
        match b[k] {
            b'\\' => k += 2,
            b'(' if b.get(k + 1) == Some(&b'?') => {
                let mut j = k + 2;
                if b.get(j) == Some(&b'P') {
                    j += 1;
                }
                let close = match b.get(j) {
                    Some(b'<') => b'>',
                    Some(b'\'') => b'\'',
                    _ => {
                        k += 1;
                        continue;
                    }
                };
                let start = j + 1;
                let mut end = start;
                while end < b.len() && (b[end].is_ascii_alphanumeric() || b[end] == b'_') {
                    end += 1;
                }
                // `(?<=` and `(?<!` are lookbehinds, not names.
                if end > start && b.get(end) == Some(&close) {
                    out.push(regex[start..end].to_string());
                }
                k = end;
            }
            _ => k += 1,
        }
    }
    out
}

/// How one command changes the set. `first`: the command starts the pipeline.
fn apply(set: &mut FieldSet, kind: &CommandKind, first: bool) {
    match kind {
        CommandKind::Search(_) => {
            if first {
                *set = FieldSet::any();
            }
        }
        CommandKind::Where(_)
        | CommandKind::Dedup(_)
        | CommandKind::Sort(_)
        | CommandKind::Head(_)
        | CommandKind::Tail { .. }
        | CommandKind::Mvexpand { .. }
        | CommandKind::Makemv { .. }
        | CommandKind::Nomv { .. }
        | CommandKind::Outputlookup { .. } => {}
        CommandKind::Eval(assignments) => {
            for a in assignments {
                if a.field.name.contains('{') {
                    // `eval {x}=...`: the name is a value.
                    set.open_all();
                } else {
                    set.add(&a.field.name);
                }
            }
        }
        CommandKind::Stats(s) => *set = aggregated(&s.aggs, &s.by),
        CommandKind::Eventstats(s) | CommandKind::Streamstats(s) => {
            for a in &s.aggs {
                if let Some(n) = agg_name(a) {
                    set.add(&n);
                }
            }
        }
        CommandKind::Tstats(t) => {
            let made = aggregated(&t.aggs, &t.by);
            if truthy(opt(&t.options, "append")) == Some(true) {
                set.union(&made);
            } else {
                *set = made;
            }
        }
        CommandKind::Timechart(s) => {
            let mut made = FieldSet::closed();
            made.add("_time");
            made.union(&aggregated(&s.aggs, &[]));
            if !s.by.is_empty() {
                made.open_all();
            }
            *set = made;
        }
        CommandKind::Top(t) | CommandKind::Rare(t) => {
            let mut made = FieldSet::closed();
            for f in t.by.iter().chain(&t.fields) {
                made.add(&f.name);
            }
            if truthy(opt(&t.options, "showcount")) != Some(false) {
                made.add(opt(&t.options, "countfield").unwrap_or("count"));
            }
            if truthy(opt(&t.options, "showperc")) != Some(false) {
                made.add(opt(&t.options, "percentfield").unwrap_or("percent"));
            }
            *set = made;
        }
        CommandKind::Rename(pairs) => {
            for p in pairs {
                set.rename(&p.from.name, &p.to.name);
            }
        }
        CommandKind::Table(list) => set.keep_only(&list.iter().map(|i| i.name.clone()).collect::<Vec<_>>()),
        CommandKind::Fields { remove: true, fields } => {
            for f in fields {
                set.remove(&f.name);
            }
        }
        CommandKind::Fields { remove: false, fields } => {
            // Internal fields (`_time`, `_raw`) stay unless removed by name.
            let mut list: Vec<String> = fields.iter().map(|i| i.name.clone()).collect();
            list.push("_*".into());
            set.keep_only(&list);
        }
        CommandKind::Fillnull { fields, .. } => {
            for f in fields {
                set.add(&f.name);
            }
        }
        CommandKind::Rex(r) => {
            if opt(&r.options, "mode").is_some() {
                return;
            }
            for g in named_groups(&r.regex.text) {
                if g.starts_with("_KEY_") || g.starts_with("_VAL_") {
                    // Names read from the text.
                    set.open_all();
                } else {
                    set.add(&g);
                }
            }
        }
        CommandKind::Spath(s) => {
            let path = opt(&s.options, "path").or(s.path.as_ref().map(|p| p.text.as_str()));
            match (opt(&s.options, "output"), path) {
                (Some(out), _) => set.add(out),
                (None, Some(p)) => set.add(p),
                (None, None) => set.open_all(),
            }
        }
        CommandKind::Convert(c) => {
            for conv in &c.conversions {
                if let Some(a) = &conv.alias {
                    set.add(&a.name);
                }
            }
        }
        CommandKind::Bin(b) => {
            if let Some(a) = &b.alias {
                set.add(&a.name);
            }
        }
        CommandKind::Lookup(l) => match &l.output {
            Some(o) if !o.fields.is_empty() => {
                for m in &o.fields {
                    set.add(m.event_field());
                }
            }
            _ => set.open_all(),
        },
        CommandKind::Inputlookup(_) => set.open_all(),
        CommandKind::Join(j) => set.union(&output_fields(&j.subsearch)),
        CommandKind::Append { subsearch, .. } => set.union(&output_fields(subsearch)),
        CommandKind::Iplocation { options, .. } => {
            let prefix = opt(options, "prefix").unwrap_or("");
            let mut names = vec!["City", "Country", "Region", "lat", "lon"];
            if truthy(opt(options, "allfields")) == Some(true) {
                names.extend(["Continent", "MetroCode", "Timezone"]);
            }
            for n in names {
                set.add(&format!("{prefix}{n}"));
            }
        }
        CommandKind::Makeresults { options } => {
            let mut made = FieldSet::closed();
            made.add("_time");
            if truthy(opt(options, "annotate")) == Some(true) {
                for n in ["_raw", "host", "source", "sourcetype", "splunk_server", "splunk_server_group"] {
                    made.add(n);
                }
            }
            *set = made;
        }
        CommandKind::Transaction { .. } => {
            for n in ["duration", "eventcount", "closed_txn", "field_match_sum", "linecount"] {
                set.add(n);
            }
        }
        CommandKind::Anomalydetection { .. } => {
            for n in ["log_event_prob", "probable_cause", "probable_cause_freq", "max_freq"] {
                set.add(n);
            }
        }
        CommandKind::Generic(g) => generic(set, g),
    }
}

/// Commands without a typed node: those known to keep the fields, `appendpipe` and
/// `addtotals`; any other may make fields the analysis cannot name.
fn generic(set: &mut FieldSet, g: &Generic) {
    const KEEP: &[&str] = &[
        "regex",
        "replace",
        "reverse",
        "uniq",
        "collect",
        "sendalert",
        "sendemail",
        "outlier",
        "localop",
        "noop",
        "sichart",
    ];
    let name = g.name.to_ascii_lowercase();
    if KEEP.contains(&name.as_str()) {
        return;
    }
    match name.as_str() {
        "appendpipe" => {
            for a in &g.args {
                if let Arg::Subsearch(p) = a {
                    let sub = run(p, set.clone(), false);
                    set.union(&sub);
                } else if let Arg::Block { .. } = a {
                    set.open_all();
                }
            }
        }
        "addtotals" => {
            let options: Vec<CmdOption> =
                g.args.iter().filter_map(|a| if let Arg::Option(o) = a { Some(o.clone()) } else { None }).collect();
            if truthy(opt(&options, "row")) != Some(false) {
                set.add(opt(&options, "fieldname").unwrap_or("Total"));
            }
            if truthy(opt(&options, "col")) == Some(true) {
                if let Some(label) = opt(&options, "labelfield") {
                    set.add(label);
                }
            }
        }
        _ => set.open_all(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    fn out(search: &str) -> FieldSet {
        output_fields(&parse(search).unwrap_or_else(|e| panic!("{search}: {e:?}")))
    }

    fn names(s: &FieldSet) -> Vec<&str> {
        s.names().collect()
    }

    #[test]
    fn the_first_search_yields_any_field() {
        let s = out("sourcetype=aws:cloudtrail eventName=X | where a=1 | dedup user | sort - _time | head 5");
        assert!(s.is_open());
        assert!(s.contains("userIdentity.arn") && s.contains("anything"));
    }

    #[test]
    fn stats_closes_to_by_fields_and_aggregation_names() {
        let s = out("x | stats count min(_time) as firstTime values(eventName) dc(src) as n by user_arn src_ip");
        assert!(!s.is_open());
        assert_eq!(names(&s), ["user_arn", "src_ip", "count", "firstTime", "values(eventName)", "n"]);
        assert!(!s.contains("eventName") && !s.contains("dc(src)"));
    }

    #[test]
    fn stats_with_a_wildcard_argument_keeps_a_pattern() {
        let s = out("x | stats values(*) as * by user");
        assert!(s.contains("user") && s.contains("anything"));
        let s = out("x | stats latest(req*) by user");
        assert!(s.contains("latest(reqA)") && !s.contains("reqA"));
    }

    #[test]
    fn tstats_by_fields_keep_their_prefix_until_renamed() {
        let s = out(
            "| tstats count min(_time) as firstTime from datamodel=Endpoint.Processes by Processes.dest Processes.user",
        );
        assert_eq!(names(&s), ["Processes.dest", "Processes.user", "count", "firstTime"]);
        assert!(!s.contains("dest"));
        let s = out("| tstats count from datamodel=Endpoint.Processes by Processes.dest Processes.user | rename Processes.* as *");
        assert_eq!(names(&s), ["count", "dest", "user"]);
        assert!(!s.is_open());
    }

    #[test]
    fn timechart_top_and_rare() {
        let s = out("x | timechart span=1h count avg(bytes) as b");
        assert_eq!(names(&s), ["_time", "count", "b"]);
        assert!(!s.is_open());
        assert!(out("x | timechart count by user").contains("alice"), "split columns are named by values");
        let s = out("x | top limit=5 eventName by user");
        assert_eq!(names(&s), ["user", "eventName", "count", "percent"]);
        let s = out("x | rare eventName countfield=c showperc=f");
        assert_eq!(names(&s), ["eventName", "c"]);
    }

    #[test]
    fn table_closes_and_wildcards_keep_matching_names() {
        let s = out("x | stats count by a b c | table a c d");
        assert_eq!(names(&s), ["a", "c"]);
        assert!(!s.contains("d"), "d was never made");
        let s = out("x | table a req*");
        assert!(s.contains("a") && s.contains("requestParameters.x"));
        assert!(!s.contains("user"));
        let s = out("x | stats count by reqA reqB other | table req*");
        assert_eq!(names(&s), ["reqA", "reqB"]);
        assert!(!s.is_open());
    }

    #[test]
    fn fields_minus_removes_even_from_an_open_set() {
        let s = out("x | fields - user src*");
        assert!(!s.contains("user") && !s.contains("src_ip"));
        assert!(s.contains("dest"));
        let s = out("x | fields - user | eval user=1");
        assert!(s.contains("user"), "made again");
        let s = out("x | stats count by a b | fields - b");
        assert_eq!(names(&s), ["a", "count"]);
    }

    #[test]
    fn fields_plus_closes_but_keeps_internal_fields() {
        let s = out("x | fields a b");
        assert!(s.contains("a") && s.contains("_time") && !s.contains("c"));
        let s = out("x | stats count by a | fields + a count x");
        assert_eq!(names(&s), ["a", "count"]);
    }

    #[test]
    fn rename_moves_names_and_wildcards() {
        let s = out("x | stats count by a b | rename a as user, b as src");
        assert_eq!(names(&s), ["count", "user", "src"]);
        let s = out("x | stats count by a | rename missing as a");
        assert_eq!(names(&s), ["count"], "renaming a missing field removes the target");
        let s = out("x | rename requestParameters.* as rp_*");
        assert!(s.contains("rp_bucketName"));
        let s = out("x | rename a as b");
        assert!(s.contains("b") && !s.contains("a"), "open: the source is gone");
    }

    #[test]
    fn eval_rex_spath_lookup_add_fields() {
        let base = "x | stats count by a";
        let s = out(&format!("{base} | eval x=1, y=a.\"z\""));
        assert_eq!(names(&s), ["a", "count", "x", "y"]);
        let s = out(&format!(r#"{base} | rex field=a "(?<user>\w+)@(?P<domain>[^ ]+)(?<=x)(?:y)""#));
        assert_eq!(names(&s), ["a", "count", "user", "domain"]);
        let s = out(&format!(r#"{base} | rex field=a mode=sed "s/(?<x>a)/b/g""#));
        assert_eq!(names(&s), ["a", "count"]);
        let s = out(&format!("{base} | spath input=a output=pol path=policy.x | spath input=a p.q"));
        assert_eq!(names(&s), ["a", "count", "pol", "p.q"]);
        assert!(out(&format!("{base} | spath input=a")).is_open(), "every field of the JSON");
        let s = out(&format!("{base} | lookup t key AS a OUTPUT v1 AS value, v2"));
        assert_eq!(names(&s), ["a", "count", "value", "v2"]);
        assert!(out(&format!("{base} | lookup t key AS a")).is_open(), "every column of the table");
    }

    #[test]
    fn eventstats_streamstats_iplocation_fillnull_convert_bin() {
        let s = out("x | stats count by a src | eventstats dc(a) as n | streamstats count as k by a");
        assert_eq!(names(&s), ["a", "src", "count", "n", "k"]);
        let s = out("x | stats count by src | iplocation prefix=ip_ src");
        assert_eq!(names(&s), ["src", "count", "ip_City", "ip_Country", "ip_Region", "ip_lat", "ip_lon"]);
        let s = out("x | stats count by src | fillnull value=0 bytes | convert ctime(count) as c | bin src as s");
        assert_eq!(names(&s), ["src", "count", "bytes", "c", "s"]);
    }

    #[test]
    fn append_and_join_are_unions_and_unknown_commands_open_the_set() {
        let s = out("x | stats count by a | append [| makeresults | eval b=1]");
        assert_eq!(names(&s), ["a", "count", "_time", "b"]);
        assert!(!s.is_open());
        assert!(out("x | stats count by a | join a [search y]").contains("anything"));
        assert!(out("x | stats count by a | inputlookup append=t t").contains("anything"));
        assert!(out("x | stats count by a | xmlkv").contains("anything"));
        assert!(out("| inputlookup t").is_open());
        let s = out("x | stats count by a | regex a=\"b\" | addtotals fieldname=tot");
        assert_eq!(names(&s), ["a", "count", "tot"]);
        let s = out("x | stats count by a | appendpipe [stats sum(count) as total]");
        assert_eq!(names(&s), ["a", "count", "total"]);
        let s = out("x | stats count by a | appendpipe [search a=1 | eval b=2]");
        assert_eq!(names(&s), ["a", "count", "b"], "the subpipeline's search filters results");
    }

    #[test]
    fn union_keeps_a_removal_only_when_both_sides_removed() {
        let mut a = FieldSet::any();
        a.remove("x");
        let mut b = FieldSet::any();
        a.union(&b);
        assert!(a.contains("x"));
        b.remove("y");
        let mut c = FieldSet::any();
        c.remove("y");
        c.union(&b);
        assert!(!c.contains("y"));
    }

    #[test]
    fn named_groups_of_a_regex() {
        assert_eq!(named_groups(r"(?<a>x)\(?<no>y\)(?P<b>z)(?'c'w)(?<!n)(?:q)"), ["a", "b", "c"]);
    }
}
