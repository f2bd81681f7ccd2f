/**
 * The engine's side of the provider boundary, for unit tests.
 *
 * Pulumi's Node.js dynamic-provider host (`@pulumi/pulumi/cmd/dynamic-provider/index.js`) converts every
 * argument it hands the provider from a protobuf `Struct`, and every result back into one with
 * `Struct.fromJavaScript`, adding `__provider` to inputs and outputs. A result that conversion cannot
 * carry (an `undefined` anywhere in `check`'s inputs, say) makes the user's `pulumi preview` print
 * `Unexpected struct type.` instead of our message. {@link throughEngineWire} puts the same conversion,
 * from the same library the host loads, around a provider: tests see only what the engine would carry, and
 * a result it could not carry fails the test as it would fail the user's deploy.
 */
import { createRequire } from "node:module";
import type * as structPb from "google-protobuf/google/protobuf/struct_pb";
import type {
  ClientSecretRotationInputs,
  ClientSecretRotationOutputs,
  ClientSecretRotationProvider,
} from "../../provider";

// The copy of google-protobuf that @pulumi/pulumi itself resolves, i.e. the one the host uses.
const { Struct } = createRequire(
  require.resolve("@pulumi/pulumi/package.json"),
)("google-protobuf/google/protobuf/struct_pb") as typeof structPb;

const PROVIDER_KEY = "__provider";
/** Stands for the serialized provider that the engine keeps beside every resource's inputs and outputs. */
const SERIALIZED_PROVIDER = "exports.handler = __provider;";

/** A provider as the engine sees it: the same methods, with every argument and result carried by protobuf. */
export type EngineCarriedProvider = Pick<
  ClientSecretRotationProvider,
  "configure" | "check" | "diff" | "create" | "read" | "update" | "delete"
>;

/**
 * Wraps `provider` so that every call goes through the host's serialization both ways. Arguments are
 * converted too, so a test cannot hand the provider what the engine never sends (`undefined` values).
 */
export function throughEngineWire(
  provider: ClientSecretRotationProvider,
): EngineCarriedProvider {
  return {
    configure: (req) => provider.configure(req),
    async check(olds, news) {
      const result = await provider.check(fromEngine(olds), fromEngine(news));
      // The host replaces the inputs with the provider's and puts `__provider` back (checkRPC).
      const inputs = carried(
        { ...(result.inputs ?? news), [PROVIDER_KEY]: SERIALIZED_PROVIDER },
        "check inputs",
      );
      return {
        inputs: withoutProviderKey(inputs) as ClientSecretRotationInputs,
        ...(result.failures && result.failures.length > 0
          ? {
              failures: result.failures.map(({ property, reason }) => ({
                property: String(property),
                reason: String(reason),
              })),
            }
          : {}),
      };
    },
    async diff(id, olds, news) {
      const result = await provider.diff(
        id,
        fromEngine(olds),
        fromEngine(news),
      );
      // diffRPC reads exactly these fields, by type.
      return {
        changes: result.changes,
        replaces: [...(result.replaces ?? [])].map(String),
        deleteBeforeReplace: result.deleteBeforeReplace === true,
      };
    },
    async create(inputs) {
      const result = await provider.create(fromEngine(inputs));
      return {
        id: String(result.id),
        outs: outputsCarried(result.outs, "create outputs"),
      };
    },
    async read(id, props) {
      const result = await provider.read(
        id,
        props === undefined ? undefined : fromEngine(props),
      );
      return {
        id: String(result.id),
        ...(result.props === undefined
          ? {}
          : { props: outputsCarried(result.props, "read properties") }),
        ...(result.inputs === undefined
          ? {}
          : { inputs: outputsCarried(result.inputs, "read inputs") }),
      };
    },
    async update(id, olds, news) {
      const result = await provider.update(
        id,
        fromEngine(olds),
        fromEngine(news),
      );
      return { outs: outputsCarried(result.outs, "update outputs") };
    },
    delete: (id, props) => provider.delete(id, fromEngine(props)),
  };
}

/** What a value looks like after the engine carried it; throws the host's error if it cannot. */
export function carried<T>(value: T, what: string): T {
  try {
    return Struct.fromJavaScript(
      value as Record<string, structPb.JavaScriptValue>,
    ).toJavaScript() as T;
  } catch (error) {
    throw new Error(
      `the engine cannot carry the ${what} (${String(error)}): ${JSON.stringify(value, (_k, v: unknown) => (v === undefined ? "<undefined>" : v))}`,
    );
  }
}

function fromEngine<T>(value: T): T {
  return carried(value, "arguments the test gave");
}

function outputsCarried<
  T extends Partial<ClientSecretRotationOutputs> | undefined,
>(outs: T, what: string): T {
  // resultIncludingProvider: the host adds `__provider` to whatever the provider returned, `{}` for none.
  const withProvider = carried(
    { ...(outs ?? {}), [PROVIDER_KEY]: SERIALIZED_PROVIDER },
    what,
  );
  return withoutProviderKey(withProvider) as unknown as T;
}

function withoutProviderKey<T extends object>(value: T): T {
  const { [PROVIDER_KEY]: _serialized, ...rest } = value as Record<
    string,
    unknown
  >;
  return rest as T;
}
