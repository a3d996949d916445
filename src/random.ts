/**
 * The global seed: models created without a `seed` option draw theirs from
 * here. setSeed(n) makes every later model (weights, shuffling, dropout)
 * reproducible; without it each model gets a fresh random seed.
 */
import { checkInt } from './errors.js';
import { Rng } from './rng.js';

let global: Rng | null = null;

export function setSeed(seed: number): void {
  checkInt('setSeed', 'seed', seed, 0, 2 ** 32 - 1);
  global = new Rng(seed);
}

/** A seed for a new model: from the global stream when setSeed was called, else random. */
export function nextModelSeed(): number {
  if (global) return global.nextU32();
  return Math.floor(Math.random() * 2 ** 32);
}
