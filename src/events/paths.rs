//! The wanted JSON paths as a tree, and a walk over checked JSON that follows it.
//!
//! A shared pass makes a few fields for many events (the broad CloudTrail detections want
//! eight leaves of a record's sixty: five of its own members and three below
//! `userIdentity`). The walk of [`super::flat`] builds each member's path as text and asks
//! whether it is wanted, a hash of the path per member: about 15,000 instructions a
//! record, most of a broad detection's second pass. Here each object's keys are compared
//! with the few keys wanted under it (a tree made once per set of wanted names), and a
//! member not wanted is passed over without being looked at: a string to its closing
//! quote, sixteen bytes at a time; an object or array by its brackets
//! ([`super::flat::skip_container`]). About 6,400 instructions a record.
//!
//! It is for text already known to be JSON (an event loaded by [`super::input`], which
//! checks every one), and gives the leaves [`super::flat::flatten_json_leaves`] gives, or
//! declines (`false`) and leaves the walk that builds paths to decide. It declines a
//! document whose paths that walk would spell some other way than the tree does (a key in
//! a walked object that holds `.`, `{` or `}`, or is empty), and what that walk declines
//! itself (a key with an escape, a wanted key met twice in one walked object, a wanted
//! number with an exponent, which serde_json rewrites, an escape that does not decode in a
//! string it reads), so that a leaf is the same whichever walk made it. A key met twice
//! that is not wanted gives no leaf either way; the walk from the own keys the load's
//! check found ([`PathTree::walk_own`]) goes on past it, since text that check is sure of
//! holds no `\u` escape, so the walk deciding reads it whole (a bad escape elsewhere
//! would leave that walk with no fields at all).

use std::borrow::Cow;
use std::collections::HashMap;

use super::check::same;
use super::flat::{skip_container, unescape, Leaves};
use super::hash::FxBuild;
use super::json::MAX_DEPTH;

/// Wanted JSON paths (`a.b{}.c`) and the paths above them, as a tree of keys (`.` steps)
/// and array elements (`{}` steps) from the document's own object.
#[derive(Debug)]
pub struct PathTree {
    /// The root (the document's own object) first.
    nodes: Vec<Node>,
    /// The wanted leaves' paths, numbered as [`Leaves::wanted_leaf`] is told them.
    leaves: Vec<String>,
}

#[derive(Debug, Default)]
struct Node {
    /// The node's number among [`PathTree::leaves`], when it is a wanted leaf.
    leaf: Option<usize>,
    /// Whether a wanted leaf may lie below: an object or array here is walked.
    below: bool,
    /// The nodes of the members of an object here, by key, and the keys' bits
    /// ([`key_bit`]): a key whose bit is not set is not one of them.
    keys: Vec<(Box<[u8]>, usize)>,
    key_bits: [u64; 4],
    /// The node of the elements of an array here.
    elements: Option<usize>,
    /// How many steps from the root.
    depth: usize,
}

impl PathTree {
    /// The tree of the wanted paths `leaves` (`_raw`, not a JSON path, is left out) and the
    /// paths a wanted leaf may lie below (their [`super::flat::branch_paths`]); `None` when
    /// a path is nested [`MAX_DEPTH`] deep (the other walk declines a walk that deep).
    ///
    /// A path that no walk of [`super::flat`] can spell with keys free of `.`, `{` and `}`
    /// (`a..b`, `a{x}`) is left out: only a document the walk here declines has it.
    pub fn new<'n>(
        leaves: impl IntoIterator<Item = &'n String>,
        below: impl IntoIterator<Item = &'n String>,
    ) -> Option<PathTree> {
        let mut tree = PathTree { nodes: vec![Node { below: true, ..Node::default() }], leaves: Vec::new() };
        let mut by_path: HashMap<String, usize, FxBuild> = HashMap::default();
        by_path.insert(String::new(), 0);
        for path in below {
            if let Some(n) = tree.node(path, &mut by_path) {
                tree.nodes[n].below = true;
            }
        }
        for path in leaves {
            if path == "_raw" {
                continue;
            }
            if let Some(n) = tree.node(path, &mut by_path) {
                if tree.nodes[n].leaf.is_none() {
                    tree.nodes[n].leaf = Some(tree.leaves.len());
                    tree.leaves.push(path.clone());
                }
            }
        }
        tree.nodes.iter().all(|n| n.depth < MAX_DEPTH).then_some(tree)
    }

    /// The node of `path`, made with the nodes above it when new; `None` for a path that
    /// is not a chain of plain keys and array steps from the root.
    fn node(&mut self, path: &str, by_path: &mut HashMap<String, usize, FxBuild>) -> Option<usize> {
        if let Some(&n) = by_path.get(path) {
            return Some(n);
        }
        let (parent, key) = match path.strip_suffix("{}") {
            // The root is an object, never an array.
            Some("") => return None,
            Some(parent) => (parent, None),
            None => {
                let (parent, key) = path.rsplit_once('.').unwrap_or(("", path));
                if key.is_empty() || key.contains(['{', '}']) {
                    return None;
                }
                (parent, Some(key))
            }
        };
        let parent = self.node(parent, by_path)?;
        let n = self.nodes.len();
        self.nodes.push(Node { depth: self.nodes[parent].depth + 1, ..Node::default() });
        match key {
            Some(key) => {
                let bit = key_bit(key.as_bytes());
                self.nodes[parent].key_bits[bit / 64] |= 1 << (bit % 64);
                self.nodes[parent].keys.push((key.as_bytes().into(), n));
            }
            None => self.nodes[parent].elements = Some(n),
        }
        by_path.insert(path.to_string(), n);
        Some(n)
    }

    /// The wanted paths it holds, in the order [`Leaves::wanted_leaf`] numbers them.
    pub fn leaves(&self) -> &[String] {
        &self.leaves
    }

    /// The wanted leaves of the checked JSON object `raw` into `out` (a leaf is made when
    /// `out` wants it, [`Leaves::wanted`] with `wants`); `false`, with `out` back at its
    /// mark, when the walk of [`super::flat`] must decide.
    pub fn walk<'a>(&self, raw: &'a str, wants: &dyn Fn(&str) -> bool, out: &mut dyn Leaves<'a>) -> bool {
        let mark = out.mark();
        let mut w = Walk { tree: self, b: raw.as_bytes(), s: raw, i: 0, wants, out, others: Some(Vec::new()) };
        w.ws();
        let ok = w.peek() == Some(b'{') && w.object(0).is_some();
        if !ok {
            w.out.back_to(mark);
        }
        ok
    }

    /// [`PathTree::walk`] of a compact JSON object whose own keys (not those of objects
    /// inside it) open at `own` (their opening quotes, in order, as the load's check found
    /// them, [`super::check::object_facts_with_keys`]): each member's key is read there,
    /// and a member not wanted is not passed over (its value's text not looked at).
    pub fn walk_own<'a>(
        &self,
        raw: &'a str,
        own: &[u32],
        wants: &dyn Fn(&str) -> bool,
        out: &mut dyn Leaves<'a>,
    ) -> bool {
        let mark = out.mark();
        // Text the load's check is sure of holds no `\u` escape, so the walk deciding a
        // document declined here reads it whole: keys not wanted need not be remembered.
        let mut w = Walk { tree: self, b: raw.as_bytes(), s: raw, i: 0, wants, out, others: None };
        let mut seen = Seen::default();
        let ok = own.iter().all(|&at| {
            w.i = at as usize;
            w.member(0, &mut seen, false).is_some()
        });
        if !ok {
            w.out.back_to(mark);
        }
        ok
    }
}

/// The keys of one object met so far, to find one met twice.
#[derive(Default)]
struct Seen {
    /// Bit `j`: the node's `j`th key (of the first 256).
    wanted: [u64; 4],
    /// The keys not wanted, by [`key_bit`], when remembered; theirs in [`Walk::others`]
    /// are from `base` on.
    others: [u64; 4],
    base: usize,
}

struct Walk<'t, 'a, 'o> {
    tree: &'t PathTree,
    b: &'a [u8],
    s: &'a str,
    i: usize,
    wants: &'o dyn Fn(&str) -> bool,
    out: &'o mut dyn Leaves<'a>,
    /// Where the keys not wanted of the objects being walked are (innermost last), when
    /// they are remembered: a key met twice is then found whether wanted or not.
    others: Option<Vec<(usize, usize)>>,
}

impl<'a> Walk<'_, 'a, '_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Past white space (none in compact text: one comparison tells).
    #[inline(always)]
    fn ws(&mut self) {
        if self.b.get(self.i).is_some_and(|&c| c > b' ') {
            return;
        }
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.i += 1;
        }
    }

    /// Past `c` (white space before it skipped).
    fn expect(&mut self, c: u8) -> Option<()> {
        self.ws();
        (self.peek()? == c).then(|| self.i += 1)
    }

    /// The object at the current `{`, at `node` (whose `below` is set).
    fn object(&mut self, node: usize) -> Option<()> {
        self.i += 1;
        self.ws();
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(());
        }
        let mut seen = Seen { base: self.others.as_ref().map_or(0, Vec::len), ..Seen::default() };
        loop {
            self.ws();
            self.member(node, &mut seen, true)?;
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    if let Some(others) = &mut self.others {
                        others.truncate(seen.base);
                    }
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// The member whose key's opening quote is the current byte, of the object at `node`
    /// whose keys met before it are `seen`; a member not wanted is passed over when
    /// `pass_over` (else left where its value starts).
    #[inline(always)]
    fn member(&mut self, node: usize, seen: &mut Seen, pass_over: bool) -> Option<()> {
        let n = &self.tree.nodes[node];
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.i + 1;
        let (len, steps) = key_scan(&self.b[start..]);
        let end = start + len;
        // A key with an escape (or no end): the other walk decides.
        if self.b.get(end)? != &b'"' {
            return None;
        }
        let key = &self.b[start..end];
        let bit = key_bit(key);
        let child = match n.key_bits[bit / 64] >> (bit % 64) & 1 {
            1 => n.keys.iter().position(|(k, _)| same(k, key)),
            _ => None,
        };
        // A key met twice declines, as the other walk does; one not wanted only when
        // keys not wanted are remembered (`others`). A node of more keys than `seen`
        // holds declines at its later ones.
        match child {
            Some(j) => {
                if j >= 256 || seen.wanted[j / 64] >> (j % 64) & 1 == 1 {
                    return None;
                }
                seen.wanted[j / 64] |= 1 << (j % 64);
            }
            None => {
                if let Some(others) = &mut self.others {
                    let met = seen.others[bit / 64] >> (bit % 64) & 1 == 1;
                    if met && others[seen.base..].iter().any(|&(s, e)| same(&self.b[s..e], key)) {
                        return None;
                    }
                    seen.others[bit / 64] |= 1 << (bit % 64);
                    others.push((start, end));
                }
            }
        }
        let child = child.map(|j| &n.keys[j]);
        match child {
            // A path the tree does not spell (its key holds a step of its own).
            None if steps || key.is_empty() => None,
            None if !pass_over => Some(()),
            _ => {
                self.i = end + 1;
                self.expect(b':')?;
                self.ws();
                match child {
                    Some(&(_, child)) => self.value(child),
                    None => self.skip_value(),
                }
            }
        }
    }

    /// The array at the current `[`, at `node` (whose `below` is set).
    fn array(&mut self, node: usize) -> Option<()> {
        let elements = self.tree.nodes[node].elements;
        self.i += 1;
        self.ws();
        if self.peek()? == b']' {
            self.i += 1;
            return Some(());
        }
        loop {
            self.ws();
            match elements {
                Some(e) => self.value(e)?,
                // Walked as the other walk walks it (its strings' escapes decoded).
                None => self.skip_value()?,
            }
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// The value at the current byte, at `node`.
    fn value(&mut self, node: usize) -> Option<()> {
        let tree = self.tree;
        let n = &tree.nodes[node];
        let leaf = match (self.peek()?, n.leaf) {
            (b'{', _) if n.below => return self.object(node),
            (b'[', _) if n.below => return self.array(node),
            // A container that is not walked, or a leaf not wanted here.
            (b'{' | b'[', _) | (_, None) => return self.skip_value(),
            (_, Some(k)) if !self.out.wanted_leaf(k, &tree.leaves[k], self.wants) => return self.skip_value(),
            (_, Some(k)) => &tree.leaves[k],
        };
        if self.peek()? == b'"' {
            let (start, end, escaped) = self.string()?;
            let body = &self.s[start..end];
            let text = if escaped { Cow::Owned(unescape(body)?) } else { Cow::Borrowed(body) };
            self.out.leaf(leaf, text);
            return Some(());
        }
        let start = self.i;
        self.i += scalar_len(&self.b[start..]);
        let text = &self.s[start..self.i];
        // serde_json rewrites a number with an exponent.
        let number = text.starts_with(|c: char| c == '-' || c.is_ascii_digit());
        if text.is_empty() || number && text.contains(['e', 'E']) {
            return None;
        }
        self.out.leaf(leaf, Cow::Borrowed(text));
        Some(())
    }

    /// A value no wanted leaf is in or below.
    #[inline(always)]
    fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            b'{' | b'[' => self.i += skip_container(&self.b[self.i..])?,
            b'"' => {
                let (start, end, escaped) = self.string()?;
                if escaped {
                    unescape(&self.s[start..end])?;
                }
            }
            _ => {
                let len = scalar_len(&self.b[self.i..]);
                if len == 0 {
                    return None;
                }
                self.i += len;
            }
        }
        Some(())
    }

    /// Past the string at the current `"`: its body's start and end, and whether it has
    /// escapes.
    #[inline(always)]
    fn string(&mut self) -> Option<(usize, usize, bool)> {
        let start = self.i + 1;
        let mut at = start;
        let mut escaped = false;
        loop {
            at += quote_or_backslash(&self.b[at..]);
            match self.b.get(at)? {
                b'"' => {
                    self.i = at + 1;
                    return Some((start, at, escaped));
                }
                _ => {
                    escaped = true;
                    at += 2;
                    if at > self.b.len() {
                        return None;
                    }
                }
            }
        }
    }
}

/// A key's bit in a 256-bit summary of a set of keys: keys with different bits differ, so
/// only a key whose bit is set is compared with the keys of the set. By its length and
/// its last eight bytes (CloudTrail's keys share their beginnings: `eventTime`,
/// `eventType` and `eventName` have one length and the same first and last letters).
fn key_bit(key: &[u8]) -> usize {
    let n = key.len();
    let tail = if n >= 8 {
        u64::from_le_bytes(key[n - 8..].try_into().expect("eight bytes"))
    } else {
        key.iter().fold(0u64, |w, &c| w << 8 | u64::from(c))
    };
    ((tail ^ (n as u64) << 58).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 56) as usize
}

/// How many bytes of a number or `true`, `false`, `null` `b` starts with (up to the byte
/// that ends it in JSON: `,`, `}`, `]` or white space).
fn scalar_len(b: &[u8]) -> usize {
    b.iter().position(|c| matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t')).unwrap_or(b.len())
}

/// [`quote_or_backslash`] of a key's text, and whether those bytes hold a `.`, `{` or `}`
/// (a key that is a path of several steps).
fn key_scan(b: &[u8]) -> (usize, bool) {
    let mut k = 0;
    let mut steps = false;
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8};
        while k + 16 <= b.len() {
            // SAFETY: SSE2 is part of the x86-64 baseline; the load reads the 16 bytes at
            // `k`, which are within `b`, and needs no alignment.
            let (ends, step) = unsafe {
                let v = _mm_loadu_si128(b.as_ptr().add(k).cast());
                let is = |c: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8));
                let ends = _mm_or_si128(is(b'"'), is(b'\\'));
                let step = _mm_or_si128(is(b'.'), _mm_or_si128(is(b'{'), is(b'}')));
                (_mm_movemask_epi8(ends) as u32, _mm_movemask_epi8(step) as u32)
            };
            if ends != 0 {
                let len = ends.trailing_zeros();
                return (k + len as usize, steps || step & ((1 << len) - 1) != 0);
            }
            steps |= step != 0;
            k += 16;
        }
    }
    let len = quote_or_backslash(&b[k..]);
    (k + len, steps || b[k..k + len].iter().any(|c| matches!(c, b'.' | b'{' | b'}')))
}

/// How many bytes at the start of `b` are neither `"` nor `\`: sixteen at a time where
/// the processor has SSE2 (every x86-64 does). [`super::flat::plain_run`] without its test
/// for control characters, which checked JSON holds none of inside strings.
fn quote_or_backslash(b: &[u8]) -> usize {
    let mut k = 0;
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8};
        while k + 16 <= b.len() {
            // SAFETY: SSE2 is part of the x86-64 baseline; the load reads the 16 bytes at
            // `k`, which are within `b`, and needs no alignment.
            let mask = unsafe {
                let v = _mm_loadu_si128(b.as_ptr().add(k).cast());
                let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
                let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
                _mm_movemask_epi8(_mm_or_si128(quote, backslash)) as u32
            };
            if mask != 0 {
                return k + mask.trailing_zeros() as usize;
            }
            k += 16;
        }
    }
    let rest = &b[k..];
    k + rest.iter().position(|&c| c == b'"' || c == b'\\').unwrap_or(rest.len())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::events::flat::{branch_paths, flatten_json_leaves, IntoFields, Wants};
    use crate::events::json::{self, Fields};
    use crate::events::value::Value;

    /// What extraction gives for `names`: the walk that builds paths, or the tree walk
    /// where it declines.
    fn reference(raw: &str, names: &BTreeSet<String>) -> Fields {
        let need = |p: &str| p != "_raw" && names.contains(p);
        let below = branch_paths(names);
        let under = |p: &str| below.contains(p);
        let mut fields = Fields::default();
        if flatten_json_leaves(raw, Wants { leaf: &need, below: &under }, &mut IntoFields::after(&mut fields)) {
            return fields;
        }
        let mut out = Fields::default();
        if let Ok(tree) = json::parse(raw) {
            json::flatten(&tree, &mut String::new(), &mut out, &need);
        }
        out
    }

    /// The tree's walk for `names` (`None`: it declined, or made no tree), checked against
    /// [`reference`] when it did not; and when the load's check is sure of the document,
    /// its walk from the own keys the check found gives the same (or declines the same).
    fn guided(raw: &str, names: &BTreeSet<String>) -> Option<Fields> {
        let need = |p: &str| p != "_raw" && names.contains(p);
        let below = branch_paths(names);
        let tree = PathTree::new(names, &below)?;
        let mut own = Vec::new();
        let from_own = super::super::check::object_facts_with_keys(raw.as_bytes(), None, Some(&mut own)).map(|_| {
            let mut fields = Fields::default();
            tree.walk_own(raw, &own, &need, &mut IntoFields::after(&mut fields)).then_some(fields)
        });
        let mut fields = Fields::default();
        fields.insert("before".into(), Value::Str("x".into()));
        let reference = reference(raw, names);
        // From the own keys: what the walk deciding gives, or declined.
        if let Some(Some(from_own)) = &from_own {
            assert_eq!(from_own, &reference, "{names:?} of {raw}, from its own keys {own:?}");
        }
        if !tree.walk(raw, &need, &mut IntoFields::after(&mut fields)) {
            assert_eq!(fields.len(), 1, "a decline leaves the sink at its mark: {raw}");
            return None;
        }
        fields.shift_remove("before");
        assert_eq!(fields, reference, "{names:?} of {raw}");
        assert!(from_own.is_none_or(|f| f.is_some()), "{names:?} of {raw}: walked, and from its own keys too");
        Some(fields)
    }

    fn set(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    /// The names a broad CloudTrail detection's shared pass makes.
    const BROAD: [&str; 9] = [
        "errorMessage",
        "eventName",
        "eventType",
        "sourceIPAddress",
        "userAgent",
        "userIdentity.arn",
        "userIdentity.sessionContext.sessionIssuer.userName",
        "userIdentity.userName",
        "_raw",
    ];

    #[test]
    fn every_dataset_record_gives_what_the_other_walks_give() {
        let mut rng = Rng(7);
        for line in crate::events::dataset_lines() {
            // Its own leaves, compact and as written.
            let mut all = Fields::default();
            json::flatten(&json::parse(&line).unwrap(), &mut String::new(), &mut all, &|_| true);
            let own: Vec<String> = all.keys().cloned().collect();
            let compact = serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&line).unwrap()).unwrap();
            for raw in [compact.as_str(), line.as_str()] {
                let broad = guided(raw, &set(&BROAD)).expect("a CloudTrail record is walked");
                assert!(broad.contains_key("eventName"), "{raw}");
                assert!(guided(raw, &own.iter().cloned().collect()).is_some(), "{raw}");
                for _ in 0..20 {
                    let mut names: BTreeSet<String> =
                        (0..1 + rng.below(6)).map(|_| own[rng.below(own.len())].clone()).collect();
                    // A path above a leaf, one below it, one beside it.
                    let pick = own[rng.below(own.len())].clone();
                    if let Some((above, _)) = pick.rsplit_once('.') {
                        names.insert(above.to_string());
                    }
                    names.insert(format!("{pick}.x"));
                    names.insert(format!("{pick}{{}}"));
                    guided(raw, &names);
                }
            }
        }
    }

    /// Documents made from a seed with what each walk treats on its own: keys with dots,
    /// braces, escapes, empty keys, keys met twice, arrays of arrays, numbers with
    /// exponents, escapes that do not decode, white space.
    fn documents(seed: u64, count: usize) -> Vec<String> {
        // Mostly plain keys: a document with one of the others in a walked object is
        // declined.
        const KEYS: [&str; 16] =
            ["a", "b", "c", "bb", "d", "a", "b", "c", "bb", "d", "a", "b", "a.b", "", "k{}", r"a\u0062"];
        const SCALARS: [&str; 12] = [
            r#""x""#,
            r#""y z""#,
            r#""q\"\\""#,
            r#""\u00e9""#,
            r#""\ud800""#,
            "1",
            "-2.5",
            "1e3",
            "0.5E-2",
            "true",
            "null",
            r#""a long string of text that runs past sixteen bytes and more""#,
        ];
        fn value(depth: u32, rng: &mut Rng) -> String {
            match if depth > 3 { 2 } else { rng.below(5) } {
                0 | 1 => {
                    let members: Vec<String> = (0..rng.below(5))
                        .map(|_| format!("\"{}\":{}", KEYS[rng.below(KEYS.len())], value(depth + 1, rng)))
                        .collect();
                    format!("{{{}}}", members.join([",", " , ", ",\n"][rng.below(3)]))
                }
                2 => SCALARS[rng.below(SCALARS.len())].to_string(),
                _ => {
                    let items: Vec<String> = (0..rng.below(4)).map(|_| value(depth + 1, rng)).collect();
                    format!("[{}]", items.join(","))
                }
            }
        }
        let mut rng = Rng(seed);
        let mut out = Vec::new();
        while out.len() < count {
            let v = value(0, &mut rng);
            if v.starts_with('{') && serde_json::from_str::<serde::de::IgnoredAny>(&v).is_ok() {
                out.push(v);
            }
        }
        out
    }

    #[test]
    fn made_documents_give_what_the_other_walks_give_or_are_declined() {
        const PATHS: [&str; 14] =
            ["a", "b", "c", "a.b", "a.c", "b{}", "b{}.a", "c{}{}", "a.a.a", "bb", "b.a{}", "k{}", "a..b", "{}"];
        let mut rng = Rng(99);
        let (mut walked, mut declined) = (0, 0);
        for doc in documents(3, 6000) {
            for _ in 0..4 {
                let names: BTreeSet<String> =
                    (0..1 + rng.below(4)).map(|_| PATHS[rng.below(PATHS.len())].into()).collect();
                match guided(&doc, &names) {
                    Some(_) => walked += 1,
                    None => declined += 1,
                }
            }
        }
        assert!(walked > 10_000 && declined > 1000, "{walked} walked, {declined} declined");
    }

    #[test]
    fn cases_at_the_edges() {
        /// A document, the names wanted, and the leaves the walk gives (`None`: it declines).
        type Case<'c> = (&'c str, &'c [&'c str], Option<&'c [(&'c str, &'c str)]>);
        let cases: [Case; 17] = [
            (r#"{"a":{"b":"x"},"c":1}"#, &["a.b", "c"], Some(&[("a.b", "x"), ("c", "1")])),
            // A wanted leaf that is a container, a container above no wanted leaf.
            (r#"{"a":{"b":"x"},"c":[1]}"#, &["a"], Some(&[])),
            (
                r#"{"a":[1,"y",{"b":2},[3]],"b":null}"#,
                &["a{}", "a{}.b", "b"],
                Some(&[("a{}", "1"), ("a{}", "y"), ("a{}.b", "2"), ("b", "null")]),
            ),
            // A value that is not an object where a wanted path goes on below it.
            (r#"{"a":"x","c":1}"#, &["a.b", "c"], Some(&[("c", "1")])),
            (r#"{"a":[[1,2],[3]]}"#, &["a{}{}"], Some(&[("a{}{}", "1"), ("a{}{}", "2"), ("a{}{}", "3")])),
            (r#" { "a" : "x\"y" , "b" : true } "#, &["a", "b"], Some(&[("a", "x\"y"), ("b", "true")])),
            // What the walk that builds paths decides.
            (r#"{"a.b":"x"}"#, &["a.b"], None),
            (r#"{"":{"b":"x"}}"#, &["b"], None),
            // A key met twice, wanted or not (from the own keys, one not wanted is passed:
            // `keys_met_twice_not_wanted_are_passed_from_the_own_keys`).
            (r#"{"a":1,"a":2}"#, &["a"], None),
            (r#"{"a":{"b":1},"a":{"b":2}}"#, &["a.b"], None),
            (r#"{"a":1,"a":2}"#, &["b"], None),
            (r#"{"a\u0062":1}"#, &["ab"], None),
            (r#"{"a":1e3}"#, &["a"], None),
            (r#"{"a":"\ud800"}"#, &["b"], None),
            (r#"{"a":"\ud800"}"#, &["a"], None),
            (r#"{"a":"\ud800"}"#, &["a.b"], None),
            // An exponent, a bad escape not read, a dotted key in a part not walked.
            (r#"{"a":1e3,"b":{"c.d":"\ud800"},"e":"x"}"#, &["e"], Some(&[("e", "x")])),
        ];
        for (doc, names, want) in cases {
            let got = guided(doc, &set(names));
            let want: Option<Fields> = want.map(|w| {
                let mut f = Fields::default();
                let mut into = IntoFields::after(&mut f);
                w.iter().for_each(|(k, v)| into.leaf(k, Cow::Borrowed(v)));
                f
            });
            assert_eq!(got, want, "{names:?} of {doc}");
        }
    }

    /// A key met twice that is not wanted: the walk from the own keys goes on, giving what
    /// the walk deciding gives; the whole walk declines it, as the walk building paths does.
    #[test]
    fn keys_met_twice_not_wanted_are_passed_from_the_own_keys() {
        /// A document, the names wanted, the leaves.
        type Case<'c> = (&'c str, &'c [&'c str], &'c [(&'c str, &'c str)]);
        let cases: [Case; 3] = [
            (r#"{"a":1,"a":2}"#, &["b"], &[]),
            (r#"{"b":"x","a":1,"c":{"d":1,"d":2},"a":2}"#, &["b", "c.e"], &[("b", "x")]),
            (r#"{"b":"x","c":{"d":1,"e":"y","d":2},"c2":[]}"#, &["c.e"], &[("c.e", "y")]),
        ];
        for (doc, names, want) in cases {
            let names = set(names);
            let tree = PathTree::new(&names, &branch_paths(&names)).unwrap();
            let need = |p: &str| names.contains(p);
            let mut own = Vec::new();
            assert!(crate::events::check::object_facts_with_keys(doc.as_bytes(), None, Some(&mut own)).is_some());
            let mut fields = Fields::default();
            assert!(tree.walk_own(doc, &own, &need, &mut IntoFields::after(&mut fields)), "{doc}");
            let mut expected = Fields::default();
            let mut into = IntoFields::after(&mut expected);
            want.iter().for_each(|(k, v)| into.leaf(k, Cow::Borrowed(v)));
            assert_eq!((&fields, &fields), (&expected, &reference(doc, &names)), "{doc}");
            assert!(!tree.walk(doc, &need, &mut IntoFields::after(&mut Fields::default())), "{doc}");
            assert_eq!(guided(doc, &names), None);
        }
    }

    #[test]
    fn the_tree_holds_the_paths_a_walk_can_spell() {
        let names = set(&["a.b{}.c", "a.b", "x", "a..b", "a{x}", "{}", "_raw"]);
        let tree = PathTree::new(&names, &branch_paths(&names)).unwrap();
        let leaves: BTreeSet<&str> = tree.leaves().iter().map(String::as_str).collect();
        assert_eq!(leaves, BTreeSet::from(["a.b{}.c", "a.b", "x"]));
        assert_eq!(tree.leaves().len(), 3);
        for (k, path) in tree.leaves().iter().enumerate() {
            assert_eq!(tree.nodes.iter().filter(|n| n.leaf == Some(k)).count(), 1, "{path}");
        }
        // Root: `a` and `x`; `a` is walked into, `x` is not.
        let root = &tree.nodes[0];
        let keys: Vec<&[u8]> = root.keys.iter().map(|(k, _)| &**k).collect();
        assert_eq!(keys, [b"a".as_slice(), b"x".as_slice()]);
        assert!(tree.nodes[root.keys[0].1].below && !tree.nodes[root.keys[1].1].below);
        // Nested deeper than the other walk goes: no tree.
        let deep = set(&[&vec!["k"; MAX_DEPTH + 1].join(".")]);
        assert!(PathTree::new(&deep, &branch_paths(&deep)).is_none());
    }

    #[test]
    fn key_and_string_ends_are_where_a_byte_by_byte_scan_finds_them() {
        for stop in [b'"', b'\\'] {
            for len in 0..40 {
                for at in 0..=len {
                    let mut b = vec![b'a'; len];
                    if at < len {
                        b[at] = stop;
                    }
                    assert_eq!(quote_or_backslash(&b), at, "{stop} at {at} of {len}");
                    // A step before the end is seen, one after it is not.
                    for step in [b'.', b'{', b'}'] {
                        for place in 0..len {
                            let mut with = b.clone();
                            if place == at {
                                continue;
                            }
                            with[place] = step;
                            assert_eq!(key_scan(&with), (at, place < at), "{step} at {place}, {stop} at {at} of {len}");
                        }
                    }
                    assert_eq!(key_scan(&b), (at, false));
                }
            }
        }
    }
}
