//! The bodies of chat webhooks (Slack, Discord, Telegram): one line about the event, its
//! chain text inert for the service, the whole within the service's size limit.

use serde_json::{json, Value};

use super::message::describe;
use super::text::Medium;
use crate::store::Queued;

/// Slack cuts `text` after 40,000 characters; a line this long is already unreadable.
pub const SLACK_MAX: usize = 3000;
/// Discord refuses `content` over 2,000 characters.
pub const DISCORD_MAX: usize = 2000;
/// Telegram refuses `text` over 4,096 characters.
pub const TELEGRAM_MAX: usize = 4096;

/// Slack: `&` `<` `>` escaped, so chain text makes no `<!channel>`, mention or link; no
/// preview card of a link the chain chose.
pub fn slack(q: &Queued) -> Value {
    json!({
        "text": describe(q, Medium::Slack, SLACK_MAX),
        "unfurl_links": false,
        "unfurl_media": false,
    })
}

/// Discord: markdown escaped, and no mention pings whatever the text says
/// (`allowed_mentions`); flag 4 suppresses embeds (preview cards).
pub fn discord(q: &Queued) -> Value {
    json!({
        "content": describe(q, Medium::Discord, DISCORD_MAX),
        "allowed_mentions": { "parse": [] },
        "flags": 4,
    })
}

/// Telegram: no `parse_mode`, so the text is plain (no markup, no hidden links); no link
/// preview.
pub fn telegram(q: &Queued, chat_id: &str) -> Value {
    json!({
        "chat_id": chat_id,
        "text": describe(q, Medium::Plain, TELEGRAM_MAX),
        "link_preview_options": { "is_disabled": true },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deliver::fixtures::{queued, stored};
    use crate::event::{EventStatus, StoredEvent};

    /// A transfer of a token whose symbol, and an event with a note, its emitter chose.
    fn hostile() -> Queued {
        let event = StoredEvent {
            args: json!({"note": "<@U123> *hi*\n# big", "value": "1000000"}),
            arg_names: vec!["note".into(), "value".into()],
            decimals: Some(6),
            symbol: Some(format!("<!here>{}", "@everyone".repeat(100))),
            ..stored("Transfer", "Transfer(address,string,uint256)")
        };
        queued(1, EventStatus::Pending, event)
    }

    #[test]
    fn symbols_and_arguments_are_inert_and_capped_in_every_chat() {
        let q = hostile();
        let slack = slack(&q)["text"].as_str().unwrap().to_string();
        assert!(slack.starts_with("Transfer on mainnet (ops): note &lt;@U123&gt; *hi* # big, value 1.00 &lt;!here&gt;@everyone"), "{slack}");
        assert!(!slack.contains('<'), "{slack}");
        let discord = discord(&q);
        assert_eq!(discord["allowed_mentions"], json!({ "parse": [] }));
        let content = discord["content"].as_str().unwrap().to_string();
        assert!(content.starts_with("Transfer on mainnet (ops): note \\<@\u{200B}U123\\> \\*hi\\* \\# big, value 1.00 \\<!here\\>@\u{200B}everyone"), "{content}");
        assert!(!content.contains("@everyone"), "{content}");
        let text = telegram(&q, "-1")["text"].as_str().unwrap().to_string();
        assert!(
            text.starts_with(
                "Transfer on mainnet (ops): note <@U123> *hi* # big, value 1.00 <!here>@everyone"
            ),
            "{text}"
        );
        for line in [&slack, &content, &text] {
            let symbol_and_rest = line.split("value ").nth(1).unwrap();
            let value = symbol_and_rest.split(" — block").next().unwrap();
            assert!(value.chars().count() <= 200, "{value}");
            assert!(value.ends_with('…'), "{value}");
            assert!(line.ends_with(" — block 7, tx 0x02"), "{line}");
        }
    }
}
