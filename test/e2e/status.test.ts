/**
 * `stytch-rotation status` as users run it: the `bin` of the packed package, installed in a program, with
 * the `pulumi` CLI on PATH and the backend's environment, and no passphrase (it reads the stacks with
 * `pulumi stack export`, secrets left encrypted). Against several real stacks on one file backend: the
 * dynamic resource and the native plugin, a rotation from before the autopilot outputs, a scheduled one,
 * a promoted one, a blocked one and an overdue one. Checks the table, the `--json` report against the
 * JSON Schema the package ships (with ajv), every exit code, the progress lines, and that nothing printed
 * is a secret.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { fingerprintOf } from "../../provider/core/fingerprint";
import { STATUS_EXIT_CODES, type StatusReport } from "../../cli/status";
import { expectFreeOfSecrets } from "../helpers/harness";
import { stringContaining } from "../helpers/matchers";
import { e2eContext, useE2E, type E2EStack } from "../helpers/pulumi-harness";

const { emulator, newStack } = useE2E();

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface StatusRun {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/**
 * Runs the installed `stytch-rotation` bin with `args`, as an operator or a cron job would: `pulumi` on
 * PATH, the stacks' backend and PULUMI_HOME, and no passphrase. `cwd` defaults to a directory that holds
 * no Pulumi project.
 */
function runStatus(
  on: E2EStack,
  args: string[],
  cwd = e2eContext().workRoot,
): Promise<StatusRun> {
  const { cliDir, programs } = e2eContext();
  const bin = path.join(
    programs.newest,
    "node_modules",
    ".bin",
    "stytch-rotation",
  );
  const envVars = on.stack.workspace.envVars;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ["status", ...args], {
      cwd,
      env: {
        PATH: [
          cliDir,
          path.dirname(process.execPath),
          process.env["PATH"],
        ].join(path.delimiter),
        PULUMI_BACKEND_URL: envVars["PULUMI_BACKEND_URL"],
        PULUMI_HOME: envVars["PULUMI_HOME"],
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({ code, stdout, stderr, seconds: (Date.now() - started) / 1000 }),
    );
  });
}

/** The schema the package ships, as installed. */
function installedSchema(): object {
  const file = path.join(
    e2eContext().programs.newest,
    "node_modules",
    "pulumi-stytch-client-secret-rotation",
    "dist",
    "cli",
    "status-report.schema.json",
  );
  return JSON.parse(fs.readFileSync(file, "utf8")) as object;
}

test("reads dynamic and native rotations from several stacks: table, --json against the shipped schema, exit codes, no secret", async () => {
  const emu = emulator();
  const { m2m, connectedApp } = emu.seeded!;
  const scheduledClient = emu.createM2MClient({ clientName: "scheduled" });
  const blockedClient = emu.createM2MClient({ clientName: "blocked" });
  const overdueClient = emu.createM2MClient({ clientName: "overdue" });

  // A: the dynamic resource. A rotation without autopilot inputs (what every state before them holds), a
  // scheduled one that a consumer has not switched to, and one promoted on its schedule.
  const fleet = await newStack();
  await fleet.setRotations([
    { name: "legacy", clientId: m2m.clientId },
    {
      name: "scheduled",
      clientId: scheduledClient.clientId,
      promoteAfter: "1h",
      rotateEvery: "90d",
      consumerFingerprints: [
        fingerprintOf(scheduledClient.clientSecret!, scheduledClient.clientId),
      ],
    },
    {
      name: "done",
      clientId: connectedApp.clientId,
      promoteAfter: "1s",
      rotateEvery: "90d",
    },
  ]);
  await fleet.up();
  // B: the native plugin, a promotion blocked by a consumer that reports none. C: overdue.
  const native = await newStack({
    program: "native",
    withPlugin: true,
    besides: fleet,
  });
  await native.setRotations([
    {
      name: "blocked",
      clientId: blockedClient.clientId,
      promoteAfter: "1s",
      consumerFingerprints: [""],
    },
  ]);
  await native.up();
  const late = await newStack({ besides: fleet });
  await late.setRotations([
    {
      name: "late",
      clientId: overdueClient.clientId,
      promoteAfter: "1s",
      maxPendingAge: "2s",
      consumerFingerprints: [""],
    },
  ]);
  await late.up();
  await pause(2_100);
  await fleet.up(); // promotes "done"
  await native.up(); // blocks "blocked"
  const secrets = [
    ...Object.values((await fleet.outputs()).secrets),
    ...Object.values((await native.outputs()).secrets),
    ...Object.values((await late.outputs()).secrets),
    m2m.clientSecret,
    connectedApp.clientSecret,
    scheduledClient.clientSecret,
    blockedClient.clientSecret,
    overdueClient.clientSecret,
    emu.projectSecret,
  ];
  const names = [fleet, native, late].map((s) => s.referenceName);
  const [fleetName, nativeName, lateName] = names as [string, string, string];

  // The table over three stacks: overdue pages first.
  const table = await runStatus(
    fleet,
    names.flatMap((n) => ["--stack", n]),
  );
  expect(table.code).toBe(STATUS_EXIT_CODES.overdue);
  const lines = table.stdout.split("\n");
  expect(lines[0]).toMatch(
    /^STACK +RESOURCE +CLIENT +KIND +STATUS +STARTED +PROMOTED +NEXT +BLOCKED BY +CONSUMERS BEHIND$/,
  );
  const row = (resource: string) =>
    lines.find((line) => line.split(/ {2,}/)[1] === resource) ?? "";
  // A manual rotation records its start time too (the audit times), so its row shows the output's.
  expect(row("legacy")).toMatch(
    /pending +\d{4}-\d\d-\d\d \d\d:\d\dZ +- +promote on request/,
  );
  expect(row("scheduled")).toMatch(/promote in \d+m .*1 of 1: #1 sfp2:/);
  // rotateEvery 90d, spread by client id over its last half: due in 45 to 90 days.
  expect(row("done")).toMatch(
    /connected_app +promoted .* rotate in (4[5-9]|[5-8]\d|90)d( \d+h)? /,
  );
  expect(row("blocked")).toMatch(/pending .*\[\d\] for \d+[smhd]/);
  expect(row("late")).toContain("pending (OVERDUE)");
  expect(table.stdout).toMatch(
    /\nBlocked:\n\[\d\] organization\/rotation-e2e\/\w+ blocked, since \S+: consumers have not switched: consumer 1 reports none/,
  );
  expect(table.stderr).toContain("stytch-rotation: read 3/3 stacks");
  expect(table.stderr).toMatch(
    /read 3 of 3 stack\(s\), 5 rotation\(s\), in [\d.]+ s/,
  );

  // --json over every stack of the backend, checked against the schema the package ships.
  const all = await runStatus(fleet, ["--all", "--json"]);
  expect(all.code).toBe(STATUS_EXIT_CODES.overdue);
  const report = JSON.parse(all.stdout) as StatusReport;
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  const validate = ajv.compile(installedSchema());
  const valid = validate(report);
  expect(validate.errors ?? []).toEqual([]);
  expect(valid).toBe(true);
  expect(report.stacks.map((s) => s.stack).sort()).toEqual([...names].sort());
  const byName = Object.fromEntries(
    report.rotations.map((r) => [r.resource, r]),
  );
  expect(byName["legacy"]).toMatchObject({
    stack: fleetName,
    provider: "dynamic",
    client: m2m.clientId,
    kind: "m2m",
    status: "pending",
    autopilot: false,
    startedAtFrom: "output",
    newSecretFingerprint: null,
    next: { step: "promote", dueAt: null },
    alert: null,
  });
  expect(byName["scheduled"]).toMatchObject({
    next: { step: "promote", detail: "promoteAfter" },
    consumers: {
      listed: 1,
      behind: [
        {
          consumer: 1,
          reports: fingerprintOf(
            scheduledClient.clientSecret!,
            scheduledClient.clientId,
          ),
        },
      ],
    },
  });
  expect(byName["done"]).toMatchObject({
    kind: "connected_app",
    status: "promoted",
    promotedAt: stringContaining("T"),
    next: { step: "rotate" },
  });
  expect(byName["blocked"]).toMatchObject({
    stack: nativeName,
    provider: "native",
    status: "pending",
    blockedBy: stringContaining("consumer 1 reports none"),
    alert: null,
    consumers: { listed: 1, behind: [{ consumer: 1, reports: "" }] },
  });
  expect(byName["late"]).toMatchObject({
    stack: lateName,
    overdue: true,
    overdueSince: stringContaining("T"),
    alert: "overdue",
  });
  expect(all.stderr).toContain("listing stacks (pulumi stack ls --all)");

  // A promotion blocked longer than the threshold pages with its own code; a longer threshold does not.
  const blocked = await runStatus(native, [
    "--stack",
    nativeName,
    "--fail-blocked-after",
    "1s",
  ]);
  expect(blocked.code).toBe(STATUS_EXIT_CODES.blocked);
  expect(blocked.stdout).toContain("(longer than --fail-blocked-after)");
  const calm = await runStatus(native, [
    "--stack",
    nativeName,
    "--fail-blocked-after",
    "1d",
  ]);
  expect(calm.code).toBe(STATUS_EXIT_CODES.ok);

  // A stack that cannot be read is named, and the others are still shown.
  const missing = await runStatus(fleet, [
    "--stack",
    fleetName,
    "--stack",
    "organization/rotation-e2e/no-such-stack",
  ]);
  expect(missing.code).toBe(STATUS_EXIT_CODES.unreadable);
  expect(missing.stdout).toContain(
    "Not read:\norganization/rotation-e2e/no-such-stack: pulumi stack export failed",
  );
  expect(missing.stdout).toContain("legacy");

  // The selected stack of the project in the current directory, by default.
  await late.stack.workspace.selectStack(late.stack.name);
  const here = await runStatus(late, ["--json"], e2eContext().programs.newest);
  expect(JSON.parse(here.stdout)).toMatchObject({
    stacks: [
      { stack: `rotation-e2e/${late.stack.name}`, read: true, rotations: 1 },
    ],
    rotations: [{ resource: "late", alert: "overdue" }],
  });
  expect(here.code).toBe(STATUS_EXIT_CODES.overdue);

  const usage = await runStatus(fleet, ["--fail-blocked-after", "soon"]);
  expect(usage.code).toBe(STATUS_EXIT_CODES.usage);
  expect(usage.stderr).toContain("--fail-blocked-after must be a duration");

  const printed = [table, all, blocked, calm, missing, here, usage]
    .map((run) => run.stdout + run.stderr)
    .join("\n");
  expectFreeOfSecrets(printed, secrets);
  expect(printed).not.toContain("ciphertext");
  process.stderr.write(`[status] the table:\n${table.stdout}`);
  process.stderr.write(
    `[status] 3 stacks by name in ${table.seconds.toFixed(1)} s; --all (3 stacks) in ${all.seconds.toFixed(1)} s; exit codes seen: ` +
      `${[table, all, blocked, calm, missing, here, usage].map((r) => r.code).join(", ")}\n`,
  );
});
