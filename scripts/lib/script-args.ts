import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * Node's `parseArgs` for an `npm run` script, with bad input answered the way the CLI answers it:
 * an unknown flag or a missing value ends the script with a one-line error and its fix (exit 2),
 * not a stack trace. Pass the script's `import.meta.url`; its usage is in its header comment.
 */
export function scriptArgs<T extends ParseArgsConfig>(
  scriptUrl: string,
  config: T,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    const message = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
    // parseArgs takes a value that starts with a dash (`--extra --eager-start`) for a flag.
    const ambiguous = /^Option '(-[^']+)' argument is ambiguous/.exec(message)?.[1];
    const dash =
      ambiguous === undefined
        ? ''
        : `; a value that starts with a dash takes the = form: ${ambiguous}="<value>"`;
    process.stderr.write(
      `error: ${message}\nfix: see the usage at the top of scripts/${basename(fileURLToPath(scriptUrl))}${dash}\n`,
    );
    process.exit(2);
  }
}

/**
 * A numeric flag's value (`name` with its dashes): a number of at least `min` (0 unless given),
 * `whole` when asked; anything else ends the script as a wrong flag does (one-line error, its fix,
 * exit 2).
 */
export function numberFlag(
  scriptUrl: string,
  name: string,
  text: string | undefined,
  { min = 0, whole = false }: { readonly min?: number; readonly whole?: boolean } = {},
): number {
  const n = Number(text);
  if (
    text === undefined ||
    text.trim() === '' ||
    !Number.isFinite(n) ||
    n < min ||
    (whole && !Number.isInteger(n))
  ) {
    process.stderr.write(
      `error: ${name} must be a ${whole ? 'whole ' : ''}number ≥ ${String(min)} (got ${String(text)})\n` +
        `fix: see the usage at the top of scripts/${basename(fileURLToPath(scriptUrl))}\n`,
    );
    process.exit(2);
  }
  return n;
}
