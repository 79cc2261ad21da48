//! `iplocation [prefix=P] [allfields=bool] [lang=L] field` (docs/spl-semantics.md 7.3):
//! `City`, `Country`, `Region`, `lat`, `lon` (and `Continent`, `MetroCode`, `Timezone`
//! with `allfields=true`) from a MaxMind-format City database the user gives
//! (`--geoip FILE`). Without a database the fields stay empty and the search says why
//! once; an address the database does not hold gives empty fields, as in Splunk.

use std::collections::BTreeSet;
use std::net::IpAddr;

use maxminddb::{path, PathElement};

use super::{bool_option, known_options, option, Cx};
use crate::engine::EngineError;
use crate::eval::value::format_number;
use crate::events::Value;
use crate::frame::Frame;
use crate::syntax::{CmdOption, Ident};

/// A City database, as `maxminddb` reads it.
pub type GeoIp = maxminddb::Reader<Vec<u8>>;

pub fn run(f: &mut Frame, options: &[CmdOption], field: &Ident, cx: &Cx) -> Result<(), EngineError> {
    known_options(options, &["prefix", "allfields", "lang"], "iplocation")?;
    let prefix = option(options, "prefix").map_or(String::new(), |o| o.value.text.clone());
    let allfields = bool_option(options, "allfields", false)?;
    let lang = option(options, "lang").map_or("en".to_string(), |o| o.value.text.clone());
    let Some(db) = cx.geoip else {
        cx.warn(format!(
            "iplocation: no GeoIP database was given (--geoip FILE, a MaxMind City .mmdb); \
             {prefix}City, {prefix}Country, {prefix}Region, {prefix}lat and {prefix}lon are left empty"
        ));
        return Ok(());
    };
    f.ensure(&BTreeSet::from([field.name.clone()]));
    let ips = f.values(&field.name);
    let mut names = vec!["City", "Country", "Region", "lat", "lon"];
    if allfields {
        names.extend(["Continent", "MetroCode", "Timezone"]);
    }
    let mut cols: Vec<Vec<Value>> = vec![vec![Value::Null; f.height()]; names.len()];
    let lang = lang.as_str();
    for (row, v) in ips.iter().enumerate() {
        // The first value that is an address (UNVERIFIED for multivalues).
        let Some(ip) = v.values().iter().find_map(|s| s.trim().parse::<IpAddr>().ok()) else { continue };
        let Ok(found) = db.lookup(ip) else { continue };
        let text = |p: &[PathElement<'_>]| -> Value {
            found.decode_path::<String>(p).ok().flatten().map_or(Value::Null, Value::Str)
        };
        let number = |p: &[PathElement<'_>]| -> Value {
            found.decode_path::<f64>(p).ok().flatten().map_or(Value::Null, |n| Value::Str(format_number(n)))
        };
        let mut values = vec![
            text(&path!["city", "names", lang]),
            text(&path!["country", "names", lang]),
            text(&path!["subdivisions", 0, "names", lang]),
            number(&path!["location", "latitude"]),
            number(&path!["location", "longitude"]),
        ];
        if allfields {
            values.push(text(&path!["continent", "names", lang]));
            values.push(
                found
                    .decode_path::<u64>(&path!["location", "metro_code"])
                    .ok()
                    .flatten()
                    .map_or(Value::Null, |n| Value::Str(n.to_string())),
            );
            values.push(text(&path!["location", "time_zone"]));
        }
        for (c, v) in values.into_iter().enumerate() {
            cols[c][row] = v;
        }
    }
    for (name, col) in names.iter().zip(&cols) {
        f.set(&format!("{prefix}{name}"), col);
    }
    Ok(())
}
