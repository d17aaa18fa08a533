import { strict as assert } from 'node:assert';
import { v5 } from 'uuid';
import { uuidv5 } from './uuid-v5';
import { stableId } from './ids';

describe("UUID v5 (the core's own, fast in a fresh sandbox)", () => {
  const namespaces = ['6ba7b810-9dad-11d1-80b4-00c04fd430c8', '8c0d2a5e-3b7f-4e2a-9d61-5f4b2c7e1a90', 'FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF'];

  it('equals the uuid package on the RFC example and thousands of random names (ASCII, accents, CJK, emoji, every length 0-300)', () => {
    assert.equal(uuidv5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'), '2ed6657d-e927-568b-95e1-2665a8aea6a2');
    let seed = 7;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    const alphabet = ['a', 'Z', '0', '/', ' ', '\u00e9', '\u00f8', '\u4e2d', '\u0416', '\ud83d\ude00', '\u2764', '\u0000', '\uffff'];
    for (let len = 0; len <= 300; len++) {
      for (let k = 0; k < 10; k++) {
        let name = '';
        for (let i = 0; i < len; i++) name += alphabet[rand(alphabet.length)];
        const ns = namespaces[rand(namespaces.length)];
        assert.equal(uuidv5(name, ns), v5(name, ns), JSON.stringify(name));
      }
    }
  });

  it('refuses a namespace that is not a UUID', () => {
    assert.throws(() => uuidv5('x', 'not-a-uuid'), /invalid UUID namespace/);
  });

  it('stableId hashes lone surrogates as U+FFFD instead of throwing', () => {
    assert.equal(stableId(namespaces[0], 'Patient', 'a\ud800b'), v5('Patient/a\ufffdb', namespaces[0]));
  });
});
