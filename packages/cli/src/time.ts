import { CliError } from './errors.js';
import { EXIT } from './exit-codes.js';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/i;

/** `90s`, `10m`, `2h`, `1d` (or a bare number of seconds) in milliseconds. */
export function parseDuration(option: string, value: string): number {
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1_000;
  const match = DURATION.exec(trimmed);
  if (!match) {
    throw new CliError(`${option} must be a duration such as 90s, 10m, 2h or 1d, got "${value}"`, {
      exitCode: EXIT.usage,
    });
  }
  return Number(match[1]) * UNIT_MS[match[2]!.toLowerCase() as keyof typeof UNIT_MS];
}

function parseAbsolute(option: string, value: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new CliError(`${option} must be an ISO 8601 time such as 2030-01-01T09:30:00Z, got "${value}"`, {
      exitCode: EXIT.usage,
      hint: 'relative times work too: +10m, +2h, +1d',
    });
  }
  return new Date(ms).toISOString();
}

/**
 * A time in the future, as ISO 8601 UTC: an absolute time (`2030-01-01T09:30:00Z`) or one relative
 * to now (`+10m`, `in 2h`).
 */
export function parseFutureTime(option: string, value: string, now = Date.now()): string {
  const relative = /^(?:\+|in\s+)(.+)$/i.exec(value.trim());
  if (relative) return new Date(now + parseDuration(option, relative[1]!)).toISOString();
  return parseAbsolute(option, value);
}

/**
 * A time in the past, as ISO 8601 UTC: an absolute time, or how long ago (`15m`, `2h`, `1d`).
 */
export function parsePastTime(option: string, value: string, now = Date.now()): string {
  const trimmed = value.trim().replace(/\s+ago$/i, '');
  if (DURATION.test(trimmed)) return new Date(now - parseDuration(option, trimmed)).toISOString();
  return parseAbsolute(option, value);
}

/** An ISO time for a table: `2026-03-21 09:30:00Z`. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}Z`;
}
