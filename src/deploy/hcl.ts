/**
 * Just enough HCL for the ECS module: values written as Terraform expressions, strings escaped so
 * Terraform reads back exactly the characters given (its `${` and `%{` interpolation included).
 */

/** A Terraform expression written as is (`var.region`, `file("…")`). */
export class Raw {
  constructor(readonly expr: string) {}
}
export const raw = (expr: string): Raw => new Raw(expr);

export function hclString(s: string): string {
  const body = s
    .replaceAll('\\', '\\\\')
    .replaceAll('"', '\\"')
    .replaceAll('\n', '\\n')
    .replaceAll('\t', '\\t')
    // Functions: in a replacement string `$$` would mean one `$`.
    .replaceAll('${', () => '$${')
    .replaceAll('%{', () => '%%{');
  return `"${body}"`;
}

export type HclValue =
  | string
  | number
  | boolean
  | Raw
  | readonly HclValue[]
  | { readonly [key: string]: HclValue | undefined };

const IDENT = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A value as an HCL expression, indented for nesting at `depth`. */
export function hcl(value: HclValue, depth = 0): string {
  const pad = '  '.repeat(depth + 1);
  const end = '  '.repeat(depth);
  if (value instanceof Raw) return value.expr;
  if (typeof value === 'string') return hclString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const items = value as readonly HclValue[];
    if (items.length === 0) return '[]';
    return `[\n${items.map((v) => `${pad}${hcl(v, depth + 1)},`).join('\n')}\n${end}]`;
  }
  const entries = Object.entries(value).filter((e): e is [string, HclValue] => e[1] !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries
    .map(([k, v]) => `${pad}${IDENT.test(k) ? k : hclString(k)} = ${hcl(v, depth + 1)}`)
    .join('\n')}\n${end}}`;
}

/** A block: `resource "type" "name" { a = 1 }`, with nested blocks given as `[name, body]`. */
export function block(
  header: string,
  attributes: Readonly<Record<string, HclValue | undefined>>,
  nested: readonly (readonly [string, Readonly<Record<string, HclValue | undefined>>])[] = [],
  depth = 0,
): string {
  const pad = '  '.repeat(depth + 1);
  const lines: string[] = [];
  for (const [k, v] of Object.entries(attributes)) {
    if (v !== undefined) lines.push(`${pad}${k} = ${hcl(v, depth + 1)}`);
  }
  for (const [name, body] of nested) lines.push(block(name, body, [], depth + 1));
  return `${'  '.repeat(depth)}${header} {\n${lines.join('\n')}\n${'  '.repeat(depth)}}`;
}
