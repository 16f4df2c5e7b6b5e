// Types of built-cli.mjs (plain JavaScript: it runs before tsx is loaded), for the TypeScript that imports it.
/** SHA-256 of the contracts' generated types (types/), which the command is built with. */
export function typesDigest(base: string): string;
/** Whether `root`/dist holds the command built from the sources as they are. */
export function builtIsCurrent(root: string): boolean;
