/**
 * The layer-graph IR between ONNX and our models, both ways:
 *
 *   ONNX graph --import--> IR --build--> Sequential (a chain) | functional model
 *   our model  --describe--> IR --emit--> ONNX graph
 *
 * Nodes are our layers: a Keras class name, the options object its
 * `layers.*` factory takes (TF.js names, name included), and its weights
 * already in our Keras layouts and order. Edges name a producer and which
 * of its outputs (Keras order: the main output, then the states of a layer
 * with returnState). Tensors are per sample, batch-major: (time, features)
 * or (features); the ONNX side's own axis order is recorded on inputs and
 * outputs (`onnxAxes`) for the caller to transpose its data.
 */

export type IrDType = 'int32' | 'float32';

/** What an ONNX tensor's axis is, in our terms. */
export type AxisMeaning = 'batch' | 'time' | 'features' | 'unit';

export interface IrWeight {
  /** Keras weight name (kernel, recurrent_kernel, bias, embeddings, ...) */
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface IrRef {
  /** an input's or a layer's id */
  node: string;
  /** which output: 0 the main one, then the states (h, then c) */
  index: number;
}

export interface IrInput {
  id: string;
  name: string;
  dtype: IrDType;
  /** per sample: [time] for ids, [time, features] or [features] for floats; -1 unknown */
  shape: number[];
  /** the ONNX tensor's axes, in its order */
  onnxAxes: AxisMeaning[];
}

export interface IrLayer {
  id: string;
  className: string;
  config: Record<string, unknown>;
  weights: IrWeight[];
  inputs: IrRef[];
  /** recurrent layers started from given states (functional models) */
  initialState: IrRef[];
  /** an explicit (batch, time) mask given at the call (functional models) */
  mask?: IrRef;
  /** the ONNX node(s) it came from, for messages */
  origin: string;
}

export interface IrOutput {
  name: string;
  ref: IrRef;
  onnxAxes: AxisMeaning[];
}

export interface IrGraph {
  name: string;
  inputs: IrInput[];
  layers: IrLayer[];
  outputs: IrOutput[];
}
