import { ENV_KEY_GROUPS } from '../config/env-keys.js';

const WIDTH = 100;

/** The `headway --help` epilogue: the precedence rule, then every variable from the config's tables. */
export function environmentHelp(): string {
  const lines = [
    '',
    'Configuration: flags > HEADWAY_* environment variables > headway.yml > defaults.',
  ];
  for (const group of ENV_KEY_GROUPS) {
    const head = `${group.title}${group.doc === undefined ? '' : ` (${group.doc})`}:`;
    lines.push(...wrap(head, group.names));
  }
  return lines.join('\n');
}

/** `head name, name, …` wrapped at WIDTH, continuation lines indented two spaces. */
function wrap(head: string, names: readonly string[]): string[] {
  const lines: string[] = [];
  let line = head;
  names.forEach((name, i) => {
    const word = `${name}${i === names.length - 1 ? '.' : ','}`;
    if (line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = `  ${word}`;
    } else {
      line = `${line} ${word}`;
    }
  });
  lines.push(line);
  return lines;
}
