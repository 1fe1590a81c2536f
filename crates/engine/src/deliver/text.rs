//! Chain text made inert for the place people read it (chat services, pop-ups): one line,
//! escaped for the medium, and capped in characters with `…`.

/// Where text is shown, and so which characters are active there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Medium {
    /// Shown as written: Telegram without `parse_mode`, pop-up titles, pop-up bodies on
    /// macOS and Windows.
    Plain,
    /// Slack `text`: `&` `<` `>` as `&amp;` `&lt;` `&gt;` (no `<!channel>`, links or mentions).
    Slack,
    /// Discord `content`: markdown characters behind `\`, `@` followed by a zero-width space.
    Discord,
    /// Freedesktop notification bodies (body markup): `&` `<` `>` as entities.
    Markup,
}

/// Pop-up bodies: freedesktop notification servers may parse markup in them (Linux, BSD);
/// macOS and Windows show the body as written, so escaping there would show `&lt;`.
pub const POPUP_BODY: Medium = if cfg!(any(target_os = "macos", target_os = "windows")) {
    Medium::Plain
} else {
    Medium::Markup
};

/// Names from the chain or an ABI: event, argument, token symbol.
pub const NAME_CAP: usize = 64;
/// One argument's value.
pub const VALUE_CAP: usize = 200;

/// Discord's markdown (and mention) characters, escaped with `\`.
const DISCORD_MARKDOWN: &[char] = &[
    '\\', '*', '_', '~', '`', '|', '>', '<', '#', '-', '+', '[', ']', '(', ')', ':',
];

/// Zero-width space: `@\u{200B}everyone` shows as `@everyone` but mentions no one.
const ZWSP: char = '\u{200B}';

impl Medium {
    /// Writes `c` as inert text for this medium.
    fn push(self, c: char, out: &mut String) {
        match (self, c) {
            (Medium::Slack | Medium::Markup, '&') => out.push_str("&amp;"),
            (Medium::Slack | Medium::Markup, '<') => out.push_str("&lt;"),
            (Medium::Slack | Medium::Markup, '>') => out.push_str("&gt;"),
            (Medium::Discord, '@') => {
                out.push('@');
                out.push(ZWSP);
            }
            (Medium::Discord, c) if DISCORD_MARKDOWN.contains(&c) => {
                out.push('\\');
                out.push(c);
            }
            (_, c) => out.push(c),
        }
    }
}

/// Line breaks and other control characters become spaces (chain text stays on its line:
/// no headings or quotes from a `\n# `); direction overrides are dropped (they can make
/// text read backwards).
fn clean(c: char) -> Option<char> {
    match c {
        '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}'
        | '\u{200E}'
        | '\u{200F}'
        | '\u{061C}' => None,
        c if c.is_control() => Some(' '),
        c => Some(c),
    }
}

/// `s` as inert text for `medium`, at most `max` characters once escaped: when longer, its
/// start and `…`. Never splits a character or an escape.
pub fn inert(medium: Medium, s: &str, max: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    // Where to cut (bytes of `out`) if the text turns out too long: room left for `…`.
    let mut cut = None;
    let mut piece = String::new();
    for c in s.chars().filter_map(clean) {
        piece.clear();
        medium.push(c, &mut piece);
        let n = piece.chars().count();
        if cut.is_none() && count + n >= max {
            cut = Some(out.len());
        }
        if count + n > max {
            out.truncate(cut.unwrap_or(0));
            out.push('…');
            return out;
        }
        out.push_str(&piece);
        count += n;
    }
    out
}

/// A whole message cut to `max` characters (its start and `…`), on a character boundary
/// and never inside an entity such as `&amp;`.
pub fn fit(s: String, max: usize) -> String {
    if s.char_indices().nth(max).is_none() {
        return s;
    }
    let mut end = s
        .char_indices()
        .nth(max.saturating_sub(1))
        .map_or(s.len(), |(i, _)| i);
    if let Some(amp) = s[..end].rfind('&') {
        if end - amp < 5 && !s[amp..end].contains(';') {
            end = amp;
        }
    }
    format!("{}…", &s[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "<!channel> <https://evil.example/claim|Claim your airdrop> @everyone";

    #[test]
    fn slack_and_markup_escape_entities() {
        let want =
            "&lt;!channel&gt; &lt;https://evil.example/claim|Claim your airdrop&gt; @everyone";
        assert_eq!(inert(Medium::Slack, HOSTILE, 500), want);
        assert_eq!(inert(Medium::Markup, HOSTILE, 500), want);
        assert_eq!(inert(Medium::Slack, "a & b", 500), "a &amp; b");
        assert_eq!(inert(Medium::Plain, HOSTILE, 500), HOSTILE);
    }

    #[test]
    fn discord_escapes_markdown_and_mentions() {
        assert_eq!(
            inert(Medium::Discord, HOSTILE, 500),
            "\\<!channel\\> \\<https\\://evil.example/claim\\|Claim your airdrop\\> @\u{200B}everyone"
        );
        assert_eq!(
            inert(Medium::Discord, "[x](https://e.x) **b** <@&1>", 500),
            "\\[x\\]\\(https\\://e.x\\) \\*\\*b\\*\\* \\<@\u{200B}&1\\>"
        );
    }

    #[test]
    fn text_stays_on_one_line_and_reads_forward() {
        assert_eq!(inert(Medium::Plain, "a\n# b\r\tc", 50), "a # b  c");
        assert_eq!(inert(Medium::Plain, "x\u{202E}yz", 50), "xyz");
    }

    #[test]
    fn caps_count_escaped_characters_and_never_split_one() {
        let long = "ü*".repeat(1500);
        let plain = inert(Medium::Plain, &long, 200);
        assert_eq!(plain.chars().count(), 200);
        assert!(
            plain.ends_with("ü*ü*…") || plain.ends_with("*ü…"),
            "{plain}"
        );
        let discord = inert(Medium::Discord, &long, 200);
        assert_eq!(discord.chars().count(), 200);
        assert!(!discord.ends_with("\\…"), "an escape is never cut");
        let slack = inert(Medium::Slack, &"<".repeat(100), 9);
        assert_eq!(slack, "&lt;&lt;…");
        assert_eq!(inert(Medium::Plain, "short", 5), "short");
        assert_eq!(inert(Medium::Plain, "longer", 5), "long…");
        assert_eq!(fit("ééééé".into(), 5), "ééééé");
        assert_eq!(fit("éééééé".into(), 5), "éééé…");
        assert_eq!(fit("ab &amp; c".into(), 6), "ab …", "no half entity");
        assert_eq!(fit("ab &amp; c".into(), 9), "ab &amp;…");
    }
}
