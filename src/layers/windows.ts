/**
 * The geometry of a window sliding over time (Conv1D, pooling), as Keras
 * computes it: K taps D steps apart, moved S steps per output, over T steps.
 *
 *   valid   no padding: To = ⌊(T − span)/S⌋ + 1, none when T < span
 *   same    To = ⌈T/S⌉; the padding it needs, (To−1)·S + span − T, is split
 *           with the extra step on the right (P = ⌊total/2⌋ before step 0)
 *   causal  P = span − 1 zero steps before step 0, none after: output t sees
 *           steps up to t only; To = ⌈T/S⌉
 *
 * span = (K−1)·D + 1 is the steps one window covers.
 */
export type Padding = 'valid' | 'same' | 'causal';

export interface Window {
  /** output steps (0: the window does not fit) */
  To: number;
  /** zero steps before step 0 */
  P: number;
}

export function windowGeometry(T: number, K: number, S: number, D: number, padding: Padding): Window {
  const span = (K - 1) * D + 1;
  switch (padding) {
    case 'valid':
      return { To: T >= span ? Math.floor((T - span) / S) + 1 : 0, P: 0 };
    case 'same': {
      const To = Math.ceil(T / S);
      return { To, P: Math.floor(Math.max((To - 1) * S + span - T, 0) / 2) };
    }
    case 'causal':
      return { To: Math.floor((T - 1) / S) + 1, P: span - 1 };
  }
}
