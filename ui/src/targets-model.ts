// Delivery targets screen state: the form (webhook formats, RabbitMQ), its checks naming each field, what
// the list says about a target (where its secrets are kept, who uses it) and how a test send's answer reads.
import type { Kept } from "./bindings/Kept";
import type { TargetForm } from "./bindings/TargetForm";
import type { TargetRef } from "./bindings/TargetRef";
import type { TargetType } from "./bindings/TargetType";
import type { TargetView } from "./bindings/TargetView";
import type { TestReply } from "./bindings/TestReply";

export const FORMATS = [
  ["standard", "Standard signed JSON"],
  ["slack", "Slack"],
  ["discord", "Discord"],
  ["telegram", "Telegram"],
] as const;

/** The form's fields that can be wrong. */
export type TargetField = "name" | "url" | "chatId" | "secret" | "exchange";

/** What the form holds while the user types. */
export interface TargetFormState {
  kind: TargetType;
  /** The saved target being edited (null: a new one). */
  original: TargetRef | null;
  name: string;
  /** As typed; empty while editing keeps the stored URL. */
  url: string;
  format: string;
  chatId: string;
  /** A new signing secret as typed; empty keeps the stored one. */
  secret: string;
  removeSecret: boolean;
  exchange: string;
  /** Where the saved URL and secret are kept (editing). */
  urlKept: Kept | null;
  secretKept: Kept | null;
  /** The saved URL when the file holds it (shown masked). */
  savedUrl: string | null;
}

export function emptyForm(kind: TargetType): TargetFormState {
  return {
    kind, original: null, name: "", url: "", format: "standard", chatId: "", secret: "",
    removeSecret: false, exchange: kind === "rabbitmq" ? "tokenwatch" : "", urlKept: null, secretKept: null, savedUrl: null,
  };
}

/** The form for a saved target: secrets are not shown, only that they are stored. */
export function formFromView(v: TargetView): TargetFormState {
  return {
    ...emptyForm(v.kind),
    original: { kind: v.kind, name: v.name },
    name: v.name,
    // A URL in the file is shown as typed there; one in the keychain is kept unless retyped.
    url: v.urlKept === "file" && v.url != null && !v.url.includes("***") ? v.url : "",
    format: v.kind === "webhook" ? v.format || "standard" : "standard",
    chatId: v.chatId ?? "",
    exchange: v.exchange,
    urlKept: v.urlKept,
    secretKept: v.secretKept,
    savedUrl: v.url,
  };
}

/** Whether a URL is a secret itself or carries one (as the engine decides). */
export function urlIsSecret(url: string, kind: TargetType, format: string): boolean {
  if (kind === "webhook" && format !== "standard") return true;
  return /^[a-z]+:\/\/[^/?#]*@/i.test(url) || /[?&][^=]+=/.test(url) || /\/[A-Za-z0-9_-]{16,}(\/|$|\?)/.test(url);
}

/** What is wrong with the form, by field, in plain words. */
export function formProblems(s: TargetFormState): Partial<Record<TargetField, string>> {
  const out: Partial<Record<TargetField, string>> = {};
  if (s.name.trim() === "") out.name = "Give the target a name.";
  const url = s.url.trim();
  const schemes = s.kind === "webhook" ? ["http://", "https://"] : ["amqp://", "amqps://"];
  if (url === "" && s.original == null) out.url = s.kind === "webhook" ? "Give the URL to post to." : "Give the broker's URL.";
  else if (url !== "" && !schemes.some((p) => url.toLowerCase().startsWith(p))) {
    out.url = `The URL must start with ${schemes.join(" or ")}.`;
  }
  if (s.kind === "webhook") {
    if (s.format === "telegram" && s.chatId.trim() === "") out.chatId = "The Telegram format needs the chat id to post to.";
    const secret = s.secret.trim();
    if (secret !== "" && !secret.startsWith("whsec_")) out.secret = "The signing secret starts with whsec_.";
    else if (secret !== "" && !/^whsec_[A-Za-z0-9+/]{22,}={0,2}$/.test(secret)) {
      out.secret = "The signing secret is whsec_ followed by at least 16 bytes in base64.";
    }
  } else if (s.exchange.trim() === "") {
    out.exchange = "Name the exchange to publish to.";
  }
  return out;
}

/** What the commands take. */
export function toTargetForm(s: TargetFormState): TargetForm {
  const webhook = s.kind === "webhook";
  return {
    kind: s.kind,
    name: s.name.trim(),
    url: s.url.trim() === "" ? null : s.url.trim(),
    format: webhook ? s.format : "",
    chatId: webhook && s.format === "telegram" ? s.chatId.trim() : null,
    secret: webhook && s.format === "standard" && s.secret.trim() !== "" ? s.secret.trim() : null,
    removeSecret: webhook && (s.removeSecret || s.format !== "standard"),
    exchange: webhook ? "" : s.exchange.trim(),
  };
}

const PLACES: Record<Kept, string> = {
  keychain: "in the system keychain",
  env: "in an environment variable",
  file: "in the configuration file",
};

/** Under the URL field: where the saved one is and what leaving it empty does. */
export function urlNote(s: TargetFormState): string | null {
  if (s.original == null || s.urlKept == null || s.url.trim() !== "") {
    return s.url.trim() !== "" && urlIsSecret(s.url, s.kind, s.format)
      ? "This URL carries a token or password: it is kept in the system keychain, not in the configuration file."
      : null;
  }
  return `A URL is stored ${PLACES[s.urlKept]}. Leave this empty to keep it, or type a new one.`;
}

/** Under the secret field: whether one is stored (never what it is). */
export function secretNote(s: TargetFormState): string {
  if (s.removeSecret) return "The stored secret is removed on save: messages go unsigned.";
  if (s.secretKept != null) return `A signing secret is stored ${PLACES[s.secretKept]}. Leave this empty to keep it, or type a new one.`;
  return "Optional. With a secret, each message is signed (webhook-signature header) so the receiver can check it came from Tokenwatch. It is kept in the system keychain.";
}

/** The card's line: format, URL (or where it is kept), signing, exchange. */
export function targetLine(v: TargetView): string {
  const where = v.url ?? (v.urlKept == null ? "no URL" : `URL kept ${PLACES[v.urlKept]}`);
  if (v.kind === "rabbitmq") return `RabbitMQ · exchange ${v.exchange} · ${where}`;
  const format = FORMATS.find(([f]) => f === v.format)?.[1] ?? v.format;
  const parts = [format];
  if (v.format === "telegram" && v.chatId) parts.push(`chat ${v.chatId}`);
  if (v.format === "standard") parts.push(v.secretKept == null ? "unsigned" : `signed (secret ${PLACES[v.secretKept]})`);
  parts.push(where);
  return parts.join(" · ");
}

export function usedByText(v: TargetView): string {
  return v.usedBy.length === 0 ? "No listener delivers here yet." : `Used by ${v.usedBy.join(", ")}.`;
}

/** Why a target cannot be removed now (null: it can). */
export function removeRefusal(v: TargetView): string | null {
  if (v.usedBy.length === 0) return null;
  return `${v.name} cannot be removed while listeners deliver to it: ${v.usedBy.join(", ")}. Take it off them first.`;
}

/** A test send's answer as lines to show (each one text, shown as text). */
export interface ReplyLines {
  ok: boolean;
  headline: string;
  /** `Answer: HTTP 200 in 12 ms`. */
  status: string | null;
  /** The start of the body (the engine made it inert); null: none. */
  body: string | null;
  /** `name: value` of each header Tokenwatch set. */
  headers: string[];
}

export function replyLines(r: TestReply): ReplyLines {
  return {
    ok: r.ok,
    headline: r.ok ? r.message : `The test message did not get through: ${r.message}`,
    status: r.status == null ? null : `Answer: HTTP ${String(r.status)} in ${String(r.latencyMs)} ms`,
    body: r.body == null ? null : r.body === "" ? "(empty body)" : r.body,
    headers: r.headers.map((h) => `${h.name}: ${h.value}`),
  };
}
