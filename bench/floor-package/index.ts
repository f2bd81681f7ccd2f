/**
 * The bench's floor: `NoopRotation`, a dynamic resource with the inputs and outputs of
 * `ClientSecretRotation` (the same names, types and sizes, the new secret a secret output) whose provider
 * answers every method at once and makes no call. It is what any dynamic resource of that shape costs
 * the engine, so `npm run bench` divides our times by its times.
 *
 * It is written the way Pulumi's documentation writes a dynamic provider: one object at module level,
 * shared by every resource, its methods self-contained, so Pulumi serializes it by value once per program
 * run. The bench compiles it (`tsc -p tsconfig.json`, like the rest of `bench/`), packs it with
 * `npm pack` and installs the tarball into a copy of the end-to-end fixture program as
 * `pulumi-stytch-client-secret-rotation`, which is why it also exports the class under that name.
 */
import * as pulumi from "@pulumi/pulumi";

/** The inputs after `check`, as `ClientSecretRotation` has them. */
interface NoopInputs {
  clientId: string;
  clientKind: string;
  promoted: boolean;
  triggers: Record<string, unknown>;
}

/** The outputs, as `ClientSecretRotation` has them. */
interface NoopOutputs extends NoopInputs {
  status: "pending" | "promoted";
  newClientSecret: string;
  newClientSecretLastFour: string;
  previousClientSecretLastFour: string;
}

// Methods reference nothing outside themselves (no module, no helper), so the serialized provider holds
// only their code: the smallest form a by-value dynamic provider of this shape can take.
const noopProvider: pulumi.dynamic.ResourceProvider<NoopInputs, NoopOutputs> = {
  async check(_olds, news) {
    return {
      inputs: {
        clientId: news.clientId,
        clientKind: news.clientKind ?? "m2m",
        promoted: news.promoted ?? false,
        triggers: news.triggers ?? {},
      },
    };
  },
  async diff(_id, olds, news) {
    const replaces = (["clientId", "clientKind", "triggers"] as const).filter(
      (key) => JSON.stringify(olds[key]) !== JSON.stringify(news[key]),
    );
    const changes = replaces.length > 0 || olds.promoted !== news.promoted;
    return { changes, replaces, deleteBeforeReplace: replaces.length > 0 };
  },
  async create(inputs) {
    // As long as a Stytch client secret (44 characters), made here instead of by a call.
    let secret = "";
    while (secret.length < 44) secret += Math.random().toString(36).slice(2);
    secret = secret.slice(0, 44);
    return {
      id: `${inputs.clientId}:${secret.slice(-4)}`,
      outs: {
        ...inputs,
        status: inputs.promoted ? "promoted" : "pending",
        newClientSecret: secret,
        newClientSecretLastFour: secret.slice(-4),
        previousClientSecretLastFour: "0000",
      },
    };
  },
  async read(id, props) {
    return { id, props };
  },
  async update(_id, olds, news) {
    return {
      outs: {
        ...olds,
        ...news,
        status: news.promoted ? "promoted" : "pending",
      },
    };
  },
  async delete() {},
};

/** The arguments, as `ClientSecretRotation` takes them. */
export interface NoopRotationArgs {
  clientId: pulumi.Input<string>;
  clientKind?: pulumi.Input<string>;
  promoted?: pulumi.Input<boolean>;
  triggers?: pulumi.Input<Record<string, pulumi.Input<unknown>>>;
}

/** A `ClientSecretRotation` look-alike whose provider makes no call. */
export class NoopRotation extends pulumi.dynamic.Resource {
  declare public readonly newClientSecret: pulumi.Output<string>;
  declare public readonly newClientSecretLastFour: pulumi.Output<string>;
  declare public readonly previousClientSecretLastFour: pulumi.Output<string>;
  declare public readonly status: pulumi.Output<string>;
  declare public readonly clientId: pulumi.Output<string>;
  declare public readonly clientKind: pulumi.Output<string>;
  declare public readonly promoted: pulumi.Output<boolean>;
  declare public readonly triggers: pulumi.Output<Record<string, unknown>>;

  constructor(
    name: string,
    args: NoopRotationArgs,
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(
      noopProvider,
      name,
      {
        clientId: args.clientId,
        clientKind: args.clientKind,
        promoted: args.promoted,
        triggers: args.triggers,
        status: undefined,
        newClientSecret: undefined,
        newClientSecretLastFour: undefined,
        previousClientSecretLastFour: undefined,
      },
      pulumi.mergeOptions(opts, {
        additionalSecretOutputs: ["newClientSecret"],
      }),
      "bench",
      "NoopRotation",
    );
  }
}

/** The name the end-to-end fixture program requires, so the bench drives the same program on both. */
export { NoopRotation as ClientSecretRotation };
