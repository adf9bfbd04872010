// format.js: owns how values are shown: names, initials and avatar colours, times and day
// labels, relative times ("5 minutes ago"), previews, short device names from a
// User-Agent ("Chrome on Linux", "curl"), plus client-side ids (UUIDv4 for a message's
// client_id). Pure functions.

const segmenter =
  typeof Intl !== 'undefined' && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : null;

/** User-perceived characters: Korean syllables and emoji sequences stay whole. */
export function graphemes(text) {
  const s = String(text ?? '');
  return segmenter ? Array.from(segmenter.segment(s), (x) => x.segment) : Array.from(s);
}

export function initial(name) {
  const first = graphemes(String(name ?? '').trim())[0] || '?';
  return first.toLocaleUpperCase();
}

/** A stable hue per id or name, for avatars. */
export function hueFor(key) {
  let h = 0;
  for (const ch of String(key ?? '')) h = (h * 31 + ch.codePointAt(0)) >>> 0;
  return h % 360;
}

export function displayName(person) {
  if (!person) return 'Deleted user';
  return person.display_name || person.username;
}

/** Collapses whitespace and cuts to `max` characters (by grapheme) with an ellipsis. */
export function preview(text, max = 80) {
  const g = graphemes(String(text ?? '').replace(/\s+/g, ' ').trim());
  return g.length > max ? `${g.slice(0, max - 1).join('')}…` : g.join('');
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const weekdayFmt = new Intl.DateTimeFormat(undefined, { weekday: 'short' });
const dateFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const longDateFmt = new Intl.DateTimeFormat(undefined, {
  weekday: 'long',
  month: 'long',
  day: 'numeric',
  year: 'numeric',
});
const fullFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });
const exactFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'long' });

const startOfDay = (d) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
const DAY = 86400000;

export const time = (iso) => timeFmt.format(new Date(iso));
export const fullTime = (iso) => fullFmt.format(new Date(iso));
/** To the second, with the time zone: for security events. */
export const exactTime = (iso) => exactFmt.format(new Date(iso));
export const dayKey = (iso) => startOfDay(new Date(iso));

/** "Today", "Yesterday" or the full date, for separators in a chat. */
export function dayLabel(iso, now = new Date()) {
  const diff = Math.round((startOfDay(now) - startOfDay(new Date(iso))) / DAY);
  if (diff === 0) return 'Today';
  if (diff === 1) return 'Yesterday';
  return longDateFmt.format(new Date(iso));
}

/** Short stamp for the room list: a time today, a weekday this week, else a date. */
export function shortStamp(iso, now = new Date()) {
  const d = new Date(iso);
  const diff = Math.round((startOfDay(now) - startOfDay(d)) / DAY);
  if (diff <= 0) return timeFmt.format(d);
  if (diff < 7) return weekdayFmt.format(d);
  return dateFmt.format(d);
}

const relativeFmt = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const UNITS = [
  ['year', 365 * DAY],
  ['month', 30 * DAY],
  ['week', 7 * DAY],
  ['day', DAY],
  ['hour', 3600000],
  ['minute', 60000],
];

/** "just now", "5 minutes ago", "yesterday", "3 weeks ago" (future times as "now"). */
export function relativeTime(iso, now = new Date()) {
  const ms = now.getTime() - new Date(iso).getTime();
  if (!Number.isFinite(ms)) return '';
  if (ms < 45000) return 'just now';
  for (const [unit, size] of UNITS) {
    if (ms >= size || unit === 'minute') return relativeFmt.format(-Math.max(1, Math.floor(ms / size)), unit);
  }
  return '';
}

// Browsers, most specific first (Edge and Opera say Chrome too, Chrome says Safari).
const BROWSERS = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\b(?:OPR|Opera)\b/, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\b(?:Firefox|FxiOS)\//, 'Firefox'],
  [/\bHeadlessChrome\//, 'Headless Chrome'],
  [/\bChromium\//, 'Chromium'],
  [/\b(?:Chrome|CriOS)\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
  [/\b(?:MSIE|Trident)\b/, 'Internet Explorer'],
];
const SYSTEMS = [
  [/\biPhone\b/, 'iPhone'],
  [/\biPad\b/, 'iPad'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\b(?:Macintosh|Mac OS X)\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

/**
 * A short description of the device behind a User-Agent: "Chrome on Linux", "Firefox on
 * Windows", "Safari on iPhone"; for a program its name ("curl", "python-requests"); else
 * the string itself, cut short. '' for none.
 */
export function deviceName(ua, max = 40) {
  const s = String(ua ?? '').trim();
  if (!s) return '';
  const browser = BROWSERS.find(([re]) => re.test(s))?.[1];
  const system = SYSTEMS.find(([re]) => re.test(s))?.[1];
  if (browser) return system ? `${browser} on ${system}` : browser;
  if (!/^Mozilla\//.test(s)) {
    const program = /^([A-Za-z][\w.-]*)\/\d/.exec(s);
    if (program) return program[1];
  }
  return preview(s, max);
}

/** A random UUIDv4 (crypto.randomUUID needs a secure context; this does not). */
export function uuid() {
  if (globalThis.crypto?.randomUUID) {
    try {
      return crypto.randomUUID();
    } catch {
      /* insecure context: fall through */
    }
  }
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const EMOJI_ONLY = /^(?:\p{Extended_Pictographic}|\p{Emoji_Modifier}|\p{Regional_Indicator}|\u200d|\ufe0f|\s)+$/u;

/** True for a message of one to three emoji and nothing else (shown larger). */
export function isJumboEmoji(text) {
  const t = String(text ?? '').trim();
  if (!t || !EMOJI_ONLY.test(t)) return false;
  return graphemes(t.replace(/\s+/g, '')).length <= 3;
}

export const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
