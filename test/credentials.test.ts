import {
  resolveConnection,
  isLoopbackHost,
} from "../provider/core/credentials";

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
        STYTCH_BASE_URL: "https://api.stytch.com",
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

  test("refuses a project id without a Stytch prefix, without printing it", () => {
    expect(() =>
      resolveConnection(
        {},
        { STYTCH_PROJECT_ID: "proj-1", STYTCH_SECRET: "s" },
      ),
    ).toThrow(/does not start with project-test- or project-live-/);
  });

  test("swapped credentials: neither is printed, and the message asks whether they were swapped", () => {
    const projectSecret = "secret-test-80JASucyk7z_G8Z-7dVwZVGXL5NT_qGAQ2I";
    let message = "";
    try {
      resolveConnection(
        {
          projectId: projectSecret,
          secret: "project-test-00000000-0000-4000-8000-000000000000",
          baseUrl: "http://127.0.0.1:9",
        },
        {},
      );
    } catch (error) {
      message = String(error);
    }
    expect(message).toContain("were the two swapped?");
    expect(message).toContain(
      "starting with secret- like a Stytch project secret",
    );
    expect(message).not.toContain(projectSecret.slice("secret-test-".length));
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
          baseUrl: "https://test.stytch.com/some/prefix/",
        },
        {},
      ).baseUrl,
    ).toBe("https://test.stytch.com");
  });

  test("sends the project secret over https:// only to a Stytch API host, or the one host allowed by name", () => {
    const base = { projectId: "project-test-1", secret: "s" };
    for (const baseUrl of [
      "https://api.stytch.com",
      "https://test.stytch.com",
      "https://alpha-beta-123.customers.stytch.dev",
    ]) {
      expect(resolveConnection({ ...base, baseUrl }, {}).baseUrl).toBe(baseUrl);
    }
    expect(() =>
      resolveConnection({ ...base, baseUrl: "https://stytch.example.com" }, {}),
    ).toThrow(
      /not a Stytch API host.*pulumi config set stytch:allowedApiHost stytch\.example\.com.*STYTCH_ALLOWED_API_HOST/,
    );
    expect(() =>
      resolveConnection(
        { ...base, baseUrl: "https://test.stytch.com.example.net" },
        {},
      ),
    ).toThrow(/not a Stytch API host/);
    expect(
      resolveConnection(
        { ...base, baseUrl: "https://login.example.com" },
        { STYTCH_ALLOWED_API_HOST: "login.example.com" },
      ).baseUrl,
    ).toBe("https://login.example.com");
  });

  test("a value that is not a URL is not printed: it may be a secret set under the wrong key", () => {
    const base = { projectId: "project-test-1", secret: "s" };
    const pasted = "NHQhc7ZqsXJVtgmN2MXr1etqsQrGAwJ-iBWNLKY7DzJj";
    for (const settings of [
      { ...base, baseUrl: pasted },
      { ...base, requestTimeoutMs: pasted },
    ]) {
      let message = "";
      try {
        resolveConnection(settings, {});
      } catch (error) {
        message = String(error);
      }
      expect(message).toContain("a value of 44 characters (not shown)");
      expect(message).not.toContain(pasted);
    }
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
