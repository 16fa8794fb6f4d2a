import { paint } from './output.js';

/** A progress line on stderr; a no-op where spinners are off (not a terminal, `--json`, CI). */
export interface Spinner {
  update(text: string): void;
  stop(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function startSpinner(text: string, enabled: boolean): Spinner {
  if (!enabled) return { update() {}, stop() {} };
  const style = paint(process.stderr);
  let frame = 0;
  let current = text;
  const draw = () => {
    process.stderr.write(`\r\u001b[2K${style.cyan(FRAMES[frame % FRAMES.length]!)} ${current}`);
    frame++;
  };
  draw();
  const timer = setInterval(draw, 80);
  // A spinner never keeps the process alive on its own.
  timer.unref();
  return {
    update(next) {
      current = next;
    },
    stop() {
      clearInterval(timer);
      process.stderr.write('\r\u001b[2K');
    },
  };
}
