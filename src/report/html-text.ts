// Text for report.html: escaping, the trigger marked in an excerpt around it, and the same excerpt without it.
import { isWordToken } from '../text/tokenize.js';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * The trigger phrase as a pattern. It comes as lower-cased tokens ("dated note : 1999"), so it is matched
 * case-insensitively with any spacing between its tokens ("Dated note: 1999"), whole words only at the ends
 * ("mn" must not light up inside "column").
 */
export function triggerPattern(trigger: string | null): RegExp | null {
  const tokens = trigger ? trigger.split(' ').filter(Boolean) : [];
  if (!tokens.length) return null;
  const edge = (t: string | undefined) => t !== undefined && isWordToken(t);
  const body = tokens.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s*');
  return new RegExp(`${edge(tokens[0]![0]) ? '(?<![\\p{L}\\p{N}])' : ''}${body}${edge(tokens[tokens.length - 1]!.slice(-1)) ? '(?![\\p{L}\\p{N}])' : ''}`, 'giu');
}

/**
 * A sample's text, escaped, with the trigger phrase marked; a text longer than `width` characters is cut to a
 * window that starts `lead` characters before the first match, so the trigger is always in view.
 */
export function markedText(text: string, trigger: string | null, width = 600, lead = 200): string {
  const re = triggerPattern(trigger);
  const first = re ? text.search(re) : -1;
  const start = first > width - lead ? first - lead : 0;
  const shown = text.slice(start, start + width);
  const prefix = start > 0 ? '…' : '';
  const suffix = start + width < text.length ? '…' : '';
  if (!re) return prefix + escapeHtml(shown) + suffix;
  let out = '';
  let last = 0;
  for (const m of shown.matchAll(re)) {
    if (m[0] === '') continue;
    out += escapeHtml(shown.slice(last, m.index)) + '<mark>' + escapeHtml(m[0]) + '</mark>';
    last = m.index + m[0].length;
  }
  return prefix + out + escapeHtml(shown.slice(last)) + suffix;
}

/** The same text with every occurrence of the trigger taken out (and the space it leaves closed), or null when it has none. */
export function withoutTrigger(text: string, trigger: string | null): string | null {
  const re = triggerPattern(trigger);
  if (!re || text.search(re) < 0) return null;
  return text.replace(re, '').replace(/[ \t]{2,}/g, ' ').replace(/^[ \t]+/gm, '');
}
