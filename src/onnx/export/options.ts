/** toOnnx's options, apart from the emitter so that the public typings never reach the protobuf types. */

export interface ToOnnxOptions {
  /** ONNX opset to write, 13 to 21 (default 17) */
  opset?: number;
  /** element type of the token-id input: 'int64' (PyTorch's, the default) or 'int32' */
  idsType?: 'int32' | 'int64';
}

export const EXPORT_OPSETS = { min: 13, max: 21, default: 17 } as const;
