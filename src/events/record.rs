//! Load records: what loading a big file found (each event's range of the file and its
//! time, the lines skipped and why), kept beside the column cache so that the next load of
//! the same bytes skips checking every line to be JSON and finding its time.
//!
//! A record is named by a key hashed from the spelunk version and the input's digest
//! ([`super::input::input_digest`]: the file's bytes, its name and the metadata given). A
//! record whose header, key, text length or checksum does not match, or whose ranges do
//! not lie in the file as UTF-8, is not used (and is replaced): a stale or damaged record
//! costs time, not correctness.
//!
//! Format (little-endian): `MAGIC`, the 16-byte key, the text's length (u64), the event
//! count (u64); per event its start (u64) and length (u32) in the text, then 0 (no time) or
//! 1 and the time: epoch (f64), offset in minutes (i32), start and end in the event (u32
//! each); the problem count (u64), per problem its line (u64, 0 for none) and message
//! (u32 length + bytes); then the checksum of all before it ([`crate::digest::Summing`]).

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::raw::Text;
use super::{Event, Meta, Raw, Timestamp};
use crate::digest::{store, stored_body, stored_path, Hasher128};

const MAGIC: &[u8; 8] = b"SPLKEVT1";

/// Files smaller than this get no record (loading them takes a few milliseconds).
pub const MIN_BYTES: usize = 8 << 20;

/// The events and problems of one file, as a record gives them back.
#[derive(Debug, PartialEq)]
pub struct Record {
    pub events: Vec<Event>,
    /// Each skipped line (1-based, when known) and why.
    pub problems: Vec<(Option<usize>, String)>,
}

/// The key of the record for an input with this digest.
pub fn key(input_digest: &[u8; 16]) -> [u8; 16] {
    let mut h = Hasher128::new();
    h.bytes(b"spelunk load record ");
    h.bytes(env!("CARGO_PKG_VERSION").as_bytes());
    h.bytes(input_digest);
    h.finish()
}

fn path(dir: &Path, key: &[u8; 16]) -> PathBuf {
    stored_path(dir, key, "events")
}

/// Writes the record of `events` (each a range of `text`) and `problems` under `dir`, to a
/// temporary file renamed into place. Nothing is written when an event is not a range of
/// `text` or is too long for the format.
pub fn write(
    dir: &Path,
    key: &[u8; 16],
    text: &Arc<Text>,
    events: &[Event],
    problems: &[(Option<usize>, &str)],
) -> std::io::Result<()> {
    let fits = |e: &Event| Arc::ptr_eq(e.raw.text(), text) && u32::try_from(e.raw.len()).is_ok();
    if !events.iter().all(fits) {
        return Ok(());
    }
    store(&path(dir, key), MAGIC, key, |w| {
        let mut out = Vec::with_capacity(1 << 20);
        out.extend_from_slice(&(text.len() as u64).to_le_bytes());
        out.extend_from_slice(&(events.len() as u64).to_le_bytes());
        for e in events {
            let range = e.raw.range();
            out.extend_from_slice(&(range.start as u64).to_le_bytes());
            out.extend_from_slice(&(range.len() as u32).to_le_bytes());
            match &e.time {
                None => out.push(0),
                Some(t) => {
                    out.push(1);
                    out.extend_from_slice(&t.epoch.to_le_bytes());
                    out.extend_from_slice(&t.offset_minutes.to_le_bytes());
                    out.extend_from_slice(&t.start.to_le_bytes());
                    out.extend_from_slice(&t.end.get().to_le_bytes());
                }
            }
            if out.len() >= 1 << 20 {
                w.put(&out)?;
                out.clear();
            }
        }
        out.extend_from_slice(&(problems.len() as u64).to_le_bytes());
        for (line, message) in problems {
            out.extend_from_slice(&(line.map_or(0, |l| l as u64)).to_le_bytes());
            out.extend_from_slice(&(message.len() as u32).to_le_bytes());
            out.extend_from_slice(message.as_bytes());
        }
        w.put(&out)
    })
}

/// The record under `dir` for `key`, its events ranges of `text` with `meta`, when there
/// is a whole, valid one.
pub fn read(dir: &Path, key: &[u8; 16], text: &Arc<Text>, meta: &Arc<Meta>) -> Option<Record> {
    let bytes = crate::digest::read_stored(&path(dir, key)).ok()?;
    let mut r = stored_body(&bytes, MAGIC, key)?;
    let body = r.b;
    if r.u64()? != text.len() as u64 {
        return None;
    }
    let n = usize::try_from(r.u64()?).ok()?;
    // Each event takes at least 13 bytes: a count beyond that is damage, not a reason to
    // ask for memory.
    let mut events = Vec::with_capacity(n.min(body.len() / 13));
    for _ in 0..n {
        let start = usize::try_from(r.u64()?).ok()?;
        let len = r.u32()? as usize;
        let time = match r.take(1)?[0] {
            0 => None,
            1 => Some(Timestamp {
                epoch: f64::from_le_bytes(r.take(8)?.try_into().ok()?),
                offset_minutes: i32::from_le_bytes(r.take(4)?.try_into().ok()?),
                start: r.u32()?,
                end: std::num::NonZeroU32::new(r.u32()?)?,
            }),
            _ => return None,
        };
        let raw = Raw::range_of(text, range(start, len)?)?;
        events.push(Event { raw, time, meta: Arc::clone(meta) });
    }
    let p = usize::try_from(r.u64()?).ok()?;
    let mut problems = Vec::with_capacity(p.min(body.len() / 12));
    for _ in 0..p {
        let line = usize::try_from(r.u64()?).ok()?;
        problems.push(((line > 0).then_some(line), r.string()?));
    }
    (r.i == body.len()).then_some(Record { events, problems })
}

fn range(start: usize, len: usize) -> Option<Range<usize>> {
    Some(start..start.checked_add(len)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::checksum;

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("spelunk-record-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    /// A text of three lines, the second not an event, and its events as loading makes them.
    fn loaded() -> (Arc<Text>, Arc<Meta>, Vec<Event>) {
        let text = Arc::new(Text::from(
            "{\"eventTime\":\"2025-01-01T00:00:00+02:00\",\"a\":\"é\"}\nnot json\n{\"b\":1}\n".to_string(),
        ));
        let meta = Arc::new(Meta { source: "f.ndjson".into(), ..Meta::default() });
        let s = std::str::from_utf8(text.as_bytes()).unwrap();
        let lines: Vec<&str> = s.lines().collect();
        let events =
            [lines[0], lines[2]].iter().map(|l| Event::new(Raw::within(Some(&text), l), Arc::clone(&meta))).collect();
        (text, meta, events)
    }

    #[test]
    fn a_record_gives_back_the_events_and_problems_written() {
        let dir = scratch("round");
        let (text, meta, events) = loaded();
        assert!(events[0].time.is_some() && events[1].time.is_none());
        let key = key(&[7; 16]);
        assert_eq!(read(&dir, &key, &text, &meta), None, "nothing written yet");
        write(&dir, &key, &text, &events, &[(Some(2), "not JSON: expected value")]).unwrap();
        let back = read(&dir, &key, &text, &meta).expect("read back");
        assert_eq!(back.events, events);
        assert!(back.events.iter().all(|e| Arc::ptr_eq(e.raw.text(), &text)), "ranges of the text, not copies");
        assert_eq!(back.problems, vec![(Some(2), "not JSON: expected value".to_string())]);
        // Another key (another input, another version) finds nothing.
        assert_eq!(read(&dir, &super::key(&[8; 16]), &text, &meta), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_damaged_or_foreign_record_is_not_used() {
        let dir = scratch("damaged");
        let (text, meta, events) = loaded();
        let key = key(&[1; 16]);
        write(&dir, &key, &text, &events, &[]).unwrap();
        let good = std::fs::read(path(&dir, &key)).unwrap();
        let mut flipped = good.clone();
        flipped[40] ^= 1;
        for bad in [flipped, good[..good.len() - 1].to_vec(), Vec::new()] {
            std::fs::write(path(&dir, &key), &bad).unwrap();
            assert_eq!(read(&dir, &key, &text, &meta), None);
        }
        // The same record over a text of another length, or with a range that is not UTF-8
        // where it now lies (a record whose checksum holds but whose ranges do not).
        std::fs::write(path(&dir, &key), &good).unwrap();
        let longer = Arc::new(Text::from(format!("{} ", std::str::from_utf8(text.as_bytes()).unwrap())));
        assert_eq!(read(&dir, &key, &longer, &meta), None);
        let s = std::str::from_utf8(text.as_bytes()).unwrap();
        let cut = s.find('é').unwrap() + 1;
        let odd = Event { raw: Raw::within(Some(&text), &s[..cut - 1]), time: None, meta: Arc::clone(&meta) };
        write(&dir, &key, &text, &[odd], &[]).unwrap();
        let mut bytes = std::fs::read(path(&dir, &key)).unwrap();
        // Lengthen the one event by a byte (into the middle of 'é'), and sum it again.
        let at = MAGIC.len() + 16 + 8 + 8 + 8;
        let len = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) + 1;
        bytes[at..at + 4].copy_from_slice(&len.to_le_bytes());
        let body = bytes.len() - 16;
        let sum = checksum(&bytes[..body]);
        bytes[body..].copy_from_slice(&sum);
        std::fs::write(path(&dir, &key), &bytes).unwrap();
        assert_eq!(read(&dir, &key, &text, &meta), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn events_that_are_not_ranges_of_the_text_get_no_record() {
        let dir = scratch("copies");
        let (text, meta, mut events) = loaded();
        events.push(Event::new("{\"c\":2}", Arc::clone(&meta)));
        let key = key(&[2; 16]);
        write(&dir, &key, &text, &events, &[]).unwrap();
        assert!(!path(&dir, &key).exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
