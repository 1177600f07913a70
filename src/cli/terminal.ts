/**
 * Text made safe for a terminal. What `m365d` shows people (tables, the progress line, error and
 * log lines) carries text from the service and the tenant (hunting values, device names, error
 * messages): an escape sequence in it would clear the screen, move the cursor, set the window
 * title or a hyperlink, a bidi control would show the text in another order than it is, and a
 * line break would let it forge a line of its own (`m365d: done`).
 * JSON, NDJSON and CSV are data for programs and are written as they are.
 * @packageDocumentation
 */

/** Shown in place of a control character or an invisible format control: visible and one column wide. */
export const CONTROL_PLACEHOLDER = '\uFFFD';

/** Line breaks, tabs and the Unicode line and paragraph separators (some terminals break lines on them): a space keeps the words apart. */
const SPACING = /[\t\n\v\f\r\u2028\u2029]+/g;
/**
 * Every other control character (C0, DEL, C1: `\p{Cc}`) and every format control (`\p{Cf}`): the
 * bidi marks, embeddings, overrides and isolates (Trojan Source), U+FEFF, the zero-width and
 * invisible characters and the tag characters (which hide text no one sees), save ZWJ (U+200D),
 * which joins emoji sequences and shows nothing alone.
 */
const UNSAFE = /(?!\u200D)[\p{Cc}\p{Cf}]/gu;

/**
 * One line safe for a terminal: runs of tabs and line breaks (also U+2028, U+2029) become one
 * space, every other control character and every format control but ZWJ (bidi controls, U+FEFF,
 * zero-width characters) becomes {@link CONTROL_PLACEHOLDER}.
 */
export function terminalLine(text: string): string {
  return text.replace(SPACING, ' ').replace(UNSAFE, CONTROL_PLACEHOLDER);
}

/**
 * Lines safe for a terminal, each as {@link terminalLine} makes it, the line breaks kept: only for
 * text that is ours and has several lines by design (a stack trace); text that quotes the service
 * or the user goes through {@link terminalLine}.
 */
export function terminalText(text: string): string {
  return text.split(/\r?\n/).map(terminalLine).join('\n');
}
