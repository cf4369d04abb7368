import { describe, expect, it } from 'vitest';

import { residentByKind } from '../../scripts/lib/resident-memory.js';

/** Node's WebAssembly global (the project's TypeScript libs declare no DOM or WebAssembly types). */
const wasm = (
  globalThis as unknown as {
    WebAssembly: { Memory: new (d: { initial: number }) => { buffer: ArrayBuffer } };
  }
).WebAssembly;

describe('residentByKind (bench:copilot-memory)', () => {
  it('counts a WebAssembly memory this process touched as WebAssembly, not anonymous', () => {
    const before = residentByKind(process.pid);
    // 16 MiB, every page written so it is resident.
    const memory = new wasm.Memory({ initial: 256 });
    new Uint8Array(memory.buffer).fill(1);
    const after = residentByKind(process.pid);
    expect(after.wasm - before.wasm).toBeGreaterThanOrEqual(15.5);
    expect(after.anonymous - before.anonymous).toBeLessThan(8);
    // Node's own binary is a mapped file.
    expect(after.files).toBeGreaterThan(5);
    expect(memory.buffer.byteLength).toBe(16 * 2 ** 20);
  });
});
