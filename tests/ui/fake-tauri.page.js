// Runs inside the page before the app: a stand-in for Tauri's IPC answering from window.__tokenwatchFake.answers.
/* global window, structuredClone */
(() => {
  const fake = window.__tokenwatchFake;
  const callbacks = new Map();
  const listeners = new Map(); // event name -> callback ids
  let nextId = 1;

  window.__TAURI_INTERNALS__ = {
    metadata: { currentWindow: { label: "main" }, currentWebview: { windowLabel: "main", label: "main" } },
    transformCallback: (callback, once) => {
      const id = nextId++;
      callbacks.set(id, (data) => {
        if (once) callbacks.delete(id);
        if (callback) callback(data);
      });
      return id;
    },
    unregisterCallback: (id) => callbacks.delete(id),
    convertFileSrc: (path) => path,
    invoke: (cmd, args) => {
      fake.calls.push(cmd);
      if (cmd === "plugin:event|listen") {
        listeners.set(args.event, [...(listeners.get(args.event) ?? []), args.handler]);
        return Promise.resolve(args.handler);
      }
      if (cmd === "plugin:event|unlisten") return Promise.resolve(null);
      const answer = fake.answers[cmd];
      if (answer == null) return Promise.reject({ code: "unknown", message: `The fake IPC has no answer for ${cmd}.` });
      if ("error" in answer) return Promise.reject(structuredClone(answer.error));
      return Promise.resolve(structuredClone(answer.value));
    },
  };
  window.__TAURI_EVENT_PLUGIN_INTERNALS__ = {
    unregisterListener: (event, id) => listeners.set(event, (listeners.get(event) ?? []).filter((x) => x !== id)),
  };
  fake.emit = (event, payload) => {
    for (const id of listeners.get(event) ?? []) callbacks.get(id)?.({ event, id, payload });
  };
})();
