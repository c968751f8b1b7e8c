//! Charts as SVG, drawn on the server from numbers by plotters (no script,
//! no external resource): stacked bars of shares and a histogram. Its SVG
//! backend escapes every text it writes, so labels from the archive are
//! safe to inline; maud names each chart for screen readers.

use maud::{Markup, PreEscaped, html};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One series of a stacked bar: a name and its colour.
pub struct Series {
    pub name: &'static str,
    pub colour: RGBColor,
}

/// The states of a target, in the order bars stack them.
pub const STATES: [Series; 6] = [
    Series {
        name: "alive",
        colour: RGBColor(0x14, 0x6c, 0x2e),
    },
    Series {
        name: "gone",
        colour: RGBColor(0xb3, 0x26, 0x1e),
    },
    Series {
        name: "restricted",
        colour: RGBColor(0xe3, 0x74, 0x00),
    },
    Series {
        name: "unknown",
        colour: RGBColor(0x80, 0x86, 0x8b),
    },
    Series {
        name: "unchecked",
        colour: RGBColor(0xc4, 0xc7, 0xc5),
    },
    Series {
        name: "not checkable",
        colour: RGBColor(0xe8, 0xea, 0xed),
    },
];

const WIDTH: u32 = 720;
const LABEL: u32 = 200;
const TOTAL: u32 = 70;
const ROW: u32 = 24;
const LEGEND: u32 = 24;
/// The red of gone posts.
const GONE: RGBColor = STATES[1].colour;

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// Text of `size` pixels anchored at `h`, centred vertically. (plotters
/// writes a font size of `size / 1.24`, hence the factor.)
fn text(size: f64, h: HPos) -> TextStyle<'static> {
    TextStyle::from(("sans-serif", size * 1.24)).pos(Pos::new(h, VPos::Center))
}

fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

/// The SVG that `draw` makes on a canvas of `size`, in a figure named
/// `title`.
fn figure(
    title: &str,
    size: (u32, u32),
    draw: impl FnOnce(&Area) -> anyhow::Result<()>,
) -> anyhow::Result<Markup> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        draw(&root)?;
        root.present()?;
    }
    Ok(html! { figure.chart role="img" aria-label=(title) { (PreEscaped(svg)) } })
}

/// One bar per row, each 100% wide and split into `series` by share, with
/// the row's name before it and total after it; a legend above.
pub fn stacked_shares(
    title: &str,
    series: &[Series],
    rows: &[(&str, Vec<usize>)],
) -> anyhow::Result<Markup> {
    let n = rows.len();
    figure(title, (WIDTH, LEGEND + ROW * n as u32), |root| {
        let (legend, body) = root.split_vertically(LEGEND);
        for (i, s) in series.iter().enumerate() {
            let x = (LABEL + 80 * i as u32) as i32;
            legend.draw(&Rectangle::new([(x, 4), (x + 10, 14)], s.colour.filled()))?;
            legend.draw(&Text::new(s.name, (x + 14, 9), text(11.0, HPos::Left)))?;
        }
        // Shares across, rows down: row `r` spans `n - r - 1..n - r`.
        let mut chart = ChartBuilder::on(&body)
            .margin_left(LABEL)
            .margin_right(TOTAL)
            .build_cartesian_2d(0.0..1.0, 0.0..n as f64)?;
        for (r, (label, values)) in rows.iter().enumerate() {
            let top = (n - r) as f64;
            let total: usize = values.iter().sum();
            let mut x = 0.0;
            chart.draw_series(series.iter().zip(values).filter(|(_, v)| **v > 0).map(
                |(s, &v)| {
                    let w = v as f64 / total as f64;
                    x += w;
                    Rectangle::new([(x - w, top - 0.1), (x, top - 0.85)], s.colour.filled())
                },
            ))?;
            let middle = top - 0.475;
            chart.draw_series([
                EmptyElement::at((0.0, middle))
                    + Text::new(shorten(label, 28), (-6, 0), text(12.0, HPos::Right)),
                EmptyElement::at((1.0, middle))
                    + Text::new(total.to_string(), (6, 0), text(12.0, HPos::Left)),
            ])?;
        }
        Ok(())
    })
}

/// Vertical bars, one per bucket, with its count above and its name below.
pub fn histogram(title: &str, buckets: &[(&str, usize)]) -> anyhow::Result<Markup> {
    let max = buckets.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let n = buckets.len() as f64;
    figure(title, (WIDTH, 200), |root| {
        let mut chart = ChartBuilder::on(root)
            .margin_top(20)
            .margin_bottom(24)
            .build_cartesian_2d(0.0..n, 0.0..max as f64)?;
        chart.draw_series([PathElement::new(
            [(0.0, 0.0), (n, 0.0)],
            RGBColor(0x5f, 0x63, 0x68),
        )])?;
        for (i, &(label, count)) in buckets.iter().enumerate() {
            let (x, y) = (i as f64, count as f64);
            chart.draw_series([Rectangle::new(
                [(x + 1.0 / 6.0, 0.0), (x + 5.0 / 6.0, y)],
                GONE.filled(),
            )])?;
            chart.draw_series([
                EmptyElement::at((x + 0.5, y))
                    + Text::new(count.to_string(), (0, -10), text(12.0, HPos::Center)),
                EmptyElement::at((x + 0.5, 0.0))
                    + Text::new(label.to_string(), (0, 12), text(12.0, HPos::Center)),
            ])?;
        }
        Ok(())
    })
}
