/**
 * Test helper for the text tests: assert that fn throws a WasmRnnError with
 * the given code and a message matching `message`.
 */
import { expect } from 'vitest';
import { WasmRnnError } from '../../src/errors.js';

export function expectError(fn: () => unknown, code: string, message: RegExp): WasmRnnError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a throw').toBeInstanceOf(WasmRnnError);
  const err = caught as WasmRnnError;
  expect(err.code).toBe(code);
  expect(err.message).toMatch(message);
  return err;
}
