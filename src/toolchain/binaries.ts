import { PROMETHEUS_VERSION, TEMPORAL_CLI_VERSION } from '../config/schema.js';
import { TEMPORAL_SERVER_VERSION, TEMPORAL_UI_VERSION } from '../topology/model.js';

export type BinaryName =
  | 'temporal'
  | 'prometheus'
  | 'temporal-server'
  | 'temporal-sql-tool'
  | 'temporal-ui-server'
  | 'helm';

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

/** The server release archive holds both temporal-server and temporal-sql-tool. */
function serverRelease(member: string): BinarySpec['release'] {
  return (baseUrl, platform, arch) => {
    const os = GO_OS[platform];
    const cpu = GO_ARCH[arch];
    if (os === undefined || cpu === undefined) return undefined;
    const v = TEMPORAL_SERVER_VERSION;
    const dir = `${baseUrl}/temporalio/temporal/releases/download/v${v}`;
    const archiveName = `temporal_${v}_${os}_${cpu}.tar.gz`;
    return {
      url: `${dir}/${archiveName}`,
      checksumsUrl: `${dir}/checksums.txt`,
      archiveName,
      member,
    };
  };
}

/** urfave/cli prints `<name> version <v>`; the UI server prints its version alone. */
function versionAfter(output: string): string | undefined {
  return (
    /\bversion v?(\d+\.\d+\.\d+)/m.exec(output)?.[1] ?? /^v?(\d+\.\d+\.\d+)\s*$/m.exec(output)?.[1]
  );
}

const goHint = (name: string, pkg: string): string =>
  `install ${name}: go install ${pkg} (Go 1.25+; Headway does this itself when Go is at /usr/local/go ` +
  'or on PATH), or set the path in toolchain (see `headway install --help`)';

export const TEMPORAL_SERVER: BinarySpec = {
  name: 'temporal-server',
  executable: 'temporal-server',
  envVar: 'HEADWAY_TEMPORAL_SERVER_BIN',
  wantedVersion: TEMPORAL_SERVER_VERSION,
  versionArgs: ['--version'],
  parseVersion: versionAfter,
  release: serverRelease('temporal-server'),
  goInstall: {
    pkg: `go.temporal.io/server/cmd/server@v${TEMPORAL_SERVER_VERSION}`,
    ldflags: '-s -w',
  },
  installHint: goHint(
    'temporal-server',
    `go.temporal.io/server/cmd/server@v${TEMPORAL_SERVER_VERSION}`,
  ),
};

export const TEMPORAL_SQL_TOOL: BinarySpec = {
  name: 'temporal-sql-tool',
  executable: 'temporal-sql-tool',
  envVar: 'HEADWAY_TEMPORAL_SQL_TOOL_BIN',
  wantedVersion: TEMPORAL_SERVER_VERSION,
  versionArgs: ['--version'],
  parseVersion: versionAfter,
  release: serverRelease('temporal-sql-tool'),
  goInstall: {
    pkg: `go.temporal.io/server/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}`,
    ldflags: '-s -w',
  },
  installHint: goHint(
    'temporal-sql-tool',
    `go.temporal.io/server/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}`,
  ),
};

export const TEMPORAL_UI_SERVER: BinarySpec = {
  name: 'temporal-ui-server',
  executable: 'temporal-ui-server',
  envVar: 'HEADWAY_TEMPORAL_UI_SERVER_BIN',
  wantedVersion: TEMPORAL_UI_VERSION,
  versionArgs: ['--version'],
  parseVersion: versionAfter,
  release(baseUrl, platform, arch) {
    const os = GO_OS[platform];
    const cpu = GO_ARCH[arch];
    if (os === undefined || cpu === undefined) return undefined;
    const v = TEMPORAL_UI_VERSION;
    const dir = `${baseUrl}/temporalio/ui-server/releases/download/v${v}`;
    const archiveName = `ui-server_${v}_${os}_${cpu}.tar.gz`;
    return {
      url: `${dir}/${archiveName}`,
      checksumsUrl: `${dir}/checksums.txt`,
      archiveName,
      member: 'ui-server',
    };
  },
  goInstall: {
    pkg: `github.com/temporalio/ui-server/v2/cmd/server@v${TEMPORAL_UI_VERSION}`,
    ldflags: '-s -w',
  },
  installHint: goHint(
    'temporal-ui-server',
    `github.com/temporalio/ui-server/v2/cmd/server@v${TEMPORAL_UI_VERSION}`,
  ),
};

/**
 * Helm v3, for the checks of `headway render helm` (helm lint, helm template) in the tests and CI;
 * no stack needs it, so it is not in BINARIES (doctor) and installs only when asked for by name.
 */
export const HELM_VERSION = '3.19.0';

export const HELM: BinarySpec = {
  name: 'helm',
  executable: 'helm',
  envVar: 'HEADWAY_HELM_BIN',
  wantedVersion: HELM_VERSION,
  versionArgs: ['version', '--short'],
  parseVersion(output) {
    // "v3.19.0+g3d8990f" (a go-install build without the commit prints "v3.19.0")
    return /^v(\d+\.\d+\.\d+)/m.exec(output)?.[1];
  },
  // Only go install: the release archives are on get.helm.sh, which the checksum step cannot reach
  // from here, and the module proxy serves the source anywhere.
  release: () => undefined,
  goInstall: {
    pkg: `helm.sh/helm/v3/cmd/helm@v${HELM_VERSION}`,
    // Release builds inject the version; a plain `go install` would report v3.19+unreleased.
    ldflags: `-s -w -X helm.sh/helm/v3/internal/version.version=v${HELM_VERSION}`,
  },
  installHint: goHint('helm', `helm.sh/helm/v3/cmd/helm@v${HELM_VERSION}`),
};

/** What the cluster profile needs beyond the dev profile's two. */
export const CLUSTER_BINARIES: readonly BinarySpec[] = [
  TEMPORAL_SERVER,
  TEMPORAL_SQL_TOOL,
  TEMPORAL_UI_SERVER,
];

export const BINARIES: readonly BinarySpec[] = [TEMPORAL, PROMETHEUS, ...CLUSTER_BINARIES];
