/**
 * A layer as saved in a topology: { className, config }, where config holds
 * exactly the options its factory takes. Writing needs no factories, so a
 * model that saves itself does not pull in every layer class (reading does:
 * registry.ts).
 */
import type { Layer } from '../layers/layer.js';

export interface LayerJSON {
  className: string;
  config: Record<string, unknown>;
}

export function layerToJSON(l: Layer): LayerJSON {
  return { className: l.className, config: l.getConfig() };
}
