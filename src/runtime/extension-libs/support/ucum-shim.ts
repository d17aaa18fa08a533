/**
 * Stands in for @lhncbc/ucum-lhc inside the FHIRPath lib: the full package
 * (300 KB of unit definitions and a unit-expression parser) is most of what a
 * phone would download, and fhirpath only asks it three things. This shim
 * knows the plain, linear units a CHT form records (mass, length, volume,
 * time, '1', '%'); anything else (compound units such as mg/dL, special units
 * such as Cel) is "not convertible", so fhirpath treats the two quantities as
 * not comparable and returns empty, as the FHIRPath spec does for units it
 * cannot relate. Quantities with the same unit need no conversion and work.
 */

interface Unit {
  /** What the unit measures; units with the same property convert. */
  property_: string;
  /** Size in the property's base unit. */
  magnitude_: number;
  isSpecial_: false;
}

/** code, magnitude, base unit (the property). */
const TABLE: Array<[string, number, string]> = [
  ['g', 1, 'g'],
  ['kg', 1e3, 'g'],
  ['mg', 1e-3, 'g'],
  ['ug', 1e-6, 'g'],
  ['[lb_av]', 453.59237, 'g'],
  ['[oz_av]', 28.349523125, 'g'],
  ['m', 1, 'm'],
  ['km', 1e3, 'm'],
  ['cm', 1e-2, 'm'],
  ['mm', 1e-3, 'm'],
  ['[in_i]', 0.0254, 'm'],
  ['[ft_i]', 0.3048, 'm'],
  ['L', 1, 'L'],
  ['l', 1, 'L'],
  ['dL', 0.1, 'L'],
  ['mL', 1e-3, 'L'],
  ['ml', 1e-3, 'L'],
  ['s', 1, 's'],
  ['ms', 1e-3, 's'],
  ['min', 60, 's'],
  ['h', 3600, 's'],
  ['d', 86400, 's'],
  ['wk', 604800, 's'],
  ['mo', 2629800, 's'],
  ['a', 31557600, 's'],
  ['1', 1, ''],
  ['%', 0.01, ''],
];

const UNITS = Object.create(null) as Record<string, Unit>;
for (const [code, magnitude, base] of TABLE) UNITS[code] = { property_: base, magnitude_: magnitude, isSpecial_: false };

const find = (code: unknown): Unit | undefined => (typeof code === 'string' ? UNITS[code] : undefined);
const failed = (code: unknown) => ({ status: 'failed' as const, msg: [`unit '${String(code)}' is not known on this device`] });

const utils = {
  convertUnitTo(fromCode: string, fromVal: number, toCode: string) {
    const from = find(fromCode);
    const to = find(toCode);
    if (!from || !to) return failed(from ? toCode : fromCode);
    if (from.property_ !== to.property_) return { status: 'failed' as const, msg: [`'${fromCode}' cannot be converted to '${toCode}'`] };
    return { status: 'succeeded' as const, toVal: (fromVal * from.magnitude_) / to.magnitude_, msg: [], fromUnit: from, toUnit: to };
  },
  convertToBaseUnits(fromCode: string, fromVal: number) {
    const u = find(fromCode);
    if (!u) return failed(fromCode);
    return {
      status: 'succeeded' as const,
      toVal: fromVal * u.magnitude_,
      magnitude: u.magnitude_,
      unitToExp: u.property_ ? { [u.property_]: 1 } : {},
      fromUnitIsSpecial: false,
      msg: [],
    };
  },
  /** For hashing quantities (distinct, union): an unknown unit is its own property. */
  getSpecifiedUnit(code: string) {
    return { unit: find(code) ?? { property_: 'unit:' + String(code), magnitude_: 1, isSpecial_: false } };
  },
};

export const UcumLhcUtils = { getInstance: () => utils };
