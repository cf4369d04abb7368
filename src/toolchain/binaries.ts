import { PROMETHEUS_VERSION, TEMPORAL_CLI_VERSION } from '../config/schema.js';

export type BinaryName = 'temporal' | 'prometheus';

export interface ReleaseAsset {
  readonly url: string;
  readonly checksumsUrl: string;
  readonly archiveName: string;
  /** Path of the executable inside the archive. */
  readonly member: string;
}

export interface BinarySpec {
  readonly name: BinaryName;
  /** File name on PATH and in the cache. */
  readonly executable: string;
  readonly envVar: string;
  readonly wantedVersion: string;
  readonly versionArgs: readonly string[];
  /** Returns the version, or undefined when the output is not this program's. */
  parseVersion(output: string): string | undefined;
  release(baseUrl: string, platform: NodeJS.Platform, arch: string): ReleaseAsset | undefined;
  readonly goInstall?: { readonly pkg: string; readonly ldflags: string };
  /** What a user can do when every step failed. */
  readonly installHint: string;
}

const GO_OS: Partial<Record<NodeJS.Platform, string>> = { linux: 'linux', darwin: 'darwin' };
const GO_ARCH: Partial<Record<string, string>> = { x64: 'amd64', arm64: 'arm64' };

export const TEMPORAL: BinarySpec = {
  name: 'temporal',
  executable: 'temporal',
  envVar: 'HEADWAY_TEMPORAL_BIN',
  wantedVersion: TEMPORAL_CLI_VERSION,
  versionArgs: ['--version'],
  parseVersion(output) {
    // "temporal version 1.5.1 (Server 1.29.1, UI 2.42.1)"
    const match = /^temporal version (\S+)(?: \(Server (\S+?),)?/m.exec(output);
    if (match?.[1] === undefined) return undefined;
    return match[2] === undefined ? match[1] : `${match[1]} (server ${match[2]})`;
  },
  release(baseUrl, platform, arch) {
    const os = GO_OS[platform];
    const cpu = GO_ARCH[arch];
    if (os === undefined || cpu === undefined) return undefined;
    const v = TEMPORAL_CLI_VERSION;
    const dir = `${baseUrl}/temporalio/cli/releases/download/v${v}`;
    const archiveName = `temporal_cli_${v}_${os}_${cpu}.tar.gz`;
    return {
      url: `${dir}/${archiveName}`,
      checksumsUrl: `${dir}/temporal_cli_${v}_checksums.txt`,
      archiveName,
      member: 'temporal',
    };
  },
  goInstall: {
    pkg: `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`,
    // Release builds inject the version; a plain `go install` would report 0.0.0-DEV.
    ldflags: `-s -w -X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION}`,
  },
  installHint:
    `install the Temporal CLI v${TEMPORAL_CLI_VERSION}: ` +
    `go install github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION} (Go 1.25+), ` +
    'or download it from https://github.com/temporalio/cli/releases, or set HEADWAY_TEMPORAL_BIN',
};

export const PROMETHEUS: BinarySpec = {
  name: 'prometheus',
  executable: 'prometheus',
  envVar: 'HEADWAY_PROMETHEUS_BIN',
  wantedVersion: PROMETHEUS_VERSION,
  versionArgs: ['--version'],
  parseVersion(output) {
    // "prometheus, version 2.42.0+ds (branch: …)"
    return /^prometheus, version (\S+)/m.exec(output)?.[1];
  },
  release(baseUrl, platform, arch) {
    const os = GO_OS[platform];
    const cpu = GO_ARCH[arch];
    if (os === undefined || cpu === undefined) return undefined;
    const v = PROMETHEUS_VERSION;
    const dir = `${baseUrl}/prometheus/prometheus/releases/download/v${v}`;
    const stem = `prometheus-${v}.${os}-${cpu}`;
    return {
      url: `${dir}/${stem}.tar.gz`,
      checksumsUrl: `${dir}/sha256sums.txt`,
      archiveName: `${stem}.tar.gz`,
      member: `${stem}/prometheus`,
    };
  },
  installHint:
    'install Prometheus: apt-get install prometheus (Debian/Ubuntu) or brew install prometheus, ' +
    'or set HEADWAY_PROMETHEUS_BIN to a prometheus binary',
};

export const BINARIES: readonly BinarySpec[] = [TEMPORAL, PROMETHEUS];
