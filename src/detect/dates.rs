//! Post times: from platform ids (X Snowflake, Mastodon) and from the localised
//! date text shown under an embedded post ("February 6, 2020", "6. März 2018",
//! "16 мая 2018 г.", "2016年5月28日", "8:44 AM ∙ Mar 15, 2023", ...).
//!
//! The display-date parser tokenizes the start of the input into numbers, folded
//! words (lowercase, Latin diacritics removed) and symbols, then matches a few
//! shapes against one multilingual month table:
//!
//! * `MONTH DAY[,] YEAR`             (English: "Feb. 6th, 2020")
//! * `DAY[.|er|º] [de] MONTH [de|del|,] YEAR [г.|года]` (everything else)
//! * `YYYY-MM-DD`, `YYYY/MM/DD`      (optionally `T`/space + time)
//! * `YYYY年M月D日`                   (Japanese/Chinese; full-width digits too)
//!
//! optionally preceded by a weekday or article ("Monday,", "le", "am") and
//! followed by a time ("at 7:49 AM", "à 14h05", "um 14:05 Uhr"), or preceded by a
//! time and a separator ("8:44 AM ∙ Mar 15, 2023").
//!
//! Purely numeric day/month forms such as "6/2/2020" or "06.02.2020" are
//! deliberately rejected: depending on the locale they mean 6 February or
//! 2 June, the embed markup does not say which locale rendered them (a page
//! marked `data-lang="en"` can show Russian dates), and a wrong date would raise
//! false consistency warnings against the id's timestamp. Year-first numeric
//! forms are unambiguous and accepted. Dates without a year ("Feb 6", shown by X
//! for current-year posts) are rejected too: the year is not recoverable from
//! the text, the caller should take the date from the id.

use chrono::{DateTime, NaiveDate, NaiveTime, SecondsFormat};

/// Unix ms of the X/Twitter Snowflake epoch, 2010-11-04T01:42:54.657Z.
const TWITTER_EPOCH_MS: i64 = 1_288_834_974_657;
/// Smallest Snowflake id; sequential ids below it carry no time.
const FIRST_SNOWFLAKE: u64 = 29_700_859_247;
/// 2016-01-01T00:00:00Z, before Mastodon existed.
const MASTODON_MIN_MS: i64 = 1_451_606_400_000;
/// 2101-01-01T00:00:00Z (exclusive).
const MASTODON_END_MS: i64 = 4_133_980_800_000;
/// Plausible years for a post date (X started in 2006).
const YEARS: std::ops::RangeInclusive<u32> = 2006..=2100;
/// Tokens looked at; the longest shape uses well under this many.
const MAX_TOKENS: usize = 40;
/// Longer words cannot be month or weekday names; they are not stored.
const MAX_WORD_CHARS: usize = 24;

/// Milliseconds since the Unix epoch encoded in an X/Twitter Snowflake id; None for ids < 29700859247 (they carry no time). u64/i64 integer math only.
pub fn snowflake_ms(id: u64) -> Option<i64> {
    if id < FIRST_SNOWFLAKE {
        return None;
    }
    // id >> 22 < 2^42, so neither the cast nor the addition can overflow.
    Some((id >> 22) as i64 + TWITTER_EPOCH_MS)
}

/// Mastodon ids: id >> 16 = unix ms. None when the result is implausible (before 2016-01-01 or after 2100).
pub fn mastodon_id_ms(id: u64) -> Option<i64> {
    let ms = (id >> 16) as i64; // < 2^48
    (MASTODON_MIN_MS..MASTODON_END_MS)
        .contains(&ms)
        .then_some(ms)
}

/// 2022-01-01T00:00:00Z: no Bluesky record key is older.
const BLUESKY_MIN_MS: i64 = 1_640_995_200_000;
/// The base32-sortable alphabet of AT Protocol TIDs.
const TID_ALPHABET: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";

/// Bluesky record keys that are TIDs (13 base32-sortable characters: a zero
/// bit, 53 bits of microseconds since the Unix epoch, a 10-bit clock id):
/// Unix ms. None for other record keys and for implausible times (before
/// 2022 or after 2100). u64 integer math only.
pub fn bluesky_tid_ms(rkey: &str) -> Option<i64> {
    let bytes = rkey.as_bytes();
    if bytes.len() != 13 {
        return None;
    }
    let mut value: u64 = 0;
    for (i, b) in bytes.iter().enumerate() {
        let digit = TID_ALPHABET.iter().position(|a| a == b)? as u64;
        // The first character holds the top four bits; the top one is zero.
        if i == 0 && digit >= 8 {
            return None;
        }
        value = (value << 5) | digit;
    }
    let ms = ((value >> 10) / 1000) as i64; // < 2^44
    (BLUESKY_MIN_MS..MASTODON_END_MS)
        .contains(&ms)
        .then_some(ms)
}

/// RFC 3339 UTC with millisecond precision, e.g. "2020-02-06T16:25:29.966Z".
pub fn ms_to_rfc3339(ms: i64) -> Option<String> {
    DateTime::from_timestamp_millis(ms).map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true))
}

/// "YYYY-MM-DD" (UTC) of a unix-ms instant.
pub fn ms_to_date(ms: i64) -> Option<NaiveDate> {
    DateTime::from_timestamp_millis(ms).map(|t| t.date_naive())
}

/// A date as displayed under an embedded post, with the time when one is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DisplayDate {
    pub date: NaiveDate,
    pub time: Option<NaiveTime>,
}

/// Parse a date as shown under an embedded post (verbatim display text). None when it is not recognisably a date.
pub fn parse_display_date(s: &str) -> Option<DisplayDate> {
    let (d, end) = parse_display_date_prefix(s)?;
    s.get(end..)?.trim().is_empty().then_some(d)
}

/// Find a display date at the START of `s` (after optional whitespace) and return it with the number of BYTES it spans, so a caller can parse a plain-text tail such as "October 22, 2024 and then more prose" → (date, len of "October 22, 2024"). Must not consume trailing prose.
///
/// The returned length is a byte offset into `s` (it includes any leading
/// whitespace), so `&s[len..]` is always the unparsed remainder.
pub fn parse_display_date_prefix(s: &str) -> Option<(DisplayDate, usize)> {
    // Only the first words can be the date: a tail on a 5 MB line costs the
    // date's length, not the line's.
    let toks = tokenize(date_window(s));
    let (d, k) = display_at(&toks, 0, 2)?;
    Some((d, toks.get(k.checked_sub(1)?)?.end))
}

/// Words that join a name or a caption to the date after it ("on", "am",
/// "le", "sur", "el", "en", "il", "su", "em", "op", "в").
const DATE_CONNECTORS: &[&str] = &[
    "on", "at", "am", "le", "sur", "el", "en", "il", "su", "em", "op", "в",
];

/// The first display date in `text` that starts at a word, without the
/// word joining it to what comes before ("on Monday, February 7, 2022" →
/// "Monday, February 7, 2022"): its byte range in `text`.
pub fn date_in_words(text: &str) -> Option<(usize, usize)> {
    let starts = std::iter::once(0).chain(
        text.char_indices()
            .filter(|&(_, c)| c.is_whitespace())
            .map(|(i, c)| i + c.len_utf8()),
    );
    for start in starts {
        let Some((_, len)) = parse_display_date_prefix(&text[start..]) else {
            continue;
        };
        let shown = &text[start..start + len];
        let lead = shown.len() - shown.trim_start().len();
        let mut from = start + lead;
        let first = text[from..start + len]
            .split_whitespace()
            .next()
            .unwrap_or("");
        if DATE_CONNECTORS
            .iter()
            .any(|c| first.eq_ignore_ascii_case(c))
        {
            from += first.len();
            from += text[from..].len() - text[from..].trim_start().len();
        }
        return Some((from, start + len));
    }
    None
}

/// `name` without a trailing connector word ("Ville de Lyon sur" → "Ville
/// de Lyon").
pub fn strip_connector(name: &str) -> &str {
    let (head, last) = name.rsplit_once(char::is_whitespace).unwrap_or(("", name));
    if DATE_CONNECTORS.iter().any(|c| last.eq_ignore_ascii_case(c)) {
        head.trim_end()
    } else {
        name
    }
}

// ---------------------------------------------------------------------------
// Tables (all names folded: lowercase, Latin diacritics removed, ё → е).

/// Full month names, index = month - 1. Any unambiguous prefix of three or more
/// letters is accepted as an abbreviation ("févr", "Sept", "янв", "okt").
#[rustfmt::skip]
const MONTHS: [&[&str]; 12] = [
    &["january", "januar", "janner", "janvier", "enero", "gennaio", "janeiro", "januari", "января", "январь"],
    &["february", "februar", "fevrier", "febrero", "febbraio", "fevereiro", "februari", "февраля", "февраль"],
    &["march", "marz", "maerz", "mars", "marzo", "marco", "maart", "марта", "март"],
    &["april", "avril", "abril", "aprile", "апреля", "апрель"],
    &["may", "mai", "mayo", "maggio", "maio", "mei", "мая", "май"],
    &["june", "juni", "juin", "junio", "giugno", "junho", "июня", "июнь"],
    &["july", "juli", "juillet", "julio", "luglio", "julho", "июля", "июль"],
    &["august", "aout", "agosto", "augustus", "августа", "август"],
    &["september", "septembre", "septiembre", "settembre", "setembro", "сентября", "сентябрь"],
    &["october", "oktober", "octobre", "octubre", "ottobre", "outubro", "октября", "октябрь"],
    &["november", "novembre", "noviembre", "novembro", "ноября", "ноябрь"],
    &["december", "dezember", "decembre", "diciembre", "dicembre", "dezembro", "декабря", "декабрь"],
];

/// Abbreviations that are not prefixes of a full name (Dutch "mrt", German "Mrz").
const MONTH_ABBREVIATIONS: &[(&str, u32)] = &[("mrt", 3), ("mrz", 3)];

/// Words skipped before a date: weekdays (full and short) and articles.
#[rustfmt::skip]
const SKIPPABLE: &[&str] = &[
    // en
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "on",
    // de
    "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonnabend",
    "sonntag", "mo", "di", "mi", "do", "fr", "sa", "so", "am", "den",
    // fr
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    "lun", "mar", "mer", "jeu", "ven", "sam", "dim", "le",
    // es
    "lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo",
    "mie", "jue", "vie", "sab", "dom", "el",
    // it
    "lunedi", "martedi", "mercoledi", "giovedi", "venerdi", "domenica", "gio", "il",
    // pt ("segunda-feira": the "-feira" is skipped separately)
    "segunda", "terca", "quarta", "quinta", "sexta", "seg", "ter", "qua", "qui", "sex", "em",
    // nl
    "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag",
    "ma", "wo", "vr", "za", "zo", "op",
    // ru (nominative and accusative)
    "понедельник", "вторник", "среда", "среду", "четверг", "пятница", "пятницу",
    "суббота", "субботу", "воскресенье", "пн", "вт", "ср", "чт", "пт", "сб", "вс",
];

/// Words between a date and its time ("at", "à", "a las", "um", "om", "alle", "às", "в").
const TIME_CONNECTORS: &[&str] = &["at", "a", "las", "um", "om", "alle", "as", "в", "kl", "t"];

/// Symbols between a date and a time, or a time and a date.
const SEPARATORS: &[char] = &[',', '·', '∙', '•', '-', '–', '—', '|', '@'];

/// Ordinal suffixes glued to a day: "6th", "1er", "1ᵉʳ", "1º".
const ORDINALS: &[&str] = &["st", "nd", "rd", "th", "er", "ᵉʳ", "º", "ª"];

fn month_from_word(w: &str) -> Option<u32> {
    if let Some(&(_, m)) = MONTH_ABBREVIATIONS.iter().find(|(a, _)| *a == w) {
        return Some(m);
    }
    if w.chars().count() < 3 {
        return None;
    }
    // The month of every full name starting with `w`, if they all agree
    // ("jui" matches juin and juillet: rejected).
    let mut found = None;
    for (i, names) in MONTHS.iter().enumerate() {
        if names.iter().any(|n| n.starts_with(w)) {
            if found.is_some() {
                return None;
            }
            found = Some(i as u32 + 1);
        }
    }
    found
}

// ---------------------------------------------------------------------------
// Tokens.

#[derive(Debug)]
enum Kind {
    /// Value (saturating) and number of digits.
    Num(u32, u32),
    /// Folded word; empty when too long to be a name.
    Word(String),
    Sym(char),
}

#[derive(Debug)]
struct Tok {
    kind: Kind,
    /// Byte offset just past the token in the input.
    end: usize,
    /// Whitespace (or nothing, at the start) precedes the token.
    spaced: bool,
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}' | '\u{FEFF}')
}

/// CJK characters are single-character symbols (年, 月, 日, kana, ...).
fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}')
}

fn fold(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        'ё' => 'е',
        _ => c,
    }
}

/// Tokenize the start of `s` (at most `MAX_TOKENS` tokens).
/// The longest display date, in bytes after the leading whitespace
/// ("Wednesday, 1 November 2023 at 10:45 PM" is 39).
const DATE_WINDOW: usize = 160;

/// The start of `s` where a date could be: leading whitespace, then up to
/// [`DATE_WINDOW`] bytes, cut at whitespace so no word is split.
fn date_window(s: &str) -> &str {
    let lead = s.len() - s.trim_start().len();
    let Some(mut end) = lead.checked_add(DATE_WINDOW).filter(|&e| e < s.len()) else {
        return s;
    };
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    match s[lead..end].rfind(char::is_whitespace) {
        Some(space) => &s[..lead + space],
        None => &s[..end],
    }
}

fn tokenize(s: &str) -> Vec<Tok> {
    let mut toks: Vec<Tok> = Vec::new();
    let mut spaced = true;
    for (pos, raw) in s.char_indices() {
        let end = pos + raw.len_utf8();
        // Full-width ASCII variants (２０１６, ：, （) behave like ASCII.
        let c = match raw {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(raw as u32 - 0xFEE0).unwrap_or(raw),
            _ => raw,
        };
        if is_space(c) {
            spaced = true;
            continue;
        }
        let digit = c.to_digit(10);
        let letter = c.is_alphabetic() && !is_cjk(c);
        // Extend the token that ends right here when `c` continues it.
        let extended = toks.last_mut().filter(|t| t.end == pos).is_some_and(|t| {
            let joined = match (&mut t.kind, digit) {
                (Kind::Num(v, n), Some(d)) => {
                    *v = v.saturating_mul(10).saturating_add(d);
                    *n = n.saturating_add(1);
                    true
                }
                (Kind::Word(w), _) if letter => {
                    if !w.is_empty() {
                        w.extend(c.to_lowercase().map(fold));
                    }
                    if w.chars().count() > MAX_WORD_CHARS {
                        w.clear();
                    }
                    true
                }
                // A combining accent (decomposed "é") is dropped but stays in the token.
                _ => ('\u{0300}'..='\u{036F}').contains(&c),
            };
            if joined {
                t.end = end;
            }
            joined
        });
        if !extended {
            if toks.len() == MAX_TOKENS {
                break;
            }
            let kind = match digit {
                Some(d) => Kind::Num(d, 1),
                None if letter => Kind::Word(c.to_lowercase().map(fold).collect()),
                None => Kind::Sym(c),
            };
            toks.push(Tok { kind, end, spaced });
        }
        spaced = false;
    }
    toks
}

// ---------------------------------------------------------------------------
// Grammar. Every function takes the token index to start at and returns what it
// matched plus the index just past it.

fn num(t: &[Tok], i: usize, digits: std::ops::RangeInclusive<u32>) -> Option<(u32, usize)> {
    match t.get(i)?.kind {
        Kind::Num(v, n) if digits.contains(&n) => Some((v, i + 1)),
        _ => None,
    }
}

fn word(t: &[Tok], i: usize) -> Option<&str> {
    match &t.get(i)?.kind {
        Kind::Word(w) => Some(w),
        _ => None,
    }
}

fn is_word(t: &[Tok], i: usize, options: &[&str]) -> bool {
    word(t, i).is_some_and(|w| options.contains(&w))
}

fn is_sym(t: &[Tok], i: usize, options: &[char]) -> bool {
    matches!(t.get(i), Some(Tok { kind: Kind::Sym(c), .. }) if options.contains(c))
}

fn glued(t: &[Tok], i: usize) -> bool {
    t.get(i).is_some_and(|tok| !tok.spaced)
}

/// The index after the symbol `c` at `i`.
fn sym(t: &[Tok], i: usize, c: char) -> Option<usize> {
    is_sym(t, i, &[c]).then_some(i + 1)
}

/// Skip the token at `i` if it is the symbol `c`.
fn opt_sym(t: &[Tok], i: usize, c: char) -> usize {
    if is_sym(t, i, &[c]) { i + 1 } else { i }
}

/// Skip the token at `i` if it is one of `words`.
fn opt_word(t: &[Tok], i: usize, words: &[&str]) -> usize {
    if is_word(t, i, words) { i + 1 } else { i }
}

fn year(t: &[Tok], i: usize) -> Option<(u32, usize)> {
    num(t, i, 4..=4).filter(|(y, _)| YEARS.contains(y))
}

fn month_word(t: &[Tok], i: usize) -> Option<(u32, usize)> {
    let m = month_from_word(word(t, i)?)?;
    Some((m, opt_sym(t, i + 1, '.')))
}

/// A day of the month with an optional glued ordinal suffix ("6th", "1er").
fn day(t: &[Tok], i: usize) -> Option<(u32, usize)> {
    let (d, i) = num(t, i, 1..=2)?;
    let ordinal = glued(t, i) && (is_word(t, i, ORDINALS) || is_sym(t, i, &['°']));
    Some((d, if ordinal { i + 1 } else { i }))
}

fn ymd(y: u32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

/// "February 6, 2020", "Feb. 6th 2020".
fn month_first(t: &[Tok], i: usize) -> Option<(NaiveDate, usize)> {
    let (m, i) = month_word(t, i)?;
    let (d, i) = day(t, i)?;
    let (y, i) = year(t, opt_sym(t, i, ','))?;
    Some((ymd(y, m, d)?, i))
}

/// "6 February 2020", "25. September 2018", "1er mars 2021", "6 de febrero de 2020",
/// "6 de febrero, 2020", "16 мая 2018 г.".
fn day_first(t: &[Tok], i: usize) -> Option<(NaiveDate, usize)> {
    let (d, i) = day(t, i)?;
    let i = opt_sym(t, i, '.');
    let (m, i) = month_word(t, opt_word(t, i, &["de"]))?;
    let i = opt_sym(t, opt_word(t, i, &["de", "del"]), ',');
    let (y, mut i) = year(t, i)?;
    if is_word(t, i, &["г"]) {
        i = opt_sym(t, i + 1, '.');
    } else if is_word(t, i, &["года"]) {
        i += 1;
    }
    Some((ymd(y, m, d)?, i))
}

/// "2020-02-06", "2020/02/06" (the same separator twice).
fn year_first(t: &[Tok], i: usize) -> Option<(NaiveDate, usize)> {
    let (y, i) = year(t, i)?;
    let sep = ['-', '/'].into_iter().find(|&c| is_sym(t, i, &[c]))?;
    let (m, i) = num(t, i + 1, 1..=2)?;
    let (d, i) = num(t, sym(t, i, sep)?, 1..=2)?;
    Some((ymd(y, m, d)?, i))
}

/// "2016年5月28日", with an optional weekday in brackets: "2016年5月28日(土)".
fn japanese(t: &[Tok], i: usize) -> Option<(NaiveDate, usize)> {
    let (y, i) = year(t, i)?;
    let (m, i) = num(t, sym(t, i, '年')?, 1..=2)?;
    let (d, i) = num(t, sym(t, i, '月')?, 1..=2)?;
    let mut i = sym(t, i, '日')?;
    if is_sym(t, i, &['(']) {
        let mut j = i + 1;
        while j < i + 4 && is_sym(t, j, &['月', '火', '水', '木', '金', '土', '日', '曜']) {
            j += 1;
        }
        if j > i + 1 && is_sym(t, j, &[')']) {
            i = j + 1;
        }
    }
    Some((ymd(y, m, d)?, i))
}

fn date_at(t: &[Tok], i: usize) -> Option<(NaiveDate, usize)> {
    month_first(t, i)
        .or_else(|| day_first(t, i))
        .or_else(|| year_first(t, i))
        .or_else(|| japanese(t, i))
}

/// "7:49 AM", "15:09", "16:25:29.966", "14h05", "2 p.m.", "14:05 Uhr", "14時05分".
fn time_at(t: &[Tok], i: usize) -> Option<(NaiveTime, usize)> {
    let (h, i) = num(t, i, 1..=2)?;
    let kanji = is_sym(t, i, &['時']);
    if !(is_sym(t, i, &[':']) || is_word(t, i, &["h"]) || kanji) {
        return None;
    }
    let (min, mut i) = num(t, i + 1, if kanji { 1..=2 } else { 2..=2 })?;
    let (mut sec, mut nano) = (0, 0);
    if kanji {
        if !is_sym(t, i, &['分']) {
            return None;
        }
        i += 1;
    } else if is_sym(t, i, &[':']) {
        let (s, j) = num(t, i + 1, 2..=2)?;
        (sec, i) = (s, j);
        // A fraction only when glued: "at 14:05:00. 5 people" keeps its ". 5".
        if is_sym(t, i, &['.'])
            && let Some(Tok {
                kind: Kind::Num(f, n @ 1..=9),
                spaced: false,
                ..
            }) = t.get(i + 1)
        {
            (nano, i) = (f * 10u32.pow(9 - n), i + 2);
        }
    }
    // AM/PM: "am", "pm", "a.m.", "p. m.".
    let pm = if is_word(t, i, &["am", "pm"]) {
        let pm = is_word(t, i, &["pm"]);
        i += 1;
        Some(pm)
    } else if is_word(t, i, &["a", "p"]) && is_sym(t, i + 1, &['.']) && is_word(t, i + 2, &["m"]) {
        let pm = is_word(t, i, &["p"]);
        i = opt_sym(t, i + 3, '.');
        Some(pm)
    } else {
        i = opt_word(t, i, &["uhr"]);
        None
    };
    let h = match pm {
        Some(_) if !(1..=12).contains(&h) => return None,
        Some(pm) => h % 12 + if pm { 12 } else { 0 },
        None => h,
    };
    if glued(t, i) && is_word(t, i, &["z"]) {
        i += 1;
    } else {
        i = opt_word(t, i, &["utc", "gmt"]);
    }
    Some((NaiveTime::from_hms_nano_opt(h, min, sec, nano)?, i))
}

/// A date, optionally followed by a time ("at 7:49 AM", "à 14:05", ", 15:09",
/// "a las 14:05", "T16:25:29Z") or preceded by one ("8:44 AM ∙ Mar 15, 2023").
fn core_at(t: &[Tok], i: usize) -> Option<(DisplayDate, usize)> {
    let shown = |date, time| DisplayDate { date, time };
    if let Some((time, j)) = time_at(t, i)
        && let Some((date, k)) = date_at(t, if is_sym(t, j, SEPARATORS) { j + 1 } else { j })
    {
        return Some((shown(date, Some(time)), k));
    }
    let (date, k) = date_at(t, i)?;
    let mut j = k;
    for _ in 0..2 {
        if is_sym(t, j, SEPARATORS) || is_word(t, j, TIME_CONNECTORS) {
            j += 1;
        }
    }
    Some(match time_at(t, j) {
        Some((time, e)) => (shown(date, Some(time)), e),
        None => (shown(date, None), k),
    })
}

/// `core_at`, else skip up to `skips` weekdays/articles ("Monday,", "le", "am",
/// "segunda-feira,") and retry.
fn display_at(t: &[Tok], i: usize, skips: u32) -> Option<(DisplayDate, usize)> {
    if let Some(found) = core_at(t, i) {
        return Some(found);
    }
    if skips == 0 || !is_word(t, i, SKIPPABLE) {
        return None;
    }
    let mut j = i + 1;
    if is_sym(t, j, &['-']) && is_word(t, j + 1, &["feira"]) {
        j += 2;
    }
    if is_sym(t, j, &[',', '.']) {
        j += 1;
    }
    display_at(t, j, skips - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn time(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn shown(y: i32, m: u32, d: u32, time: Option<NaiveTime>) -> DisplayDate {
        DisplayDate {
            date: date(y, m, d),
            time,
        }
    }

    /// Parse `s` fully and expect a date without a time.
    #[track_caller]
    fn day_only(s: &str, y: i32, m: u32, d: u32) {
        assert_eq!(parse_display_date(s), Some(shown(y, m, d, None)), "{s:?}");
    }

    /// Parse `s` fully and expect a date with a time.
    #[track_caller]
    fn with_time(s: &str, y: i32, m: u32, d: u32, t: NaiveTime) {
        assert_eq!(
            parse_display_date(s),
            Some(shown(y, m, d, Some(t))),
            "{s:?}"
        );
    }

    #[track_caller]
    fn rejected(s: &str) {
        assert_eq!(parse_display_date(s), None, "{s:?}");
        assert_eq!(parse_display_date_prefix(s), None, "{s:?}");
    }

    // --- ids -------------------------------------------------------------

    #[test]
    fn snowflake_vectors() {
        for (id, want) in [
            (1225455484259442691, "2020-02-06T16:25:29.966Z"),
            (1581661660728950784, "2022-10-16T15:01:40.427Z"),
            (1721144944059118002, "2023-11-05T12:38:26.647Z"),
            // The reference gives "07:17:35Z" (second precision); the id's ms are .740.
            (996650856568295425, "2018-05-16T07:17:35.740Z"),
        ] {
            let ms = snowflake_ms(id).unwrap();
            assert_eq!(ms_to_rfc3339(ms).as_deref(), Some(want), "{id}");
        }
        let ms = snowflake_ms(996650856568295425).unwrap();
        assert_eq!(ms, 1_526_455_055_740);
        assert_eq!(ms / 1000 * 1000, 1_526_455_055_000); // 2018-05-16T07:17:35Z
        assert_eq!(
            ms_to_rfc3339(ms / 1000 * 1000).as_deref(),
            Some("2018-05-16T07:17:35.000Z")
        );
        assert_eq!(ms_to_date(ms), Some(date(2018, 5, 16)));
    }

    #[test]
    fn snowflake_threshold_and_extremes() {
        assert_eq!(snowflake_ms(29_700_859_246), None);
        assert_eq!(snowflake_ms(20), None);
        assert_eq!(snowflake_ms(0), None);
        // The first id that carries a time.
        assert_eq!(
            snowflake_ms(29_700_859_247),
            Some((29_700_859_247 >> 22) + TWITTER_EPOCH_MS)
        );
        let max = snowflake_ms(u64::MAX).unwrap();
        assert_eq!(max, (1i64 << 42) - 1 + TWITTER_EPOCH_MS);
        assert!(ms_to_rfc3339(max).unwrap().starts_with("2150-"));
    }

    #[test]
    fn bluesky_tids() {
        // Published by the @atcute/tid codec: "3l25zusnsfctk" is
        // 1724171495793000 µs with clock id 816; "3l25zusnsfck2" the same
        // time with clock id 512.
        for tid in ["3l25zusnsfctk", "3l25zusnsfck2"] {
            let ms = bluesky_tid_ms(tid).unwrap();
            assert_eq!(ms, 1_724_171_495_793, "{tid}");
            assert_eq!(
                ms_to_rfc3339(ms).as_deref(),
                Some("2024-08-20T16:31:35.793Z")
            );
        }
        // Encoded by hand from the spec: 2024-11-25T12:49:00Z is
        // 1732538940000000 µs; shifted left 10 bits (clock id 0) and written
        // 5 bits at a time in 234567abcdefghijklmnopqrstuvwxyz.
        assert_eq!(
            bluesky_tid_ms("3lbrko3c3s222")
                .and_then(ms_to_rfc3339)
                .as_deref(),
            Some("2024-11-25T12:49:00.000Z")
        );
        // The spec's zero TID is a valid TID but not a plausible post time.
        assert_eq!(bluesky_tid_ms("2222222222222"), None);
        for not_a_tid in [
            "self",
            "3l25zusnsfct",
            "3l25zusnsfctkk",
            "3L25ZUSNSFCTK",
            "3l25zusnsfct1",
            "3l25zusnsfct0",
            // A first character of 8 or more sets the top bit.
            "cl25zusnsfctk",
            "zzzzzzzzzzzzz",
            "3l25zusnsfct\u{e9}",
        ] {
            assert_eq!(bluesky_tid_ms(not_a_tid), None, "{not_a_tid}");
        }
    }

    #[test]
    fn mastodon_ids() {
        // 109_000_000_000_000_000 / 2^16 = 1_663_208_007_812.5 → 1_663_208_007_812 ms.
        let ms = mastodon_id_ms(109_000_000_000_000_000).unwrap();
        assert_eq!(ms, 1_663_208_007_812);
        assert_eq!(
            ms_to_rfc3339(ms).as_deref(),
            Some("2022-09-15T02:13:27.812Z")
        );
        assert_eq!(ms_to_date(ms), Some(date(2022, 9, 15)));
        // Pre-2.0 sequential ids and tiny ids carry no time.
        assert_eq!(mastodon_id_ms(12345), None);
        assert_eq!(mastodon_id_ms(0), None);
        // Bounds: 2016-01-01T00:00Z is the first plausible ms, 2101-01-01 is out.
        assert_eq!(
            ms_to_rfc3339(MASTODON_MIN_MS).as_deref(),
            Some("2016-01-01T00:00:00.000Z")
        );
        assert_eq!(
            ms_to_rfc3339(MASTODON_END_MS).as_deref(),
            Some("2101-01-01T00:00:00.000Z")
        );
        assert_eq!(
            mastodon_id_ms((MASTODON_MIN_MS as u64) << 16),
            Some(MASTODON_MIN_MS)
        );
        assert_eq!(mastodon_id_ms(((MASTODON_MIN_MS as u64) << 16) - 1), None);
        assert_eq!(
            mastodon_id_ms(((MASTODON_END_MS as u64 - 1) << 16) | 0xFFFF),
            Some(MASTODON_END_MS - 1)
        );
        assert_eq!(mastodon_id_ms((MASTODON_END_MS as u64) << 16), None);
        assert_eq!(mastodon_id_ms(u64::MAX), None);
    }

    #[test]
    fn ms_conversions() {
        assert_eq!(
            ms_to_rfc3339(0).as_deref(),
            Some("1970-01-01T00:00:00.000Z")
        );
        assert_eq!(
            ms_to_rfc3339(-1).as_deref(),
            Some("1969-12-31T23:59:59.999Z")
        );
        assert_eq!(ms_to_date(86_399_999), Some(date(1970, 1, 1)));
        assert_eq!(ms_to_date(86_400_000), Some(date(1970, 1, 2)));
        for ms in [i64::MIN, i64::MAX] {
            assert_eq!(ms_to_rfc3339(ms), None);
            assert_eq!(ms_to_date(ms), None);
        }
    }

    // --- display dates: forms --------------------------------------------

    #[test]
    fn english() {
        day_only("February 6, 2020", 2020, 2, 6);
        day_only("Feb 6, 2020", 2020, 2, 6);
        day_only("Feb. 6, 2020", 2020, 2, 6);
        day_only("february 6th, 2020", 2020, 2, 6);
        day_only("FEBRUARY 6 2020", 2020, 2, 6);
        day_only("6 February 2020", 2020, 2, 6);
        day_only("6th Feb 2020", 2020, 2, 6);
        day_only("Monday, February 7, 2022", 2022, 2, 7);
        day_only("Mon Feb 7, 2022", 2022, 2, 7);
        day_only("Oct 11, 2022", 2022, 10, 11);
        day_only("Sept. 30, 2019", 2019, 9, 30);
        day_only("March 24, 2021", 2021, 3, 24);
        day_only("  \u{a0}March 24, 2021\n", 2021, 3, 24);
        with_time("November 25, 2024 at 7:49 AM", 2024, 11, 25, time(7, 49));
        with_time(
            "November 25, 2024 at 7:49\u{202f}PM",
            2024,
            11,
            25,
            time(19, 49),
        );
        with_time("Apr 21, 2024 at 15:09", 2024, 4, 21, time(15, 9));
        with_time("Apr 21, 2024, 12:05 a.m.", 2024, 4, 21, time(0, 5));
        with_time("Apr 21, 2024 12:05pm", 2024, 4, 21, time(12, 5));
    }

    #[test]
    fn time_first() {
        with_time("8:44 AM ∙ Mar 15, 2023", 2023, 3, 15, time(8, 44));
        with_time("8:44 PM · Mar 15, 2023", 2023, 3, 15, time(20, 44));
        with_time("3:02 PM - 6 Feb 2020", 2020, 2, 6, time(15, 2));
        with_time("14:05 · 6 févr. 2020", 2020, 2, 6, time(14, 5));
    }

    #[test]
    fn iso() {
        day_only("2020-02-06", 2020, 2, 6);
        day_only("2020/2/6", 2020, 2, 6);
        with_time("2020-02-06 16:25", 2020, 2, 6, time(16, 25));
        let precise = NaiveTime::from_hms_milli_opt(16, 25, 29, 966).unwrap();
        with_time("2020-02-06T16:25:29.966Z", 2020, 2, 6, precise);
        day_only("２０２０－０２－０６", 2020, 2, 6);
    }

    #[test]
    fn german() {
        day_only("25. September 2018", 2018, 9, 25);
        day_only("6. März 2018", 2018, 3, 6);
        day_only("6. Maerz 2018", 2018, 3, 6);
        day_only("6. Marz 2018", 2018, 3, 6);
        day_only("6. Mrz. 2018", 2018, 3, 6);
        day_only("3. Okt. 2021", 2021, 10, 3);
        day_only("Dienstag, 6. März 2018", 2018, 3, 6);
        day_only("am 6. März 2018", 2018, 3, 6);
        day_only("1. Jänner 2019", 2019, 1, 1);
        with_time("6. März 2018 um 14:05 Uhr", 2018, 3, 6, time(14, 5));
    }

    #[test]
    fn french() {
        day_only("6 février 2020", 2020, 2, 6);
        day_only("6 fevrier 2020", 2020, 2, 6);
        day_only("6 févr. 2020", 2020, 2, 6);
        day_only("6 FÉVR. 2020", 2020, 2, 6);
        // Decomposed accent (e + U+0301).
        day_only("6 fe\u{301}vrier 2020", 2020, 2, 6);
        day_only("1er mars 2021", 2021, 3, 1);
        day_only("1ᵉʳ mars 2021", 2021, 3, 1);
        day_only("15 août 2020", 2020, 8, 15);
        day_only("3 juil. 2020", 2020, 7, 3);
        day_only("jeudi 6 février 2020", 2020, 2, 6);
        // "mar." is Tuesday here, not March.
        day_only("mar. 4 févr. 2020", 2020, 2, 4);
        day_only("le 6 février 2020", 2020, 2, 6);
        with_time("le 6 février 2020 à 14:05", 2020, 2, 6, time(14, 5));
        with_time("le jeudi 6 février 2020 à 14h05", 2020, 2, 6, time(14, 5));
    }

    #[test]
    fn spanish() {
        day_only("6 de febrero de 2020", 2020, 2, 6);
        day_only("6 feb. 2020", 2020, 2, 6);
        day_only("6 de febrero, 2020", 2020, 2, 6);
        day_only("6 de febrero del 2020", 2020, 2, 6);
        day_only("1º de septiembre de 2021", 2021, 9, 1);
        day_only("miércoles, 5 de febrero de 2020", 2020, 2, 5);
        day_only("6 dic. 2020", 2020, 12, 6);
        with_time("6 de febrero de 2020 a las 14:05", 2020, 2, 6, time(14, 5));
        with_time("6 feb. 2020, 2:05 p. m.", 2020, 2, 6, time(14, 5));
    }

    #[test]
    fn italian() {
        day_only("6 febbraio 2020", 2020, 2, 6);
        day_only("6 giu 2020", 2020, 6, 6);
        day_only("giovedì 6 febbraio 2020", 2020, 2, 6);
        day_only("1 gen 2021", 2021, 1, 1);
        with_time("6 febbraio 2020 alle 14:05", 2020, 2, 6, time(14, 5));
    }

    #[test]
    fn portuguese() {
        day_only("6 de fevereiro de 2020", 2020, 2, 6);
        day_only("6 de fev. de 2020", 2020, 2, 6);
        day_only("1º de março de 2021", 2021, 3, 1);
        day_only("6 de marco de 2021", 2021, 3, 6);
        day_only("10 out. 2020", 2020, 10, 10);
        day_only("quinta-feira, 6 de fevereiro de 2020", 2020, 2, 6);
        with_time("6 de fev. de 2020 às 14:05", 2020, 2, 6, time(14, 5));
    }

    #[test]
    fn dutch() {
        day_only("6 februari 2020", 2020, 2, 6);
        day_only("6 mrt. 2020", 2020, 3, 6);
        day_only("6 mei 2020", 2020, 5, 6);
        day_only("donderdag 6 februari 2020", 2020, 2, 6);
        with_time("6 februari 2020 om 14:05", 2020, 2, 6, time(14, 5));
    }

    #[test]
    fn russian() {
        day_only("16 мая 2018 г.", 2018, 5, 16);
        day_only("7 января 2018 г.", 2018, 1, 7);
        day_only("16 мая 2018", 2018, 5, 16);
        day_only("16 май 2018", 2018, 5, 16);
        day_only("16 МАЯ 2018 Г.", 2018, 5, 16);
        day_only("7 янв. 2018 г.", 2018, 1, 7);
        day_only("7 сент. 2018", 2018, 9, 7);
        day_only("7 ноя 2018", 2018, 11, 7);
        day_only("1 марта 2018 года", 2018, 3, 1);
        day_only("среда, 16 мая 2018 г.", 2018, 5, 16);
        day_only("16 мая 2018 г", 2018, 5, 16);
        with_time("16 мая 2018 г. в 14:05", 2018, 5, 16, time(14, 5));
    }

    #[test]
    fn japanese_forms() {
        day_only("2016年5月28日", 2016, 5, 28);
        day_only("2016年 5月 28日", 2016, 5, 28);
        day_only("２０１６年５月２８日", 2016, 5, 28);
        day_only("2016年5月28日(土)", 2016, 5, 28);
        day_only("2016年5月28日（土曜日）", 2016, 5, 28);
        with_time("2016年5月28日 14:05", 2016, 5, 28, time(14, 5));
        with_time("2016年5月28日 １４：０５", 2016, 5, 28, time(14, 5));
        with_time("2016年5月28日 14時5分", 2016, 5, 28, time(14, 5));
    }

    // --- display dates: prefixes -----------------------------------------

    #[track_caller]
    fn prefix(s: &str, want: &str, d: DisplayDate) {
        let (got, n) = parse_display_date_prefix(s).unwrap_or_else(|| panic!("{s:?}"));
        assert_eq!(got, d, "{s:?}");
        assert_eq!(&s[..n], want, "{s:?}");
    }

    #[test]
    fn prefix_stops_before_prose() {
        let oct22 = shown(2024, 10, 22, None);
        for tail in [
            " and then more prose",
            ". Next sentence.",
            ", 12 people died",
            " at the latest",
            " at 25:00",
            " at 7",
            " — more",
            "\n\nNext paragraph",
            "pic.twitter.com/x",
        ] {
            prefix(
                &format!("October 22, 2024{tail}"),
                "October 22, 2024",
                oct22,
            );
        }
        // Leading whitespace counts, so `&s[n..]` is the remainder.
        prefix("  October 22, 2024 x", "  October 22, 2024", oct22);
        let nov25 = shown(2024, 11, 25, Some(time(7, 49)));
        prefix(
            "November 25, 2024 at 7:49 AM Read more",
            "November 25, 2024 at 7:49 AM",
            nov25,
        );
        let may16 = shown(2018, 5, 16, None);
        prefix("16 мая 2018 г. Далее текст", "16 мая 2018 г.", may16);
        prefix("16 мая 2018 годом позже", "16 мая 2018", may16);
        let jp = shown(2016, 5, 28, None);
        prefix("2016年5月28日に投稿", "2016年5月28日", jp);
        let mar14 = shown(2024, 3, 14, None);
        prefix(
            "March 14, 2024](https://twitter.com/h/status/1)",
            "March 14, 2024",
            mar14,
        );
        // A fraction needs to be glued to the seconds.
        let t = shown(2020, 2, 6, Some(NaiveTime::from_hms_opt(14, 5, 1).unwrap()));
        prefix(
            "Feb 6, 2020 at 14:05:01. 5 people",
            "Feb 6, 2020 at 14:05:01",
            t,
        );
    }

    #[test]
    fn full_parse_needs_the_whole_string() {
        // Extracted table text can glue the next cell onto the year: the prefix
        // parser still finds the date, the full parser refuses the string.
        let oct22 = shown(2024, 10, 22, None);
        prefix("October 22, 2024Read more", "October 22, 2024", oct22);
        for s in [
            "October 22, 2024abc",
            "October 22, 2024 and more",
            "October 22, 2024 at",
        ] {
            assert_eq!(parse_display_date(s), None, "{s:?}");
        }
        // An impossible time is not swallowed: the date alone is the prefix.
        let feb6 = shown(2020, 2, 6, None);
        prefix("February 6, 2020 13:05 PM", "February 6, 2020", feb6);
        assert_eq!(parse_display_date("February 6, 2020 13:05 PM"), None);
        assert_eq!(parse_display_date("February 6, 2020 at 0:05 AM"), None);
    }

    // --- display dates: rejections ---------------------------------------

    #[test]
    fn rejects_invalid_and_out_of_range() {
        rejected("31 février 2020");
        rejected("February 30, 2020");
        rejected("February 29, 2021");
        rejected("2020-13-01");
        rejected("2020-02-30");
        rejected("6 February 2005");
        rejected("6 February 2101");
        rejected("6 February 02020");
        rejected("6 February 20");
        rejected("2016年13月1日");
    }

    #[test]
    fn rejects_ambiguous_and_incomplete() {
        // Numeric day/month order depends on the locale: never guessed.
        rejected("6/2/2020");
        rejected("06.02.2020");
        rejected("6-2-2020");
        rejected("2/6/20");
        // No year.
        rejected("Feb 6");
        rejected("6 février");
        rejected("2016年5月");
        // "jui" is juin or juillet.
        rejected("6 jui 2020");
        // Two letters are too short to name a month.
        rejected("6 ma 2020");
        rejected("2020");
        rejected("2020-02");
    }

    #[test]
    fn rejects_garbage() {
        for s in [
            "",
            " ",
            "—",
            "(@foo)",
            "— Name (@handle)",
            "Hello world",
            "pic.twitter.com/abc",
            "at 7:49 AM",
            "7:49 AM",
            "Monday",
            "Monday, Tuesday, Wednesday, February",
            "le le le 6 février 2020",
            "\u{301}\u{301}",
            "２０１６",
            "🚨 BREAKING",
        ] {
            rejected(s);
        }
    }

    /// Deterministic pseudo-random text (xorshift), no external crates.
    fn noise(len: usize, alphabet: &[char], mut seed: u64) -> String {
        (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                alphabet[(seed % alphabet.len() as u64) as usize]
            })
            .collect()
    }

    #[test]
    fn long_random_input_is_rejected_without_panic() {
        let letters: Vec<char> = ('a'..='z').chain('A'..='Z').collect();
        rejected(&noise(10 * 1024, &letters, 0x9E37_79B9_7F4A_7C15));
        let mixed: Vec<char> = "ab éжмая年月日0123456789 .,:-/·∙()º\u{301}\u{202f}２"
            .chars()
            .collect();
        for seed in 1..200u64 {
            let s = noise(64, &mixed, seed);
            if let Some((_, n)) = parse_display_date_prefix(&s) {
                assert!(s.is_char_boundary(n) && n <= s.len(), "{s:?}");
            }
            let _ = parse_display_date(&s);
        }
        // A date followed by 10 KB of prose still parses as a prefix.
        let long = format!("Feb 6, 2020 {}", noise(10 * 1024, &letters, 7));
        assert_eq!(
            parse_display_date_prefix(&long).map(|(_, n)| n),
            Some("Feb 6, 2020".len())
        );
    }

    #[test]
    fn every_substring_of_tricky_text_is_safe() {
        let s =
            "le jeudi 1ᵉʳ fe\u{301}vr. 2020 à 14h05 ∙ 16 мая 2018 г. ２０１６年５月２８日（土）";
        let bounds: Vec<usize> = s.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
        for &a in &bounds {
            for &b in bounds.iter().filter(|&&b| b >= a) {
                let sub = &s[a..b];
                if let Some((_, n)) = parse_display_date_prefix(sub) {
                    assert!(
                        n > 0 && n <= sub.len() && sub.is_char_boundary(n),
                        "{sub:?}"
                    );
                }
                let _ = parse_display_date(sub);
            }
        }
    }

    #[test]
    #[rustfmt::skip]
    fn month_table_prefixes_are_unambiguous_where_used() {
        for (w, m) in [
            ("jan", 1), ("janv", 1), ("ene", 1), ("gen", 1), ("янв", 1),
            ("feb", 2), ("fev", 2), ("fevr", 2), ("фев", 2), ("февр", 2),
            ("mar", 3), ("mrt", 3), ("мар", 3),
            ("apr", 4), ("avr", 4), ("abr", 4), ("апр", 4),
            ("mai", 5), ("mag", 5), ("may", 5), ("mei", 5),
            ("jun", 6), ("juin", 6), ("giu", 6), ("июн", 6),
            ("jul", 7), ("juil", 7), ("lug", 7), ("июл", 7),
            ("aug", 8), ("ago", 8), ("aou", 8), ("авг", 8),
            ("sep", 9), ("sept", 9), ("set", 9), ("сен", 9), ("сент", 9),
            ("oct", 10), ("okt", 10), ("ott", 10), ("out", 10), ("окт", 10),
            ("nov", 11), ("ноя", 11), ("нояб", 11),
            ("dec", 12), ("dez", 12), ("dic", 12), ("дек", 12),
        ] {
            assert_eq!(month_from_word(w), Some(m), "{w}");
        }
        for w in ["jui", "ju", "ma", "", "xyz", "marzipan"] {
            assert_eq!(month_from_word(w), None, "{w}");
        }
    }

    #[test]
    fn dates_after_words() {
        let found = |t: &'static str| date_in_words(t).map(|(a, b)| &t[a..b]);
        assert_eq!(
            found("on Monday, February 7, 2022"),
            Some("Monday, February 7, 2022")
        );
        assert_eq!(found("am 7. Februar 2022"), Some("7. Februar 2022"));
        assert_eq!(
            found("Facebook on Friday, December 5, 2014"),
            Some("Friday, December 5, 2014")
        );
        assert_eq!(
            found("sur lundi 7 février 2022"),
            Some("lundi 7 février 2022")
        );
        assert_eq!(found("no date here"), None);
        assert_eq!(found(""), None);
        assert_eq!(strip_connector("Ville de Lyon sur"), "Ville de Lyon");
        assert_eq!(strip_connector("Stad Gent"), "Stad Gent");
        assert_eq!(strip_connector("on"), "");
    }
}
