//! What the CLI prints on stdout: the server's JSON as is (`--json`), or readable tables.

use std::io::Write;

use serde_json::Value;

/// One line on stdout. A closed pipe (`privzone … | head`) ends the process quietly, as it would
/// for any Unix tool, instead of panicking like `println!`.
pub fn line(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{text}") {
        let code = if e.kind() == std::io::ErrorKind::BrokenPipe {
            0
        } else {
            super::error::exit::UNAVAILABLE.into()
        };
        std::process::exit(code);
    }
}

/// Pretty JSON, for `--json`.
pub fn json(value: &Value) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => line(&text),
        Err(_) => line(&value.to_string()),
    }
}

/// Fields that hold a time in Unix seconds.
const TIME_FIELDS: &[&str] = &["creationTime", "validUntil"];

/// A Unix time as `2026-12-01 14:05:09 UTC`.
pub fn time(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The cell of field `key`: times readable, the rest as [`cell`].
pub fn field_cell(key: &str, value: &Value) -> String {
    match value.as_i64() {
        Some(secs) if TIME_FIELDS.contains(&key) => time(secs),
        _ => cell(value),
    }
}

/// One cell: strings bare, `null` as `-`, lists of strings comma-separated, objects as
/// `key=value, …` (times readable), lists of objects `; `-separated, the rest as JSON.
pub fn cell(value: &Value) -> String {
    match value {
        Value::Null => "-".to_owned(),
        Value::String(s) => s.clone(),
        Value::Array(items) if items.iter().all(Value::is_string) => {
            let mut items: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            items.sort_unstable();
            if items.is_empty() {
                "-".to_owned()
            } else {
                items.join(", ")
            }
        }
        // `creator` is `{"type":"user","id":…}`.
        Value::Object(o) if o.len() == 2 && o.contains_key("type") && o.contains_key("id") => {
            format!("{}:{}", cell(&o["type"]), cell(&o["id"]))
        }
        Value::Object(o) if o.is_empty() => "-".to_owned(),
        Value::Object(o) => o
            .iter()
            .map(|(k, v)| match v {
                Value::Object(_) => format!("{k}={{{}}}", cell(v)),
                _ => format!("{k}={}", field_cell(k, v)),
            })
            .collect::<Vec<_>>()
            .join(", "),
        Value::Array(items) if items.iter().all(Value::is_object) => {
            let items: Vec<String> = items.iter().map(cell).collect();
            if items.is_empty() {
                "-".to_owned()
            } else {
                items.join("; ")
            }
        }
        other => other.to_string(),
    }
}

/// A record as two columns, field and value.
pub fn record(value: &Value) {
    match value {
        Value::Object(fields) => {
            let rows: Vec<Vec<String>> = fields
                .iter()
                .map(|(k, v)| vec![k.clone(), field_cell(k, v)])
                .collect();
            table(&[], &rows);
        }
        other => line(&cell(other)),
    }
}

/// Columns padded to their widest cell; `headers` may be empty.
pub fn table(headers: &[&str], rows: &[Vec<String>]) {
    let columns = headers
        .len()
        .max(rows.iter().map(Vec::len).max().unwrap_or(0));
    let mut widths = vec![0; columns];
    let header_row: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
    let all = std::iter::once(&header_row)
        .filter(|h| !h.is_empty())
        .chain(rows.iter());
    for row in all.clone() {
        for (i, c) in row.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    for row in all {
        let mut line = String::new();
        for (i, c) in row.iter().enumerate() {
            if i + 1 == row.len() {
                line.push_str(c);
            } else {
                line.push_str(c);
                let pad = widths[i] - c.chars().count() + 2;
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        self::line(line.trim_end());
    }
}

/// The strings of the list under `key`, sorted (Onezone lists are sets).
pub fn strings(value: &Value, key: &str) -> Vec<String> {
    let mut items: Vec<String> = value[key]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    items.sort_unstable();
    items
}

/// One item per line (e.g. privileges), or `(none)` on stderr so a pipeline gets nothing.
pub fn lines(items: &[String]) {
    if items.is_empty() {
        eprintln!("(none)");
    }
    for item in items {
        line(item);
    }
}
