// Types for brown.mjs, so TypeScript tests can read the corpus too.
export declare function brownSamples(): { id: string; genre: string }[];
export declare function brownParagraphs(id: string): string[];
export declare const TOPICS: Record<string, string[]>;
export declare function brownTopics(opts?: {
  words?: number;
  maxPerTopic?: number;
  topics?: Record<string, string[]>;
}): Record<'train' | 'validation' | 'test', { text: string; label: string; doc: string }[]>;
