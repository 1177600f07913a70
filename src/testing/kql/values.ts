/** Conversions between table cells and the engine's internal values (datetime and timespan as milliseconds). */

/** A `datetime` cell (Date, ISO string, epoch ms) as epoch milliseconds, or null. */
export function toMs(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (v instanceof Date) {
    const t = v.getTime();
    return Number.isNaN(t) ? null : t;
  }
  if (typeof v === 'string') {
    if (v === '') return null;
    // Date.parse keeps only milliseconds; KQL's 7-digit fractions keep the rest here.
    const t = Date.parse(v);
    if (Number.isNaN(t)) return null;
    const frac = /\.(\d{4,7})Z?$/.exec(v);
    return frac ? t + (Number(`0.${frac[1]}`) * 1000 - Math.floor(Number(`0.${frac[1]}`) * 1000)) : t;
  }
  return null;
}

/** A timespan cell (milliseconds) as a number, or null. */
export function toSpan(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Epoch milliseconds as the service prints datetimes: ISO 8601 with 7 fractional digits. */
export function formatDatetime(ms: number): string {
  const whole = Math.floor(ms);
  const ticks = Math.round((ms - whole) * 10_000);
  return `${new Date(whole).toISOString().slice(0, 23)}${String(ticks).padStart(4, '0')}Z`;
}

/** Milliseconds as a KQL timespan string: `[-][d.]hh:mm:ss[.fffffff]`. */
export function formatTimespan(ms: number): string {
  let ticks = Math.round(ms * 10_000);
  const sign = ticks < 0 ? '-' : '';
  ticks = Math.abs(ticks);
  const TICKS_PER_SECOND = 10_000_000;
  const fraction = ticks % TICKS_PER_SECOND;
  let seconds = (ticks - fraction) / TICKS_PER_SECOND;
  const days = Math.floor(seconds / 86_400);
  seconds -= days * 86_400;
  const hh = Math.floor(seconds / 3600);
  const mm = Math.floor((seconds % 3600) / 60);
  const ss = seconds % 60;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${sign}${days ? `${days}.` : ''}${pad(hh)}:${pad(mm)}:${pad(ss)}${fraction ? `.${String(fraction).padStart(7, '0')}` : ''}`;
}

/** Ordering used by sort/top/min/max: numbers numerically, strings ordinally, false < true. */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = a as string;
  const y = b as string;
  return x < y ? -1 : x > y ? 1 : 0;
}

const ALNUM = /[\p{L}\p{N}]/u;
function isTermChar(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (Number.isNaN(c)) return false;
  if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)) return true;
  return c > 127 && ALNUM.test(s[i]!);
}

/** `has`: `needle` occurs in `hay` on term boundaries (terms = maximal alphanumeric runs). */
export function hasTerm(hay: string, needle: string): boolean {
  if (needle === '') return true;
  const checkStart = isTermChar(needle, 0);
  const checkEnd = isTermChar(needle, needle.length - 1);
  let from = 0;
  for (;;) {
    const at = hay.indexOf(needle, from);
    if (at < 0) return false;
    const end = at + needle.length;
    if ((!checkStart || !isTermChar(hay, at - 1)) && (!checkEnd || !isTermChar(hay, end))) return true;
    from = at + 1;
  }
}
