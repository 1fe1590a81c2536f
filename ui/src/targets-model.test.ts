// Unit tests for the delivery targets model: form checks by field, form <-> commands, notes on secrets, answers.
import { describe, expect, it } from "vitest";
import {
  emptyForm,
  formFromView,
  formProblems,
  removeRefusal,
  replyLines,
  secretNote,
  targetLine,
  toTargetForm,
  urlNote,
  type TargetFormState,
} from "./targets-model";
import type { TargetView } from "./bindings/TargetView";

function hook(over: Partial<TargetFormState> = {}): TargetFormState {
  return { ...emptyForm("webhook"), name: "ops", url: "https://hooks.example.com/in", ...over };
}

function view(over: Partial<TargetView> = {}): TargetView {
  return {
    kind: "webhook", name: "ops", url: "https://hooks.example.com/in", urlKept: "file", format: "standard",
    chatId: null, secretKept: "keychain", exchange: "", usedBy: [], ...over,
  };
}

describe("form checks name the field and what is wrong", () => {
  it("accepts a complete webhook and broker", () => {
    expect(formProblems(hook())).toEqual({});
    expect(formProblems({ ...emptyForm("rabbitmq"), name: "bus", url: "amqps://u:p@mq.example.com/%2f" })).toEqual({});
  });

  it("names a URL of the wrong kind", () => {
    expect(formProblems(hook({ url: "ftp://example.com" })).url).toBe("The URL must start with http:// or https://.");
    expect(formProblems({ ...emptyForm("rabbitmq"), name: "bus", url: "https://mq" }).url).toBe(
      "The URL must start with amqp:// or amqps://.");
    expect(formProblems(hook({ url: "" })).url).toBe("Give the URL to post to.");
  });

  it("asks a Telegram target for its chat id", () => {
    const tg = hook({ format: "telegram", url: "https://api.telegram.org/bot1:abc/sendMessage" });
    expect(formProblems(tg)).toEqual({ chatId: "The Telegram format needs the chat id to post to." });
    expect(formProblems({ ...tg, chatId: "-1001" })).toEqual({});
  });

  it("checks the signing secret's form", () => {
    expect(formProblems(hook({ secret: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" })).secret).toBe("The signing secret starts with whsec_.");
    expect(formProblems(hook({ secret: "whsec_c2hvcnQ=" })).secret).toMatch(/at least 16 bytes/);
    expect(formProblems(hook({ secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }))).toEqual({});
  });

  it("needs a name, and an exchange for a broker", () => {
    expect(formProblems(hook({ name: " " })).name).toBe("Give the target a name.");
    expect(formProblems({ ...emptyForm("rabbitmq"), name: "bus", url: "amqp://mq", exchange: "" }).exchange).toBe(
      "Name the exchange to publish to.");
  });

  it("lets an edit keep the stored URL", () => {
    const edit = formFromView(view({ url: null, urlKept: "keychain", format: "slack" }));
    expect(edit.url).toBe("");
    expect(formProblems(edit)).toEqual({});
    expect(toTargetForm(edit).url).toBeNull();
    expect(urlNote(edit)).toBe("A URL is stored in the system keychain. Leave this empty to keep it, or type a new one.");
  });
});

describe("what the commands get", () => {
  it("sends a typed secret, and nothing when it is left empty", () => {
    const typed = toTargetForm(hook({ secret: " whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw " }));
    expect(typed).toEqual({
      kind: "webhook", name: "ops", url: "https://hooks.example.com/in", format: "standard", chatId: null,
      secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", removeSecret: false, exchange: "",
    });
    expect(toTargetForm(formFromView(view())).secret).toBeNull();
  });

  it("sends the chat id only for Telegram and the exchange only for a broker", () => {
    expect(toTargetForm(hook({ format: "slack", chatId: "-1" })).chatId).toBeNull();
    expect(toTargetForm(hook({ format: "telegram", chatId: " -1 " })).chatId).toBe("-1");
    const bus = toTargetForm({ ...emptyForm("rabbitmq"), name: "bus", url: "amqp://mq", exchange: " events " });
    expect([bus.exchange, bus.format, bus.secret]).toEqual(["events", "", null]);
  });

  it("does not put a masked URL back in the form", () => {
    expect(formFromView(view({ url: "https://example.com/***" })).url).toBe("");
  });
});

describe("what the screen says", () => {
  it("says a secret is stored without showing it", () => {
    const edit = formFromView(view());
    expect(secretNote(edit)).toBe("A signing secret is stored in the system keychain. Leave this empty to keep it, or type a new one.");
    expect(secretNote({ ...edit, removeSecret: true })).toMatch(/unsigned/);
    expect(targetLine(view())).toBe("Standard signed JSON · signed (secret in the system keychain) · https://hooks.example.com/in");
    expect(targetLine(view({ format: "telegram", chatId: "-100", url: null, urlKept: "keychain", secretKept: null }))).toBe(
      "Telegram · chat -100 · URL kept in the system keychain");
    expect(targetLine(view({ kind: "rabbitmq", exchange: "events", url: "amqp://***@mq/%2f" }))).toBe(
      "RabbitMQ · exchange events · amqp://***@mq/%2f");
  });

  it("tells that a token-bearing URL goes to the keychain", () => {
    expect(urlNote(hook({ url: "https://hooks.slack.com/services/T0/B0/abcdefghijklmnopqrstuvwx", format: "slack" })))
      .toMatch(/kept in the system keychain/);
    expect(urlNote({ ...emptyForm("rabbitmq"), url: "amqp://app:pw@mq/%2f" })).toMatch(/kept in the system keychain/);
    expect(urlNote(hook())).toBeNull();
  });

  it("refuses removal naming the listeners", () => {
    expect(removeRefusal(view())).toBeNull();
    expect(removeRefusal(view({ usedBy: ["usdc-transfers", "base-usdc"] }))).toBe(
      "ops cannot be removed while listeners deliver to it: usdc-transfers, base-usdc. Take it off them first.");
  });

  it("reads a test send's answer", () => {
    const lines = replyLines({
      ok: true, message: "The receiver took the test message: HTTP 200 OK.", status: 200, body: "", latencyMs: 12,
      headers: [{ name: "webhook-signature", value: "v1,abc=" }],
    });
    expect(lines).toEqual({
      ok: true, headline: "The receiver took the test message: HTTP 200 OK.", status: "Answer: HTTP 200 in 12 ms",
      body: "(empty body)", headers: ["webhook-signature: v1,abc="],
    });
    const down = replyLines({ ok: false, message: "cannot connect to the receiver", status: null, body: null, latencyMs: 3, headers: [] });
    expect([down.headline, down.status, down.body]).toEqual(["The test message did not get through: cannot connect to the receiver", null, null]);
  });
});
