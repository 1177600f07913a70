/**
 * A tagged template's strings array built at run time, so a test can put any text around a
 * placeholder (`kql(templateOf('… == @', ''), value)` is `` kql`… == @${value}` ``).
 */
export function templateOf(...parts: string[]): TemplateStringsArray {
  const strings = Object.assign([...parts], { raw: [...parts] });
  Object.freeze(strings.raw);
  return Object.freeze(strings) as unknown as TemplateStringsArray;
}
