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

/// One cell: strings bare, `null` as `-`, lists of strings comma-separated, the rest as JSON.
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
        other => other.to_string(),
    }
}

/// A record as two columns, field and value.
pub fn record(value: &Value) {
    match value {
        Value::Object(fields) => {
            let rows: Vec<Vec<String>> = fields
                .iter()
                .map(|(k, v)| vec![k.clone(), cell(v)])
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
