import { loadConfig } from '../../src/config/load.js';
import { PROMETHEUS, TEMPORAL, findBinary, toolchainContext } from '../../src/toolchain/index.js';

export interface TestBinaries {
  readonly temporal: string;
  readonly prometheus: string;
}

let cached: Promise<TestBinaries> | undefined;

/**
 * The real binaries the integration suites run, found exactly as Headway finds them (explicit env,
 * PATH, cache). Missing binaries fail the suite with the fix; they are never a reason to skip.
 */
export function testBinaries(): Promise<TestBinaries> {
  cached ??= (async () => {
    const { config } = loadConfig({ env: process.env });
    const find = async (spec: typeof TEMPORAL): Promise<string> => {
      const { found, attempts } = await findBinary(
        spec,
        toolchainContext(spec, config, process.env),
      );
      if (found === undefined) {
        throw new Error(
          `integration tests need ${spec.name}: ${attempts.map((a) => a.outcome).join('; ')}. ` +
            'Run `npx headway install` (or `bash .ci/run`, which installs everything).',
        );
      }
      return found.path;
    };
    return { temporal: await find(TEMPORAL), prometheus: await find(PROMETHEUS) };
  })();
  return cached;
}
