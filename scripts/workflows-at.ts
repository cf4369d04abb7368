/**
 * The workflows module to bundle when recording histories: this tree's, or revision `source`'s
 * (`git archive` of src/ into `tmp`, beside this tree's node_modules), so a history can be recorded
 * on the code of an older release.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

export function workflowsAt(source: string | undefined, tmp: string, module: string): string {
  if (source === undefined) return join(ROOT, module);
  const tree = join(tmp, 'tree');
  mkdirSync(tree);
  const archive = execFileSync('git', ['archive', source, 'src'], {
    cwd: ROOT,
    maxBuffer: 1 << 28,
  });
  execFileSync('tar', ['-x', '-C', tree], { input: archive });
  symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'));
  return join(tree, module);
}
