/**
 * Model files that are not ours, named by their first bytes, with the way to
 * bring them here. Keras users try `.h5` and `.keras` first; "wrong magic
 * number" tells them nothing.
 *
 *   89 48 44 46 0d 0a 1a 0a   HDF5: a Keras 2 model.save('model.h5')
 *   50 4b 03 04               zip: a Keras 3 model.save('model.keras')
 *   {  ... "modelTopology"     a TF.js model.json (tensorflowjs_converter output)
 */
const HDF5 = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const ZIP = [0x50, 0x4b, 0x03, 0x04];

const startsWith = (b: Uint8Array, sig: number[]) => sig.every((x, i) => b[i] === x);

const CONVERT =
  'tensorflowjs_converter --input_format keras model.h5 tfjs_model/ (pip install tensorflowjs), ' +
  'then fromTfjs({ modelTopology, weightSpecs, weightData }) with tfjs_model/model.json and its .bin weights';

/** What `bytes` are and what to do with them ("it is ...; ..."), or null when they may be ours. */
export function foreignModelAdvice(bytes: Uint8Array): string | null {
  if (startsWith(bytes, HDF5)) return `it is a Keras HDF5 (.h5) file; convert it: ${CONVERT}`;
  if (startsWith(bytes, ZIP)) {
    return (
      "it is a zip archive (a Keras 3 .keras file?); in Python save it as HDF5 (model.save('model.h5')), " + `then convert it: ${CONVERT}`
    );
  }
  if (bytes[0] === 0x7b /* { */) {
    const head = new TextDecoder().decode(bytes.subarray(0, 4096));
    if (head.includes('"modelTopology"')) {
      return 'it is a TF.js model.json; import it with fromTfjs({ modelTopology, weightSpecs, weightData }) (weightData: its .bin files, concatenated)';
    }
  }
  return null;
}
