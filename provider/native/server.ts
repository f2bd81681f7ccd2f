/**
 * The protocol shell of `pulumi-resource-stytch`: the `pulumirpc.ResourceProvider` gRPC service, which
 * translates each request into one call of the resource object (`client-secret-rotation.ts`, which calls
 * the core) and its answer back, and decides nothing itself.
 *
 * What it translates:
 *
 * | protocol                 | here                                                                           |
 * |--------------------------|--------------------------------------------------------------------------------|
 * | `Handshake`, `Configure` | says it accepts secrets and supports previews; keeps the engine's address      |
 * | `Configure`              | `args` / `variables` → the core's settings (credentials resolve per call)      |
 * | secrets                  | unwrapped before the core, wrapped again after (`wire.ts`); `newClientSecret`    |
 * |                          | is always returned secret                                                      |
 * | unknowns                 | passed to `check`/`diff`, which handle them; never to a call that changes Stytch |
 * | `preview` create/update  | no core call: the inputs, as the engine itself answers for a provider without    |
 * |                          | previews, so the outputs are unknown until the apply                           |
 * | errors                   | the error's message (never its stack); a create error that carries `id` and    |
 * |                          | `properties` becomes Pulumi's "created but failed" (partial failure)           |
 * | `console.warn`           | the engine's `Log`, under the resource (`engine-log.ts`)                        |
 *
 * Why not `@pulumi/pulumi`'s `provider.main`: it drops the provider configuration that `Configure`
 * receives (pulumi/pulumi#10915), and this provider's credentials arrive there.
 */
import * as grpc from "@grpc/grpc-js";
import * as providerRpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as providerProto from "@pulumi/pulumi/proto/provider_pb";
import * as pluginProto from "@pulumi/pulumi/proto/plugin_pb";
import * as statusProto from "@pulumi/pulumi/proto/status_pb";
import * as anyProto from "google-protobuf/google/protobuf/any_pb";
import * as emptyProto from "google-protobuf/google/protobuf/empty_pb";
import * as structProto from "google-protobuf/google/protobuf/struct_pb";
import type { ProviderSettings } from "../core/types";
import { secretSettingNames } from "../core/credentials";
import { fingerprintFor } from "../core/fingerprint";
import {
  FINGERPRINT_FUNCTION,
  ROTATION_TYPE,
  SECRET_OUTPUTS,
  clientSecretRotation,
  settingsFromConfig,
} from "./client-secret-rotation";
import type { EngineLog } from "./engine-log";
import {
  secretKeysOf,
  unwrapSecrets,
  wrapSecrets,
  type PropertyBag,
} from "./wire";

/** The core's problems with some inputs, as the protocol carries them. */
function checkFailures(
  failures: ReadonlyArray<{ property: string; reason: string }>,
): providerProto.CheckFailure[] {
  return failures.map(({ property, reason }) => {
    const failure = new providerProto.CheckFailure();
    failure.setProperty(property);
    failure.setReason(reason);
    return failure;
  });
}

/** What the plugin serves besides the resource. */
export interface PluginIdentity {
  /** The plugin's version, as `GetPluginInfo` reports it. */
  version: string;
  /** The package schema, as JSON text. */
  schema: string;
}

type Struct = structProto.Struct;

function bagOf(struct: Struct | undefined): PropertyBag {
  return (struct?.toJavaScript() ?? {}) as PropertyBag;
}

function structOf(bag: PropertyBag): Struct {
  return structProto.Struct.fromJavaScript(
    bag as Parameters<typeof structProto.Struct.fromJavaScript>[0],
  );
}

/** The type token of a URN (`urn:pulumi:stack::project::parent$type::name`). */
function typeOf(urn: string): string {
  const qualified = urn.split("::")[2] ?? "";
  return qualified.slice(qualified.lastIndexOf("$") + 1);
}

/** A gRPC error whose text the engine shows the user: the message only, never a stack. */
function errorStatus(error: unknown): Partial<grpc.StatusObject> {
  return {
    code: grpc.status.UNKNOWN,
    details: error instanceof Error ? error.message : "internal error",
  };
}

/**
 * Pulumi's convention for "the resource exists but its operation failed" (partial failure): the error
 * carries the resource's `id` and `properties` (and `reasons`), as the dynamic provider host
 * (`grpcResponseFromError`) reads them, so that the engine keeps the resource in the state and a later
 * run can finish or delete it. Used only when the core's error asks for it this way.
 */
function partialFailure(
  error: unknown,
  secretKeys: Iterable<string>,
): Partial<grpc.StatusObject> | undefined {
  const fields = error as {
    id?: unknown;
    properties?: unknown;
    reasons?: unknown;
  };
  if (typeof fields?.id !== "string" || fields.id === "") return undefined;
  const detail = new providerProto.ErrorResourceInitFailed();
  detail.setId(fields.id);
  const properties =
    typeof fields.properties === "object" && fields.properties !== null
      ? fields.properties
      : {};
  detail.setProperties(structOf(wrapSecrets(properties, secretKeys)));
  detail.setReasonsList(
    Array.isArray(fields.reasons) ? fields.reasons.map(String) : [],
  );
  const any = new anyProto.Any();
  any.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
  const status = new statusProto.Status();
  status.setCode(grpc.status.UNKNOWN);
  status.setMessage(errorStatus(error).details ?? "");
  status.addDetails(any);
  const metadata = new grpc.Metadata();
  metadata.add(
    "grpc-status-details-bin",
    Buffer.from(status.serializeBinary()),
  );
  return { ...errorStatus(error), metadata };
}

/**
 * The `ResourceProvider` service. Construct it with the plugin's identity and the engine log the core's
 * warnings go to; hand it to {@link serve}.
 */
export class ResourceProviderService {
  private settings: ProviderSettings = {};

  constructor(
    private readonly identity: PluginIdentity,
    private readonly log: EngineLog,
  ) {}

  /** The handlers, keyed as `ResourceProviderService` names them; the rest answer UNIMPLEMENTED. */
  handlers(): Partial<providerRpc.IResourceProviderServer> {
    return {
      handshake: this.unary(async (request) => {
        this.log.connect(request.getEngineAddress());
        const response = new providerProto.ProviderHandshakeResponse();
        response.setAcceptSecrets(true);
        return response;
      }),
      attach: this.unary(async (request) => {
        this.log.connect(request.getAddress());
        return new emptyProto.Empty();
      }),
      getPluginInfo: this.unary(async () => {
        const info = new pluginProto.PluginInfo();
        info.setVersion(this.identity.version);
        return info;
      }),
      getSchema: this.unary(async (request) => {
        if (request.getVersion() !== 0) {
          throw new Error(`unsupported schema version ${request.getVersion()}`);
        }
        const response = new providerProto.GetSchemaResponse();
        response.setSchema(this.identity.schema);
        return response;
      }),

      // Provider configuration. Nothing is validated here: every setting may come from the environment
      // instead, and a preview needs none (it never calls Stytch), so only a call that does can tell
      // that one is missing, and the core's message then names both ways to set it.
      checkConfig: this.unary(async (request) => {
        const response = new providerProto.CheckResponse();
        const news = bagOf(request.getNews());
        // The provider's inputs are stored in the state: the project secret secret whatever the stack
        // config says (as the schema declares it), and so is a project id that looks like a secret.
        response.setInputs(
          structOf(
            wrapSecrets(news, secretSettingNames(unwrapSecrets(news).values)),
          ),
        );
        return response;
      }),
      diffConfig: this.unary(async (request) => {
        const response = new providerProto.DiffResponse();
        const olds = unwrapSecrets(bagOf(request.getOldInputs())).values;
        const news = unwrapSecrets(bagOf(request.getNews())).values;
        // Never a replacement: a rotation is identified by its client, not by the credentials used to
        // reach it, and replacing the provider would replace every rotation (start anew, cancel the old).
        response.setChanges(
          sameJson(olds, news)
            ? providerProto.DiffResponse.DiffChanges.DIFF_NONE
            : providerProto.DiffResponse.DiffChanges.DIFF_SOME,
        );
        return response;
      }),
      configure: this.unary(async (request) => {
        const args = unwrapSecrets(bagOf(request.getArgs())).values;
        const variables = new Map(request.getVariablesMap().getEntryList());
        this.settings = settingsFromConfig(args, variables);
        const response = new providerProto.ConfigureResponse();
        response.setAcceptsecrets(true);
        response.setSupportspreview(true);
        return response;
      }),

      check: this.resourceCall(async (request) => {
        const olds = unwrapSecrets(bagOf(request.getOlds()));
        const news = unwrapSecrets(bagOf(request.getNews()));
        const result = clientSecretRotation.check(olds.values, news.values);
        const response = new providerProto.CheckResponse();
        response.setInputs(
          structOf(wrapSecrets(result.inputs ?? {}, news.secretKeys)),
        );
        response.setFailuresList(checkFailures(result.failures ?? []));
        return response;
      }),
      diff: this.resourceCall(async (request) => {
        const olds = unwrapSecrets(bagOf(request.getOlds()));
        const news = unwrapSecrets(bagOf(request.getNews()));
        const result = clientSecretRotation.diff(
          this.settings,
          olds.values,
          news.values,
        );
        const response = new providerProto.DiffResponse();
        response.setChanges(
          result.changes === true
            ? providerProto.DiffResponse.DiffChanges.DIFF_SOME
            : result.changes === false
              ? providerProto.DiffResponse.DiffChanges.DIFF_NONE
              : providerProto.DiffResponse.DiffChanges.DIFF_UNKNOWN,
        );
        response.setReplacesList([...(result.replaces ?? [])]);
        response.setStablesList([...(result.stables ?? [])]);
        response.setDeletebeforereplace(result.deleteBeforeReplace === true);
        return response;
      }),
      create: this.resourceCall(async (request) => {
        const inputs = unwrapSecrets(bagOf(request.getProperties()));
        const secrets = secretKeysOf(inputs);
        const response = new providerProto.CreateResponse();
        if (request.getPreview()) {
          response.setProperties(structOf(wrapSecrets(inputs.values, secrets)));
          return response;
        }
        try {
          const result = await clientSecretRotation.create(
            this.settings,
            inputs.values,
          );
          response.setId(result.id);
          response.setProperties(structOf(this.outputs(result.outs, secrets)));
          return response;
        } catch (error) {
          throw new ProtocolError(
            partialFailure(error, [...secrets, ...SECRET_OUTPUTS]),
            error,
          );
        }
      }),
      read: this.resourceCall(async (request) => {
        const props = unwrapSecrets(bagOf(request.getProperties()));
        const inputs = unwrapSecrets(bagOf(request.getInputs()));
        const result = await clientSecretRotation.read(
          this.settings,
          request.getId(),
          request.hasProperties() ? props.values : undefined,
        );
        const response = new providerProto.ReadResponse();
        response.setId(result.id ?? "");
        if (result.props) {
          response.setProperties(
            structOf(this.outputs(result.props, secretKeysOf(props, inputs))),
          );
        }
        if (result.inputs) {
          response.setInputs(
            structOf(wrapSecrets(result.inputs, inputs.secretKeys)),
          );
        }
        return response;
      }),
      update: this.resourceCall(async (request) => {
        const olds = unwrapSecrets(bagOf(request.getOlds()));
        const news = unwrapSecrets(bagOf(request.getNews()));
        const secrets = secretKeysOf(olds, news);
        const response = new providerProto.UpdateResponse();
        if (request.getPreview()) {
          response.setProperties(structOf(wrapSecrets(news.values, secrets)));
          return response;
        }
        const result = await clientSecretRotation.update(
          this.settings,
          olds.values,
          news.values,
        );
        response.setProperties(structOf(this.outputs(result.outs, secrets)));
        return response;
      }),
      delete: this.resourceCall(async (request) => {
        const props = unwrapSecrets(bagOf(request.getProperties()));
        await clientSecretRotation.delete(this.settings, props.values);
        return new emptyProto.Empty();
      }),

      // Functions: `stytch:index:secretFingerprint`, for consumers in every language. The result is not
      // secret (a fingerprint reveals nothing cheaper than scrypt to guess against); an SDK still marks it
      // secret when its argument was, and a consumer that exports it unmarks it.
      invoke: this.unary(async (request) => {
        if (request.getTok() !== FINGERPRINT_FUNCTION) {
          throw new Error(`unknown function ${request.getTok()}`);
        }
        const result = fingerprintFor(
          unwrapSecrets(bagOf(request.getArgs())).values,
        );
        const response = new providerProto.InvokeResponse();
        if ("failures" in result) {
          response.setFailuresList(checkFailures(result.failures));
        } else {
          response.setReturn(structOf(result));
        }
        return response;
      }),

      // The engine asks running operations to stop (Ctrl-C). A rotate call in flight is left to finish:
      // abandoning it would turn a clean answer into the ambiguous case the core then has to reconcile.
      cancel: this.unary(async () => new emptyProto.Empty()),
    };
  }

  /** The outputs of the resource as the engine stores them: the secret ones wrapped. */
  private outputs(outs: object | undefined, inputSecrets: Set<string>) {
    return wrapSecrets(outs ?? {}, [...inputSecrets, ...SECRET_OUTPUTS]);
  }

  /** A call about one resource: only ours, with the core's warnings shown under it. */
  private resourceCall<
    Request extends { getUrn(): string; getType(): string },
    Response,
  >(
    handle: (request: Request) => Promise<Response>,
  ): grpc.handleUnaryCall<Request, Response> {
    return this.unary((request) => {
      const urn = request.getUrn();
      const type = request.getType() || typeOf(urn);
      if (type !== ROTATION_TYPE) {
        return Promise.reject(new Error(`unknown resource type ${type}`));
      }
      return this.log.during(urn, () => handle(request));
    });
  }

  private unary<Request, Response>(
    handle: (request: Request) => Promise<Response>,
  ): grpc.handleUnaryCall<Request, Response> {
    return (call, callback) => {
      handle(call.request).then(
        (response) => callback(null, response),
        (error: unknown) =>
          callback(
            error instanceof ProtocolError && error.status
              ? error.status
              : errorStatus(
                  error instanceof ProtocolError ? error.cause : error,
                ),
          ),
      );
    };
  }
}

/** An error with the gRPC status to answer it with, when that is more than the message. */
class ProtocolError extends Error {
  constructor(
    readonly status: Partial<grpc.StatusObject> | undefined,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : "internal error");
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sorted((value as PropertyBag)[key])]),
    );
  }
  return value;
}

/**
 * Serves `service` on an ephemeral loopback port and returns the port, which the plugin prints as its
 * first line of standard output: the engine's handshake.
 */
export async function serve(
  service: ResourceProviderService,
): Promise<{ port: number; server: grpc.Server }> {
  const server = new grpc.Server({
    // The limit the Node.js SDK's own provider server sets (`maxRPCMessageSize` in `runtime/settings`).
    "grpc.max_receive_message_length": 400 * 1024 * 1024,
  });
  server.addService(
    providerRpc.ResourceProviderService,
    service.handlers() as grpc.UntypedServiceImplementation,
  );
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(
      "127.0.0.1:0",
      grpc.ServerCredentials.createInsecure(),
      (error, bound) => (error ? reject(error) : resolve(bound)),
    );
  });
  return { port, server };
}
