/**
 * A small, non-executing unpickler for the subset of the pickle protocol (0-5, see CPython Lib/pickletools.py
 * for the opcode table) that torch.save writes. Nothing is ever imported or run. A GLOBAL is resolved only when
 * its name is on the caller's allow-list, as torch's own `weights_only` unpickler does
 * (torch/_weights_only_unpickler.py): the functions given in `callables` are called, `collections.OrderedDict`
 * becomes a Map, other allowed names become inert PickleObjects; any other name is refused by name
 * (FormatError 'forbidden-global'), so a pickle that asks for `os.system` or `builtins.eval` stops right there.
 * Every error is a FormatError; every opcode consumes input, so parsing always ends.
 */
import { FormatError } from './formatError';

export class PickleGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/** An instance of a class we do not model (argparse.Namespace, numpy scalars...): kept inert, never run. */
export class PickleObject {
  state: unknown = undefined;
  constructor(
    readonly cls: PickleGlobal,
    readonly args: unknown[],
  ) {}
}

export interface UnpickleHooks {
  /** Functions that REDUCE may call, keyed by 'module.name' (e.g. 'torch._utils._rebuild_tensor_v2'). */
  callables: Record<string, (...args: unknown[]) => unknown>;
  /**
   * Further globals the pickle may name (storage classes, argparse.Namespace...): REDUCE / NEWOBJ of them builds
   * an inert PickleObject, nothing runs. Names outside this, `callables` and collections.OrderedDict are refused.
   */
  allowedGlobals?: (qualifiedName: string) => boolean;
  /** BINPERSID: turns a persistent id (torch: ('storage', type, key, location, numel)) into a value. */
  persistentLoad: (pid: unknown) => unknown;
}

const MARK = Symbol('mark');
/** torch.save writes ints of at most 8 bytes; a longer LONG1 / LONG4 is refused rather than turned into a BigInt. */
const MAX_LONG_BYTES = 64;

const corrupt = (message: string) => new FormatError('pickle', 'corrupt', message);

export function unpickle(bytes: Uint8Array, hooks: UnpickleHooks): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder();
  let pos = 0;
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();

  const need = (n: number) => {
    if (pos + n > bytes.byteLength) throw new FormatError('pickle', 'truncated', `pickle ends unexpectedly at byte ${pos}`);
  };
  const u8 = () => (need(1), bytes[pos++]);
  const u16 = () => (need(2), (pos += 2), view.getUint16(pos - 2, true));
  const u32 = () => (need(4), (pos += 4), view.getUint32(pos - 4, true));
  const i32 = () => (need(4), (pos += 4), view.getInt32(pos - 4, true));
  const u64 = () => {
    need(8);
    pos += 8;
    const v = view.getBigUint64(pos - 8, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt('pickle length beyond 2^53');
    return Number(v);
  };
  const take = (n: number) => (need(n), (pos += n), bytes.subarray(pos - n, pos));
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw new FormatError('pickle', 'truncated', 'pickle ends inside a text line');
    const text = decoder.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return text;
  };
  const pop = () => {
    if (stack.length === 0 || stack[stack.length - 1] === MARK) throw corrupt('pickle stack underflow');
    return stack.pop();
  };
  const top = () => {
    if (stack.length === 0 || stack[stack.length - 1] === MARK) throw corrupt('pickle stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const at = stack.lastIndexOf(MARK);
    if (at < 0) throw corrupt('pickle MARK missing');
    const items = stack.splice(at);
    return items.slice(1);
  };
  const setItems = (target: unknown, items: unknown[]) => {
    if (!(target instanceof Map)) throw corrupt('pickle SETITEM(S) on something that is not a dict');
    if (items.length % 2 !== 0) throw corrupt('pickle SETITEMS with an odd number of items');
    for (let i = 0; i + 1 < items.length; i += 2) target.set(items[i], items[i + 1]);
  };
  const appendItems = (target: unknown, items: unknown[]) => {
    if (!Array.isArray(target)) throw corrupt('pickle APPEND(S) on something that is not a list');
    for (const item of items) target.push(item);
  };
  const callables = new Map(Object.entries(hooks.callables));
  const resolveGlobal = (module: string, name: string): PickleGlobal => {
    const global = new PickleGlobal(module, name);
    const qualified = global.qualifiedName;
    if (!callables.has(qualified) && qualified !== 'collections.OrderedDict' && !hooks.allowedGlobals?.(qualified)) {
      throw new FormatError('pickle', 'forbidden-global', `pickle asks for ${qualified}, which is not on the allow-list: refused (the lab never imports or runs code from a file)`);
    }
    return global;
  };
  const call = (fn: unknown, args: unknown): unknown => {
    if (!(fn instanceof PickleGlobal)) throw corrupt('pickle REDUCE of something that is not a global');
    if (!Array.isArray(args)) throw corrupt(`pickle REDUCE of ${fn.qualifiedName} without an argument tuple`);
    const impl = callables.get(fn.qualifiedName);
    if (impl) return impl(...args);
    if (fn.qualifiedName === 'collections.OrderedDict') return new Map();
    return new PickleObject(fn, args);
  };
  const longFrom = (raw: Uint8Array): number => {
    if (raw.length > MAX_LONG_BYTES) throw new FormatError('pickle', 'unsupported', `pickle integer of ${raw.length} bytes (at most ${MAX_LONG_BYTES} are read)`);
    let value = 0n;
    for (let i = raw.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(raw[i]);
    if (raw.length > 0 && raw[raw.length - 1] & 0x80) value -= 1n << BigInt(8 * raw.length); // two's complement
    return Number(value);
  };

  for (;;) {
    const at = pos;
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: u64(); break; // FRAME: length only, contents follow inline
      case 0x2e: return pop(); // STOP
      case 0x28: stack.push(MARK); break; // MARK
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push([]); break; // EMPTY_TUPLE (tuples are arrays here)
      case 0x8f: stack.push(new Set()); break; // EMPTY_SET
      case 0x64: { const m = new Map(); setItems(m, popMark()); stack.push(m); break; } // DICT
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x74: stack.push(popMark()); break; // TUPLE
      case 0x85: stack.push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(); stack.push([pop(), b]); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); stack.push([pop(), b, c]); break; } // TUPLE3
      case 0x91: stack.push(new Set(popMark())); break; // FROZENSET
      case 0x90: { const items = popMark(); const s = top(); if (s instanceof Set) items.forEach((x) => s.add(x)); break; } // ADDITEMS
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x4a: stack.push(i32()); break; // BININT
      case 0x8a: stack.push(longFrom(take(u8()))); break; // LONG1
      case 0x8b: stack.push(longFrom(take(u32()))); break; // LONG4
      case 0x47: need(8); pos += 8; stack.push(view.getFloat64(pos - 8, false)); break; // BINFLOAT (big-endian)
      case 0x58: stack.push(decoder.decode(take(u32()))); break; // BINUNICODE
      case 0x8c: stack.push(decoder.decode(take(u8()))); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(decoder.decode(take(u64()))); break; // BINUNICODE8
      case 0x55: stack.push(decoder.decode(take(u8()))); break; // SHORT_BINSTRING
      case 0x54: stack.push(decoder.decode(take(u32()))); break; // BINSTRING
      case 0x43: stack.push(take(u8()).slice()); break; // SHORT_BINBYTES
      case 0x42: stack.push(take(u32()).slice()); break; // BINBYTES
      case 0x8e: stack.push(take(u64()).slice()); break; // BINBYTES8
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: case 0x6a: { // BINGET, LONG_BINGET
        const key = op === 0x68 ? u8() : u32();
        if (!memo.has(key)) throw corrupt(`pickle memo ${key} is missing`);
        stack.push(memo.get(key));
        break;
      }
      case 0x63: { const module = line(); stack.push(resolveGlobal(module, line())); break; } // GLOBAL
      case 0x93: { const name = String(pop()); stack.push(resolveGlobal(String(pop()), name)); break; } // STACK_GLOBAL
      case 0x52: { const args = pop(); stack.push(call(pop(), args)); break; } // REDUCE
      case 0x81: { const args = pop(); stack.push(call(pop(), args)); break; } // NEWOBJ
      case 0x51: stack.push(hooks.persistentLoad(pop())); break; // BINPERSID
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x61: { const v = pop(); appendItems(top(), [v]); break; } // APPEND
      case 0x65: { const items = popMark(); appendItems(top(), items); break; } // APPENDS
      case 0x62: { // BUILD: state of an inert object; on a dict it is attributes (a state dict's _metadata), not items
        const state = pop();
        const target = top();
        if (target instanceof PickleObject) target.state = state;
        break;
      }
      case 0x30: if (stack[stack.length - 1] === MARK) stack.pop(); else pop(); break; // POP (of a MARK too, as CPython)
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      default:
        throw new FormatError('pickle', 'unsupported', `unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} at byte ${at}; this file is not a plain torch.save state dict`);
    }
  }
}
