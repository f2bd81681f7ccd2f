// Tests are compiled by `tsc -p tsconfig.json` into build/ first, so jest runs plain JavaScript and needs
// no TypeScript transform (no ts-jest or babel in the dependency budget).
const common = { testEnvironment: "node", transform: {}, rootDir: __dirname };

/** @type {import('jest').Config} */
module.exports = {
  // Jest's default is one worker fewer than the cores: one worker on the 2-core machines CI runs on.
  // The end-to-end files spend most of their time waiting (on the engine's start, on overlap windows,
  // on timeouts), so two files at a time finish sooner than one without starving either.
  maxWorkers: 2,
  projects: [
    {
      ...common,
      displayName: "unit",
      testMatch: [
        "<rootDir>/build/test/*.test.js",
        "<rootDir>/build/test/regressions/*.test.js",
      ],
    },
    {
      ...common,
      displayName: "e2e",
      testMatch: ["<rootDir>/build/test/e2e/*.test.js"],
      // Provides the Pulumi CLI and installs the packed package into throw-away programs, once per run.
      globalSetup: "<rootDir>/build/test/e2e/global-setup.js",
      globalTeardown: "<rootDir>/build/test/e2e/global-teardown.js",
    },
  ],
};
