// The part of @lhncbc/ucum-lhc the build uses (the package ships no types).
declare module '@lhncbc/ucum-lhc' {
  export const UcumLhcUtils: { getInstance(): { validateUnitString(unit: string): { status: 'valid' | 'invalid' | 'error'; msg?: string[] } } };
}
