/** Tiny DOM helpers: elements are built with textContent only, never innerHTML, so no value can inject markup. */

export function byId<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`#${id} is missing from index.html`);
  return e as T;
}

type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    e.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return e;
}

export function replaceChildren(parent: HTMLElement, ...children: Child[]): void {
  parent.replaceChildren(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false));
}

/**
 * A shown contract value: a span whose `data-field` names it and whose `data-raw` holds the exact on-chain number,
 * so that the browser test can find each value by name and compare it with the contract's.
 */
export function field(name: string, raw: bigint | null | undefined, text: string): HTMLSpanElement {
  const attrs: Record<string, string> = { "data-field": name };
  if (raw !== null && raw !== undefined) attrs["data-raw"] = raw.toString();
  return h("span", attrs, text);
}
