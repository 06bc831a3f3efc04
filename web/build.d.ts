/** Types of web/build.js (plain JavaScript: bin/build.js runs it before anything is compiled). */
export declare const WEB: string;
export declare function buildWeb(outDir: string): Promise<void>;
export declare function boothFiles(outDir: string): string[];
export declare function boothHash(files: { path: string; sha256: string }[]): string;
