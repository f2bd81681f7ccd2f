// End-to-end program of the native plugin: `stytch:index:ClientSecretRotation` registered by its type token
// alone, with no generated SDK and nothing of this repository's package, so that everything the resource
// does comes from the plugin `pulumi-resource-stytch` and its provider configuration (`stytch:*`). The
// plugin alone makes `newClientSecret` secret: no `additionalSecretOutputs` here.
//
// Like the dynamic fixture (test/e2e/fixture), the rotations come from the `rotations` stack config (a
// JSON list), so a test drives the lifecycle with `pulumi config set` between `pulumi up`s. A rotation's
// `$aliases` become its `aliases` option (e.g. the dynamic resource's type, to take over its state).
import * as pulumi from "@pulumi/pulumi";

interface RotationSpec {
  name: string;
  $aliases?: pulumi.Alias[];
  [argument: string]: unknown;
}

// The outputs the program reads; naming them as `undefined` props makes them the resource's properties.
const OUTPUTS = [
  "clientId",
  "status",
  "newClientSecret",
  "newClientSecretLastFour",
] as const;

/** The resource by its type token; `CustomResource` is abstract, so a subclass that adds nothing. */
class Rotation extends pulumi.CustomResource {
  declare readonly clientId: pulumi.Output<string>;
  declare readonly status: pulumi.Output<string>;
  declare readonly newClientSecret: pulumi.Output<string>;
  declare readonly newClientSecretLastFour: pulumi.Output<string>;

  constructor(
    name: string,
    args: Record<string, unknown>,
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(
      "stytch:index:ClientSecretRotation",
      name,
      {
        ...Object.fromEntries(OUTPUTS.map((output) => [output, undefined])),
        ...args,
      },
      opts,
    );
  }
}

const config = new pulumi.Config();
const rotations = JSON.parse(config.get("rotations") ?? "[]") as RotationSpec[];

const outputs: Record<string, unknown> = {};
const info: Record<string, unknown> = {};
for (const { name, $aliases, ...args } of rotations) {
  const rotation = new Rotation(name, args, { aliases: $aliases });
  // One top-level output per secret, as a pipeline would export it: `pulumi stack output` masks it whole.
  outputs[`${name}Secret`] = rotation.newClientSecret;
  info[name] = {
    clientId: rotation.clientId,
    lastFour: rotation.newClientSecretLastFour,
    status: rotation.status,
    id: rotation.id,
  };
}
outputs["info"] = info;

export = outputs;
