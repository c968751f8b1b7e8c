//! `embarc queue`: list, show and decide the claims in the verification queue.

use crate::detect::Platform;
use crate::queue::{self, Action, Status};
use crate::store::{Claim, ClaimDetail, ClaimEvent, ClaimFilter};
use crate::words;
use anyhow::Result;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Sub>,

    /// Without a subcommand: list the claims.
    #[command(flatten)]
    pub list: ListArgs,
}

#[derive(Debug, clap::Subcommand)]
pub enum Sub {
    /// List open claims, oldest first (the default; --all for every claim).
    List(ListArgs),
    /// Show everything known about one claim.
    Show(ShowArgs),
    /// Set a claim's status: unstarted, in_progress, inconclusive, verified, false.
    Set(SetArgs),
    /// Give a claim to someone, or to nobody (--none).
    Assign(AssignArgs),
    /// Add a note to a claim's history.
    Note(NoteArgs),
    /// Queue a post by hand, by its URL (any post URL embarc recognises).
    ///
    /// Accepted: the URL of one post, e.g. x.com or twitter.com
    /// `/USER/status/ID`, bsky.app `/profile/HANDLE/post/ID`, Mastodon
    /// `https://INSTANCE/@USER/ID`, threads.net `/@USER/post/CODE`,
    /// instagram.com `/p/CODE/`, Facebook posts and videos, tiktok.com
    /// `/@USER/video/ID`, reddit.com `/r/SUB/comments/ID/`, t.me
    /// `/CHANNEL/ID`, YouTube videos. Profiles, channels and short links
    /// are not posts. See README.md, "What is detected".
    Add(AddArgs),
    /// Label the archived posts again with the rules in ARCHIVE/embarc.toml
    /// and queue newly labelled posts.
    ///
    /// `[labels]` in ARCHIVE/embarc.toml (the archive directory, `--archive`)
    /// holds `disable` (default phrases that no longer count) and
    /// `[labels.extra]` (phrase = the label it stands for, e.g. "alerta" =
    /// "BREAKING"). Existing claims are never duplicated or removed.
    Relabel(RelabelArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct ListArgs {
    /// Only claims with these statuses (repeat or separate with commas;
    /// default: the open ones, unstarted and in_progress).
    #[arg(long, value_name = "STATUS", value_delimiter = ',', value_parser = clap::value_parser!(Status))]
    pub status: Vec<Status>,

    /// Every claim, decided ones too (--status narrows it again).
    #[arg(long)]
    pub all: bool,

    /// Only claims with this label (BREAKING, JUST IN, MANUAL, ...).
    #[arg(long, value_name = "LABEL")]
    pub label: Option<String>,

    /// Only posts on this platform.
    #[arg(long, value_name = "PLATFORM", value_parser = parse_platform,
          long_help = format!("Only posts on this platform: {}.", Platform::names()))]
    pub platform: Option<Platform>,

    /// Only claims queued at or after this time: RFC 3339, a date
    /// (2025-03-01), or a duration ago (7d), as `export --since` takes.
    #[arg(long, value_name = "TIME", value_parser = super::parse_when)]
    pub since: Option<chrono::DateTime<chrono::Utc>>,

    /// Only claims assigned to this person.
    #[arg(long, value_name = "NAME")]
    pub assignee: Option<String>,

    /// Print the claims as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The claim's id: the number after # in `embarc queue`.
    #[arg(value_parser = parse_id)]
    pub id: i64,
    /// Print the claim as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct By {
    /// Who is making the change (default: EMBARC_USER, then USER or
    /// USERNAME, then the system's name for the running user).
    #[arg(long, value_name = "NAME", env = "EMBARC_USER")]
    pub by: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct SetArgs {
    /// The claim's id: the number after # in `embarc queue`.
    #[arg(value_parser = parse_id)]
    pub id: i64,
    /// The new status: unstarted, in_progress, inconclusive, verified or
    /// false. Setting the status the claim already has is refused.
    #[arg(value_parser = clap::value_parser!(Status))]
    pub status: Status,
    /// Why (required when changing a decision: moving away from verified,
    /// false or inconclusive).
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    #[command(flatten)]
    pub by: By,
}

#[derive(Debug, clap::Args)]
pub struct AssignArgs {
    /// The claim's id: the number after # in `embarc queue`.
    #[arg(value_parser = parse_id)]
    pub id: i64,
    /// Who takes the claim (giving it to the person who has it is refused).
    #[arg(required_unless_present = "none", conflicts_with = "none")]
    pub name: Option<String>,
    /// Take the claim back from whoever has it: assigned to nobody.
    #[arg(long)]
    pub none: bool,
    #[command(flatten)]
    pub by: By,
}

#[derive(Debug, clap::Args)]
pub struct NoteArgs {
    /// The claim's id: the number after # in `embarc queue`.
    #[arg(value_parser = parse_id)]
    pub id: i64,
    /// The note, added to the claim's history.
    pub text: String,
    #[command(flatten)]
    pub by: By,
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// The post's URL (any form embarc recognises; see above).
    pub post_url: String,
    /// Why it needs verifying.
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    #[command(flatten)]
    pub by: By,
}

#[derive(Debug, clap::Args)]
pub struct RelabelArgs {
    /// Print what was done as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// A claim id: the number `embarc queue` shows after `#` (`#3` is taken
/// too, quoted, as the list prints it).
pub(super) fn parse_id(s: &str) -> Result<i64, String> {
    let digits = s.trim().trim_start_matches('#');
    match digits.parse::<i64>() {
        Ok(id) if id > 0 => Ok(id),
        _ => Err(format!(
            "{s:?} is not a claim id: a claim id is the number after # in `embarc queue` (e.g. 3 for #3)"
        )),
    }
}

fn parse_platform(s: &str) -> Result<Platform, String> {
    s.parse()
}

pub fn run(dir: &Path, args: Args) -> Result<ExitCode> {
    // Every queue command reads the settings, so a broken file is named
    // here too, not first when archiving or exporting.
    let config = super::load_config(dir)?;
    match args.command.unwrap_or(Sub::List(args.list)) {
        Sub::List(a) => list(dir, a),
        Sub::Show(a) => show(dir, a),
        // The claim is looked up before asking who is changing it, so an
        // unknown id is the first thing said.
        Sub::Set(a) => {
            let mut store = super::open_existing(dir)?;
            let receivers = super::watch::notify_on(&mut store, &config)?;
            store.require_claim(a.id)?;
            let e = store.set_claim_status(a.id, a.status, a.note.as_deref(), &actor(a.by)?)?;
            confirm(a.id, &e);
            send_webhooks(&store, &receivers, &config)?;
            Ok(ExitCode::SUCCESS)
        }
        Sub::Assign(a) => {
            let store = super::open_existing(dir)?;
            store.require_claim(a.id)?;
            let e = store.assign_claim(a.id, a.name.as_deref(), &actor(a.by)?)?;
            confirm(a.id, &e);
            Ok(ExitCode::SUCCESS)
        }
        Sub::Note(a) => {
            let store = super::open_existing(dir)?;
            store.require_claim(a.id)?;
            let e = store.note_claim(a.id, &a.text, &actor(a.by)?)?;
            confirm(a.id, &e);
            Ok(ExitCode::SUCCESS)
        }
        Sub::Add(a) => {
            let post = queue::post_from_url(&a.post_url)?;
            let by = actor(a.by)?;
            let mut store = super::open_store(dir)?;
            let receivers = super::watch::notify_on(&mut store, &config)?;
            let added = store.add_claim(&post, &a.reason, &by)?;
            let url = post.post_url.as_deref().unwrap_or(&a.post_url);
            if added.new_post {
                eprintln!(
                    "embarc: {url} was not in the archive; recorded it from its URL (its text is unknown until a check fetches it)"
                );
            }
            eprintln!("embarc: queued {url} as claim {}", added.claim);
            println!("{}", added.claim);
            send_webhooks(&store, &receivers, &config)?;
            Ok(ExitCode::SUCCESS)
        }
        Sub::Relabel(a) => {
            let rules = config.labels.rules()?;
            let mut store = super::open_existing(dir)?;
            let receivers = super::watch::notify_on(&mut store, &config)?;
            let r = store.relabel(&rules)?;
            if a.json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            }
            eprintln!(
                "embarc: relabelled {} ({} changed); {}",
                words::count(r.snapshots, "article snapshot"),
                r.changed,
                words::count(r.new_claims, "new claim")
            );
            if r.unlabelled_claims > 0 {
                eprintln!(
                    "  {} queued by a label their post no longer carries; they stay in the queue",
                    match r.unlabelled_claims {
                        1 => "1 claim was".to_string(),
                        n => format!("{n} claims were"),
                    }
                );
            }
            send_webhooks(&store, &receivers, &config)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Send the `claim_created` and `claim_decided` webhooks a change queued.
fn send_webhooks(
    store: &crate::store::Store,
    receivers: &[crate::notify::Receiver],
    config: &crate::config::Config,
) -> Result<()> {
    if receivers.is_empty() {
        return Ok(());
    }
    super::watch::send_webhooks(&super::runtime()?, store, receivers, config, "queue", false)
}

/// The person making a change: `--by`, then the fallbacks of [`super::actor`].
fn actor(by: By) -> Result<String> {
    super::actor(by.by)
}

fn filter(a: &ListArgs) -> ClaimFilter {
    ClaimFilter {
        statuses: a.status.clone(),
        label: a.label.clone(),
        platform: a.platform.map(|p| p.as_str().to_string()),
        since: a.since,
        assignee: a.assignee.clone(),
        ..ClaimFilter::default()
    }
}

fn list(dir: &Path, mut a: ListArgs) -> Result<ExitCode> {
    let store = super::open_existing(dir)?;
    // Open claims unless asked otherwise: decided ones are done with.
    let open_only = a.status.is_empty() && !a.all;
    if open_only {
        a.status = Status::ALL
            .into_iter()
            .filter(|s| !s.is_verdict())
            .collect();
    }
    // One claim at a time: the list is printed as it is read, and only the
    // counts are kept.
    let mut counts: BTreeMap<Status, usize> = BTreeMap::new();
    let mut total = 0usize;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if a.json {
        out.write_all(b"[")?;
    }
    store.for_each_claim(&filter(&a), |c| {
        if a.json {
            // As serde_json writes a pretty array: each element indented
            // by two spaces (strings hold no raw line breaks).
            out.write_all(if total == 0 { b"\n" } else { b",\n" })?;
            let pretty = serde_json::to_string_pretty(&c)?;
            for (i, line) in pretty.lines().enumerate() {
                if i > 0 {
                    out.write_all(b"\n")?;
                }
                out.write_all(b"  ")?;
                out.write_all(line.as_bytes())?;
            }
        } else {
            let mut o = String::new();
            print_summary(&mut o, &c)?;
            out.write_all(words::escaped(&o).as_bytes())?;
        }
        *counts.entry(c.status).or_default() += 1;
        total += 1;
        Ok::<(), anyhow::Error>(())
    })?;
    if a.json {
        out.write_all(if total == 0 { b"]\n" } else { b"\n]\n" })?;
    }
    out.flush()?;
    let counts: Vec<(Status, usize)> = Status::ALL
        .into_iter()
        .filter_map(|s| counts.get(&s).map(|n| (s, *n)))
        .collect();
    let per_status: Vec<String> = counts.iter().map(|(s, n)| format!("{n} {s}")).collect();
    let open = if open_only { "open " } else { "" };
    let hidden = if open_only {
        let decided = store.count_claims(&ClaimFilter {
            statuses: Status::ALL.into_iter().filter(|s| s.is_verdict()).collect(),
            ..filter(&a)
        })?;
        match decided {
            0 => String::new(),
            1 => "; 1 decided claim not shown (--all lists it)".to_string(),
            n => format!("; {n} decided claims not shown (--all lists them)"),
        }
    } else {
        String::new()
    };
    // A label no claim carries is more likely a typo than an empty queue.
    let unknown_label = match &a.label {
        Some(label) if total == 0 => {
            let labels = store.claim_labels()?;
            (!labels.iter().any(|l| l.eq_ignore_ascii_case(label))).then(|| {
                let known = if labels.is_empty() {
                    "none yet".to_string()
                } else {
                    labels.join(", ")
                };
                format!("; no claim carries the label {label:?} (labels in the queue: {known})")
            })
        }
        _ => None,
    };
    match total {
        0 => eprintln!(
            "embarc: no {open}claims match{hidden}{}",
            unknown_label.unwrap_or_default()
        ),
        1 => eprintln!("embarc: 1 {open}claim ({}){hidden}", per_status.join(", ")),
        n => eprintln!(
            "embarc: {n} {open}claims ({}){hidden}",
            per_status.join(", ")
        ),
    }
    Ok(ExitCode::SUCCESS)
}

fn who(c: &Claim) -> String {
    let p = &c.post;
    match (&p.ident.author_name, &p.ident.handle) {
        (Some(n), Some(h)) => format!("{n} (@{h})"),
        (Some(n), None) => n.clone(),
        (None, Some(h)) => format!("@{h}"),
        (None, None) => "unknown author".into(),
    }
}

/// `2025-03-01T09:00:00.000Z` as `2025-03-01 09:00`.
fn minutes(at: &str) -> String {
    at.chars().take(16).collect::<String>().replace('T', " ")
}

/// `gone (deleted)`, or `alive`.
fn print_summary(o: &mut String, c: &Claim) -> std::fmt::Result {
    let p = &c.post;
    writeln!(
        o,
        "#{}  {}  {}  {}  {}  posted {}  queued {}",
        c.id,
        c.status,
        c.label,
        p.ident.platform,
        who(c),
        p.date.as_deref().unwrap_or("?"),
        minutes(&c.created_at),
    )?;
    let text = p
        .text
        .as_deref()
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "));
    match (text, &c.reason) {
        (Some(t), _) => writeln!(o, "    {}", queue::shorten(&t, 110))?,
        (None, Some(r)) => writeln!(o, "    (text unknown) queued because: {r}")?,
        (None, None) => writeln!(o, "    (text unknown)")?,
    }
    if let Some(url) = &p.ident.post_url {
        writeln!(o, "    post      {url}")?;
    }
    // Liveness only when a check has said something.
    if let (Some(state), Some(at)) = (p.latest.outcome, &p.latest.checked_at) {
        writeln!(
            o,
            "    state     {}, checked {}",
            state.label(),
            minutes(at)
        )?;
    }
    if let Some(url) = &p.latest.archived_url {
        writeln!(o, "    archived  {url}")?;
    }
    let mut seen: Vec<&str> = Vec::new();
    for cit in &c.citations {
        if !seen.contains(&cit.article_url.as_str()) {
            seen.push(&cit.article_url);
            writeln!(o, "    cited by  {}", cit.article_url)?;
        }
    }
    for w in &c.warnings {
        writeln!(o, "    warning   {}: {}", w.kind, w.detail)?;
    }
    if let Some(a) = &c.assignee {
        writeln!(o, "    assigned  {a}")?;
    }
    writeln!(o)?;
    Ok(())
}

fn show(dir: &Path, a: ShowArgs) -> Result<ExitCode> {
    let store = super::open_existing(dir)?;
    let d = store.claim(a.id)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&d)?);
    } else {
        let mut o = String::new();
        print_detail(&mut o, &d)?;
        print!("{}", words::escaped(&o));
    }
    Ok(ExitCode::SUCCESS)
}

fn print_detail(o: &mut String, d: &ClaimDetail) -> std::fmt::Result {
    let c = &d.claim;
    let p = &c.post;
    writeln!(o, "claim #{}  {}  {}", c.id, c.label, c.status)?;
    if let (Some(at), Some(by)) = (&c.decided_at, &c.decided_by) {
        writeln!(o, "decided    {at} by {by}")?;
    }
    writeln!(o, "queued     {}", c.created_at)?;
    writeln!(
        o,
        "assigned   {}",
        c.assignee.as_deref().unwrap_or("(nobody)")
    )?;
    if let Some(r) = &c.reason {
        writeln!(o, "reason     {r}")?;
    }
    writeln!(o)?;
    // Archives made before ids were kept unless contradicted hold posts
    // whose id was dropped as rounded; today a `rounded_id` warning comes
    // with the exact id, which is shown as any other.
    let rounded = p.ident.post_id.is_none() && c.warnings.iter().any(|w| w.kind == "rounded_id");
    let id = match (&p.ident.post_id, &p.ident.post_url) {
        (Some(id), _) => id.clone(),
        // The link's id was mangled by JavaScript and dropped: not a copy.
        _ if rounded => "(no id: the link's id was rounded, see warnings)".into(),
        (None, Some(_)) => "(no id)".into(),
        (None, None) => "(no id: copied text)".into(),
    };
    writeln!(o, "post       {} {id}", p.ident.platform)?;
    if let Some(url) = &p.ident.post_url {
        if rounded {
            writeln!(
                o,
                "url        {url} (as the article gave it; the id in it is rounded)"
            )?;
        } else {
            writeln!(o, "url        {url}")?;
        }
    }
    writeln!(o, "author     {}", who(c))?;
    let date = match (&p.posted_at, &p.date, &p.display_date) {
        (Some(t), _, _) => t.clone(),
        (None, Some(d), Some(shown)) => format!("{d} (shown as {shown:?})"),
        (None, Some(d), None) => d.clone(),
        (None, None, Some(shown)) => format!("shown as {shown:?}"),
        (None, None, None) => "unknown".into(),
    };
    writeln!(o, "posted     {date}")?;
    writeln!(o, "first seen {}", p.first_seen_at)?;
    match (p.latest.outcome, &p.latest.checked_at) {
        (Some(state), Some(at)) => writeln!(o, "state      {}, checked {at}", state.label())?,
        _ if p.ident.post_id.is_none() => writeln!(o, "state      not checkable (no post id)")?,
        _ => writeln!(o, "state      not checked (embarc check)")?,
    }
    if let Some(url) = &p.latest.archived_url {
        writeln!(o, "archived   {url}")?;
    }
    writeln!(o)?;
    writeln!(o, "snapshots ({}):", d.snapshots.len())?;
    if d.snapshots.is_empty() {
        writeln!(o, "  (none: only the URL is known)")?;
    }
    for s in &d.snapshots {
        let from = s.article_url.as_deref().unwrap_or(&s.source);
        let labels = if s.labels.is_empty() {
            String::new()
        } else {
            format!("  [{}]", s.labels.join(", "))
        };
        writeln!(o, "  {}  {from}{labels}", s.taken_at)?;
        for line in s.text.as_deref().unwrap_or("(no text)").lines() {
            writeln!(o, "    | {line}")?;
        }
    }
    writeln!(o)?;
    writeln!(o, "citations ({}):", c.citations.len())?;
    for cit in &c.citations {
        writeln!(
            o,
            "  {} {} in {} (captured {} to {})",
            cit.kind, cit.shape, cit.article_url, cit.first_captured_at, cit.last_captured_at
        )?;
    }
    writeln!(o)?;
    writeln!(o, "checks ({}):", d.checks.len())?;
    if d.checks.is_empty() {
        writeln!(o, "  (never checked)")?;
    }
    for k in &d.checks {
        let status = k
            .http_status
            .map_or("no HTTP answer".to_string(), |s| format!("HTTP {s}"));
        writeln!(
            o,
            "  {}  {}  {status}  {}",
            k.checked_at,
            k.outcome.label(),
            k.endpoint
        )?;
        writeln!(o, "      {}", k.evidence)?;
        if let Some(a) = &k.archived_url {
            writeln!(o, "      archived: {a}")?;
        }
    }
    if !d.kept_media.is_empty() || !d.media_not_kept.is_empty() {
        writeln!(o)?;
        writeln!(o, "media kept ({}):", d.kept_media.len())?;
        if d.kept_media.is_empty() {
            writeln!(o, "  (none)")?;
        }
        for m in &d.kept_media {
            writeln!(
                o,
                "  {}  {}  {}  {}",
                m.kind,
                m.content_type.as_deref().unwrap_or("(no type)"),
                m.size
                    .map_or("(size unknown)".to_string(), |n| format!("{n} bytes")),
                m.url
            )?;
            if let Some(sha) = &m.sha256 {
                writeln!(o, "      sha256 {sha}, kept {}", m.fetched_at)?;
            }
        }
        if !d.media_not_kept.is_empty() {
            writeln!(o, "media not kept ({}):", d.media_not_kept.len())?;
            for m in &d.media_not_kept {
                writeln!(o, "  {}  {}  {}", m.kind, m.result.replace('_', " "), m.url)?;
                writeln!(o, "      {}, asked {}", m.detail, m.fetched_at)?;
            }
        }
    }
    if !c.warnings.is_empty() {
        writeln!(o)?;
        writeln!(o, "warnings ({}):", c.warnings.len())?;
        for w in &c.warnings {
            writeln!(o, "  {}: {}", w.kind, w.detail)?;
        }
    }
    writeln!(o)?;
    writeln!(o, "history ({}):", words::count(c.events.len(), "event"))?;
    for e in &c.events {
        writeln!(o, "  {}  {}  {}", e.at, e.actor, describe(e))?;
    }
    Ok(())
}

/// Say on stderr what a change recorded.
fn confirm(id: i64, e: &ClaimEvent) {
    let what = describe(&ClaimEvent {
        note: None,
        ..e.clone()
    });
    match &e.note {
        Some(note) => eprintln!(
            "embarc: claim {id}: {what}, by {}: {note:?}",
            words::escaped(&e.actor)
        ),
        None => eprintln!(
            "embarc: claim {id}: {what}, by {}",
            words::escaped(&e.actor)
        ),
    }
}

/// One event in words.
fn describe(e: &ClaimEvent) -> String {
    let note = e
        .note
        .as_deref()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    let what = match e.action {
        Action::Created => format!(
            "queued as {}",
            e.to_status.map_or("unstarted", Status::as_str)
        ),
        Action::Status => format!(
            "{} -> {}",
            e.from_status.map_or("?", Status::as_str),
            e.to_status.map_or("?", Status::as_str)
        ),
        Action::Assign => match &e.assignee {
            Some(name) => format!("assigned to {name}"),
            None => "unassigned".to_string(),
        },
        Action::Note => "note".to_string(),
    };
    format!("{what}{note}")
}
