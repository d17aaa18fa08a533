import type { Model } from 'fhirpath/src/fhirpath.js';
import { updateWithGeneratedData, arrToHash } from 'fhirpath/fhir-context/general-additions.js';
import { compact, pathsDefinedElsewhere, resourcesWithUrlParam } from './r4-compact-data';
import { r4Decoder, type R4Decoder } from './r4-model-codec';

/**
 * The same object as `fhirpath/fhir-context/r4` (a test compares them),
 * rebuilt from the compact data. Nothing is built when CHT loads the lib;
 * the first FHIRPath call builds the model's frame, and each root type's
 * paths (Observation.*, Quantity.*) are decoded the first time fhirpath
 * looks one up: a form pays for the few types its expressions touch, not
 * for all of R4 (on a phone, the whole model took most of a first call).
 */
let model: Model | undefined;
const DECODER = Symbol('decoder');

type Lazy = Record<string, unknown>;

export const r4Model = (): Model => (model ??= buildR4Model());

/** A new model, nothing decoded yet (r4Model() keeps one). */
export function buildR4Model(): Model {
  const open = (key: string) => {
    const dot = key.indexOf('.');
    decoder.open(dot < 0 ? key : key.slice(0, dot));
  };
  const path2Type = lazy(open);
  const path2TypeWithoutElements = lazy(open);
  const path2RefType = lazy(open);
  const path2Repeating = lazy(open);
  const choiceTypePaths = lazy(open);
  const decoder = r4Decoder(compact, (entries) => {
    // fhirpath's own rules for the generated maps, run on this root's paths.
    const part = { type2Parent: {}, path2Type: {} as Lazy };
    for (const [p, e] of entries) {
      if (e.type !== undefined) part.path2Type[p] = e.type;
      if (e.repeating) path2Repeating[p] = true;
      if (e.choice) choiceTypePaths[p] = e.choice;
    }
    updateWithGeneratedData(part);
    Object.assign(path2Type, part.path2Type);
    Object.assign(path2TypeWithoutElements, (part as Lazy).path2TypeWithoutElements);
    Object.assign(path2RefType, (part as Lazy).path2RefType);
  });
  const frame = { type2Parent: decoder.type2Parent, path2Type: {} } as Lazy;
  updateWithGeneratedData(frame); // availableTypes, from type2Parent
  const m = {
    version: 'r4',
    // As fhirpath's r4 context: the extensions weight() reads.
    score: { extensionURI: ['http://hl7.org/fhir/StructureDefinition/ordinalValue', 'http://hl7.org/fhir/StructureDefinition/itemWeight'] },
    choiceTypePaths,
    pathsDefinedElsewhere: { ...pathsDefinedElsewhere },
    type2Parent: decoder.type2Parent,
    path2Type,
    path2Repeating,
    resourcesWithUrlParam: arrToHash(resourcesWithUrlParam),
    availableTypes: frame.availableTypes,
    path2TypeWithoutElements,
    path2RefType,
  };
  Object.defineProperty(m, DECODER, { value: decoder });
  return m as unknown as Model;
}

/** For tests: the model's decoder (which roots are decoded; decode them all to compare with fhirpath's model). */
export function decoderOf(m: Model): R4Decoder {
  return (m as Model & { [DECODER]: R4Decoder })[DECODER];
}

/**
 * A plain object whose missing keys ask `open(key)` first: its prototype is a
 * Proxy, so keys already decoded are ordinary own properties (no trap on
 * the hot path). Object.prototype's members answer as on any object.
 */
function lazy(open: (key: string) => void): Lazy {
  let self: Lazy;
  const known = (key: string | symbol): key is string => typeof key === 'string' && !(key in Object.prototype);
  const proto = new Proxy(Object.create(null) as Lazy, {
    get(_t, key, receiver) {
      if (!known(key)) return Reflect.get(Object.prototype, key, receiver) as unknown;
      open(key);
      return Object.prototype.hasOwnProperty.call(self, key) ? self[key] : undefined;
    },
    has(_t, key) {
      if (!known(key)) return key in Object.prototype;
      open(key);
      return Object.prototype.hasOwnProperty.call(self, key);
    },
  });
  return (self = Object.create(proto) as Lazy);
}
