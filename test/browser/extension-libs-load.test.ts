import { expect } from 'chai';
import { loadLibLikeCht, builtLibNames, xmlNode } from './cht-loader';

describe('extension libs load the way CHT loads them', () => {
  it('every built lib sets module.exports to a function and answers XPath and JS callers', async () => {
    const names = await builtLibNames();
    expect(names).to.include('fhir-id.js');
    for (const name of names) {
      const lib = await loadLibLikeCht(name);
      const fromForm = lib({ t: 'str', v: '' }) as { t: string };
      expect(fromForm, name).to.be.an('object').with.property('t');
      expect(() => lib(), name).not.to.throw();
    }
  });

  describe('fhir-id.js', () => {
    it('gives the same UUID v5 for a node value and for a plain string', async () => {
      const lib = await loadLibLikeCht('fhir-id.js');
      const node = xmlNode('<data><meta><instanceID>uuid:1234</instanceID></meta></data>', '/data/meta/instanceID');
      const a = lib({ t: 'arr', v: [node] }, { t: 'str', v: 'Observation/weight' }) as { t: string; v: string };
      expect(a.t).to.equal('str');
      expect(a.v).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(lib('uuid:1234', 'Observation/weight')).to.equal(a.v);
      expect(lib('uuid:1234', 'Observation/height')).not.to.equal(a.v);
    });

    it('returns the empty string for an empty node-set instead of throwing', async () => {
      const lib = await loadLibLikeCht('fhir-id.js');
      expect(lib({ t: 'arr', v: [] }, { t: 'str', v: 'x' })).to.deep.equal({ t: 'str', v: '' });
      expect(lib(null, undefined)).to.equal('');
    });
  });
});
