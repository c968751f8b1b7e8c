//! Charts as SVG, drawn on the server from numbers (no script, no
//! external resource): stacked bars of shares and a histogram. Every value
//! shown goes through maud, so labels from the archive are escaped.

use maud::{Markup, html};

/// One series of a stacked bar: a name and its colour.
pub struct Series {
    pub name: &'static str,
    pub colour: &'static str,
}

/// The states of a target, in the order bars stack them.
pub const STATES: [Series; 6] = [
    Series {
        name: "alive",
        colour: "#146c2e",
    },
    Series {
        name: "gone",
        colour: "#b3261e",
    },
    Series {
        name: "restricted",
        colour: "#e37400",
    },
    Series {
        name: "unknown",
        colour: "#80868b",
    },
    Series {
        name: "unchecked",
        colour: "#c4c7c5",
    },
    Series {
        name: "not checkable",
        colour: "#e8eaed",
    },
];

const WIDTH: u32 = 720;
const LABEL: u32 = 200;
const TOTAL: u32 = 70;
const ROW: u32 = 24;

fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

/// The non-empty parts of one bar: series, value, left edge, width.
fn segments<'a>(
    series: &'a [Series],
    values: &[usize],
    bar: u32,
) -> Vec<(&'a Series, usize, f64, f64)> {
    let total: usize = values.iter().sum();
    let mut x = f64::from(LABEL);
    let mut out = Vec::new();
    for (s, &v) in series.iter().zip(values) {
        if v > 0 {
            let w = f64::from(bar) * v as f64 / total.max(1) as f64;
            out.push((s, v, x, w));
            x += w;
        }
    }
    out
}

/// One bar per row, each 100% wide and split into `series` by share, with
/// the row's total at its end; a legend above.
pub fn stacked_shares(title: &str, series: &[Series], rows: &[(String, Vec<usize>)]) -> Markup {
    let bar = WIDTH - LABEL - TOTAL;
    let height = 28 + ROW * rows.len() as u32;
    html! {
        svg.chart xmlns="http://www.w3.org/2000/svg" role="img" aria-label=(title)
            viewBox={"0 0 " (WIDTH) " " (height)} width=(WIDTH) height=(height) {
            title { (title) }
            @for (i, s) in series.iter().enumerate() {
                rect x=(LABEL + i as u32 * 80) y="4" width="10" height="10" fill=(s.colour) {}
                text x=(LABEL + i as u32 * 80 + 14) y="13" font-size="11" { (s.name) }
            }
            @for (r, (label, values)) in rows.iter().enumerate() {
                @let y = 24 + r as u32 * ROW;
                @let total: usize = values.iter().sum();
                text x=(LABEL - 6) y=(y + 15) font-size="12" text-anchor="end" { (shorten(label, 28)) }
                @for (s, v, x, w) in segments(series, values, bar) {
                    rect x={(format!("{x:.1}"))} y=(y + 2) width={(format!("{w:.1}"))} height=(ROW - 6) fill=(s.colour) {
                        title { (label) ": " (s.name) " " (v) " of " (total) }
                    }
                }
                text x=(WIDTH - TOTAL + 6) y=(y + 15) font-size="12" { (total) }
            }
        }
    }
}

/// Vertical bars, one per bucket, with its count above.
pub fn histogram(title: &str, buckets: &[(&str, usize)]) -> Markup {
    let height = 200u32;
    let base = height - 24;
    let max = buckets.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let slot = WIDTH / buckets.len().max(1) as u32;
    html! {
        svg.chart xmlns="http://www.w3.org/2000/svg" role="img" aria-label=(title)
            viewBox={"0 0 " (WIDTH) " " (height)} width=(WIDTH) height=(height) {
            title { (title) }
            line x1="0" y1=(base) x2=(WIDTH) y2=(base) stroke="#5f6368" {}
            @for (i, (label, n)) in buckets.iter().enumerate() {
                @let h = (base - 20) * *n as u32 / max as u32;
                @let x = i as u32 * slot + slot / 6;
                rect x=(x) y=(base - h) width=(slot * 2 / 3) height=(h) fill="#b3261e" {
                    title { (label) ": " (n) }
                }
                text x=(x + slot / 3) y=(base - h - 4) font-size="12" text-anchor="middle" { (n) }
                text x=(x + slot / 3) y=(base + 16) font-size="12" text-anchor="middle" { (label) }
            }
        }
    }
}
