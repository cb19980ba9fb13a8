//! An SVG chart per suite: the headline cost against N, both axes
//! logarithmic, one line of points per backend, drawn with plotters.
//!
//! Costs per task span orders of magnitude across backends (a minirt task
//! against a Python thread), and sizes run from a thousand to ten million,
//! so only log–log axes show every backend on one picture; a straight,
//! flat line there means a cost per item that does not grow with N.

use anyhow::{anyhow, Result};
use plotters::prelude::*;

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

/// The picture's size in SVG pixels.
const SIZE: (u32, u32) = (760, 400);

/// Width of the strip on the right that holds the legend, in SVG pixels.
const LEGEND_WIDTH: u32 = 170;

/// Line colours, one per backend in order of first appearance; as many as
/// the largest suite has backends, so no two lines share one.
const COLOURS: [RGBColor; 10] = [
    RGBColor(214, 39, 40),
    RGBColor(31, 119, 180),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// The SVG text of a chart titled `title` with `metric` (and `unit`) on y.
/// Points with a zero or negative value (no measurement) are left out: a
/// log axis has no place for them.
///
/// # Errors
///
/// Only if plotters fails to lay out the picture, which an in-memory SVG
/// does not do in practice.
pub fn svg(title: &str, metric: &str, unit: &str, points: &[Point]) -> Result<String> {
    let shown: Vec<&Point> = points.iter().filter(|p| p.value > 0.0 && p.n > 0).collect();
    let x_range = decades(shown.iter().map(|p| p.n as f64));
    let y_range = decades(shown.iter().map(|p| p.value));
    let mut text = String::new();
    draw(&mut text, title, metric, unit, &shown, x_range, y_range)
        .map_err(|error| anyhow!("drawing the {title} chart: {error}"))?;
    Ok(text)
}

/// Draws the chart into `text`.
fn draw(
    text: &mut String,
    title: &str,
    metric: &str,
    unit: &str,
    points: &[&Point],
    (x_lo, x_hi): (f64, f64),
    (y_lo, y_hi): (f64, f64),
) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::with_string(text, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let (plot, legend) = root.split_horizontally(SIZE.0 - LEGEND_WIDTH);
    let mut chart = ChartBuilder::on(&plot)
        .caption(
            format!("{title}: {metric} ({unit}) against n, log–log"),
            ("sans-serif", 18),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d((x_lo..x_hi).log_scale(), (y_lo..y_hi).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("n")
        .y_desc(format!("{metric} ({unit})"))
        .x_label_formatter(&|n| short(*n))
        .y_label_formatter(&|value| short(*value))
        .draw()?;
    for (index, backend) in backends(points).into_iter().enumerate() {
        let colour = COLOURS[index % COLOURS.len()];
        let mut line: Vec<(f64, f64)> = points
            .iter()
            .filter(|p| p.backend == backend)
            .map(|p| (p.n as f64, p.value))
            .collect();
        line.sort_by(|a, b| a.0.total_cmp(&b.0));
        chart.draw_series(LineSeries::new(line.clone(), colour.stroke_width(2)))?;
        chart.draw_series(
            line.into_iter()
                .map(|at| Circle::new(at, 3, colour.filled())),
        )?;
        // The legend sits beside the plot, where it can hide no line.
        let y = 50 + 20 * index as i32;
        legend.draw(&Rectangle::new([(8, y), (20, y + 12)], colour.filled()))?;
        legend.draw(&Text::new(backend, (28, y), ("sans-serif", 13)))?;
    }
    root.present()?;
    Ok(())
}

/// A tick label: whole numbers with k, M or G for thousands, millions and
/// billions (`10k`, `1M`), fractions as they are (`0.5`).
fn short(value: f64) -> String {
    let (scaled, suffix) = match value.abs() {
        v if v >= 1e9 => (value / 1e9, "G"),
        v if v >= 1e6 => (value / 1e6, "M"),
        v if v >= 1e3 => (value / 1e3, "k"),
        _ => (value, ""),
    };
    let digits = if scaled.fract().abs() < 1e-9 { 0 } else { 1 };
    format!("{scaled:.digits$}{suffix}")
}

/// The backends in order of first appearance, one line each.
fn backends<'a>(points: &[&'a Point]) -> Vec<&'a str> {
    let mut names: Vec<&str> = Vec::new();
    for point in points {
        if !names.contains(&point.backend.as_str()) {
            names.push(&point.backend);
        }
    }
    names
}

/// The whole powers of ten around `values` (at least one decade wide), so
/// that every point sits inside the axis and the ticks fall on round numbers.
fn decades(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (low, high) = values.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if low > high {
        return (1.0, 10.0);
    }
    let (low, high) = (low.log10().floor(), high.log10().ceil());
    let high = if high > low { high } else { low + 1.0 };
    (10f64.powf(low), 10f64.powf(high))
}

#[cfg(test)]
mod tests {
    use super::{decades, short, svg, Point};

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
                point("tokio", 10_000, 50.0),
                point("tokio", 1_000_000, 2000.0),
                point("smol", 10_000, 0.0),
            ],
        )
        .unwrap();
        assert!(text.starts_with("<svg") && text.trim_end().ends_with("</svg>"));
        assert_eq!(
            text.matches("<circle").count(),
            4,
            "one dot per point shown"
        );
        assert!(text.contains("minirt") && text.contains("tokio"));
        assert!(
            !text.contains("smol"),
            "a zero value has no place on a log axis"
        );
        assert!(text.contains("timers: cpu_ms (ms) against n"));
    }

    #[test]
    fn tick_labels_are_short() {
        assert_eq!(short(1000.0), "1k");
        assert_eq!(short(10_000_000.0), "10M");
        assert_eq!(short(100.0), "100");
        assert_eq!(short(0.5), "0.5");
        assert_eq!(short(1500.0), "1.5k");
    }

    #[test]
    fn axes_span_whole_decades() {
        assert_eq!(decades([150.0, 2500.0].into_iter()), (100.0, 10_000.0));
        assert_eq!(decades([1000.0].into_iter()), (1000.0, 10_000.0));
        assert_eq!(decades(std::iter::empty()), (1.0, 10.0));
    }
}
