// Types for brown.mjs, so TypeScript tests can read the corpus too.
export declare function brownSamples(): { id: string; genre: string }[];
export declare function brownParagraphs(id: string): string[];
