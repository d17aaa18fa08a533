import { strict as assert } from 'node:assert';
import { parseXForm } from '../../src/compiler/definitions/xform';
import { formCoverage } from '../../src/compiler/definitions/coverage';
import type { FormModel } from '../../src/core/model';

/**
 * Coverage counts every field the compiled model reads: a follow-up's
 * episode field (it links the report to its EpisodeOfCare), an episode's end
 * date and the newborns' refs reach FHIR as much as a rule's field does.
 */
const XML = `<?xml version="1.0"?>
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml" xmlns:jr="http://openrosa.org/javarosa">
  <h:head>
    <h:title>Birth</h:title>
    <model>
      <instance>
        <birth id="birth">
          <born_on/>
          <kids jr:template=""><kid db-doc="true"><type>person</type><name/></kid><kid_doc db-doc-ref="/birth/kids/kid"/></kids>
          <notes/>
          <data><meta><__opener_uuid/></meta></data>
          <meta><instanceID/></meta>
        </birth>
      </instance>
      <bind nodeset="/birth/born_on" type="date"/>
      <bind nodeset="/birth/kids/kid/type" type="string" calculate="&quot;person&quot;"/>
      <bind nodeset="/birth/kids/kid/name" type="string"/>
      <bind nodeset="/birth/kids/kid_doc" type="string" calculate="../kid"/>
      <bind nodeset="/birth/notes" type="string"/>
      <bind nodeset="/birth/data/meta/__opener_uuid" type="string" calculate="'x'"/>
      <bind nodeset="/birth/meta/instanceID" type="string" readonly="true()" calculate="concat('uuid:', uuid())"/>
    </model>
  </h:head>
  <h:body>
    <input ref="/birth/born_on"><label>Born on</label></input>
    <group ref="/birth/kids"><label>Kids</label><repeat nodeset="/birth/kids"><input ref="/birth/kids/kid/name"><label>Name</label></input></repeat></group>
    <input ref="/birth/notes"><label>Notes</label></input>
  </h:body>
</h:html>`;

describe('coverage', () => {
  const x = parseXForm(XML, 'birth.xml');
  const model: FormModel = {
    shape: {},
    episodes: [{ type: 'pregnancy-episode', field: 'data.meta.__opener_uuid', closes: true, end: 'born_on' }, { type: 'postnatal-episode' }],
    newborns: 'kids.kid_doc',
  };

  it("counts the episodes' fields and the newborns' refs as reaching FHIR", () => {
    const c = formCoverage(x, model);
    assert.deepEqual(c.toResources.sort(), ['born_on', 'data.meta.__opener_uuid', 'kids.kid_doc']);
    assert.ok(c.onlyInResponse.includes('notes'));
    assert.ok(!c.onlyInResponse.includes('data.meta.__opener_uuid'));
  });
});
