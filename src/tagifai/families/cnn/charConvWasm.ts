/**
 * A hand-assembled WebAssembly (SIMD) kernel for the character CNN's hot loop: add a few lookup-table
 * rows together and fold the sum into a running max (with its position) — four floats at a time.
 *
 * The module imports one memory (`env.memory`), shared when a worker thread runs it on the same
 * buffers as the main thread. Its single export is
 * `accumulateMax(offsets, offsetBytes, rowBytes, maxPtr, argPtr, position)`:
 * with `rows = i32[offsets .. offsets + offsetBytes)` (byte addresses of table rows), for every float
 * column c < rowBytes/4, `s = Σ rows[i][c]` (summed in order, in float32); where `s > max[c]`, set
 * `max[c] = s` and `arg[c] = position`. `rowBytes` must be a positive multiple of {@link ROW_ALIGN_FLOATS}·4
 * and every address 16-byte aligned.
 */

/** Rows are processed in chunks of this many floats (two SIMD vectors), so they are padded to it. */
export const ROW_ALIGN_FLOATS = 8;

const I32 = 0x7f;
const V128 = 0x7b;
const FUNC_TYPE = 0x60;
const OP = {
  block: 0x02,
  loop: 0x03,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  i32Const: 0x41,
  i32LtU: 0x49,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  simd: 0xfd,
} as const;
const SIMD_OP = {
  v128Load: 0x00,
  v128Store: 0x0b,
  i32x4Splat: 0x11,
  f32x4Gt: 0x44,
  v128Bitselect: 0x52,
  f32x4Add: 0xe4,
} as const;
const VOID_BLOCK = 0x40;

function uleb(value: number): number[] {
  const out: number[] = [];
  let rest = value >>> 0;
  do {
    const byte = rest & 0x7f;
    rest >>>= 7;
    out.push(rest ? byte | 0x80 : byte);
  } while (rest);
  return out;
}

function sleb(value: number): number[] {
  const out: number[] = [];
  let rest = value | 0;
  for (;;) {
    const byte = rest & 0x7f;
    rest >>= 7;
    const done = (rest === 0 && !(byte & 0x40)) || (rest === -1 && byte & 0x40);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const vector = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (text: string): number[] => [...uleb(text.length), ...new TextEncoder().encode(text)];
const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes];

const get = (local: number) => [OP.localGet, local];
const set = (local: number) => [OP.localSet, local];
const i32 = (value: number) => [OP.i32Const, ...sleb(value)];
const simd = (op: number) => [OP.simd, ...uleb(op)];
/** A 16-byte-aligned v128 access at a constant byte offset from the address on the stack. */
const v128Load = (offset: number) => [...simd(SIMD_OP.v128Load), 4, ...uleb(offset)];
const v128Store = (offset: number) => [...simd(SIMD_OP.v128Store), 4, ...uleb(offset)];

// Parameters, then locals, by index.
const P_OFFSETS = 0;
const P_OFFSET_BYTES = 1;
const P_ROW_BYTES = 2;
const P_MAX = 3;
const P_ARG = 4;
const P_POSITION = 5;
const L_COLUMN = 6; // byte offset of the current chunk within a row
const L_ROW = 7; // byte offset of the current entry in the offsets list
const L_ADDR = 8; // scratch address
const L_POSITION_VEC = 9;
const L_SUM = [10, 11];
const L_MAX = [12, 13];
const L_MASK = [14, 15];
const LANES = [0, 16]; // byte offsets of the two vectors of a chunk

function accumulateMaxBody(): number[] {
  return [
    ...get(P_POSITION),
    ...simd(SIMD_OP.i32x4Splat),
    ...set(L_POSITION_VEC),
    OP.loop,
    VOID_BLOCK,
    // sums = first row's chunk
    ...get(P_OFFSETS),
    OP.i32Load,
    2,
    0,
    ...get(L_COLUMN),
    OP.i32Add,
    ...set(L_ADDR),
    ...LANES.flatMap((lane, v) => [...get(L_ADDR), ...v128Load(lane), ...set(L_SUM[v])]),
    // sums += the other rows' chunks
    ...i32(4),
    ...set(L_ROW),
    OP.block,
    VOID_BLOCK,
    OP.loop,
    VOID_BLOCK,
    ...get(L_ROW),
    ...get(P_OFFSET_BYTES),
    OP.i32GeU,
    OP.brIf,
    1,
    ...get(P_OFFSETS),
    ...get(L_ROW),
    OP.i32Add,
    OP.i32Load,
    2,
    0,
    ...get(L_COLUMN),
    OP.i32Add,
    ...set(L_ADDR),
    ...LANES.flatMap((lane, v) => [
      ...get(L_SUM[v]),
      ...get(L_ADDR),
      ...v128Load(lane),
      ...simd(SIMD_OP.f32x4Add),
      ...set(L_SUM[v]),
    ]),
    ...get(L_ROW),
    ...i32(4),
    OP.i32Add,
    ...set(L_ROW),
    OP.br,
    0,
    OP.end,
    OP.end,
    // running max and argmax
    ...get(P_MAX),
    ...get(L_COLUMN),
    OP.i32Add,
    ...set(L_ADDR),
    ...LANES.flatMap((lane, v) => [
      ...get(L_ADDR),
      ...v128Load(lane),
      ...set(L_MAX[v]),
      ...get(L_SUM[v]),
      ...get(L_MAX[v]),
      ...simd(SIMD_OP.f32x4Gt),
      ...set(L_MASK[v]),
      ...get(L_ADDR),
      ...get(L_SUM[v]),
      ...get(L_MAX[v]),
      ...get(L_MASK[v]),
      ...simd(SIMD_OP.v128Bitselect),
      ...v128Store(lane),
    ]),
    ...get(P_ARG),
    ...get(L_COLUMN),
    OP.i32Add,
    ...set(L_ADDR),
    ...LANES.flatMap((lane, v) => [
      ...get(L_ADDR),
      ...get(L_POSITION_VEC),
      ...get(L_ADDR),
      ...v128Load(lane),
      ...get(L_MASK[v]),
      ...simd(SIMD_OP.v128Bitselect),
      ...v128Store(lane),
    ]),
    // next chunk
    ...get(L_COLUMN),
    ...i32(ROW_ALIGN_FLOATS * 4),
    OP.i32Add,
    OP.localTee,
    L_COLUMN,
    ...get(P_ROW_BYTES),
    OP.i32LtU,
    OP.brIf,
    0,
    OP.end,
    OP.end,
  ];
}

/**
 * Assemble the kernel module.
 * @param maxPages the memory's maximum size, in 64 KiB pages (must match the memory passed in)
 * @param shared whether the memory is shared between threads (must match the memory passed in)
 * @returns the module's binary
 */
export function buildCharConvWasm(maxPages: number, shared: boolean): Uint8Array<ArrayBuffer> {
  const params = [I32, I32, I32, I32, I32, I32];
  const locals = [
    [3, I32],
    [7, V128],
  ];
  const body = [...vector(locals.map(([count, type]) => [...uleb(count), type])), ...accumulateMaxBody()];
  const limits = [shared ? 0x03 : 0x01, ...uleb(1), ...uleb(maxPages)];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector([[FUNC_TYPE, ...vector(params.map((type) => [type])), 0]])),
    ...section(2, vector([[...name("env"), ...name("memory"), 0x02, ...limits]])),
    ...section(3, vector([[0]])),
    ...section(7, vector([[...name("accumulateMax"), 0x00, 0]])),
    ...section(10, vector([[...uleb(body.length), ...body]])),
  ]);
}
