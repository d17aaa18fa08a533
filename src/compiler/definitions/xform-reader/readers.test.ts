import { strict as assert } from 'node:assert';
import { DOMParser } from '@xmldom/xmldom';
import { descendants, resolvePath, textOf } from './dom';
import { labelOf, readItext } from './itext';
import { readInstance } from './instance';

const parse = (xml: string) => new DOMParser().parseFromString(xml, 'text/xml');

describe('xform-reader: the parts of an XForm, each read on its own', () => {
  it('resolvePath: absolute under the root, relative to a context, anything else undefined', () => {
    assert.equal(resolvePath('/visit/group/age', [], 'visit'), 'group.age');
    assert.equal(resolvePath('../profile', ['mother', 'ref'], 'visit'), 'mother.profile');
    assert.equal(resolvePath('/other/age', [], 'visit'), undefined);
    assert.equal(resolvePath('/visit/a[1]', [], 'visit'), undefined);
    assert.equal(resolvePath('  ', [], 'visit'), undefined);
  });

  it('textOf squashes white space and shows an output by its field name', () => {
    const doc = parse(`<label>Weight of  <output value="/visit/baby/name"/>\n (kg)</label>`);
    assert.equal(textOf(doc.documentElement), 'Weight of {name} (kg)');
  });

  it('labels: itext in every language, the default first; inline labels under the default', () => {
    const doc = parse(`<h><model><itext>
        <translation lang="fr"><text id="q"><value>Âge</value></text></translation>
        <translation lang="en" default="true()"><text id="q"><value>Age</value><value form="image">a.png</value></text></translation>
      </itext></model><body><input ref="/v/a"><label ref="jr:itext('q')"/></input><input ref="/v/b"><label>Name</label></input></body></h>`);
    const itext = readItext(doc);
    assert.deepEqual(itext.languages, ['en', 'fr']);
    const [a, b] = descendants(doc, 'input');
    assert.deepEqual(labelOf(itext, a), { fr: 'Âge', en: 'Age' });
    assert.deepEqual(labelOf(itext, b), { en: 'Name' });
  });

  it('the instance: groups, repeats from jr:template (one node for all instances), db-doc-ref resolved from the field', () => {
    const doc = parse(`<h><instance><v id="visit">
        <kids><kid jr:template=""><name/></kid><kid><name>x</name></kid></kids>
        <mother db-doc="true"><type>person</type></mother>
        <ref db-doc-ref="../mother"/>
      </v></instance></h>`);
    const root = descendants(doc, 'v')[0];
    const { fields, groups, tree } = readInstance(doc, root, 'v');
    assert.deepEqual(tree, [
      { path: 'kids', children: [{ path: 'kids.kid', children: [{ path: 'kids.kid.name' }] }] },
      { path: 'mother', children: [{ path: 'mother.type' }] },
      { path: 'ref' },
    ]);
    assert.deepEqual(groups['kids.kid'], { repeat: true, dbDoc: false, inRepeat: 'kids.kid' });
    assert.deepEqual(groups.mother, { repeat: false, dbDoc: true });
    assert.deepEqual(fields['kids.kid.name'], { type: 'string', control: false, repeat: 'kids.kid' });
    assert.deepEqual(fields['mother.type'], { type: 'string', control: false, value: 'person' });
    assert.equal(fields.ref.dbDocRef, 'mother');
  });
});
