/** Browser storage: IndexedDB round trip (fake-indexeddb in Node), and clear errors where it is missing. */
import 'fake-indexeddb/auto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBackend, setBackend } from '../../src/backend/load.js';
import {
  Sequential,
  Tensor,
  deleteModelFromIndexedDB,
  downloadModel,
  layers,
  listIndexedDBModels,
  loadModelFromIndexedDB,
  saveModelToIndexedDB,
  tensor,
} from '../../src/index.js';

beforeAll(async () => setBackend(await createBackend({ backend: 'wasm-simd' })));

describe('IndexedDB', () => {
  it('saves, lists, loads bit-exactly, replaces and deletes', async () => {
    const m = new Sequential({
      seed: 2,
      layers: [
        layers.embedding({ inputDim: 9, outputDim: 3 }),
        layers.gru({ units: 4 }),
        layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    m.labels = ['a', 'b'];
    await saveModelToIndexedDB(m, 'topic');
    expect(await listIndexedDBModels()).toEqual(['topic']);
    const back = await loadModelFromIndexedDB('topic');
    const x = tensor([[1, 2, 3]], undefined, 'int32');
    expect(Array.from((back.predict(x) as Tensor).data)).toEqual(Array.from((m.predict(x) as Tensor).data));
    expect(back.labels).toEqual(['a', 'b']);
    await saveModelToIndexedDB(new Sequential({ seed: 3, layers: [layers.dense({ units: 1, inputShape: [2] })] }), 'topic');
    expect((await loadModelFromIndexedDB('topic')).countParams()).toBe(3);
    await deleteModelFromIndexedDB('topic');
    expect(await listIndexedDBModels()).toEqual([]);
    await expect(loadModelFromIndexedDB('topic')).rejects.toThrow(/no model named 'topic'/);
    await expect(saveModelToIndexedDB(m, '')).rejects.toThrow(/name must be a non-empty string/);
  });

  it('downloadModel needs a page', () => {
    const m = new Sequential({ seed: 3, layers: [layers.dense({ units: 1, inputShape: [2] })] });
    expect(() => downloadModel(m)).toThrow(/needs a browser page/);
  });
});
