//! An SVG chart per suite: the headline cost against N, both axes
//! logarithmic, one line (or point) per backend.
//!
//! Drawn by hand, as the timeline pictures are: a chart of a few polylines
//! needs less code than a plotting library's setup, and builds nothing new.

use std::fmt::Write;

/// One measured point: a backend's median at a size.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// The backend, one line per name.
    pub backend: String,
    /// The size (x).
    pub n: usize,
    /// The median (y).
    pub value: f64,
}

/// The plot area's corners, in SVG pixels: left, top, right, bottom.
const AREA: (f64, f64, f64, f64) = (70.0, 30.0, 560.0, 330.0);

/// Line colours, one per backend in order of first appearance.
const COLOURS: [&str; 8] = [
    "#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f",
];

/// The SVG text of a chart titled `title` with `metric` (and `unit`) on y.
pub fn svg(title: &str, metric: &str, unit: &str, points: &[Point]) -> String {
    let positive: Vec<&Point> = points.iter().filter(|p| p.value > 0.0 && p.n > 0).collect();
    let decades = |values: &mut dyn Iterator<Item = f64>| {
        let (low, high) = values.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let (low, high) = if low > high { (1.0, 10.0) } else { (low, high) };
        let (low, high) = (low.log10().floor(), high.log10().ceil());
        (low, if high > low { high } else { low + 1.0 })
    };
    let (x_lo, x_hi) = decades(&mut positive.iter().map(|p| p.n as f64));
    let (y_lo, y_hi) = decades(&mut positive.iter().map(|p| p.value));
    let (left, top, right, bottom) = AREA;
    let x = |n: f64| left + (n.log10() - x_lo) / (x_hi - x_lo) * (right - left);
    let y = |v: f64| bottom - (v.log10() - y_lo) / (y_hi - y_lo) * (bottom - top);

    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="760" height="380" font-family="sans-serif" font-size="12">
<rect width="760" height="380" fill="white"/>
<text x="{left}" y="18" font-size="14">{title}: {metric} ({unit}) against n, log–log</text>
"#
    );
    // Grid lines and labels at each power of ten.
    for decade in x_lo as i32..=x_hi as i32 {
        let at = x(10f64.powi(decade));
        let _ = writeln!(
            out,
            r##"<line x1="{at:.1}" y1="{top}" x2="{at:.1}" y2="{bottom}" stroke="#ddd"/><text x="{at:.1}" y="{}" text-anchor="middle">1e{decade}</text>"##,
            bottom + 16.0
        );
    }
    for decade in y_lo as i32..=y_hi as i32 {
        let at = y(10f64.powi(decade));
        let _ = writeln!(
            out,
            r##"<line x1="{left}" y1="{at:.1}" x2="{right}" y2="{at:.1}" stroke="#ddd"/><text x="{}" y="{:.1}" text-anchor="end">1e{decade}</text>"##,
            left - 6.0,
            at + 4.0
        );
    }
    let mut backends: Vec<&str> = Vec::new();
    for point in &positive {
        if !backends.contains(&point.backend.as_str()) {
            backends.push(&point.backend);
        }
    }
    for (index, backend) in backends.iter().enumerate() {
        let colour = COLOURS[index % COLOURS.len()];
        let mut line: Vec<&Point> = positive
            .iter()
            .copied()
            .filter(|p| p.backend == *backend)
            .collect();
        line.sort_by_key(|p| p.n);
        let coordinates: Vec<String> = line
            .iter()
            .map(|p| format!("{:.1},{:.1}", x(p.n as f64), y(p.value)))
            .collect();
        let _ = writeln!(
            out,
            r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2"/>"#,
            coordinates.join(" ")
        );
        for coordinate in &coordinates {
            let (cx, cy) = coordinate.split_once(',').unwrap_or(("0", "0"));
            let _ = writeln!(
                out,
                r#"<circle cx="{cx}" cy="{cy}" r="3.5" fill="{colour}"/>"#
            );
        }
        let legend_y = top + 10.0 + 18.0 * index as f64;
        let _ = writeln!(
            out,
            r#"<rect x="{}" y="{}" width="12" height="12" fill="{colour}"/><text x="{}" y="{}">{backend}</text>"#,
            right + 20.0,
            legend_y - 10.0,
            right + 38.0,
            legend_y
        );
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::{svg, Point};

    /// Each backend gets a line and a legend entry; bad values are left out.
    #[test]
    fn draws_a_line_per_backend() {
        let point = |backend: &str, n, value| Point {
            backend: backend.into(),
            n,
            value,
        };
        let text = svg(
            "timers",
            "cpu_ms",
            "ms",
            &[
                point("minirt", 10_000, 100.0),
                point("minirt", 1_000_000, 3000.0),
                point("smol", 10_000, 0.0),
            ],
        );
        assert!(text.starts_with("<svg") && text.ends_with("</svg>\n"));
        assert_eq!(text.matches("<polyline").count(), 1);
        assert!(text.contains(">minirt</text>") && !text.contains(">smol</text>"));
    }
}
