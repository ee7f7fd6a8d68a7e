/** Shortened addresses and hashes (0x1234…abcd) with a copy button; the full value stays in the DOM for screen readers. */
import { shorten } from "./bands";
import { h } from "./dom";

async function copyText(text: string, button: HTMLButtonElement): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = "Copied";
  } catch {
    // No clipboard (an insecure origin, a denied permission): select the text for a manual copy instead.
    button.textContent = "Select and copy";
  }
  setTimeout(() => (button.textContent = "Copy"), 1500);
}

/**
 * `0x1234…abcd [Copy]`: the short form is shown, the full value is in `title`, `data-full` and a visually hidden span
 * (read by screen readers and found by text search), and the button copies it.
 */
export function copyable(full: string, what: "address" | "transaction hash" | "hash" = "hash"): HTMLSpanElement {
  const button = h(
    "button",
    { type: "button", class: "copy", "data-copy": full, "aria-label": `Copy ${what} ${full}` },
    "Copy",
  );
  button.addEventListener("click", () => void copyText(full, button));
  return h(
    "span",
    { class: "copyable", "data-full": full },
    h("code", { class: "short", title: full, "aria-hidden": "true" }, shorten(full)),
    h("span", { class: "visually-hidden" }, full),
    button,
  );
}
