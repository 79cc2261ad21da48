//! What an extractor keeps per sourcetype, for the handful of sourcetypes a dataset has.
//!
//! An extractor asked for each event, per sourcetype, its knowledge's plan, the names to
//! extract, the key lookup, the path tree, the slots and the index-time fields: ten lookups
//! an event, each hashing the sourcetype's name (about 1,200 instructions of a broad
//! detection's 10,000 an event). Here a lookup is a look along a few entries, by the
//! name's address first: the extractor's names are its dataset's knowledge's, and so is
//! the name it hands on ([`BySourcetype::key`]); then by text.

/// Values by sourcetype name, in the order they were added.
#[derive(Debug, Clone)]
pub struct BySourcetype<'a, V> {
    entries: Vec<(&'a str, V)>,
}

impl<V> Default for BySourcetype<'_, V> {
    fn default() -> Self {
        BySourcetype { entries: Vec::new() }
    }
}

impl<'a, V> BySourcetype<'a, V> {
    /// Where `st` is: the same text at the same address, else the same text.
    fn position(&self, st: &str) -> Option<usize> {
        let same_place = |(k, _): &(&str, V)| std::ptr::eq(k.as_ptr(), st.as_ptr()) && k.len() == st.len();
        self.entries.iter().position(same_place).or_else(|| self.entries.iter().position(|(k, _)| *k == st))
    }

    pub fn get(&self, st: &str) -> Option<&V> {
        self.position(st).map(|k| &self.entries[k].1)
    }

    /// The name as held here (its address then finds it at once), and its value.
    pub fn key_value(&self, st: &str) -> Option<(&'a str, &V)> {
        self.position(st).map(|k| (self.entries[k].0, &self.entries[k].1))
    }

    /// The value of `st`, made by `make` when new.
    pub fn get_or_insert_with(&mut self, st: &'a str, make: impl FnOnce() -> V) -> &mut V {
        let k = match self.position(st) {
            Some(k) => k,
            None => {
                self.entries.push((st, make()));
                self.entries.len() - 1
            }
        };
        &mut self.entries[k].1
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &V)> {
        self.entries.iter().map(|(k, v)| (*k, v))
    }
}

/// Built from distinct names (a later entry of a name already held is dropped, as a map
/// keeps one value a key).
impl<'a, V> FromIterator<(&'a str, V)> for BySourcetype<'a, V> {
    fn from_iter<I: IntoIterator<Item = (&'a str, V)>>(items: I) -> Self {
        let mut out = BySourcetype::default();
        for (st, v) in items {
            if out.position(st).is_none() {
                out.entries.push((st, v));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_by_address_or_by_text() {
        let names = ["aws:cloudtrail".to_string(), "aws:s3".to_string()];
        let mut by: BySourcetype<usize> = names.iter().map(|n| n.as_str()).zip([1, 2]).collect();
        // Another string with the same text: found by text, and handed on as the held one.
        let other = String::from("aws:s3");
        assert_eq!(by.get(&other), Some(&2));
        let (held, _) = by.key_value(&other).unwrap();
        assert!(std::ptr::eq(held.as_ptr(), names[1].as_ptr()));
        assert_eq!(by.get("aws:s"), None);
        // A name whose address is another's start but shorter is not that name.
        assert_eq!(by.get(&names[0][..3]), None);
        *by.get_or_insert_with("x", || 7) += 1;
        assert_eq!(by.get_or_insert_with("x", || 0), &mut 8);
        assert_eq!(by.get_or_insert_with(&names[0], || 0), &mut 1);
        let twice: BySourcetype<i32> = [("a", 1), ("a", 2)].into_iter().collect();
        assert_eq!((twice.get("a"), twice.iter().count()), (Some(&1), 1));
    }
}
