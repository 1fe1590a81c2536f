// Network editor form: name, endpoints with a connection test, chain id, confirmations, explorer.
import { h } from "../dom";
import { formatCount } from "../format";
import { toAppError, type Backend } from "../ipc";
import { button, errorBox, field, keepFocusAboveBar, uid, type Field } from "./form";
import type { ConfigView } from "../bindings/ConfigView";
import type { EndpointProbe } from "../bindings/EndpointProbe";
import type { NetworkEntry } from "../bindings/NetworkEntry";

const SCHEME_RE = /^(https?|wss?):\/\/[^\s/?#]+/i;

/** Endpoint URLs, one per line, with "Line N: …" for each that is not one. */
export function parseRpcLines(text: string): { urls: string[]; problems: string[] } {
  const urls: string[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "") return;
    urls.push(line);
    if (!SCHEME_RE.test(line)) problems.push(`Line ${i + 1}: "${line}" is not a URL starting with https://, http://, wss:// or ws://.`);
  });
  if (urls.length === 0) problems.push("Give at least one endpoint URL.");
  else if (problems.length === 0 && !urls.some((u) => /^https?:/i.test(u))) {
    problems.push("Give at least one https:// (or http://) endpoint; WebSocket endpoints only add live updates next to it.");
  }
  return { urls, problems };
}

/** The chain ids the endpoints reported, each once. */
function detectedChains(probes: readonly EndpointProbe[]): number[] {
  return [...new Set(probes.flatMap((p) => (p.chainId == null ? [] : [p.chainId])))];
}

function optionalInt(input: HTMLInputElement): number | null {
  const t = input.value.trim();
  return t === "" ? null : Number(t);
}

function numberInput(name: string, value: number | null, min: number): HTMLInputElement {
  return h("input", { name, type: "number", min, step: 1, inputmode: "numeric", value: value ?? "" });
}

/** What saving told about the network saved (null: nothing to add). */
export interface SaveNote {
  network: string;
  warning: string | null;
}

/**
 * A fresh form for `original` (null: a new network). `close` gets the saved configuration and
 * what to tell about it (its chain id could not be checked), or null when the user cancelled.
 */
export function networkForm(
  backend: Backend,
  original: NetworkEntry | null,
  close: (saved: ConfigView | null, note?: SaveNote) => void,
): HTMLFormElement {
  const conf = original?.confirmations ?? null;
  const mode = conf === "safe" || conf === "finalized" ? conf : "blocks";

  const name = h("input", { name: "name", required: true, autocomplete: "off", spellcheck: false, value: original?.name ?? "" });
  const rpc = h("textarea", { name: "rpc", rows: 3, spellcheck: false, placeholder: "https://eth-mainnet.example.com/v2/your-key" });
  rpc.value = (original?.rpc ?? []).join("\n");
  const chainId = h("input", { name: "chain_id", type: "number", min: 1, step: 1, inputmode: "numeric", value: original?.chain_id ?? "" });
  const confirmations = h("select", { name: "confirmations" },
    h("option", { value: "blocks" }, "A number of blocks"),
    h("option", { value: "safe" }, "Safe (the chain's safe block)"),
    h("option", { value: "finalized" }, "Finalized (cannot be undone)"));
  confirmations.value = mode;
  // A saved network without the key waits for 0 blocks (the engine's default); a new one
  // is offered 12.
  const blocks = numberInput("confirmation_blocks", typeof conf === "number" ? conf : mode === "blocks" ? (original ? 0 : 12) : null, 0);
  blocks.setAttribute("aria-label", "Blocks to wait");
  const explorer = h("input", { name: "explorer", type: "url", spellcheck: false, placeholder: "https://etherscan.io", value: original?.explorer ?? "" });
  const poll = numberInput("poll_interval_ms", original?.poll_interval_ms ?? null, 10);
  const range = numberInput("max_block_range", original?.max_block_range ?? null, 1);
  const timeout = numberInput("request_timeout_ms", original?.request_timeout_ms ?? null, 100);
  const maxResponse = numberInput("max_response_mb", original?.max_response_mb ?? null, 1);

  const fName = field("Name", name, "A short name you will recognise, e.g. mainnet or base.");
  const fRpc = field("Endpoints", rpc, "One URL per line from your node provider. Add a wss:// URL too for faster live updates.");
  const fChain = field("Chain ID", chainId, "Optional: Test connection fills it in (1 is Ethereum, 8453 is Base).");
  const fConf = field("Count events as confirmed after", confirmations,
    "Until then they show as pending, because the chain may still reorganise.");
  const fExplorer = field("Block explorer", explorer, "Optional; used for links to transactions and addresses.");
  const fAdvanced = [
    field("Poll interval (ms)", poll, "How often to ask for new blocks without a WebSocket endpoint (default 1000)."),
    field("Largest block range per request", range, "Lower it if your provider refuses big log queries (default 10,000)."),
    field("Request timeout (ms)", timeout, "Default 20,000."),
    field("Largest answer (MB)", maxResponse, "Answers over it are asked again in smaller ranges; 1 to 256 (default 32)."),
  ];
  const blocksUnit = h("span", { class: "muted" }, "blocks");
  const confRow = h("div", { class: "inline-row" });
  confirmations.replaceWith(confRow);
  confRow.append(confirmations, blocks, blocksUnit);

  const probesList = h("ul", { class: "probes", "data-testid": "network-probes", "aria-live": "polite" });
  const test = button("Test connection", { "data-testid": "network-test" });
  const topError = h("div", { "data-testid": "network-error" });
  const save = h("button", { type: "submit", class: "button primary", "data-testid": "network-save" }, "Save");
  const cancel = button("Cancel", { "data-testid": "network-cancel" });
  const keychain = original && original.rpc_keychain.length > 0
    ? h("p", { class: "help" }, `Also uses ${original.rpc_keychain.length === 1 ? "an endpoint" : "endpoints"} kept in the system keychain: ${original.rpc_keychain.join(", ")}.`)
    : null;
  const titleId = uid("net-title");
  const actions = h("div", { class: "editor-actions" }, save, cancel);

  const form = h("form", { class: "editor", "data-testid": "network-form", "aria-labelledby": titleId, novalidate: true },
    h("h2", { class: "editor-title", id: titleId }, original ? `Edit network ${original.name}` : "Add a network"),
    topError,
    fName.el,
    fRpc.el,
    keychain,
    h("div", { class: "field-actions" }, test),
    probesList,
    fChain.el,
    fConf.el,
    fExplorer.el,
    h("details", { class: "advanced" }, h("summary", {}, "Advanced"), ...fAdvanced.map((f) => f.el)),
    actions,
  );
  keepFocusAboveBar(form, actions);

  let probes: EndpointProbe[] | null = null;
  let probedText = "";

  const showBlocks = () => {
    blocks.hidden = confirmations.value !== "blocks";
    blocksUnit.hidden = blocks.hidden;
  };
  showBlocks();

  /** Chain id problems against the last connection test of the current endpoints. */
  const chainProblems = (): string[] => {
    const t = chainId.value.trim();
    const out: string[] = [];
    if (chainId.validity.badInput || (t !== "" && !(/^\d+$/.test(t) && Number(t) > 0))) {
      out.push("The chain ID is a whole number such as 1 or 8453.");
    }
    const seen = probes == null ? [] : detectedChains(probes);
    if (out.length === 0 && t !== "" && seen.length === 1 && seen[0] !== Number(t)) {
      out.push(`The endpoints are on chain ${seen[0]}, not ${t}. Check the URLs or the chain ID.`);
    }
    return out;
  };
  const rpcProblems = (): string[] => {
    const out = parseRpcLines(rpc.value).problems;
    const seen = probes == null ? [] : detectedChains(probes);
    if (seen.length > 1) out.push(`The endpoints are on different chains (${seen.join(" and ")}); they must all reach the same chain.`);
    return out;
  };

  const renderProbes = () => {
    probesList.replaceChildren(...(probes ?? []).map((p) => {
      const ok = p.error == null;
      const detail = ok
        ? `chain ${p.chainId ?? "?"} · block ${p.head == null ? "?" : formatCount(p.head)} · ${p.latencyMs} ms`
        : p.error;
      return h("li", { class: `probe ${ok ? "probe-ok" : "probe-bad"}`, "data-testid": "network-probe" },
        h("span", { class: `dot ${ok ? "dot-ok" : "dot-down"}`, "aria-label": ok ? "answered" : "failed" }),
        h("span", { class: "mono probe-url" }, p.endpoint),
        h("span", { class: ok ? "probe-detail" : "probe-detail bad" }, detail));
    }));
  };

  /** Tests the endpoints; fills an empty chain id when they agree. False when they cannot be tested. */
  const runTest = async (): Promise<boolean> => {
    const parsed = parseRpcLines(rpc.value);
    fRpc.setErrors(parsed.problems);
    if (parsed.problems.length > 0) return false;
    test.disabled = true;
    test.textContent = "Testing…";
    try {
      probes = await backend.testConnection(parsed.urls);
      probedText = rpc.value;
      renderProbes();
      const seen = detectedChains(probes);
      if (chainId.value.trim() === "" && seen.length === 1) chainId.value = String(seen[0]);
      fRpc.setErrors(rpcProblems());
      fChain.setErrors(chainProblems());
      return true;
    } catch (err) {
      topError.replaceChildren(errorBox("The connection test failed", toAppError(err)));
      return false;
    } finally {
      test.disabled = false;
      test.textContent = "Test connection";
    }
  };

  const entry = (): NetworkEntry => ({
    name: name.value.trim(),
    chain_id: Number(chainId.value.trim()),
    rpc: parseRpcLines(rpc.value).urls,
    rpc_keychain: original?.rpc_keychain ?? [],
    confirmations: confirmations.value === "blocks" ? Number(blocks.value.trim() || "0") : confirmations.value,
    explorer: explorer.value.trim() === "" ? null : explorer.value.trim(),
    poll_interval_ms: optionalInt(poll),
    max_block_range: optionalInt(range),
    request_timeout_ms: optionalInt(timeout),
    max_response_mb: optionalInt(maxResponse),
  });

  /** Checks every field and shows what is wrong; true when the form can be saved. */
  const validate = (): boolean => {
    show();
    const bad = form.querySelector<HTMLElement>("[aria-invalid]");
    bad?.focus();
    return bad == null;
  };

  /** Shows each field's problems (none: clears them). */
  const show = (): void => {
    const checks: [Field, string[]][] = [
      [fName, name.value.trim() === "" ? ["Give the network a name."] : []],
      [fRpc, rpcProblems()],
      [fChain, chainProblems()],
      [fConf, confirmations.value === "blocks" && !/^\d+$/.test(blocks.value.trim())
        ? ["Enter how many blocks to wait (0 or more)."] : []],
      [fExplorer, explorer.value.trim() !== "" && !/^https?:\/\/\S+$/i.test(explorer.value.trim())
        ? ["The explorer address starts with https://."] : []],
    ];
    const advanced: [Field, HTMLInputElement, number][] = [[fAdvanced[0], poll, 10], [fAdvanced[1], range, 1], [fAdvanced[2], timeout, 100]];
    for (const [f, input, min] of advanced) {
      const t = input.value.trim();
      // "10,000" is no number to the browser: the field then reads empty (badInput).
      const bad = input.validity.badInput || (t !== "" && !(/^\d+$/.test(t) && Number(t) >= min));
      checks.push([f, bad ? [`Enter a whole number of at least ${min} in digits only (no commas), or leave it empty.`] : []]);
    }
    for (const [f, messages] of checks) f.setErrors(messages);
  };
  // Once a field is marked wrong, typing re-checks the form: a fixed field clears at once.
  form.addEventListener("input", () => {
    if (form.querySelector("[aria-invalid]") != null) show();
  });

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void (async () => {
      topError.replaceChildren();
      if (!validate()) return;
      save.disabled = true;
      try {
        if (chainId.value.trim() === "") {
          if (!(await runTest())) return;
          if (chainId.value.trim() === "") {
            fChain.setErrors(["Tokenwatch could not find out the chain ID because no endpoint answered. Enter it yourself, or fix the endpoints."]);
            chainId.focus();
            return;
          }
          if (!validate()) return;
        }
        const network = entry();
        const saved = await backend.saveNetwork(original?.name ?? null, network);
        close(saved.config, { network: network.name, warning: saved.warning });
      } catch (err) {
        const e = toAppError(err);
        // Checked on save too, when Test connection was not pressed.
        if (e.code === "network.chain_mismatch") fChain.setErrors([e.message]);
        topError.replaceChildren(errorBox("The network was not saved", e));
        topError.scrollIntoView({ block: "nearest" });
      } finally {
        save.disabled = false;
      }
    })();
  });
  form.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      e.preventDefault();
      close(null);
    }
  });
  rpc.addEventListener("input", () => {
    if (probes != null && rpc.value !== probedText) {
      probes = null;
      renderProbes();
      fChain.setErrors(chainProblems());
    }
    fRpc.setErrors([]);
  });
  chainId.addEventListener("input", () => fChain.setErrors(chainProblems()));
  confirmations.addEventListener("change", showBlocks);
  test.addEventListener("click", () => void runTest());
  cancel.addEventListener("click", () => close(null));
  return form;
}
