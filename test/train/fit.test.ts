/**
 * fit's reporting: verbose follows Keras (0 silent, 1 a progress bar, 2 a
 * line per epoch; 'auto' is 1 on a terminal and 0 elsewhere), and the
 * caller's callback list is left as it was.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createBackend, setBackend } from '../../src/backend/load.js';
import { Sequential, callbacks, layers, tensor } from '../../src/index.js';

beforeAll(async () => setBackend(await createBackend({ backend: 'js' })));
afterEach(() => vi.restoreAllMocks());

function tiny() {
  const m = new Sequential({ seed: 1, layers: [layers.dense({ units: 1, inputShape: [2] })] });
  m.compile({ optimizer: 'sgd', loss: 'mse' });
  return m;
}
const x = tensor([
  [1, 2],
  [3, 4],
  [5, 6],
]);
const y = tensor([[1], [0], [1]]);

function capture() {
  const out: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(`${a.join(' ')}\n`));
  return out;
}

describe('fit verbose', () => {
  it("'auto' (the default) is silent when standard output is not a terminal, and a progress bar when it is", async () => {
    const tty = process.stdout.isTTY;
    try {
      Object.defineProperty(process.stdout, 'isTTY', { value: false, configurable: true });
      let out = capture();
      await tiny().fit(x, y, { epochs: 2 });
      expect(out.join('')).toBe('');
      vi.restoreAllMocks();
      Object.defineProperty(process.stdout, 'isTTY', { value: true, configurable: true });
      out = capture();
      await tiny().fit(x, y, { epochs: 2 });
      expect(out.join('')).toMatch(/Epoch 1\/2 \[=+\] 1\/1 +loss \d/);
      expect(out.join('')).toMatch(/Epoch 2\/2/);
    } finally {
      Object.defineProperty(process.stdout, 'isTTY', { value: tty, configurable: true });
    }
  });

  it('1 is a progress bar (once, even with one passed), 2 a line per epoch, 0 silent', async () => {
    let out = capture();
    const cbs = [callbacks.progressBar()];
    await tiny().fit(x, y, { epochs: 2, verbose: 1, callbacks: cbs });
    expect(out.filter((l) => l.includes('Epoch 1/2')).length).toBe(1);
    expect(cbs.length).toBe(1); // the caller's list is not changed
    vi.restoreAllMocks();
    out = capture();
    await tiny().fit(x, y, { epochs: 3, verbose: 2 });
    expect(out.filter((l) => /^Epoch \d\/3 - [\d.]+s - loss: \d/.test(l)).length).toBe(3);
    vi.restoreAllMocks();
    out = capture();
    await tiny().fit(x, y, { epochs: 2, verbose: 0 });
    expect(out.join('')).toBe('');
    await expect(tiny().fit(x, y, { verbose: 3 as never })).rejects.toThrow(/verbose must be 0, 1, 2 or 'auto', got 3/);
  });
});

describe('learning-rate callbacks', () => {
  it('learningRateScheduler sets the rate before each epoch; reduceLROnPlateau cuts it when the monitor stalls', async () => {
    const m = tiny();
    const seen: number[] = [];
    await m.fit(x, y, {
      epochs: 3,
      verbose: 0,
      callbacks: [
        callbacks.learningRateScheduler((epoch, lr) => (epoch === 0 ? 0.1 : lr / 2)),
        { onEpochEnd: () => void seen.push(m.optimizer!.learningRate) },
      ],
    });
    expect(seen).toEqual([0.1, 0.05, 0.025]);
    expect(() => callbacks.learningRateScheduler(3 as never)).toThrow(/expected a function/);
    await expect(tiny().fit(x, y, { verbose: 0, callbacks: [callbacks.learningRateScheduler(() => -1)] })).rejects.toThrow(
      /must return a positive finite number/,
    );

    const p = tiny();
    const lrs: number[] = [];
    // the loss cannot improve with a learning rate this small: every epoch stalls
    p.optimizer!.learningRate = 1e-12;
    await p.fit(x, y, {
      epochs: 6,
      verbose: 0,
      callbacks: [
        callbacks.reduceLROnPlateau({ monitor: 'loss', patience: 2, factor: 0.5, minDelta: 1 }),
        { onEpochEnd: () => void lrs.push(p.optimizer!.learningRate) },
      ],
    });
    expect(lrs).toEqual([1e-12, 1e-12, 5e-13, 5e-13, 2.5e-13, 2.5e-13]);
    await expect(tiny().fit(x, y, { verbose: 0, callbacks: [callbacks.reduceLROnPlateau()] })).rejects.toThrow(
      /'val_loss' will not be in the logs/,
    );
    expect(() => callbacks.reduceLROnPlateau({ factor: 2 })).toThrow(/factor must be in \(0, 1\)/);
  });
});
