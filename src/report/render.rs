//! The report as text for a terminal and as Markdown for a memo.

use super::{GonePost, History, Report, Tally};
use std::collections::BTreeMap;
use std::fmt::Write;

/// `3d 4h`, `5h 12m`, `42m`, `30s`.
pub fn human_duration(seconds: i64) -> String {
    let s = seconds.max(0);
    let (d, h, m) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, m) => format!("{m}m"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

/// `deleted 2, account_suspended 1`, or `none`.
fn reasons(by: &BTreeMap<String, usize>) -> String {
    if by.is_empty() {
        return "none".into();
    }
    by.iter()
        .map(|(r, n)| format!("{r} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn post_line(p: &GonePost) -> String {
    let name = p
        .post_url
        .clone()
        .or_else(|| p.post_id.as_ref().map(|id| format!("{}:{id}", p.platform)))
        .unwrap_or_default();
    format!(
        "{name} ({}, gone since {})",
        p.reason.as_deref().unwrap_or("?"),
        p.gone_since.as_deref().unwrap_or("?")
    )
}

const COLUMNS: [&str; 8] = [
    "total",
    "alive",
    "gone",
    "restricted",
    "unknown",
    "unchecked",
    "not checkable",
    "gone by reason",
];

fn cells(t: &Tally) -> [String; 8] {
    [
        t.total.to_string(),
        t.alive.to_string(),
        t.gone.to_string(),
        t.restricted.to_string(),
        t.unknown.to_string(),
        t.unchecked.to_string(),
        t.not_checkable.to_string(),
        reasons(&t.gone_by_reason),
    ]
}

fn text_table(out: &mut String, first: &str, rows: &[(String, &Tally)]) {
    let mut table: Vec<Vec<String>> = vec![
        std::iter::once(first.to_string())
            .chain(COLUMNS.iter().map(|c| c.to_string()))
            .collect(),
    ];
    for (name, t) in rows {
        table.push(std::iter::once(name.clone()).chain(cells(t)).collect());
    }
    let widths: Vec<usize> = (0..table[0].len())
        .map(|i| {
            table
                .iter()
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in &table {
        let line: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, c)| match i {
                0 | 8 => format!("{c:<w$}", w = widths[i]),
                _ => format!("{c:>w$}", w = widths[i]),
            })
            .collect();
        let _ = writeln!(out, "  {}", line.join("  ").trim_end());
    }
}

fn summary_line(t: &Tally) -> String {
    // Reasons in parentheses only when there are some: `gone 0` rather
    // than `gone 0 (-)`.
    let with = |n: usize, by: &BTreeMap<String, usize>| {
        if by.is_empty() {
            n.to_string()
        } else {
            format!("{n} ({})", reasons(by))
        }
    };
    format!(
        "alive {}, gone {}, restricted {}, unknown {}, unchecked {}, not checkable {}",
        t.alive,
        with(t.gone, &t.gone_by_reason),
        with(t.restricted, &t.restricted_by_reason),
        with(t.unknown, &t.unknown_by_reason),
        t.unchecked,
        t.not_checkable
    )
}

/// What a list section says besides its entries: how to see it when it
/// was not asked for, or how many `--limit` left out.
fn not_shown(listed: bool, shown: usize, total: usize, name: &str) -> Option<String> {
    match (listed, total.saturating_sub(shown)) {
        (_, 0) => None,
        (false, _) => Some(format!("(not listed: add --list {name})")),
        (true, more) => Some(format!("(and {more} more: raise --limit)")),
    }
}

/// The report for a terminal.
pub fn text(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Posts: {}", r.posts.total);
    let _ = writeln!(out, "  {}", summary_line(&r.posts));
    let _ = writeln!(out, "\nBy platform");
    let rows: Vec<(String, &Tally)> = r.by_platform.iter().map(|(k, v)| (k.clone(), v)).collect();
    text_table(&mut out, "platform", &rows);
    let _ = writeln!(out, "\nBy site (a post counts for every site citing it)");
    let rows: Vec<(String, &Tally)> = r.by_site.iter().map(|(k, v)| (k.clone(), v)).collect();
    text_table(&mut out, "site", &rows);
    let _ = writeln!(out, "\nArticles: {}", r.articles.total);
    let _ = writeln!(out, "  {}", summary_line(&r.articles));
    let _ = writeln!(out, "\nDeaths");
    match (&r.deaths.oldest, &r.deaths.newest) {
        (Some(old), Some(new)) => {
            let _ = writeln!(out, "  oldest: {}", post_line(old));
            let _ = writeln!(out, "  newest: {}", post_line(new));
        }
        _ => {
            let _ = writeln!(out, "  (no post is gone)");
        }
    }
    if let Some(s) = r.deaths.median_seconds_to_gone {
        let _ = writeln!(
            out,
            "  median time from first seen to gone: {}",
            human_duration(s)
        );
    }
    let _ = writeln!(out, "\nGone posts: {}", r.gone_post_count);
    for p in &r.gone_posts {
        let _ = writeln!(out, "  {}", post_line(p));
        if let Some(a) = &p.archived_url {
            let _ = writeln!(out, "    archived: {a}");
        }
        for a in &p.articles {
            let _ = writeln!(out, "    cited by: {a}");
        }
    }
    let lists = r.lists;
    let (posts, articles) = (r.gone_posts.len(), r.gone_articles.len());
    if let Some(line) = not_shown(lists.gone_posts, posts, r.gone_post_count, "gone") {
        let _ = writeln!(out, "  {line}");
    }
    let _ = writeln!(out, "\nGone articles: {}", r.gone_article_count);
    for a in &r.gone_articles {
        let _ = writeln!(
            out,
            "  {} ({}, gone since {})",
            a.url,
            a.reason.as_deref().unwrap_or("?"),
            a.gone_since.as_deref().unwrap_or("?")
        );
        if let Some(copy) = &a.archived_url {
            let _ = writeln!(out, "    archived: {copy}");
        }
    }
    let total = r.gone_article_count;
    if let Some(line) = not_shown(lists.gone_articles, articles, total, "gone-articles") {
        let _ = writeln!(out, "  {line}");
    }
    let _ = writeln!(out, "\nTransitions: {}", r.transition_count);
    for t in &r.transitions {
        let reason = t
            .reason
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {}  {} {}  {} -> {}{reason}",
            t.at, t.target, t.url, t.from, t.to
        );
    }
    let (shown, total) = (r.transitions.len(), r.transition_count);
    if let Some(line) = not_shown(lists.transitions, shown, total, "transitions") {
        let _ = writeln!(out, "  {line}");
    }
    out
}

/// Escape a cell for a Markdown table.
fn md(cell: &str) -> String {
    cell.replace('|', "\\|").replace('\n', " ")
}

fn md_table(out: &mut String, first: &str, rows: &[(String, &Tally)]) {
    let _ = writeln!(out, "| {first} | {} |", COLUMNS.join(" | "));
    let _ = writeln!(out, "|---|{}", "---:|".repeat(7) + "---|");
    for (name, t) in rows {
        let c = cells(t);
        let _ = writeln!(out, "| {} | {} |", md(name), c.map(|c| md(&c)).join(" | "));
    }
}

/// The report as Markdown, for a memo.
pub fn markdown(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Link rot report\n");
    let _ = writeln!(out, "## Posts\n");
    let mut rows: Vec<(String, &Tally)> = vec![("**all**".to_string(), &r.posts)];
    rows.extend(r.by_platform.iter().map(|(k, v)| (k.clone(), v)));
    md_table(&mut out, "platform", &rows);
    let _ = writeln!(
        out,
        "\n## By site\n\nA post counts for every site whose articles cite it.\n"
    );
    let rows: Vec<(String, &Tally)> = r.by_site.iter().map(|(k, v)| (k.clone(), v)).collect();
    md_table(&mut out, "site", &rows);
    let _ = writeln!(out, "\n## Articles\n");
    md_table(
        &mut out,
        "articles",
        &[("**all**".to_string(), &r.articles)],
    );
    let _ = writeln!(out, "\n## Deaths\n");
    if let (Some(old), Some(new)) = (&r.deaths.oldest, &r.deaths.newest) {
        let _ = writeln!(out, "- Oldest: {}", md(&post_line(old)));
        let _ = writeln!(out, "- Newest: {}", md(&post_line(new)));
    } else {
        let _ = writeln!(out, "- No post is gone.");
    }
    if let Some(s) = r.deaths.median_seconds_to_gone {
        let _ = writeln!(
            out,
            "- Median time from first seen to gone: {}",
            human_duration(s)
        );
    }
    let lists = r.lists;
    let _ = writeln!(out, "\n## Gone posts\n");
    if r.gone_post_count == 0 {
        let _ = writeln!(out, "None.");
    } else if !r.gone_posts.is_empty() {
        let _ = writeln!(
            out,
            "| post | reason | gone since | archived copy | cited by |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|");
        for p in &r.gone_posts {
            let name = p
                .post_url
                .clone()
                .or_else(|| p.post_id.as_ref().map(|id| format!("{}:{id}", p.platform)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                md(&name),
                md(p.reason.as_deref().unwrap_or("")),
                md(p.gone_since.as_deref().unwrap_or("")),
                md(p.archived_url.as_deref().unwrap_or("")),
                md(&p.articles.join(", "))
            );
        }
    }
    let (posts, total) = (r.gone_posts.len(), r.gone_post_count);
    md_not_shown(&mut out, lists.gone_posts, posts, total, "gone");
    let _ = writeln!(out, "\n## Gone articles\n");
    if r.gone_article_count == 0 {
        let _ = writeln!(out, "None.");
    } else if !r.gone_articles.is_empty() {
        let _ = writeln!(out, "| article | reason | gone since | archived copy |");
        let _ = writeln!(out, "|---|---|---|---|");
        for a in &r.gone_articles {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                md(&a.url),
                md(a.reason.as_deref().unwrap_or("")),
                md(a.gone_since.as_deref().unwrap_or("")),
                md(a.archived_url.as_deref().unwrap_or(""))
            );
        }
    }
    let (articles, total) = (r.gone_articles.len(), r.gone_article_count);
    md_not_shown(
        &mut out,
        lists.gone_articles,
        articles,
        total,
        "gone-articles",
    );
    let _ = writeln!(out, "\n## Transitions\n");
    if r.transition_count == 0 {
        let _ = writeln!(out, "None.");
    } else if !r.transitions.is_empty() {
        let _ = writeln!(out, "| when | target | from | to |");
        let _ = writeln!(out, "|---|---|---|---|");
        for t in &r.transitions {
            let to = match &t.reason {
                Some(r) => format!("{} ({r})", t.to),
                None => t.to.clone(),
            };
            let _ = writeln!(
                out,
                "| {} | {} {} | {} | {} |",
                md(&t.at),
                t.target,
                md(&t.url),
                md(&t.from),
                md(&to)
            );
        }
    }
    let (shown, total) = (r.transitions.len(), r.transition_count);
    md_not_shown(&mut out, lists.transitions, shown, total, "transitions");
    out
}

/// [`not_shown`] as a Markdown paragraph, after a table when there is one.
fn md_not_shown(out: &mut String, listed: bool, shown: usize, total: usize, name: &str) {
    if let Some(line) = not_shown(listed, shown, total, name) {
        let gap = if shown > 0 { "\n" } else { "" };
        let _ = writeln!(out, "{gap}{total} in all {line}.");
    }
}

/// One target's history for a terminal.
pub fn history_text(h: &History) -> String {
    let mut out = format!("{} {}\n", h.target, h.url);
    if h.checks.is_empty() {
        out.push_str("  (never checked)\n");
    }
    for row in &h.checks {
        let c = &row.check;
        let state = c.outcome.label();
        let change = row
            .changed_from
            .as_ref()
            .map(|f| format!("  [{f} -> {}]", c.outcome.state()))
            .unwrap_or_default();
        let status = c
            .http_status
            .map_or_else(|| "no HTTP answer".to_string(), |s| format!("HTTP {s}"));
        let _ = writeln!(out, "  {}  {state}{change}  {status}", c.checked_at);
        let _ = writeln!(out, "      {}", c.evidence);
        if let Some(a) = &c.archived_url {
            let _ = writeln!(out, "      archived: {a}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_well() {
        assert_eq!(human_duration(30), "30s");
        assert_eq!(human_duration(42 * 60), "42m");
        assert_eq!(human_duration(5 * 3600 + 12 * 60), "5h 12m");
        assert_eq!(human_duration(3 * 86_400 + 4 * 3600 + 59), "3d 4h");
    }

    #[test]
    fn markdown_cells_are_escaped() {
        assert_eq!(md("a|b\nc"), "a\\|b c");
    }
}
