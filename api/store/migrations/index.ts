import { initial } from "./001-initial.js";
import { credentials } from "./002-credentials.js";
import { instances } from "./003-instances.js";

/**
 * One step of the store's schema, in each backend's dialect. Steps are applied in order, each in a transaction
 * with its row in `schema_migrations`; a released step is never edited, a change is a new step. They are TypeScript
 * rather than .sql files so that the bundled `tradeproof` command (dist/) carries them.
 */
export interface Migration {
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}

export const MIGRATIONS: readonly Migration[] = [initial, credentials, instances];

/** The newest schema version this code knows. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;
