import { describe, expect, it } from 'vitest';
import { zipSync } from 'fflate';
import { unpickle } from '../../src/formats/pickle';
import { openPth } from '../../src/formats/pth';
import { fixtureBlob, fixtureBytes, fixtureTensors } from './helpers';

describe('torch.save zip checkpoints', () => {
  it('reads {"model": state_dict} (with an argparse.Namespace beside it) to the safetensors values', async () => {
    const reference = await fixtureTensors('vit_small.safetensors');
    const reader = await openPth(await fixtureBlob('vit_small.pth'));
    expect(reader.tensors.map((t) => t.name).sort()).toEqual([...reference.keys()].sort());
    for (const info of reader.tensors) {
      expect(info.shape).toEqual(reference.get(info.name)!.shape);
      expect(await reader.read(info.name)).toEqual(reference.get(info.name)!.data);
    }
  });

  it('reads a top-level, module.-prefixed state dict and gathers a non-contiguous tensor', async () => {
    const reference = await fixtureTensors('vit_small.safetensors');
    const reader = await openPth(await fixtureBlob('vit_small_module_prefix.pth'));
    const names = reader.tensors.map((t) => t.name);
    expect(names).toContain('module.decoder_embed.weight');
    expect(await reader.read('module.blocks.0.mlp.fc2.weight')).toEqual(reference.get('blocks.0.mlp.fc2.weight')!.data);
  });

  it('widens HalfStorage tensors to float32', async () => {
    const reference = await fixtureTensors('vit_small.safetensors');
    const reader = await openPth(await fixtureBlob('vit_small_half.pth'));
    expect(reader.tensors[0].dtype).toBe('HalfStorage');
    const got = await reader.read('blocks.0.attn.qkv.weight');
    const want = reference.get('blocks.0.attn.qkv.weight')!.data;
    const worst = want.reduce((w, v, i) => Math.max(w, Math.abs(got[i] - v) - Math.abs(v) * 2 ** -11 - 2 ** -25), 0);
    expect(worst).toBeLessThanOrEqual(0);
  });

  it('rejects files that are not torch zip archives, with a reason', async () => {
    await expect(openPth(new Blob([new Uint8Array(100)]))).rejects.toThrow(/not a torch.save zip archive/);
    const noPickle = zipSync({ 'a/readme.txt': new Uint8Array([1]) });
    await expect(openPth(new Blob([noPickle]))).rejects.toThrow(/data\.pkl/);
    const bytes = fixtureBytes('vit_small.pth');
    await expect(openPth(new Blob([bytes.slice(0, bytes.length / 2)]))).rejects.toThrow(/zip/);
  });

  it('asking for a tensor the file does not have is an error', async () => {
    const reader = await openPth(await fixtureBlob('vit_small.pth'));
    await expect(reader.read('no.such.tensor')).rejects.toThrow(/no tensor no\.such\.tensor/);
  });
});

describe('pickle subset', () => {
  const hooks = { callables: {}, persistentLoad: () => null };

  it('parses protocol-2 dicts, tuples, ints, floats, strings and memo references', () => {
    // pickle.dumps({'a': (1, 300, -2, 2.5, 'x'), 'b': [True, 'x', None]}, protocol=2): 'x' comes back via BINGET
    const bytes = Uint8Array.from(
      Buffer.from(
        '80027d7100285801000000617101284b014d2c014afeffffff474004000000000000580100000078710274710358010000006271045d71052888' +
          '68024e65752e',
        'hex',
      ),
    );
    const value = unpickle(bytes, hooks) as Map<string, unknown>;
    expect(value.get('a')).toEqual([1, 300, -2, 2.5, 'x']);
    expect(value.get('b')).toEqual([true, 'x', null]);
  });

  it('names an unsupported opcode instead of hanging', () => {
    expect(() => unpickle(Uint8Array.from([0x80, 0x02, 0x56, 0x2e]), hooks)).toThrow(/unsupported pickle opcode 0x56 at byte 2/);
    expect(() => unpickle(Uint8Array.from([0x80, 0x02, 0x58, 0xff]), hooks)).toThrow(/ends unexpectedly/);
    expect(() => unpickle(Uint8Array.from([0x80, 0x02]), hooks)).toThrow(/ends unexpectedly/);
  });
});
