// Tiny DOM helpers: element creation and change-only updates (keeps hover tooltips alive).

type Attrs = Record<string, string | number | boolean | null | undefined>;
type Child = Node | string | null | undefined | false;

/** Creates an element: attributes (`class`, `data-*`, `title`, …) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child == null || child === false) continue;
    el.append(child);
  }
  return el;
}

/** Sets text content only when it differs. */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

/** Sets or removes an attribute only when it differs. */
export function setAttr(el: Element, name: string, value: string | null): void {
  if (value == null) {
    if (el.hasAttribute(name)) el.removeAttribute(name);
  } else if (el.getAttribute(name) !== value) {
    el.setAttribute(name, value);
  }
}

/**
 * Keeps `container`'s children in step with `items` by key: creates missing ones, updates all,
 * removes stale ones, and keeps the order of `items`.
 */
export function syncKeyed<T, E extends HTMLElement>(
  container: HTMLElement,
  items: readonly T[],
  key: (item: T) => string,
  create: (item: T) => E,
  update: (el: E, item: T) => void,
  existing: Map<string, E>,
): void {
  const seen = new Set<string>();
  let cursor: ChildNode | null = container.firstChild;
  for (const item of items) {
    const k = key(item);
    seen.add(k);
    let el = existing.get(k);
    if (el == null) {
      el = create(item);
      existing.set(k, el);
    }
    update(el, item);
    if (el !== cursor) container.insertBefore(el, cursor);
    else cursor = cursor.nextSibling;
  }
  for (const [k, el] of existing) {
    if (!seen.has(k)) {
      el.remove();
      existing.delete(k);
    }
  }
}
