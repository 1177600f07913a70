/**
 * The progress line on stderr during long work (hunts, listings, sync): items so far, pages,
 * quota waits and elapsed time; or, waiting for a device action, what is awaited and for how long.
 * Only when stderr is a terminal and not `--quiet`.
 * @packageDocumentation
 */
import { isTerminal } from './output.js';
import { terminalLine } from './terminal.js';

/** A progress line that rewrites itself in place. */
export class Progress {
  readonly #enabled: boolean;
  readonly #noun: string;
  readonly #started = Date.now();
  #items = 0;
  #pages = 0;
  #waits = 0;
  #shownAt = 0;
  #waitingFor: string | undefined;
  #ticker: NodeJS.Timeout | undefined;

  constructor(noun: string, options: { quiet?: boolean | undefined }) {
    this.#noun = noun;
    this.#enabled = options.quiet !== true && isTerminal('stderr');
  }

  /** Counts items (and a page), redrawing at most five times a second. */
  add(items: number, pages = 0): void {
    this.#items += items;
    this.#pages += pages;
    this.#draw(false);
  }

  /** Counts a retry or quota wait the client logged. */
  wait(): void {
    this.#waits++;
    this.#draw(true);
  }

  /** Shows `what` is awaited with the elapsed time, redrawn every second until {@link Progress.done} (a wait has nothing to count). */
  waiting(what: string): void {
    this.#waitingFor = what;
    this.#draw(true);
    if (this.#enabled && this.#ticker === undefined) this.#ticker = setInterval(() => this.#draw(true), 1000).unref();
  }

  /** Clears the line (before the command's last words, or an error). */
  done(): void {
    clearInterval(this.#ticker);
    this.#ticker = undefined;
    if (this.#enabled && this.#shownAt > 0) process.stderr.write('\r\x1b[K');
  }

  #draw(force: boolean): void {
    if (!this.#enabled) return;
    const now = Date.now();
    if (!force && now - this.#shownAt < 200) return;
    this.#shownAt = now;
    const parts = [this.#waitingFor ?? `${this.#items.toLocaleString('en-US')} ${this.#noun}`];
    if (this.#pages > 0) parts.push(`${this.#pages} page${this.#pages === 1 ? '' : 's'}`);
    if (this.#waits > 0) parts.push(`${this.#waits} quota/retry wait${this.#waits === 1 ? '' : 's'}`);
    parts.push(`${((now - this.#started) / 1000).toFixed(1)} s`);
    // What is awaited names a device and an action as the service reports them.
    process.stderr.write(`\r\x1b[K${terminalLine(parts.join(', '))}`);
  }
}
