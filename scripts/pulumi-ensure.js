#!/usr/bin/env node
"use strict";

// `npm run pulumi:ensure`: prints the directory of a Pulumi CLI as the last line of stdout (see the
// README's "Pulumi CLI" and scripts/pulumi-cli.ts). This file stays at this path because callers run it
// directly (demo/offline-pulumi.ts). The code is TypeScript, compiled into build/scripts by
// `npm run build:scripts`, which `npm run pulumi:ensure`, `npm test` and `npm start` run first.

const fs = require("fs");
const path = require("path");

const compiled = path.join(
  __dirname,
  "..",
  "build",
  "scripts",
  "ensure-tool.js",
);
if (!fs.existsSync(compiled)) {
  process.stderr.write(
    `[pulumi:ensure] error: ${compiled} does not exist; run \`npm run pulumi:ensure\` ` +
      "(or `npm run build:scripts` first).\n",
  );
  process.exit(1);
}
require(compiled).main("pulumi");
