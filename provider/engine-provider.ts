/**
 * The provider that every {@link ClientSecretRotation} hands the Pulumi engine. This module's exports ARE
 * that provider: one {@link ClientSecretRotationProvider} per process.
 *
 * Why a module: the engine stores the provider in every resource's state (`__provider`, in its inputs and
 * its outputs) as code that Pulumi's closure serializer writes. It writes a local object's methods by
 * value, but an object that is an installed module's exports as one `require` of that module. So the
 * state holds a few hundred bytes, the same for every resource:
 *
 * ```js
 * exports.handler = __f0;
 * function __f0() { … with({ provider: require("pulumi-stytch-client-secret-rotation/dist/provider/engine-provider.js") … }) { return () => provider; } … }
 * ```
 *
 * It carries no code and no setting (only `configure`, inside the provider process, fills the instance),
 * and every deploy, refresh and destroy runs the installed version's logic. A single instance also lets
 * the SDK serialize it once per program run (its cache is keyed by the provider object).
 *
 * **Public contract**: states written by this package `require` this module path and call the provider
 * methods of its exports (`configure`, `check`, `diff`, `create`, `read`, `update`, `delete`). Keep both
 * for as long as such states may exist. (States written before it, whose `__provider` holds the methods by
 * value, `require` `dist/provider/lifecycle.js` instead: see there.)
 */
import { ClientSecretRotationProvider } from "./dynamic/provider";

export = new ClientSecretRotationProvider();
