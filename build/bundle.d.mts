// Types of build/bundle.mjs, for the tests that build dist's bundles with it.
export type Bundle = [entry: string, out: string, extra: Record<string, unknown>];
export function moduleEntries(root: string): string[];
export function buildModules(root: string, outDir: string): Promise<unknown>;
export function stopWordCodes(root: string): string[];
export function bundles(root: string): Bundle[];
export function buildBundle(root: string, outDir: string, bundle: Bundle): Promise<unknown>;
export function buildAll(root: string, outDir: string): Promise<void>;
export function stopwordListsPlugin(root: string): { name: string; setup(build: unknown): void };
