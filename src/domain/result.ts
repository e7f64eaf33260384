/**
 * The domain's one way to report an expected failure: a value, never an exception.
 * Every domain function that validates input returns a Result; a thrown error is a bug.
 */
export type Result<T, E> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });

export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });
