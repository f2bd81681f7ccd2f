/**
 * The core's operator messages, shown by the engine with the resource they concern.
 *
 * The core writes its secret-free warnings ("promotion is blocked…", "nothing was cancelled…") with
 * `console.warn`. Under the dynamic provider the engine shows the provider process's stderr to the user;
 * a native plugin's stderr it only keeps in its own debug log (`runtrace` in
 * `pkg/resource/plugin/plugin.go` hides the output of every resource plugin that is not the dynamic
 * one). What a native plugin wants shown goes through the engine's `Log` RPC (`pulumirpc.Engine`, served
 * at the address the engine passes as the plugin's argument and in `Handshake`), with the URN of the
 * resource, so it appears under that resource as a warning.
 *
 * So the plugin replaces `console.warn` with {@link EngineLog.warn}: each protocol call runs in
 * {@link EngineLog.during}, which tells a warning which resource it belongs to (through the awaits of the
 * core, by `AsyncLocalStorage`) and waits for the engine to have every warning of the call before the
 * call answers, so that they are shown before the step's result.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { format } from "node:util";
import * as grpc from "@grpc/grpc-js";
import * as engineRpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engineProto from "@pulumi/pulumi/proto/engine_pb";

/**
 * The engine's address among the plugin's arguments: the one positional argument, after the flags the
 * engine may put before it (`buildPluginArguments` in `pkg/resource/plugin/plugin.go`).
 */
export function engineAddress(args: readonly string[]): string {
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--tracing") i++;
    else if (!arg.startsWith("-")) positional.push(arg);
  }
  return positional[0] ?? "";
}

interface CallContext {
  urn: string;
  sent: Array<Promise<void>>;
}

/** A client of the engine's `Log` RPC that knows which resource the current protocol call is about. */
export class EngineLog {
  private client: engineRpc.EngineClient | undefined;
  private readonly calls = new AsyncLocalStorage<CallContext>();

  constructor(
    /** Where a message goes when there is no engine to send it to, or sending fails. */
    private readonly fallback: (text: string) => void,
  ) {}

  /** Connects to the engine at `address` (host:port); later calls replace the connection. */
  connect(address: string): void {
    if (!address) return;
    this.client?.close();
    this.client = new engineRpc.EngineClient(
      address,
      grpc.credentials.createInsecure(),
    );
  }

  /**
   * Runs one protocol call about resource `urn`: warnings it writes are sent with that URN, and the call
   * settles only once the engine has them all.
   */
  async during<T>(urn: string, call: () => Promise<T>): Promise<T> {
    const context: CallContext = { urn, sent: [] };
    try {
      return await this.calls.run(context, call);
    } finally {
      await Promise.all(context.sent);
    }
  }

  /** A warning for the user, `console.warn`'s signature; shown with the resource of the current call. */
  readonly warn = (...args: unknown[]): void => {
    const message = format(...args);
    const context = this.calls.getStore();
    const sending = this.send(message, context?.urn ?? "");
    context?.sent.push(sending);
  };

  private send(message: string, urn: string): Promise<void> {
    const client = this.client;
    if (!client) {
      this.fallback(message);
      return Promise.resolve();
    }
    const request = new engineProto.LogRequest();
    request.setSeverity(engineProto.LogSeverity.WARNING);
    request.setMessage(message);
    request.setUrn(urn);
    return new Promise((resolve) => {
      client.log(request, (error) => {
        // The message must not be lost: the engine's debug log keeps stderr (and it is secret-free).
        if (error) this.fallback(message);
        resolve();
      });
    });
  }

  /** Closes the connection to the engine. */
  close(): void {
    this.client?.close();
    this.client = undefined;
  }
}
