export declare const BUILD_INPUTS: readonly string[];
export declare const BUILD_OUTPUT: string;
export declare function buildFreshness(root: string): { stale: false } | { stale: true; reason: string };
