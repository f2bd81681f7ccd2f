/**
 * Jest's asymmetric matchers with their real type. @types/jest declares `expect.any(…)`,
 * `expect.stringMatching(…)` and the others as returning `any`, so that they fit in any typed position;
 * an `any` in an expected value also switches off the checks of everything around it, which the lint
 * gate's no-unsafe-* rules reject. These are the same matchers, typed as what they are.
 */

/** `expect.any(String)`: any string. */
export function anyString(): jest.AsymmetricMatcher {
  return expect.any(String) as jest.AsymmetricMatcher;
}

/** `expect.any(Number)`: any number. */
export function anyNumber(): jest.AsymmetricMatcher {
  return expect.any(Number) as jest.AsymmetricMatcher;
}

/** `expect.stringMatching(pattern)`. */
export function stringMatching(
  pattern: string | RegExp,
): jest.AsymmetricMatcher {
  return expect.stringMatching(pattern) as jest.AsymmetricMatcher;
}

/** `expect.stringContaining(part)`. */
export function stringContaining(part: string): jest.AsymmetricMatcher {
  return expect.stringContaining(part) as jest.AsymmetricMatcher;
}

/** `expect.objectContaining(sample)`: an object with at least these properties (matchers allowed). */
export function objectContaining(sample: object): jest.AsymmetricMatcher {
  return expect.objectContaining(sample) as jest.AsymmetricMatcher;
}

/** `expect.arrayContaining(items)`: an array holding at least these items. */
export function arrayContaining(
  items: readonly unknown[],
): jest.AsymmetricMatcher {
  return expect.arrayContaining(items) as jest.AsymmetricMatcher;
}
