// icons.js: owns the client's line icons (24x24, stroke = currentColor), built as SVG
// elements so no markup strings are ever parsed. icon('send') returns a decorative <svg>.

const SVG = 'http://www.w3.org/2000/svg';

const P = (d) => ['path', { d }];
const C = (cx, cy, r) => ['circle', { cx, cy, r }];

const ICONS = {
  logo: [
    P('M21 11.5a8.4 8.4 0 0 1-.9 3.8 8.5 8.5 0 0 1-7.6 4.7 8.4 8.4 0 0 1-3.8-.9L3 21l1.9-5.7a8.4 8.4 0 0 1-.9-3.8 8.5 8.5 0 0 1 4.7-7.6 8.4 8.4 0 0 1 3.8-.9h.5a8.5 8.5 0 0 1 8 8z'),
  ],
  send: [P('M22 2 11 13'), P('M22 2 15 22l-4-9-9-4z')],
  plus: [P('M12 5v14M5 12h14')],
  compass: [C(12, 12, 10), P('m16.2 7.8-2.1 6.3-6.3 2.1 2.1-6.3z')],
  bookmark: [P('M19 21l-7-5-7 5V5a2 2 0 0 1 2-2h10a2 2 0 0 1 2 2z')],
  users: [
    P('M17 21v-2a4 4 0 0 0-4-4H5a4 4 0 0 0-4 4v2'),
    C(9, 7, 4),
    P('M23 21v-2a4 4 0 0 0-3-3.9M16 3.1a4 4 0 0 1 0 7.8'),
  ],
  sliders: [P('M4 21v-7M4 10V3M12 21v-9M12 8V3M20 21v-5M20 12V3M1 14h6M9 8h6M17 16h6')],
  back: [P('M15 18l-6-6 6-6')],
  forward: [P('m9 18 6-6-6-6')],
  activity: [P('M22 12h-4l-3 9L9 3l-3 9H2')],
  key: [C(7.5, 15.5, 5.5), P('m11.4 11.6 9.6-9.6M15.5 7.5l3 3M18 5l3 3')],
  shield: [P('M12 22s8-4 8-10V5l-8-3-8 3v7c0 6 8 10 8 10z')],
  info: [C(12, 12, 10), P('M12 16v-4M12 8h.01')],
  lock: [['rect', { x: 3, y: 11, width: 18, height: 11, rx: 2 }], P('M7 11V7a5 5 0 0 1 10 0v4')],
  hash: [P('M4 9h16M4 15h16M10 3 8 21M16 3l-2 18')],
  globe: [
    C(12, 12, 10),
    P('M2 12h20M12 2a15.3 15.3 0 0 1 4 10 15.3 15.3 0 0 1-4 10 15.3 15.3 0 0 1-4-10 15.3 15.3 0 0 1 4-10z'),
  ],
  x: [P('M18 6 6 18M6 6l12 12')],
  logout: [P('M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4M16 17l5-5-5-5M21 12H9')],
  trash: [P('M3 6h18M19 6l-1 14a2 2 0 0 1-2 2H8a2 2 0 0 1-2-2L5 6M10 11v6M14 11v6M9 6V4a1 1 0 0 1 1-1h4a1 1 0 0 1 1 1v2')],
  retry: [P('M23 4v6h-6'), P('M20.5 15a9 9 0 1 1-2.1-9.4L23 10')],
  userPlus: [P('M16 21v-2a4 4 0 0 0-4-4H5a4 4 0 0 0-4 4v2'), C(8.5, 7, 4), P('M20 8v6M23 11h-6')],
  userMinus: [P('M16 21v-2a4 4 0 0 0-4-4H5a4 4 0 0 0-4 4v2'), C(8.5, 7, 4), P('M23 11h-6')],
  clock: [C(12, 12, 10), P('M12 6v6l4 2')],
  alert: [C(12, 12, 10), P('M12 8v4M12 16h.01')],
  check: [P('M20 6 9 17l-5-5')],
  arrowDown: [P('M12 5v14M19 12l-7 7-7-7')],
  user: [P('M20 21v-2a4 4 0 0 0-4-4H8a4 4 0 0 0-4 4v2'), C(12, 7, 4)],
  door: [P('M13 4h3a2 2 0 0 1 2 2v14M2 20h3M13 20h9M10 12v.01M13 4.6v16.1a.5.5 0 0 1-.6.5L5 20V5.6a1 1 0 0 1 .8-1L11.8 3a1 1 0 0 1 1.2 1z')],
  search: [C(11, 11, 8), P('m21 21-4.3-4.3')],
  smile: [C(12, 12, 10), P('M8 14s1.5 2 4 2 4-2 4-2M9 9h.01M15 9h.01')],
  reply: [P('M9 17 4 12l5-5'), P('M20 18v-2a4 4 0 0 0-4-4H4')],
  edit: [P('M12 20h9'), P('M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4z')],
  bellOff: [P('M13.7 21a2 2 0 0 1-3.4 0M18.6 13A17.9 17.9 0 0 1 18 8M6.3 6.3A5.9 5.9 0 0 0 6 8c0 7-3 9-3 9h14M18 8a6 6 0 0 0-9.3-5M1 1l22 22')],
  eye: [P('M1 12s4-8 11-8 11 8 11 8-4 8-11 8-11-8-11-8z'), C(12, 12, 3)],
  ban: [C(12, 12, 10), P('m4.9 4.9 14.2 14.2')],
  mail: [['rect', { x: 2, y: 4, width: 20, height: 16, rx: 2 }], P('m22 7-10 6L2 7')],
};

/** A decorative icon (aria-hidden); give its button an aria-label or visible text. */
export function icon(name, cls = '') {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', `icon ${cls}`.trim());
  for (const [tag, attrs] of ICONS[name] || []) {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
    svg.append(el);
  }
  return svg;
}
