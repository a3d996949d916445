/**
 * Slots of the packed recurrent-weight scratch the cell kernels need.
 *
 * The recurrent GEMM reads its B operand as panels GEMM_NR columns wide
 * (assembly/gemm.ts), so every packed row is padded to a multiple of
 * GEMM_NR. Forward packs wh (H,G); backward packs whᵀ (G,H): one buffer
 * serves both, sized for the larger.
 */
import { GEMM_NR } from './abi.js';

/** n rounded up to a whole number of GEMM_NR-wide panels. */
export function panelWidth(n: number): number {
  return Math.ceil(n / GEMM_NR) * GEMM_NR;
}

/** Packed recurrent weights for H units and G = gates·H columns (both orientations fit). */
export function packedSize(H: number, G: number): number {
  return Math.max(H * panelWidth(G), G * panelWidth(H));
}

/**
 * The GRU's packed recurrent weights: U_zr (H,2H) and U_h (H,H) forward,
 * their transposes (3H,H) backward (assembly/gru.ts).
 */
export function gruPackedSize(H: number): number {
  return Math.max(H * (panelWidth(2 * H) + panelWidth(H)), 3 * H * panelWidth(H));
}
