// The root Pulumi program that `npm start` drives (see demo/run.ts). A real pipeline's program looks the
// same: it takes the client id from config, and a commit flips `promoted` once consumers have the secret.
"use strict";
const pulumi = require("@pulumi/pulumi");
const { ClientSecretRotation } = require("../dist/provider");

const config = new pulumi.Config();
const rotation = new ClientSecretRotation("demo-worker", {
  clientId: config.require("clientId"),
  promoted: config.getBoolean("promoted") ?? false,
});

exports.newClientSecret = rotation.newClientSecret; // a Pulumi secret: encrypted in state, masked in output
exports.newClientSecretLastFour = rotation.newClientSecretLastFour;
exports.status = rotation.status;
