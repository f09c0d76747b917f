// Hardhat 3 configuration for the hocba registry contract.
// The compiler is the npm solcjs build in node_modules, so nothing is downloaded.
import { fileURLToPath } from "node:url";

import { defineConfig } from "hardhat/config";

// Hardhat imports the compiler path as a module, so it must be absolute.
const solcjsPath = fileURLToPath(new URL("./node_modules/solc/soljson.js", import.meta.url));

export default defineConfig({
  solidity: {
    version: "0.8.28",
    path: solcjsPath,
    settings: {
      evmVersion: "cancun",
      optimizer: { enabled: true, runs: 200 },
    },
  },
  networks: {
    // The network served by `hardhat node` (hocba chain up --node hardhat). A zero base fee
    // lets accounts without funds send zero-fee transactions, as on anvil with --base-fee 0.
    node: {
      type: "edr-simulated",
      chainId: 31337,
      initialBaseFeePerGas: 0,
      minGasPrice: 0,
    },
  },
  paths: {
    sources: "contracts",
    tests: { solidity: "test" },
  },
  test: {
    solidity: {
      fuzz: { runs: 256, seed: "0x1" },
      invariant: { runs: 64, depth: 32, failOnRevert: false },
      fsPermissions: { readFile: ["../tests/vectors/merkle/vectors.json"] },
    },
  },
});
