// dom.js: owns DOM building. `h()` creates elements from plain values and always puts text
// in as text nodes, so user text can never become markup; nothing in the client uses
// innerHTML. Also small helpers for clearing, focusing and reading forms.

const PROPS = new Set(['value', 'checked', 'disabled', 'hidden', 'selected', 'open']);

/**
 * h('button', {class: 'btn', on: {click}, 'aria-label': 'Send'}, 'text', child, ...)
 * Strings and numbers among the children become text nodes; null/false are skipped.
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) setProps(el, props);
  append(el, children);
  return el;
}

export function setProps(el, props) {
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'on') {
      for (const [name, fn] of Object.entries(value)) el.addEventListener(name, fn);
    } else if (key === 'dataset') {
      for (const [k, v] of Object.entries(value)) if (v != null) el.dataset[k] = String(v);
    } else if (PROPS.has(key)) el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces all children of `el` with `children`. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** Sets text only when it changed (keeps layout and screen readers calm). */
export function setText(el, text) {
  const t = String(text ?? '');
  if (el.textContent !== t) el.textContent = t;
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

/** Focusable descendants, in tab order of the document. */
export function focusables(root) {
  return $$(
    'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), textarea:not([disabled]), select:not([disabled]), [tabindex]:not([tabindex="-1"])',
    root,
  ).filter((el) => !el.closest('[hidden]'));
}

/** A visually hidden label text for screen readers. */
export const srOnly = (text) => h('span', { class: 'sr-only', text });

/** Disables a form's controls while `work` runs; returns its result. */
export async function busy(form, work) {
  const controls = $$('button, input, textarea, select', form).filter((c) => !c.disabled);
  controls.forEach((c) => (c.disabled = true));
  form.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    controls.forEach((c) => (c.disabled = false));
    form.removeAttribute('aria-busy');
  }
}
