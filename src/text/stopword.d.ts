/**
 * Types for the ESM build of the `stopword` package (it ships none). We import
 * its ESM file by path because the package has no "exports" map and its
 * "main" is CommonJS: the path resolves the same way in Node, Vite/Vitest and
 * esbuild (any --platform), and esbuild tree-shakes the lists we do not name.
 * Only the lists src/text/stop_words.ts and src/text/stopwords/ use are declared.
 */
declare module 'stopword/dist/stopword.esm.mjs' {
  export const eng: string[];
  export const zho: string[];
  export const jpn: string[];
  export const deu: string[];
  export const fra: string[];
  export const spa: string[];
  export const por: string[];
  export const ita: string[];
  export const rus: string[];
  export const nld: string[];
}
