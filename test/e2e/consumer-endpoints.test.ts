/**
 * Evidence from running consumers through `pulumi`: a rotation's `consumerEndpoints` hold its promotion
 * until every running consumer reports the new secret's fingerprint. The example's consumer
 * (`examples/autopilot/service`, a real Node.js process with the packed package's handler) holds it while
 * it serves the old secret, also after its stack was given the new one, and releases it once restarted
 * onto the new secret. Endpoints that are down, slow, redirect or answer garbage hold it too, and the `up`
 * says which and why; `pulumi preview` asks none of them; a removal is refused while one holds the pending
 * secret.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ENDPOINT_TIMEOUT_MS } from "../../provider/core/consumer-endpoints";
import { fingerprintOf } from "../../provider/core/fingerprint";
import { fingerprintHandler } from "../../provider/consumer";
import { expectFreeOfSecrets, stytchCalls } from "../helpers/harness";
import { startListener, type Listener } from "../helpers/listener";
import {
  autopilotExampleStacks,
  e2eContext,
  expectNextUpPromotes,
  useE2E,
  type E2EStack,
  type RotationSpec,
} from "../helpers/pulumi-harness";
import { stringContaining } from "../helpers/matchers";

const { emulator, newStack } = useE2E();

const listeners: Listener[] = [];
const services: ChildProcess[] = [];
afterEach(async () => {
  for (const listener of listeners.splice(0)) await listener.close();
  for (const child of services.splice(0)) child.kill("SIGKILL");
});
async function listen(handler?: Parameters<typeof startListener>[0]) {
  const listener = await startListener(handler);
  listeners.push(listener);
  return listener;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A running consumer in this test's process: the package's handler over the secret it uses now, which
 * `use` changes (as a restart onto another secret would).
 */
async function runningConsumer(clientId: string, inUse?: string) {
  let secret = inUse;
  const listener = await listen(
    fingerprintHandler({ clientId, secret: () => secret }),
  );
  return {
    listener,
    use: (next: string) => {
      secret = next;
    },
  };
}

/** Neither the stack's persisted files nor anything the engine printed holds one of `secrets`. */
function expectStackFreeOf(
  stack: E2EStack,
  secrets: Array<string | null | undefined>,
): void {
  expectFreeOfSecrets(
    stack.persistedText() + stack.engineOutput.join("\n"),
    secrets,
  );
}

/** The example's consumer service, started as its README says, with what it printed. */
interface Service {
  url: string;
  port: number;
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts `examples/autopilot/service/index.ts` from the installed example (so it imports the packed
 * package's `/consumer`) with `secret` in the file it reads at start, on `port` (0: any free one).
 */
async function startService(
  clientId: string,
  secret: string,
  port: number,
): Promise<Service> {
  const exampleDir = path.dirname(e2eContext().programs.autopilotRotation);
  const secretFile = path.join(
    fs.mkdtempSync(path.join(e2eContext().workRoot, "service-")),
    "billing-worker.secret",
  );
  fs.writeFileSync(secretFile, secret, { mode: 0o600 });
  const child = spawn(process.execPath, ["service/index.ts"], {
    cwd: exampleDir,
    env: {
      PATH: process.env["PATH"],
      BILLING_WORKER_CLIENT_ID: clientId,
      BILLING_WORKER_SECRET_FILE: secretFile,
      PORT: String(port),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  services.push(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const poll = setInterval(() => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearInterval(poll);
        resolve(match[1]!);
      }
    }, 50);
    child.on("exit", (code) => {
      clearInterval(poll);
      reject(
        new Error(
          `the service exited (${String(code)}) before listening: ${output}`,
        ),
      );
    });
  });
  return {
    url,
    port: Number(new URL(url).port),
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        child.on("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

test("examples/autopilot: the running consumer holds the promotion until it restarts onto the new secret, even after its stack was given it", async () => {
  const emu = emulator();
  const { m2m } = emu.seeded!;
  const { consumer, rotation } = await autopilotExampleStacks(newStack, m2m);
  // The deploy step: the secret this stack deployed, into the file the service reads at start.
  const deployed = async () =>
    String((await consumer.stack.outputs())["billingWorkerSecret"]!.value);
  let service = await startService(m2m.clientId, await deployed(), 0);
  const endpoint = `${service.url}/stytch-fingerprint`;

  await rotation.stack.setAllConfig({
    billingWorkerClientId: { value: m2m.clientId },
    promoteAfter: { value: "3s" },
    rotateEvery: { value: "1h" },
    maxPendingAge: { value: "1h" },
    consumerStacks: { value: JSON.stringify([consumer.referenceName]) },
    consumerEndpoints: { value: JSON.stringify([endpoint]) },
  });
  await rotation.up();
  const schedule = async () =>
    (await rotation.stack.outputs())["billingWorker"]!.value as Record<
      string,
      string
    >;
  const started = await schedule();
  await pause(Date.parse(started["promoteDueAt"]!) - Date.now() + 100);

  // The consumer's stack takes the new secret: its fingerprint output passes the stack-level gate, but the
  // process still runs on the old secret, and says so.
  await consumer.stack.setConfig("rotationStack", {
    value: rotation.referenceName,
  });
  await consumer.up();
  expect(
    (await consumer.stack.outputs())["billingWorkerFingerprint"]!.value,
  ).toBe(started["fingerprint"]);
  emu.clearRequests();
  const held = await rotation.up();
  const line = `consumerEndpoints[0] (${service.url}) reports ${fingerprintOf(m2m.clientSecret!, m2m.clientId)}`;
  expect(held.stdout + held.stderr).toContain(line);
  expect(emu.requests).toEqual([]);
  expect(await schedule()).toMatchObject({
    status: "pending",
    promotionBlockedBy: stringContaining(line),
  });
  expect(emu.verifySecret(m2m.clientId, m2m.clientSecret!)).toBe("current");

  // The restart onto what the stack deployed, on the same address: the next up promotes.
  await service.stop();
  service = await startService(m2m.clientId, await deployed(), service.port);
  await expectNextUpPromotes(emu, rotation);
  expect(await schedule()).toMatchObject({
    status: "promoted",
    promotionBlockedBy: "",
  });
  expect(emu.verifySecret(m2m.clientId, m2m.clientSecret!)).toBe("invalid");

  const newSecret = await deployed();
  expect(emu.verifySecret(m2m.clientId, newSecret)).toBe("current");
  expectFreeOfSecrets(
    rotation.persistedText() +
      consumer.persistedText() +
      rotation.engineOutput.join("\n") +
      consumer.engineOutput.join("\n") +
      service.output(),
    [newSecret, m2m.clientSecret, emu.projectSecret],
  );
});

/** What the fixture's rotation is, with `consumerEndpoints`, in each step below. */
function withEndpoints(clientId: string, endpoints: string[]): RotationSpec[] {
  return [
    {
      name: "billing",
      clientId,
      promoteAfter: "1s",
      maxPendingAge: "1h",
      consumerEndpoints: endpoints,
    },
  ];
}

test("an endpoint that is down, slow, redirects or answers garbage holds the promotion, and the up says which and why; preview asks none", async () => {
  const emu = emulator();
  const { m2m } = emu.seeded!;
  const stack: E2EStack = await newStack();
  // A running consumer in this process; it has no secret until the rotation has started.
  const running = await runningConsumer(m2m.clientId);
  const good = running.listener;
  await stack.setRotations(withEndpoints(m2m.clientId, [good.url]));
  await stack.up();
  const { secrets, info } = await stack.outputs();
  const secret = secrets["billing"]!;
  running.use(secret);
  await pause(Date.parse(info["billing"]!.promoteDueAt!) - Date.now() + 100);
  const newFingerprint = fingerprintOf(secret, m2m.clientId);

  const elsewhere = await listen();
  const down = await startListener();
  await down.close();
  const faulty: Array<[string, Listener | string, string]> = [
    ["down", down.url, "could not be reached (ECONNREFUSED)"],
    [
      "slow",
      await listen(() => undefined),
      `did not answer within ${ENDPOINT_TIMEOUT_MS} ms`,
    ],
    [
      "redirecting",
      await listen((_req, res) => {
        res.writeHead(302, { location: `${elsewhere.url}/stytch-fingerprint` });
        res.end();
      }),
      `answered 302 with a redirect to host ${new URL(elsewhere.url).host}, which is not followed`,
    ],
    [
      "garbage",
      await listen((_req, res) => res.end("<html>ok</html>")),
      "answered 200 with 15 characters that are not JSON, not a fingerprint report",
    ],
  ];
  for (const [what, endpoint, why] of faulty) {
    const url = typeof endpoint === "string" ? endpoint : endpoint.url;
    await stack.setRotations(
      withEndpoints(m2m.clientId, [good.url, `${url}/stytch-fingerprint`]),
    );
    const asked = good.received.length;
    emu.clearRequests();
    await stack.preview();
    expect({ what, asked: good.received.length - asked }).toEqual({
      what,
      asked: 0,
    });
    if (typeof endpoint !== "string") expect(endpoint.received).toEqual([]);

    const held = await stack.up();
    const output = held.stdout + held.stderr;
    expect({ what, line: output }).toEqual({
      what,
      line: stringContaining(
        `consumer endpoints have not switched: consumerEndpoints[1] (${new URL(url).origin}) ${why}, not the new secret's ${newFingerprint} (1 of 2 behind)`,
      ),
    });
    expect(emu.requests).toEqual([]);
    expect((await stack.outputs()).info["billing"]).toMatchObject({
      status: "pending",
      promotionBlockedBy: stringContaining(why),
    });
  }
  // Nothing ever reached the host the redirect named.
  expect(elsewhere.received).toEqual([]);

  // Only the running consumer left, which holds the new secret: the next up promotes.
  await stack.setRotations(withEndpoints(m2m.clientId, [good.url]));
  await expectNextUpPromotes(emu, stack);
  expect((await stack.outputs()).info["billing"]!.status).toBe("promoted");
  expectStackFreeOf(stack, [secret, m2m.clientSecret, emu.projectSecret]);
});

test("removing a pending rotation is refused while a running consumer reports holding its secret, with no Stytch call", async () => {
  const emu = emulator();
  const { m2m } = emu.seeded!;
  const stack = await newStack();
  const running = await runningConsumer(m2m.clientId);
  const consumer = running.listener;
  const spec = {
    name: "billing",
    clientId: m2m.clientId,
    consumerEndpoints: [consumer.url],
  };
  const secret = (await stack.upWith([spec]))["billing"]!;
  running.use(secret);

  await stack.setRotations([]);
  const asked = consumer.received.length;
  await stack.preview();
  expect(consumer.received.length).toBe(asked);
  emu.clearRequests();
  const refused = await stack.failing("up");
  expect(refused).toContain(
    `consumerEndpoints[0] (${consumer.url}) reports holding it`,
  );
  expect(refused).toContain("Nothing was changed at Stytch");
  expect(emu.requests).toEqual([]);
  expect(emu.verifySecret(m2m.clientId, secret)).toBe("next");

  // The consumer moved back to the current secret: the removal cancels the rotation.
  running.use(m2m.clientSecret!);
  emu.clearRequests();
  await stack.up();
  expect(stytchCalls(emu)).toEqual(["GET client", "POST rotate/cancel"]);
  expect(emu.verifySecret(m2m.clientId, secret)).toBe("invalid");
  expectStackFreeOf(stack, [secret, m2m.clientSecret, emu.projectSecret]);
});

test("the native plugin: a running consumer on the old secret holds the promotion, and releases it once it serves the new one", async () => {
  const emu = emulator();
  const { m2m } = emu.seeded!;
  const stack = await newStack({ program: "native", withPlugin: true });
  // The running consumer still uses the secret it started with.
  const running = await runningConsumer(m2m.clientId, m2m.clientSecret!);
  const consumer = running.listener;
  const endpoint = `${consumer.url}/stytch-fingerprint`;
  await stack.setRotations(withEndpoints(m2m.clientId, [endpoint]));
  await stack.up();
  const secret = (await stack.outputs()).secrets["billing"]!;
  // promoteAfter is 1s: past it, the next up tries to promote.
  await pause(1_100);

  const asked = consumer.received.length;
  await stack.preview();
  expect(consumer.received.length).toBe(asked);

  emu.clearRequests();
  const held = await stack.up();
  expect(held.stdout + held.stderr).toContain(
    `consumerEndpoints[0] (${consumer.url}) reports ${fingerprintOf(m2m.clientSecret!, m2m.clientId)}, not the new secret's ${fingerprintOf(secret, m2m.clientId)}`,
  );
  expect(emu.requests).toEqual([]);
  expect((await stack.outputs()).info["billing"]!.status).toBe("pending");

  running.use(secret);
  await expectNextUpPromotes(emu, stack);
  expect((await stack.outputs()).info["billing"]!.status).toBe("promoted");
  expect(emu.verifySecret(m2m.clientId, secret)).toBe("current");
  expectStackFreeOf(stack, [secret, m2m.clientSecret, emu.projectSecret]);
});
