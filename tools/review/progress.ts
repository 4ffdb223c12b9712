/**
 * Progress of a parallel plan or deploy on stderr. On a terminal: the usual lines scroll above
 * one status line that is redrawn in place (what runs, for how long, how many are done). In CI
 * or when stderr is not a terminal: plain lines only, each a complete statement that reads
 * well in a log.
 */
import type { RunState } from './schedule';

export interface Progress {
  /** A permanent line (a stack started a step, finished, failed). */
  readonly line: (text: string) => void;
  /** The run changed (a stack started or ended); a live view redraws. */
  readonly update: (state: RunState) => void;
  /** Ends the live view (clears the status line, stops the timer). */
  readonly close: () => void;
}

interface Output {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

/** True when a live view fits: a terminal, and not CI (CI logs keep carriage returns as noise). */
export function wantsLiveView(stream: Output, env: NodeJS.ProcessEnv = process.env): boolean {
  return !!stream.isTTY && !env.CI && env.TERM !== 'dumb';
}

/** Plain lines through `log`; `update` does nothing. */
export function plainProgress(log: (line: string) => void): Progress {
  return { line: log, update: () => undefined, close: () => undefined };
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;

/** The status line: `3/14 done · running: dev-a 2.1 s, dev-b 0.4 s`. */
export function statusLine(state: RunState, now: number, width = 120): string {
  const running = [...state.running].map(([name, since]) => `${name} ${seconds(now - since)}`);
  const parts = [`${state.done}/${state.total} done`];
  if (state.failed.length) parts.push(`failed: ${state.failed.join(', ')} (no new stack starts)`);
  if (running.length) parts.push(`running: ${running.join(', ')}`);
  const text = parts.join(' · ');
  return text.length > width - 1 ? `${text.slice(0, Math.max(0, width - 2))}…` : text;
}

/** A live view on a terminal: lines scroll, the status line stays last and ticks every 250 ms. */
export function liveProgress(stream: Output, now: () => number = Date.now): Progress {
  let state: RunState | undefined;
  let shown = false;
  const clear = (): void => {
    if (shown) stream.write('\r\x1b[2K');
    shown = false;
  };
  const draw = (): void => {
    if (!state || state.total === 0) return;
    stream.write(`\r\x1b[2K${statusLine(state, now(), stream.columns || 120)}`);
    shown = true;
  };
  const timer = setInterval(draw, 250);
  timer.unref();
  return {
    line: (text) => {
      clear();
      stream.write(`${text}\n`);
      draw();
    },
    update: (s) => {
      state = s;
      draw();
    },
    close: () => {
      clearInterval(timer);
      clear();
    },
  };
}

/** Progress on stderr: a live view on a terminal (unless `plain`), plain lines otherwise. */
export function progressOnStderr(options: { readonly plain?: boolean } = {}): Progress {
  const stream = process.stderr;
  if (!options.plain && wantsLiveView(stream)) return liveProgress(stream);
  return plainProgress((line) => stream.write(`${line}\n`));
}
