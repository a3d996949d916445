// Types of build/rollup_app.mjs.
export function rollupApp(index: string, source: string): Promise<{ code: Map<string, string>; initial: Set<string> }>;
