// Building the page from data without ever parsing data as markup: text goes in as text nodes,
// attributes through setAttribute. Values from hosts (names, labels, check errors) are
// untrusted; since no string is ever handed to the browser as HTML, they can only show as text.

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An HTML element; `attrs` are attributes (`class`, `href`, `data-*`, …), children text or nodes. */
export function el(tag, attrs = {}, ...children) {
  return fill(document.createElement(tag), attrs, children);
}

/** An SVG element, for the charts. */
export function svgEl(tag, attrs = {}, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), attrs, children);
}

function fill(node, attrs, children) {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    // Handlers are attached with addEventListener; a string handler would be script from data.
    if (/^on/i.test(name)) throw new Error(`el: attribute ${name} is not allowed`);
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child);
  }
  return node;
}

/** A horizontal bar showing a percentage, beside its figure. */
export function percentBar(value, level) {
  const bar = el('span', { class: `bar ${level}` });
  // CSSOM assignment, not a style attribute: the page's policy forbids inline style markup.
  bar.style.width = `${Math.max(0, Math.min(100, value))}%`;
  return el('span', { class: 'meter' }, bar);
}
