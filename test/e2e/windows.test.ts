/**
 * Rotation windows, spread due times and the settable clock through the real engine. The provider's clock
 * is set per `pulumi` command (`STYTCH_ROTATION_TEST_CLOCK`), which it honours only against a Stytch on
 * loopback (the emulator): the last test shows the same variable ignored, with a warning, once the stack
 * points at Stytch's own host.
 */
import { expectNextUpPromotes, withE2E } from "../helpers/pulumi-harness";

jest.setTimeout(10 * 60_000);

const WINDOW = "Mon-Fri 09:00-17:00 Europe/Berlin";

test.concurrent(
  "a promotion that falls due outside the window waits for it, with no call, and happens when it opens",
  () =>
    withE2E(async ({ emulator, newStack }) => {
      const { m2m } = emulator.seeded!;
      const stack = await newStack();
      const policy = {
        name: "billing",
        clientId: m2m.clientId,
        promoteAfter: "1h",
        maxPendingAge: "7d",
        rotationWindow: WINDOW,
      };
      // Friday 16:30 in Berlin: the overlap ends at 17:30, after the window closes.
      stack.setClock("2026-12-11T15:30:00Z");
      await stack.upWith([policy]);
      const info = async () => (await stack.outputs()).info["billing"]!;
      expect(await info()).toMatchObject({
        status: "pending",
        startedAt: "2026-12-11T15:30:00.000Z",
        promoteDueAt: "2026-12-14T08:00:00.000Z",
      });

      // The weekend, and Monday just before 09:00 in Berlin: no change, no call.
      for (const clock of ["2026-12-12T10:00:00Z", "2026-12-14T07:59:00Z"]) {
        stack.setClock(clock);
        emulator.clearRequests();
        const preview = await stack.preview();
        expect(preview.changeSummary).not.toHaveProperty("update");
        await stack.up();
        expect(emulator.requests).toEqual([]);
      }

      stack.setClock("2026-12-14T08:00:00Z");
      await expectNextUpPromotes(emulator, stack);
      expect(await info()).toMatchObject({
        status: "promoted",
        promotedAt: "2026-12-14T08:00:00.000Z",
        waitsForWindowUntil: "",
      });
    }),
);

test.concurrent(
  "rotations that share a policy fall due at different times, spread by client id; spreadRotations: false puts each a period after its start",
  () =>
    withE2E(async ({ emulator, newStack }) => {
      const { m2m, connectedApp } = emulator.seeded!;
      const stack = await newStack();
      const policy = { rotateEvery: "90d", promoteAfter: "7d" };
      const clients = [m2m, connectedApp].map((client, i) => ({
        name: `client${i}`,
        clientId: client.clientId,
        ...policy,
      }));
      stack.setClock("2026-12-07T09:00:00Z");
      await stack.upWith(clients);
      const started = Date.parse("2026-12-07T09:00:00Z");
      const day = 86_400_000;
      const dues = Object.values((await stack.outputs()).info).map((info) =>
        Date.parse(info.rotateDueAt!),
      );
      expect(new Set(dues).size).toBe(2);
      for (const due of dues) {
        expect(due).toBeGreaterThan(started + 45 * day);
        expect(due).toBeLessThanOrEqual(started + 90 * day);
      }

      await stack.upWith(
        clients.map((client) => ({ ...client, spreadRotations: false })),
      );
      const unspread = Object.values((await stack.outputs()).info).map(
        (info) => info.rotateDueAt,
      );
      expect(unspread).toEqual(
        clients.map(() => new Date(started + 90 * day).toISOString()),
      );
    }),
);

test.concurrent(
  "the test clock moves nothing once the stack talks to Stytch's own host: it is ignored, and the run says so",
  () =>
    withE2E(async ({ emulator, newStack }) => {
      const { m2m } = emulator.seeded!;
      const stack = await newStack();
      stack.setClock("2026-12-07T09:00:00Z");
      await stack.upWith([
        { name: "billing", clientId: m2m.clientId, promoteAfter: "30d" },
      ]);
      // Far past promoteAfter on the test clock: against the emulator, the promotion is due.
      stack.setClock("2027-06-01T09:00:00Z");
      const due = await stack.preview();
      expect(due.changeSummary).toMatchObject({ update: 1 });
      expect(due.stdout + due.stderr).toContain(
        "Using the test clock 2027-06-01T09:00:00.000Z",
      );

      // The same stack pointed at Stytch (a preview makes no call): the real clock, nothing due.
      await stack.stack.setConfig("stytch:baseUrl", {
        value: "https://test.stytch.com",
      });
      const ignored = await stack.preview();
      expect(ignored.changeSummary).not.toHaveProperty("update");
      expect(ignored.stdout + ignored.stderr).toContain(
        "STYTCH_ROTATION_TEST_CLOCK is set but ignored: it stands in for the clock only while the Stytch " +
          "base URL is a loopback address (the emulator), and this provider talks to host test.stytch.com",
      );
    }),
);
