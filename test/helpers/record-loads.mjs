// `node --import` this to have the process print, at exit, every file module it loaded (one
// `file:` URL a line on stderr, after the line `--- loaded modules ---`). Used to check that
// `headway --help` loads no command's code.
import { writeSync } from 'node:fs';
import { registerHooks } from 'node:module';

const loaded = new Set();
registerHooks({
  resolve(specifier, context, next) {
    const result = next(specifier, context);
    if (result.url.startsWith('file:')) loaded.add(result.url);
    return result;
  },
});
process.on('exit', () => {
  writeSync(2, `--- loaded modules ---\n${[...loaded].join('\n')}\n`);
});
