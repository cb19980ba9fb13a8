//! The views of a suite's rows: a table (one line per backend and size,
//! one column per metric, "median (min–max)"), the ratio of each backend to
//! the suite's baseline (minirt, or its wheel), and the JSON of the issue.

use super::plan::Suite;
use super::runner::Row;
use comfy_table::Table;
use serde::Serialize;

/// One suite's results, as the JSON file holds them.
#[derive(Debug, Clone, Serialize)]
pub struct SuiteReport {
    /// The suite's name.
    pub suite: &'static str,
    /// Every metric of every backend and size.
    pub results: Vec<Row>,
    /// Children that failed or backends left out, one line each.
    pub notes: Vec<String>,
}

impl SuiteReport {
    /// The median of `metric` for `backend` at size `n`, if measured.
    pub fn median(&self, backend: &str, n: usize, metric: &str) -> Option<f64> {
        self.results
            .iter()
            .find(|row| row.backend == backend && row.n == n && row.metric == metric)
            .map(|row| row.median)
    }

    /// `backend`'s median of `metric` divided by `baseline`'s at the same
    /// size. A cost per task or per round trip does not depend on the size
    /// much, so for those (threads and Python run smaller sizes) the
    /// baseline's at its largest size stands in when it has none at `n`.
    pub fn ratio_to(&self, baseline: &str, backend: &str, n: usize, metric: &str) -> Option<f64> {
        let per_unit = metric.starts_with("ns_per") || metric.starts_with("bytes_per");
        let largest = || {
            let sizes = self.results.iter().filter(|row| row.backend == baseline);
            let n = sizes.map(|row| row.n).max()?;
            self.median(baseline, n, metric)
        };
        let base = match self.median(baseline, n, metric) {
            Some(base) => base,
            None if per_unit => largest()?,
            None => return None,
        };
        let other = self.median(backend, n, metric)?;
        (base > 0.0).then(|| other / base)
    }
}

/// The table of one suite, with a last column of each backend's headline
/// metric over the baseline's (above 1: the baseline is cheaper).
pub(crate) fn table(suite: Suite, report: &SuiteReport) -> String {
    let mut metrics: Vec<&str> = Vec::new();
    let mut lines: Vec<(&str, usize)> = Vec::new();
    for row in &report.results {
        if !metrics.contains(&row.metric.as_str()) {
            metrics.push(&row.metric);
        }
        if !lines.contains(&(row.backend.as_str(), row.n)) {
            lines.push((&row.backend, row.n));
        }
    }
    let headline = suite.headline();
    // The headline first: it is the column the ratio is about.
    metrics.sort_by_key(|metric| *metric != headline);
    let mut table = Table::new();
    let mut header = vec!["backend".to_string(), "n".to_string()];
    header.extend(metrics.iter().map(|metric| {
        let unit = super::runner::unit_of(metric);
        format!("{metric} ({unit})")
    }));
    let baseline = suite.baseline();
    header.push(format!("{headline} ÷ {baseline}"));
    table.set_header(header);
    for (backend, n) in lines {
        let mut cells = vec![backend.to_string(), count(n)];
        for metric in &metrics {
            let row = report
                .results
                .iter()
                .find(|row| row.backend == backend && row.n == n && row.metric == *metric);
            cells.push(row.map_or("-".to_string(), |row| {
                format!(
                    "{} ({}–{})",
                    number(row.median),
                    number(row.min),
                    number(row.max)
                )
            }));
        }
        let ratio = report.ratio_to(baseline, backend, n, headline);
        cells.push(ratio.map_or("-".to_string(), |ratio| format!("{ratio:.2}×")));
        table.add_row(cells);
    }
    let mut text = format!("{suite}\n{table}");
    for note in &report.notes {
        text += &format!("\nnote: {note}");
    }
    text
}

/// A count with a k or M suffix where exact: 10000 → 10k.
pub(crate) fn count(n: usize) -> String {
    match n {
        n if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}M", n / 1_000_000),
        n if n >= 1_000 && n % 1_000 == 0 => format!("{}k", n / 1_000),
        n => n.to_string(),
    }
}

/// A number with about three significant digits, no exponent.
pub(crate) fn number(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude >= 100.0 {
        format!("{value:.0}")
    } else if magnitude >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::{count, number, table, SuiteReport};
    use crate::bench::plan::Suite;
    use crate::bench::runner::Row;

    /// A row of a fake result with one value.
    fn row(backend: &str, metric: &str, value: f64) -> Row {
        Row {
            backend: backend.into(),
            n: 1000,
            metric: metric.into(),
            median: value,
            min: value,
            max: value,
            unit: "ns",
        }
    }

    /// The ratio column divides by minirt's median at the same size.
    #[test]
    fn ratios_and_table() {
        let report = SuiteReport {
            suite: "spawn",
            results: vec![
                row("minirt", "ns_per_task", 100.0),
                row("smol", "ns_per_task", 250.0),
            ],
            notes: vec!["smol: a note".into()],
        };
        assert_eq!(
            report.ratio_to("minirt", "smol", 1000, "ns_per_task"),
            Some(2.5)
        );
        let text = table(Suite::Spawn, &report);
        assert!(
            text.contains("2.50×") && text.contains("note: smol: a note"),
            "{text}"
        );
        assert_eq!(
            (count(10_000), count(1_500), count(2_000_000)),
            ("10k".into(), "1500".into(), "2M".into())
        );
        assert_eq!(
            (number(1234.5), number(12.34), number(1.234)),
            ("1234".into(), "12.3".into(), "1.23".into())
        );
    }
}
