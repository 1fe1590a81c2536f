// Mock of the delivery target commands over the mock configuration: the list, saves with the engine's
// checks, refused removals, and test sends answered by made-up receivers (URLs with "down" or "refuse").
import type { AppError, Backend } from "../ipc";
import type { ConfigView } from "../bindings/ConfigView";
import type { TargetForm } from "../bindings/TargetForm";
import type { TargetRef } from "../bindings/TargetRef";
import type { TargetView } from "../bindings/TargetView";
import type { TestReply } from "../bindings/TestReply";

export type TargetsMock = Pick<Backend, "targetList" | "saveTarget" | "removeTarget" | "testTarget">;

const fail = (code: AppError["code"], message: string): AppError => ({ code, message });

function secretUrl(url: string, format: string): boolean {
  return format === "slack" || format === "discord" || format === "telegram" || /:\/\/[^/]*@|[?&][^=]+=|\/[\w-]{16,}/.test(url);
}

function mask(url: string): string {
  return url.replace(/:\/\/[^/@]*@/, "://***@").replace(/\/[\w-]{16,}/g, "/***");
}

/** The engine's checks of a form, as `field: message` problems. */
function problems(t: TargetForm, isNew: boolean): string[] {
  const out: string[] = [];
  if (t.name.trim() === "") out.push("name: give the target a name");
  const schemes = t.kind === "webhook" ? ["http://", "https://"] : ["amqp://", "amqps://"];
  if (t.url == null && isNew) out.push("url: give the URL to deliver to");
  else if (t.url != null && !schemes.some((s) => t.url?.toLowerCase().startsWith(s))) {
    out.push(`url: "${mask(t.url)}" does not start with ${schemes.join(" or ")}`);
  }
  if (t.kind === "webhook" && t.format === "telegram" && !t.chatId) out.push("chatId: the Telegram format needs the chat id to post to");
  if (t.secret != null && !t.secret.startsWith("whsec_")) out.push("secret: the signing secret starts with whsec_");
  if (t.kind === "rabbitmq" && t.exchange.trim() === "") out.push("exchange: name the exchange to publish to");
  return out;
}

export function createTargetsMock(view: ConfigView): TargetsMock {
  const targets: TargetView[] = view.webhooks.map((name) => ({
    kind: "webhook", name, url: null, urlKept: "keychain", format: "slack", chatId: null, secretKept: null, exchange: "", usedBy: [],
  }));
  const names = (kind: TargetView["kind"]) => targets.filter((t) => t.kind === kind).map((t) => t.name);
  const list = (): Promise<TargetView[]> => {
    view.webhooks = names("webhook");
    view.rabbitmq = names("rabbitmq");
    for (const t of targets) {
      t.usedBy = view.listeners.filter((l) => (t.kind === "webhook" ? l.webhooks : l.rabbitmq).includes(t.name)).map((l) => l.name);
    }
    return Promise.resolve(structuredClone(targets));
  };
  const find = (r: TargetRef) => targets.findIndex((t) => t.kind === r.kind && t.name === r.name);

  return {
    targetList: list,
    saveTarget(original, t) {
      const ps = problems(t, original == null);
      if (ps.length > 0) return Promise.reject(fail("config.invalid", `the configuration has problems: ${ps.join("; ")}`));
      const at = original == null ? -1 : find(original);
      if (original != null && at < 0) return Promise.reject(fail("config.refused", `there is no ${original.kind} named "${original.name}"`));
      if (targets.some((x, i) => x.kind === t.kind && x.name === t.name.trim() && i !== at)) {
        return Promise.reject(fail("config.refused", `a ${t.kind} named "${t.name.trim()}" already exists`));
      }
      const old = at < 0 ? null : targets[at];
      const url = t.url ?? null;
      const inKeychain = url == null ? old?.urlKept === "keychain" : secretUrl(url, t.format);
      const entry: TargetView = {
        kind: t.kind, name: t.name.trim(), format: t.format, chatId: t.chatId, exchange: t.exchange, usedBy: [],
        url: inKeychain ? null : (url ?? old?.url ?? null), urlKept: inKeychain ? "keychain" : "file",
        secretKept: t.removeSecret ? null : t.secret != null ? "keychain" : (old?.secretKept ?? null),
      };
      if (old == null) targets.push(entry);
      else {
        targets[at] = entry;
        for (const l of view.listeners) {
          const refs = t.kind === "webhook" ? l.webhooks : l.rabbitmq;
          refs.forEach((n, i) => n === old.name && (refs[i] = entry.name));
        }
      }
      return list();
    },
    removeTarget(r) {
      const users = view.listeners.filter((l) => (r.kind === "webhook" ? l.webhooks : l.rabbitmq).includes(r.name)).map((l) => l.name);
      if (users.length > 0) {
        return Promise.reject(fail("config.refused", `${r.kind} "${r.name}" is used by listener(s) ${users.join(", ")}; take it off them first`));
      }
      const at = find(r);
      if (at >= 0) targets.splice(at, 1);
      return list();
    },
    testTarget(original, t) {
      const url = t.url ?? "https://saved.example.com/hook";
      const headers = t.kind === "webhook"
        ? [{ name: "webhook-id", value: "msg_test_1" }, { name: "webhook-timestamp", value: "1733500000" },
          ...(t.secret != null ? [{ name: "webhook-signature", value: "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=" }] : [])]
        : [];
      const reply = (r: Partial<TestReply>): Promise<TestReply> =>
        new Promise((resolve) => setTimeout(() => resolve({ ok: true, message: "", status: null, body: null, headers, latencyMs: 42, ...r }), 200));
      if (original == null && problems(t, true).length > 0) {
        return Promise.reject(fail("config.invalid", `the configuration has problems: ${problems(t, true).join("; ")}`));
      }
      if (/down/.test(url)) return reply({ ok: false, message: "cannot connect to the receiver (Connection refused (os error 111))" });
      if (t.kind === "rabbitmq") return reply({ message: `The broker confirmed the test message (exchange "${t.exchange}", routing key "Tokenwatch.test.Test").` });
      if (/refuse/.test(url)) {
        return reply({ ok: false, status: 403, message: "The receiver refused the test message: HTTP 403 Forbidden.", body: "<html>invalid_token</html>" });
      }
      return reply({ status: 200, message: "The receiver took the test message: HTTP 200 OK.", body: "ok" });
    },
  };
}
