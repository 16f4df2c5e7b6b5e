import { createRequire } from "node:module";
import { defineConfig } from "hardhat/config";
import hardhatEthers from "@nomicfoundation/hardhat-ethers";
import hardhatMocha from "@nomicfoundation/hardhat-mocha";
import hardhatEthersChaiMatchers from "@nomicfoundation/hardhat-ethers-chai-matchers";
import hardhatNetworkHelpers from "@nomicfoundation/hardhat-network-helpers";
import hardhatTypechain from "@nomicfoundation/hardhat-typechain";
import hardhatIgnitionEthers from "@nomicfoundation/hardhat-ignition-ethers";

const require = createRequire(import.meta.url);

// The compiler comes from the `solc` npm package (WASM), so builds work offline.
// Both profiles are spelled out: the short form drops `settings` from `production`.
const solc = {
  version: require("solc/package.json").version as string,
  path: require.resolve("solc/soljson.js"),
  settings: {
    optimizer: { enabled: true, runs: 10_000 },
    evmVersion: "prague",
    viaIR: true,
  },
};

export default defineConfig({
  plugins: [
    hardhatEthers,
    hardhatMocha,
    hardhatEthersChaiMatchers,
    hardhatNetworkHelpers,
    hardhatTypechain,
    hardhatIgnitionEthers,
  ],
  solidity: { profiles: { default: solc, production: solc } },
  paths: { tests: { mocha: "test" }, ignition: "./scripts/ignition" },
  networks: {
    localhost: { type: "http", url: process.env.TRADEPROOF_RPC ?? "http://127.0.0.1:8545" },
  },
});
