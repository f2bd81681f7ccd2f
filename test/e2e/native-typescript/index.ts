// The TypeScript program of the native plugin's end-to-end tests: rotations declared with the generated
// TypeScript SDK (`sdk/nodejs`, the package `pulumi-stytch`), which the e2e global setup compiles with tsc,
// packs, and installs here as a user installs a local package before it is published. Nothing of this
// repository's own package is installed: everything the resource does comes from the plugin
// `pulumi-resource-stytch`, and the SDK alone makes `newClientSecret` secret in the program.
//
// The rotations come from the `rotations` stack config (a JSON list of the SDK's arguments plus a
// `name`), so a test commits a change with `pulumi config set` between runs. The exports are those of the
// YAML and Go programs of the same tests: `<name>Secret`, and `info` with the public outputs by name.
import * as pulumi from "@pulumi/pulumi";
import * as stytch from "pulumi-stytch";

interface RotationSpec extends stytch.ClientSecretRotationArgs {
  name: string;
}

const config = new pulumi.Config();
const rotations = JSON.parse(config.get("rotations") ?? "[]") as RotationSpec[];

const outputs: Record<string, unknown> = {};
const info: Record<string, unknown> = {};
for (const { name, ...args } of rotations) {
  const rotation = new stytch.ClientSecretRotation(name, args);
  outputs[`${name}Secret`] = rotation.newClientSecret;
  info[name] = {
    clientId: rotation.clientId,
    lastFour: rotation.newClientSecretLastFour,
    status: rotation.status,
    id: rotation.id,
    ...(args.promoteAfter === undefined
      ? {}
      : { promoteDueAt: rotation.promoteDueAt }),
  };
}
outputs["info"] = info;

export = outputs;
