/**
 * The Tradeproof deployment module, re-exported from where Hardhat Ignition's command line requires modules
 * to live (`<paths.ignition>/modules/`), so that programs can import it from `scripts/ignition/Tradeproof.js`.
 * See {@link ./modules/Tradeproof.ts} for its parameters.
 */
export { default } from "./modules/Tradeproof.js";
