/**
 * **Public contract**, kept at this path for states written before the provider became a module
 * reference (`engine-provider.ts`): their `__provider` holds the provider's methods by value, and those
 * call `checkInputs`, `diffRotation`, `createRotation(settings, inputs)`, `readRotation(settings, id,
 * props)`, `updateRotation(settings, olds, news)` and `deleteRotation(settings, props)` through
 * `require("pulumi-stytch-client-secret-rotation/dist/provider/lifecycle.js")`. Refresh and destroy run
 * that old code against the installed version until the resource's next update stores the new reference,
 * so these names and signatures stay. The lifecycle itself is the core's (`core/lifecycle.ts`).
 */
export {
  checkInputs,
  createRotation,
  deleteRotation,
  diffRotation,
  readRotation,
  updateRotation,
} from "./core/lifecycle";
