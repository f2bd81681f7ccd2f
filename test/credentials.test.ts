import { resolveConnection, isLoopbackHost } from "../provider/credentials";

describe("resolveConnection", () => {
  test("prefers stack config over the environment", () => {
    const connection = resolveConnection(
      {
        projectId: "project-test-a",
        secret: "s-a",
        baseUrl: "http://127.0.0.1:9",
      },
      {
        STYTCH_PROJECT_ID: "project-test-b",
        STYTCH_SECRET: "s-b",
        STYTCH_BASE_URL: "https://example.test",
      },
    );
    expect(connection).toEqual({
      projectId: "project-test-a",
      secret: "s-a",
      baseUrl: "http://127.0.0.1:9",
      requestTimeoutMs: 20000,
    });
  });

  test("derives the base URL from the project id", () => {
    expect(
      resolveConnection(
        {},
        { STYTCH_PROJECT_ID: "project-test-1", STYTCH_SECRET: "s" },
      ).baseUrl,
    ).toBe("https://test.stytch.com");
    expect(
      resolveConnection(
        {},
        { STYTCH_PROJECT_ID: "project-live-1", STYTCH_SECRET: "s" },
      ).baseUrl,
    ).toBe("https://api.stytch.com");
  });

  test("asks for a base URL when the project id has no known prefix", () => {
    expect(() =>
      resolveConnection(
        {},
        { STYTCH_PROJECT_ID: "proj-1", STYTCH_SECRET: "s" },
      ),
    ).toThrow(/stytch:baseUrl/);
  });

  test("names both ways to set missing credentials and never echoes a secret", () => {
    expect(() => resolveConnection({}, {})).toThrow(
      /stytch:projectId.*STYTCH_PROJECT_ID.*stytch:secret.*STYTCH_SECRET/,
    );
    let message = "";
    try {
      resolveConnection(
        { secret: "secret-test-do-not-print", baseUrl: "http://10.0.0.1" },
        { STYTCH_PROJECT_ID: "project-test-1" },
      );
    } catch (error) {
      message = String(error);
    }
    expect(message).toContain("non-loopback");
    expect(message).not.toContain("secret-test-do-not-print");
  });

  test("rejects URLs with credentials, other schemes and bad timeouts", () => {
    const base = { projectId: "project-test-1", secret: "s" };
    expect(() =>
      resolveConnection(
        { ...base, baseUrl: "https://u:p@test.stytch.com" },
        {},
      ),
    ).toThrow(/must not contain credentials/);
    expect(() =>
      resolveConnection({ ...base, baseUrl: "ftp://test.stytch.com" }, {}),
    ).toThrow(/https/);
    expect(() =>
      resolveConnection({ ...base, requestTimeoutMs: "soon" }, {}),
    ).toThrow(/STYTCH_REQUEST_TIMEOUT_MS/);
  });

  test("keeps only the origin of the base URL, as stytch-node does", () => {
    expect(
      resolveConnection(
        {
          projectId: "project-test-1",
          secret: "s",
          baseUrl: "https://stytch.example.com/some/prefix/",
        },
        {},
      ).baseUrl,
    ).toBe("https://stytch.example.com");
  });
});

describe("isLoopbackHost", () => {
  test.each([
    ["127.0.0.1", true],
    ["127.1.2.3", true],
    ["localhost", true],
    ["[::1]", true],
    ["10.0.0.1", false],
    ["127.0.0.1.example.com", false],
  ])("%s → %s", (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});
