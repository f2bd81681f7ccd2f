/**
 * The bad-input table (test/helpers/bad-inputs.ts) through the real engine: every case fails in
 * `pulumi preview` with the message that names the field, the emulator serves no request, and nothing
 * shows Pulumi's internal unknown placeholder. Cases with unknowns also fail the same way in `pulumi up`,
 * where those values become known at apply time.
 *
 * The engine stops a run at the first resource whose check fails, so each case is its own preview; the
 * cases share two stacks (one new, one holding a promoted rotation for the forbidden transitions) and one
 * emulator, which keeps the table to one engine run per case.
 */
import { startEmulator, type RunningEmulator } from "../../emulator";
import { UNKNOWN } from "../../provider/core/engine-values";
import {
  BAD_INPUTS,
  PASTED_SECRET,
  resolveArgs,
  type BadInput,
} from "../helpers/bad-inputs";
import { E2EStack } from "../helpers/pulumi-harness";

jest.setTimeout(10 * 60_000);

let emulator: RunningEmulator;
let fresh: E2EStack;
let promoted: E2EStack;

beforeAll(async () => {
  emulator = await startEmulator();
  [fresh, promoted] = await Promise.all([
    E2EStack.create(emulator),
    E2EStack.create(emulator),
  ]);
  const before = BAD_INPUTS.find((c) => c.before)!.before!;
  await promoted.upWith([{ name: "billing", ...argsOf(before) }]);
  expect((await promoted.outputs()).info["billing"]!.status).toBe("promoted");
});

afterAll(async () => {
  await Promise.all([fresh?.dispose(), promoted?.dispose()]);
  await emulator?.close();
});

function argsOf(args: Record<string, unknown>) {
  const { m2m } = emulator.seeded!;
  return resolveArgs(
    args,
    { m2m: m2m.clientId, m2mLastFour: m2m.clientSecret!.slice(-4) },
    (value) => ({ $unknown: value }),
  );
}

/**
 * Runs `op` with the bad input committed; expects it to fail with the message that names the field (the
 * engine prints a failed check as "property <field> value … has a problem: <reason>"; a program error
 * names the argument; a refusal in diff is the resource's error), never Pulumi's unknown placeholder, and
 * no Stytch call.
 */
async function expectRefused(
  badInput: BadInput,
  op: "preview" | "up",
): Promise<void> {
  const stack = badInput.before ? promoted : fresh;
  await stack.setRotations([{ name: "billing", ...argsOf(badInput.args) }]);
  emulator.clearRequests();
  const output = await stack.failing(op);
  expect(output).toContain(
    {
      program: `unknown argument "${badInput.field}"`,
      resource: `resource 'billing' has a problem: ${badInput.field}`,
      property: `property ${badInput.field} value`,
      diff: `error: ${badInput.says}`,
    }[badInput.level ?? "property"],
  );
  expect(output).toContain(badInput.says);
  expect(output).not.toContain(UNKNOWN);
  // Not from us, and not from the engine, which prints a failed property's value.
  expect(output).not.toContain(PASTED_SECRET);
  expect(output).not.toContain("80JASucyk7z");
  expect(emulator.requests).toEqual([]);
}

test.each(BAD_INPUTS.map((c) => [c.what, c] as const))(
  "%s: pulumi preview fails naming the field, with no Stytch call",
  (_what, badInput) => expectRefused(badInput, "preview"),
);

test.each(
  BAD_INPUTS.filter((c) => JSON.stringify(c.args).includes("$unknown")).map(
    (c) => [c.what, c] as const,
  ),
)(
  "%s: pulumi up, where the unknown becomes known, fails the same way with no Stytch call",
  (_what, badInput) => expectRefused(badInput, "up"),
);

test("nothing was rotated, and the promoted rotation is as it was", () => {
  expect(fresh.rotationResources()).toEqual([]);
  const [rotation] = promoted.rotationResources();
  expect(rotation!.outputs["status"]).toBe("promoted");
  expect(emulator.getClient(emulator.seeded!.m2m.clientId)).toMatchObject({
    next_client_secret_last_four: null,
  });
});
