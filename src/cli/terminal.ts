/**
 * Text made safe for a terminal. What `m365d` shows people (tables, the progress line, error and
 * log lines) carries text from the service and the tenant (hunting values, device names, error
 * messages): an escape sequence in it would clear the screen, move the cursor, set the window
 * title or a hyperlink, and a bidi override would show the text in another order than it is.
 * JSON, NDJSON and CSV are data for programs and are written as they are.
 * @packageDocumentation
 */

/** Shown in place of a control character or a bidi control: visible and one column wide. */
export const CONTROL_PLACEHOLDER = '\uFFFD';

/** Line breaks and tabs: a space keeps the words apart. */
const SPACING = /[\t\n\v\f\r]+/g;
/** Every other control character (C0, DEL, C1: `\p{Cc}`) and the bidi embeddings, overrides and isolates (Trojan Source). */
const UNSAFE = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/gu;

/**
 * One line safe for a terminal: runs of tabs and line breaks become one space, every other
 * control character and each bidi embedding, override or isolate becomes {@link CONTROL_PLACEHOLDER}.
 */
export function terminalLine(text: string): string {
  return text.replace(SPACING, ' ').replace(UNSAFE, CONTROL_PLACEHOLDER);
}

/** Lines safe for a terminal: each line as {@link terminalLine} makes it, the line breaks kept. */
export function terminalText(text: string): string {
  return text.split(/\r?\n/).map(terminalLine).join('\n');
}
