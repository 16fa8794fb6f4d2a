import type { ErrorDetail } from '@mypostshare/contract';
import { ValidationError } from '../errors.js';

// The shape of a zod schema the SDK relies on; structural so the SDK needs no zod import of its own.
interface Schema {
  safeParse(
    value: unknown,
  ):
    | { success: true; data: unknown }
    | { success: false; error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> } };
}

/**
 * Parses `value` with a contract schema, or throws a `ValidationError` naming each bad field.
 * The caller states what the schema produces; the contract guarantees it.
 */
export function parseOrThrow<T = unknown>(schema: Schema, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data as T;
  const details: ErrorDetail[] = result.error.issues.map((issue) => ({
    field: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  throw new ValidationError(details);
}

/** Checks an option that must be a whole number within bounds. */
export function checkInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError([{ field: name, message: `must be a whole number from ${min} to ${max}` }]);
  }
  return value;
}
