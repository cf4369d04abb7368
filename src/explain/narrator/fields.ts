import { GROUP_FIELD, signalSpec, type SignalField } from '../../model/signal-fields.js';

/**
 * How the narrator names a signal in prose. The fields themselves are `FIELD` in
 * `model/signal-fields`; this module only decides how a wire path reads in a sentence.
 */

/** Primary signals and amplifiers drop their group; worker signals keep it: their ids have no section. */
const SHORTENED = new RegExp(`^(${GROUP_FIELD.primary}|${GROUP_FIELD.amplifier})\\.`);

export const shortField = (f: string): string => f.replace(SHORTENED, '');

/** A comma-separated list of fields, shortened. */
export function shortFields(list: string): string {
  return list
    .split(',')
    .map((f) => shortField(f.trim()))
    .filter((f) => f.length > 0)
    .join(', ');
}

/** A trend's signal in a sentence: the signal's own label, else its short field. */
export const signalLabel = (field: SignalField): string =>
  signalSpec(field)?.label ?? shortField(field);
