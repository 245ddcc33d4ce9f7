// The two DOM helpers the screens share. Text goes in with textContent only, never as HTML.
export const $ = (id) => document.getElementById(id);

/// A `tag` element holding `text` as text, with an optional class.
export function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}
