//! One test per grammar rule of the front end. Structure is checked through a compact
//! S-expression of the tree (so precedence mistakes show), and every accepted input is
//! also checked to round-trip through the printer.

use spelunk::syntax::*;

/// Parses, checks the round trip, and returns the pipeline.
fn p(src: &str) -> Pipeline {
    let tree = parse(src).unwrap_or_else(|e| panic!("`{src}` does not parse: {} at {:?}", e.message, e.span));
    let printed = print(&tree);
    let again = parse(&printed).unwrap_or_else(|e| panic!("printed `{printed}` does not parse: {}", e.message));
    assert_eq!(again, tree, "round trip of `{src}` via `{printed}`");
    tree
}

fn first(src: &str) -> CommandKind {
    p(src).commands.into_iter().next().unwrap().kind
}

fn search_sexp(src: &str) -> String {
    match first(src) {
        CommandKind::Search(Some(e)) => s(&e),
        other => panic!("not a search: {other:?}"),
    }
}

fn s(e: &SearchExpr) -> String {
    match &e.kind {
        SearchKind::And(v) => format!("(and {})", v.iter().map(s).collect::<Vec<_>>().join(" ")),
        SearchKind::Or(v) => format!("(or {})", v.iter().map(s).collect::<Vec<_>>().join(" ")),
        SearchKind::Not(x) => format!("(not {})", s(x)),
        SearchKind::Compare { field, op, value } => format!("{}{}<{}>", field.name, op.as_str(), value),
        SearchKind::In { field, values } => format!("(in {} {})", field.name, values.join("|")),
        SearchKind::Term { text, phrase: true } => format!("\"{text}\""),
        SearchKind::Term { text, phrase: false } => format!("term<{text}>"),
        SearchKind::TimeModifier { name, value } => format!("(time {name} {value})"),
        SearchKind::Subsearch(p) => format!("[{}]", print(p)),
    }
}

fn e(x: &Expr) -> String {
    match &x.kind {
        ExprKind::Field(n) => n.clone(),
        ExprKind::Str(v) => format!("{v:?}"),
        ExprKind::Num(n) => n.clone(),
        ExprKind::Call { name, args } => format!("{name}({})", args.iter().map(e).collect::<Vec<_>>().join(", ")),
        ExprKind::Unary { op: UnaryOp::Neg, expr } => format!("(neg {})", e(expr)),
        ExprKind::Unary { op: UnaryOp::Not, expr } => format!("(not {})", e(expr)),
        ExprKind::Binary { op, lhs, rhs } => format!("({} {} {})", op.as_str(), e(lhs), e(rhs)),
        ExprKind::In { expr, list } => format!("(in {} {})", e(expr), list.iter().map(e).collect::<Vec<_>>().join(" ")),
    }
}

fn where_sexp(src: &str) -> String {
    match first(&format!("| where {src}")) {
        CommandKind::Where(x) => e(&x),
        other => panic!("{other:?}"),
    }
}

// --- pipelines ---------------------------------------------------------------------------

#[test]
fn pipeline_implicit_search_then_commands() {
    let t = p("eventName=X | stats count | head 5");
    let names: Vec<&str> = t.commands.iter().map(|c| c.kind.name()).collect();
    assert_eq!(names, ["search", "stats", "head"]);
    assert!(t.commands[0].name_span.is_empty(), "implicit search has no name");
}

#[test]
fn pipeline_leading_pipe_starts_with_a_generating_command() {
    for (src, name) in [
        ("| tstats count from datamodel=Change", "tstats"),
        ("| inputlookup my.csv", "inputlookup"),
        ("| makeresults count=3", "makeresults"),
        ("| from datamodel:Risk.All_Risk", "from"),
        ("| rest /services/server/info", "rest"),
    ] {
        assert_eq!(first(src).name(), name, "{src}");
    }
}

#[test]
fn pipeline_explicit_leading_search_keyword() {
    assert_eq!(search_sexp("search a=1 b"), "(and a=<1> term<b>)");
    assert_eq!(search_sexp("SEARCH a=1"), "a=<1>");
}

#[test]
fn pipeline_line_breaks_and_comments_anywhere() {
    let t = p("a=1\n| ```why``` eval\n  x=1,\n  y=2 ```done```\n| table x");
    assert_eq!(t.commands.len(), 3);
    assert_eq!(print(&t), "a=1 | eval x=1, y=2 | table x");
}

#[test]
fn command_names_are_case_insensitive() {
    assert!(matches!(first("| STATS count"), CommandKind::Stats(_)));
    assert!(matches!(first("| Eval x=1"), CommandKind::Eval(_)));
}

#[test]
fn spans_cover_what_was_written() {
    let src = "a=1 | stats count by src_ip";
    let t = p(src);
    let stats = &t.commands[1];
    assert_eq!(&src[stats.span.range()], "stats count by src_ip");
    assert_eq!(&src[stats.name_span.range()], "stats");
    let CommandKind::Stats(s) = &stats.kind else { panic!() };
    assert_eq!(&src[s.by[0].span.range()], "src_ip");
    assert_eq!(&src[s.aggs[0].span.range()], "count");
}

// --- search expressions ------------------------------------------------------------------

#[test]
fn search_or_binds_tighter_than_implicit_and() {
    assert_eq!(
        search_sexp("eventName=PutImage date_hour>=20 OR date_hour<8"),
        "(and eventName=<PutImage> (or date_hour>=<20> date_hour<<8>))"
    );
    assert_eq!(search_sexp("a=1 b=2 OR c=3 NOT d=4"), "(and a=<1> (or b=<2> c=<3>) (not d=<4>))");
    assert_eq!(
        search_sexp("eventName=CreateKey OR eventName=PutKeyPolicy x=1"),
        "(and (or eventName=<CreateKey> eventName=<PutKeyPolicy>) x=<1>)"
    );
}

#[test]
fn search_explicit_and_and_parentheses() {
    assert_eq!(search_sexp("a=1 AND (b=2 c=3) OR d=4"), "(and a=<1> (or (and b=<2> c=<3>) d=<4>))");
    assert_eq!(search_sexp("NOT (a=1 OR b=2)"), "(not (or a=<1> b=<2>))");
    assert_eq!(search_sexp("NOT NOT a=1"), "(not (not a=<1>))");
}

#[test]
fn search_lower_case_operators_are_terms() {
    assert_eq!(search_sexp("a or b"), "(and term<a> term<or> term<b>)");
}

#[test]
fn search_comparison_operators_and_spaces_around_them() {
    assert_eq!(search_sexp("eventName = ConsoleLogin"), "eventName=<ConsoleLogin>");
    assert_eq!(search_sexp("userAgent !=console.amazonaws.com"), "userAgent!=<console.amazonaws.com>");
    assert_eq!(search_sexp("a<1 b<=2 c>3 d>=4 e==5"), "(and a<<1> b<=<2> c><3> d>=<4> e=<5>)");
}

#[test]
fn search_field_names_with_dots_braces_dashes_and_quotes() {
    assert_eq!(
        search_sexp("requestParameters.launchPermission.add.items{}.userId = *"),
        "requestParameters.launchPermission.add.items{}.userId=<*>"
    );
    assert_eq!(
        search_sexp("requestParameters.x-amz-server-side-encryption=\"aws:kms\""),
        "requestParameters.x-amz-server-side-encryption=<aws:kms>"
    );
    assert_eq!(search_sexp("\"requestParameters.masterUserPassword\"=*"), "requestParameters.masterUserPassword=<*>");
}

#[test]
fn search_wildcards_in_values_and_names() {
    assert_eq!(search_sexp("eventName=Console* *_ip=10.0.0.1"), "(and eventName=<Console*> *_ip=<10.0.0.1>)");
}

#[test]
fn search_quoted_values_escapes_and_adjacent_pieces() {
    assert_eq!(search_sexp(r#"ShareName="\\\\*\\SYSVOL""#), r"ShareName=<\\*\SYSVOL>");
    assert_eq!(search_sexp(r#"x="a \"b\"""#), r#"x=<a "b">"#);
    assert_eq!(search_sexp(r#"x=""*bin*"""#), "x=<*bin*>");
    assert_eq!(search_sexp(r#"x=*\"hostNetwork\":true*"#), r#"x=<*"hostNetwork":true*>"#);
}

#[test]
fn search_in_lists() {
    assert_eq!(
        search_sexp("errorCode IN (NoSuchEntityException,DeleteConflictException, AccessDenied)"),
        "(in errorCode NoSuchEntityException|DeleteConflictException|AccessDenied)"
    );
    assert_eq!(search_sexp("x IN (\"*AuthenticatedUsers\",\"*AllUsers\")"), "(in x *AuthenticatedUsers|*AllUsers)");
    assert_eq!(search_sexp("NOT errorCode IN (AccessDenied)"), "(not (in errorCode AccessDenied))");
    // Sloppy lists that production detections contain: stray commas, missing commas.
    assert_eq!(search_sexp("x IN (,\"a\",, \"b\",)"), "(in x a|b)");
    assert_eq!(search_sexp("x IN (\"a\" \"b\")"), "(in x a|b)");
}

#[test]
fn search_terms_and_phrases() {
    assert_eq!(
        search_sexp("StartInstances \"access denied\" error*"),
        "(and term<StartInstances> \"access denied\" term<error*>)"
    );
    assert_eq!(search_sexp("*"), "term<*>");
}

#[test]
fn search_values_with_parentheses_attached() {
    assert_eq!(search_sexp("_time >= relative_time(now(),\"-1d@d\")"), "_time>=<relative_time(now(),\"-1d@d\")>");
    assert_eq!(search_sexp("(p=*GetCurrent()*)"), "p=<*GetCurrent()*>");
}

#[test]
fn search_bare_terms_keep_their_text() {
    // Found by the roundtrip fuzz target: `\\(x)` (escaped backslash, then a group).
    assert_eq!(search_sexp(r"\\(x)"), r"term<\\(x)>");
    assert_eq!(spelunk::syntax::parser::search::term_text(r#"a\\b\"c"#, false), r#"a\b"c"#);
}

#[test]
fn search_time_modifiers() {
    assert_eq!(search_sexp("earliest=-24h@h latest=now x=1"), "(and (time earliest -24h@h) (time latest now) x=<1>)");
}

#[test]
fn search_subsearch() {
    assert_eq!(
        search_sexp("eventName=DeleteBucket [search eventName=X | table userIdentity.arn]"),
        "(and eventName=<DeleteBucket> [eventName=X | table userIdentity.arn])"
    );
    assert_eq!(search_sexp("a [| inputlookup t.csv | fields x]"), "(and term<a> [| inputlookup t.csv | fields x])");
}

#[test]
fn search_later_in_the_pipeline() {
    let t = p("a | search b=1 OR c=2 | search *");
    let CommandKind::Search(Some(x)) = &t.commands[1].kind else { panic!() };
    assert_eq!(s(x), "(or b=<1> c=<2>)");
    let CommandKind::Search(Some(x)) = &t.commands[2].kind else { panic!() };
    assert_eq!(s(x), "term<*>");
}

// --- eval / where --------------------------------------------------------------------------

#[test]
fn expr_precedence_table() {
    assert_eq!(where_sexp("a=1 OR b=2 AND c=3"), "(OR (= a 1) (AND (= b 2) (= c 3)))");
    assert_eq!(where_sexp("NOT x=\"a\" AND y=\"b\""), "(AND (not (= x \"a\")) (= y \"b\"))");
    assert_eq!(where_sexp("2+3*4"), "(+ 2 (* 3 4))");
    assert_eq!(where_sexp("a XOR b OR c"), "(XOR a (OR b c))");
    assert_eq!(where_sexp("a < b = c > d"), "(= (< a b) (> c d))");
    assert_eq!(where_sexp("a . b + c"), "(+ (. a b) c)");
    assert_eq!(where_sexp("10 - 4 - 3"), "(- (- 10 4) 3)");
    assert_eq!(where_sexp("-x * 2"), "(* (neg x) 2)");
    assert_eq!(where_sexp("(a OR b) AND c"), "(AND (OR a b) c)");
}

#[test]
fn expr_keywords_are_case_insensitive() {
    assert_eq!(where_sexp("failures >= 5 and methods >= 1"), "(AND (>= failures 5) (>= methods 1))");
    assert_eq!(where_sexp("!a=1 or b like \"x%\""), "(OR (not (= a 1)) (LIKE b \"x%\"))");
}

#[test]
fn expr_equality_synonyms_and_not_equal() {
    assert_eq!(where_sexp("a==1"), "(= a 1)");
    assert_eq!(where_sexp("a!=1"), "(!= a 1)");
}

#[test]
fn expr_in_operator() {
    assert_eq!(where_sexp("NOT new_ace IN (\"a\", \"b\")"), "(not (in new_ace \"a\" \"b\"))");
}

#[test]
fn expr_literals_quoted_names_and_calls() {
    assert_eq!(where_sexp("'requestParameters.items{}.userId'=\"x\""), "(= requestParameters.items{}.userId \"x\")");
    assert_eq!(where_sexp("match(x, \"\\d+\\\"\")"), "match(x, \"\\\\d+\\\"\")");
    assert_eq!(where_sexp("if(isnull(x), 1.5, 2e3)"), "if(isnull(x), 1.5, 2e3)");
    assert_eq!(where_sexp("true() AND null() OR now()"), "(OR (AND true() null()) now())");
}

#[test]
fn expr_unquoted_dotted_names_are_concatenation() {
    // docs/spl-semantics.md 3.1: UNVERIFIED default.
    assert_eq!(
        where_sexp("match(userIdentity.userName,requestParameters.userName)"),
        "match((. userIdentity userName), (. requestParameters userName))"
    );
}

#[test]
fn expr_bare_word_on_the_right_is_a_field() {
    assert_eq!(where_sexp("weekday=Saturday"), "(= weekday Saturday)");
}

#[test]
fn eval_several_assignments_and_quoted_targets() {
    let CommandKind::Eval(a) = first("| eval x=1, 'y z'=x+1, \"w\"=case(x=1,\"a\",1=1,\"b\")") else { panic!() };
    let targets: Vec<&str> = a.iter().map(|a| a.field.name.as_str()).collect();
    assert_eq!(targets, ["x", "y z", "w"]);
    assert_eq!(e(&a[2].value), "case((= x 1), \"a\", (= 1 1), \"b\")");
}

// --- commands ------------------------------------------------------------------------------

#[test]
fn stats_functions_aliases_by_and_eval_arguments() {
    let CommandKind::Stats(st) = first("| stats count min(_time) as firstTime values(group_added) dc(x) AS n count(eval(a=\"b\")) as c, perc95(bytes) by src_ip, region user") else { panic!() };
    let funcs: Vec<&str> = st.aggs.iter().map(|a| a.func.as_str()).collect();
    assert_eq!(funcs, ["count", "min", "values", "dc", "count", "perc95"]);
    assert_eq!(st.aggs[1].alias.as_ref().unwrap().name, "firstTime");
    assert!(st.aggs[2].alias.is_none());
    assert!(matches!(&st.aggs[4].arg, Some(AggArg::Eval(x)) if e(x) == "(= a \"b\")"));
    let by: Vec<&str> = st.by.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(by, ["src_ip", "region", "user"]);
}

#[test]
fn eventstats_and_streamstats_take_options() {
    let CommandKind::Streamstats(st) = first("| streamstats current=f window=2 latest(x) as prev by user") else {
        panic!()
    };
    assert_eq!(st.options.iter().map(|o| o.name.as_str()).collect::<Vec<_>>(), ["current", "window"]);
    assert!(matches!(first("| eventstats dc(a) as n by b"), CommandKind::Eventstats(_)));
}

#[test]
fn tstats_from_where_by_span() {
    let CommandKind::Tstats(t) = first("| tstats summariesonly=false count min(_time) as firstTime from datamodel=Change.All_Changes where All_Changes.action=deleted nodename=All_Changes by _time span=1h All_Changes.user") else { panic!() };
    assert_eq!(t.options[0].name, "summariesonly");
    assert_eq!(t.from.as_ref().unwrap().text, "datamodel=Change.All_Changes");
    assert_eq!(s(t.filter.as_ref().unwrap()), "(and All_Changes.action=<deleted> nodename=<All_Changes>)");
    assert_eq!(t.by.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["_time", "All_Changes.user"]);
    assert_eq!(t.by_options[0].value.text, "1h");
}

#[test]
fn tstats_options_between_clauses_stay_options() {
    // Found by the roundtrip fuzz target: printed after `where`, they became comparisons.
    let CommandKind::Tstats(t) = first("| tstats count from data datamodel=Change where a=1") else { panic!() };
    assert_eq!(t.options[0].name, "datamodel");
    assert!(t.by_options.is_empty());
}

#[test]
fn timechart() {
    let CommandKind::Timechart(t) = first("| timechart span=1h count by eventName limit=0") else { panic!() };
    assert_eq!(t.options[0].name, "span");
    assert_eq!(t.by_options[0].name, "limit");
}

#[test]
fn rename_wildcards_and_quoted_names() {
    let CommandKind::Rename(r) = first("| rename Processes.* as *, \"Search Name\" AS search_name values(x) as x")
    else {
        panic!()
    };
    let pairs: Vec<(&str, &str)> = r.iter().map(|p| (p.from.name.as_str(), p.to.name.as_str())).collect();
    assert_eq!(pairs, [("Processes.*", "*"), ("Search Name", "search_name"), ("values(x)", "x")]);
    // The quoted-argument form of drop_dm_object_name: "Web".* is Web.*
    let CommandKind::Rename(r) = first("| rename \"Web\".* as *") else { panic!() };
    assert_eq!(r[0].from.name, "Web.*");
}

#[test]
fn table_and_fields() {
    let CommandKind::Table(t) = first("| table _time, src_ip user*") else { panic!() };
    assert_eq!(t.len(), 3);
    assert!(matches!(first("| fields - a b"), CommandKind::Fields { remove: true, .. }));
    assert!(matches!(first("| fields + a"), CommandKind::Fields { remove: false, .. }));
    assert!(matches!(first("| fields a, b"), CommandKind::Fields { remove: false, .. }));
}

#[test]
fn fillnull_dedup_sort_head_tail() {
    let CommandKind::Fillnull { options, fields } = first("| fillnull value=NULL a b") else { panic!() };
    assert_eq!((options[0].value.text.as_str(), fields.len()), ("NULL", 2));
    let CommandKind::Dedup(d) = first("| dedup 2 user src keepempty=true sortby -_time") else { panic!() };
    assert_eq!((d.count, d.fields.len(), d.options.len(), d.sortby[0].descending), (Some(2), 2, 1, true));
    let CommandKind::Sort(st) = first("| sort 0 - count, +num(x) user desc") else { panic!() };
    assert_eq!(st.count, Some(0));
    assert!(st.keys[0].descending && !st.keys[1].descending && st.reverse);
    assert_eq!(st.keys[1].func.as_deref(), Some("num"));
    assert!(matches!(first("| head 10"), CommandKind::Head(Head { count: Some(10), .. })));
    assert!(matches!(first("| head count>10"), CommandKind::Head(Head { expr: Some(_), .. })));
    assert!(matches!(first("| tail 3"), CommandKind::Tail { count: Some(3) }));
}

#[test]
fn rex_spath_convert() {
    let CommandKind::Rex(r) = first(r#"| rex field=a max_match=0 "(?<x>\d+)\"""#) else { panic!() };
    assert_eq!(r.regex.text, r#"(?<x>\d+)""#);
    assert_eq!(r.options.len(), 2);
    let CommandKind::Rex(r) = first(r#"| rex field=x mode=sed "s/\x00//g""#) else { panic!() };
    assert_eq!(r.regex.text, r"s/\x00//g");
    let CommandKind::Spath(sp) =
        first("| spath input=requestParameters.policyDocument output=doc path=Statement{}.Effect")
    else {
        panic!()
    };
    assert_eq!(sp.options.len(), 3);
    let CommandKind::Spath(sp) = first("| spath requestParameters.policy") else { panic!() };
    assert_eq!(sp.path.unwrap().text, "requestParameters.policy");
    let CommandKind::Convert(c) =
        first("| convert timeformat=\"%Y-%m-%dT%H:%M:%S\" ctime(firstTime) as f, ctime(lastTime)")
    else {
        panic!()
    };
    assert_eq!(c.options[0].value.text, "%Y-%m-%dT%H:%M:%S");
    assert_eq!((c.conversions.len(), c.conversions[0].alias.as_ref().unwrap().name.as_str()), (2, "f"));
}

#[test]
fn numeric_field_names_after_a_count_stay_names() {
    // Found by the roundtrip fuzz target: `dedup a=p 3` has no count and a field `3`.
    let CommandKind::Dedup(d) = first("| dedup a=p 3") else { panic!() };
    assert_eq!((d.count, d.fields[0].name.as_str()), (None, "3"));
    assert_eq!(print(&p("| dedup a=p 3")), "| dedup \"3\" a=p");
    let CommandKind::Top(t) = first("| top limit=1 5") else { panic!() };
    assert_eq!((t.count, t.fields[0].name.as_str()), (None, "5"));
}

#[test]
fn bin_bucket_mvexpand_makemv_nomv() {
    let CommandKind::Bin(b) = first("| bucket _time span=1h") else { panic!() };
    assert_eq!((b.field.name.as_str(), b.options[0].name.as_str()), ("_time", "span"));
    let CommandKind::Bin(b) = first("| bin span=5m _time as t") else { panic!() };
    assert_eq!(b.alias.unwrap().name, "t");
    assert!(matches!(first("| mvexpand x limit=5"), CommandKind::Mvexpand { .. }));
    assert!(matches!(first("| makemv delim=\",\" x"), CommandKind::Makemv { .. }));
    assert!(matches!(first("| nomv x"), CommandKind::Nomv { .. }));
}

#[test]
fn lookup_inputlookup_outputlookup() {
    let CommandKind::Lookup(l) =
        first("| lookup local=true ut_shannon_lookup word as domain, b OUTPUTNEW ut_shannon as s x")
    else {
        panic!()
    };
    assert_eq!(l.table.text, "ut_shannon_lookup");
    assert_eq!(l.inputs.len(), 2);
    assert_eq!(l.inputs[0].alias.as_ref().unwrap().name, "domain");
    let out = l.output.unwrap();
    assert!(out.new_only);
    assert_eq!(out.fields.len(), 2);
    let CommandKind::Lookup(l) = first("| lookup t a output b") else { panic!() };
    assert!(!l.output.unwrap().new_only);
    let CommandKind::Inputlookup(il) = first("| inputlookup append=t aws.csv where user=* NOT x=1") else { panic!() };
    assert_eq!((il.table.text.as_str(), il.options.len()), ("aws.csv", 1));
    assert_eq!(s(il.filter.as_ref().unwrap()), "(and user=<*> (not x=<1>))");
    assert!(matches!(first("| outputlookup append=true out.csv"), CommandKind::Outputlookup { .. }));
}

#[test]
fn join_append() {
    let CommandKind::Join(j) = first("| join type=left max=0 user, src [search b=1 | fields user src]") else {
        panic!()
    };
    assert_eq!((j.options.len(), j.fields.len(), j.subsearch.commands.len()), (2, 2, 2));
    assert!(matches!(first("| append [| makeresults]"), CommandKind::Append { .. }));
}

#[test]
fn top_rare_iplocation_makeresults_transaction_anomalydetection() {
    let CommandKind::Top(t) = first("| top 5 limit=3 user by src") else { panic!() };
    assert_eq!((t.count, t.fields.len(), t.by.len()), (Some(5), 1, 1));
    assert!(matches!(first("| rare user"), CommandKind::Rare(_)));
    assert!(matches!(first("| iplocation prefix=geo_ src_ip"), CommandKind::Iplocation { .. }));
    assert!(matches!(first("| makeresults count=2"), CommandKind::Makeresults { .. }));
    let CommandKind::Transaction { fields, options } =
        first("| transaction user maxspan=30m startswith=eval(a=\"b c\")")
    else {
        panic!()
    };
    assert_eq!((fields.len(), options[1].value.text.as_str()), (1, "eval(a=\"b c\")"));
    assert!(matches!(
        first("| anomalydetection method=histogram action=filter x"),
        CommandKind::Anomalydetection { .. }
    ));
}

#[test]
fn generic_commands_keep_their_arguments() {
    let CommandKind::Generic(g) = first("| foreach * [eval <<FIELD>>=round(<<FIELD>>, 2)] | appendpipe [stats count]")
    else {
        panic!()
    };
    assert_eq!(g.name, "foreach");
    assert!(matches!(&g.args[1], Arg::Block { text, .. } if text == "eval <<FIELD>>=round(<<FIELD>>, 2)"));
    let t = p("a | appendpipe [stats count | where count=0] | regex _raw!=\"x y\" | xyseries a,b c");
    let CommandKind::Generic(g) = &t.commands[1].kind else { panic!() };
    // appendpipe's brackets start with a command, not a search.
    assert!(matches!(&g.args[0], Arg::Subsearch(sp) if matches!(sp.commands[0].kind, CommandKind::Stats(_))));
    assert_eq!(print(&t), "a | appendpipe [stats count | where count = 0] | regex _raw!=\"x y\" | xyseries a, b c");
    let CommandKind::Generic(g) = &t.commands[2].kind else { panic!() };
    assert!(matches!(&g.args[0], Arg::Positional(l) if l.text == "_raw!=\"x y\""));
    let CommandKind::Generic(g) = &t.commands[3].kind else { panic!() };
    assert_eq!(g.args.len(), 4, "a , b c");
}
